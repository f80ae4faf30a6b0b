//! `GET /personal_access_tokens/self/associations`: the groups and projects the calling token
//! can reach.

use chrono::{DateTime, Utc};
use http::Method;
use serde::Deserialize;

use crate::auth::AccessCredential;
use crate::error::Result;
use crate::gitlab::classify::{check, decode};
use crate::gitlab::request::RequestContext;
use crate::gitlab::{GitLabClient, operations as op, pagination};
use crate::model::ContinuationToken;
use crate::transport::{HttpRequest, HttpResponse};

/// A group the token reaches.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AssociatedGroup {
    /// The group's id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its page.
    #[serde(default)]
    pub web_url: Option<String>,
    /// Its parent group, if any.
    #[serde(default)]
    pub parent_id: Option<u64>,
}

/// A project the token reaches.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AssociatedProject {
    /// The project's id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// `group/subgroup/project`.
    #[serde(default)]
    pub path_with_namespace: Option<String>,
    /// Its page.
    #[serde(default)]
    pub web_url: Option<String>,
}

/// One page of a token's associations; from [`GitLabClient::associations`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Associations {
    /// Groups.
    pub groups: Vec<AssociatedGroup>,
    /// Projects.
    pub projects: Vec<AssociatedProject>,
    /// The next page, if any.
    pub continuation: Option<ContinuationToken>,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    groups: Vec<AssociatedGroup>,
    #[serde(default)]
    projects: Vec<AssociatedProject>,
}

/// `GET /personal_access_tokens/self/associations[?per_page=&page=]`.
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    per_page: Option<u32>,
    continuation: Option<&ContinuationToken>,
) -> Result<HttpRequest> {
    crate::gitlab::request::require_access_token(credential)?;
    let mut url = ctx.url(&["personal_access_tokens", "self", "associations"]);
    let pairs = pagination::query(per_page, continuation)?;
    if !pairs.is_empty() {
        url.extend_pairs(pairs);
    }
    ctx.build(Method::GET, url, op::PAT_ASSOCIATIONS, credential, None)
}

pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<Associations> {
    check(response, op::PAT_ASSOCIATIONS, None, now)?;
    let wire: Wire = decode(response, op::PAT_ASSOCIATIONS)?;
    Ok(Associations { groups: wire.groups, projects: wire.projects, continuation: pagination::next(response) })
}

impl GitLabClient {
    /// One page of the groups and projects the calling token reaches (`per_page` at most 100;
    /// pass the previous page's continuation for the next).
    pub async fn associations(
        &self,
        per_page: Option<u32>,
        continuation: Option<ContinuationToken>,
    ) -> Result<Associations> {
        let credential = self.credential().await?;
        let request = request(self.ctx(), &credential, per_page, continuation.as_ref())?;
        self.execute(request, parse).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::classify::tests::{now, respond};
    use crate::gitlab::request::tests::{assert_common, context, pat};

    #[test]
    fn request_shape() {
        let request = request(&context(), &pat(), Some(50), Some(&ContinuationToken::new("2"))).unwrap();
        assert_eq!(
            request.uri(),
            "https://gitlab.example/api/v4/personal_access_tokens/self/associations?per_page=50&page=2"
        );
        assert_common(&request, op::PAT_ASSOCIATIONS);
    }

    #[test]
    fn parses_groups_and_projects() {
        let body = r#"{"groups":[{"id":1,"web_url":"https://gitlab.example/groups/g","name":"g","parent_id":null,"organization_id":1,"access_levels":20,"visibility":"private"}],
            "projects":[{"id":5,"description":null,"name":"p","name_with_namespace":"g / p","path":"p","path_with_namespace":"g/p","created_at":"2024-01-01T00:00:00.000Z","access_levels":{"project_access_level":30,"group_access_level":null},"visibility":"private","web_url":"https://gitlab.example/g/p","namespace":{"id":1}}]}"#;
        let found = parse(&respond(200, body), now()).unwrap();
        assert_eq!(found.groups[0].name, "g");
        assert_eq!(found.projects[0].path_with_namespace.as_deref(), Some("g/p"));
        assert!(found.continuation.is_none());
    }
}
