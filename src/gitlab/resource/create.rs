//! `POST /projects|groups/:id/access_tokens`. Never re-sent.

use chrono::{DateTime, Utc};
use http::Method;
use serde::Serialize;

use super::{AccessLevel, Resource, ResourceTokens};
use crate::auth::AccessCredential;
use crate::error::{Error, Result};
use crate::gitlab::classify::{check, decode};
use crate::gitlab::request::{RequestContext, json};
use crate::gitlab::wire::{SecretWire, TokenWire};
use crate::gitlab::{ExpiryDate, MAX_DESCRIPTION_CHARS, operations as op, scopes};
use crate::model::CreatedPat;
use crate::scope::Scopes;
use crate::transport::{HttpRequest, HttpResponse};

/// What a new project or group access token is to be.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewResourceToken {
    /// `name`.
    pub name: String,
    /// `scopes` (checked against [`scopes::ALL`]).
    pub scopes: Scopes,
    /// `access_level`; `None` lets GitLab choose (Maintainer).
    pub access_level: Option<AccessLevel>,
    /// `expires_at`; `None` lets GitLab choose.
    pub expires_at: Option<ExpiryDate>,
    /// `description`.
    pub description: Option<String>,
}

impl NewResourceToken {
    /// A token named `name` with `scopes`.
    pub fn new(name: impl Into<String>, scopes: Scopes) -> Self {
        Self { name: name.into(), scopes, access_level: None, expires_at: None, description: None }
    }
    /// With an access level.
    pub fn access_level(mut self, level: AccessLevel) -> Self {
        self.access_level = Some(level);
        self
    }
    /// With an expiry date.
    pub fn expires_at(mut self, date: ExpiryDate) -> Self {
        self.expires_at = Some(date);
        self
    }
    /// With a description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
}

#[derive(Serialize)]
struct Body<'a> {
    name: &'a str,
    scopes: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_level: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    resource: &Resource,
    new: &NewResourceToken,
    now: DateTime<Utc>,
) -> Result<HttpRequest> {
    if new.name.trim().is_empty() {
        return Err(Error::invalid_input("name", "a GitLab token needs a name"));
    }
    scopes::check(&new.scopes)?;
    if new.description.as_ref().is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS) {
        return Err(Error::invalid_input("description", format!("at most {MAX_DESCRIPTION_CHARS} characters")));
    }
    let expires_at = new.expires_at.map(|d| d.check_alive(now)).transpose()?;
    let body = json(&Body {
        name: &new.name,
        scopes: new.scopes.iter().map(|s| s.as_str()).collect(),
        access_level: new.access_level.map(AccessLevel::as_u32),
        expires_at: expires_at.map(|d| d.to_string()),
        description: new.description.as_deref(),
    })?;
    let [kind, id] = resource.segments();
    ctx.build(Method::POST, ctx.url(&[kind, id, "access_tokens"]), op::RESOURCE_TOKEN_CREATE, credential, Some(body))
}

pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<CreatedPat> {
    check(response, op::RESOURCE_TOKEN_CREATE, None, now)?;
    let wire: TokenWire<SecretWire> = decode(response, op::RESOURCE_TOKEN_CREATE)?;
    wire.into_created(now)
}

impl ResourceTokens {
    /// Creates a token on the resource. The secret is in the answer, once. Sent once.
    pub async fn create(&self, new: &NewResourceToken) -> Result<CreatedPat> {
        let credential = self.client.credential().await?;
        let request = request(self.client.ctx(), &credential, &self.resource, new, self.client.now())?;
        self.client.execute(request, parse).await
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::gitlab::classify::tests::{now, respond};
    use crate::gitlab::request::tests::{assert_common, context, pat};

    #[test]
    fn request_shape() {
        let new = NewResourceToken::new("ci", Scopes::parse("read_repository").unwrap())
            .access_level(AccessLevel::Developer)
            .expires_at(ExpiryDate::new(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()));
        let request = request(&context(), &pat(), &Resource::Project("42".into()), &new, now()).unwrap();
        assert_eq!(request.uri(), "https://gitlab.example/api/v4/projects/42/access_tokens");
        assert_eq!(
            request.body(),
            br#"{"name":"ci","scopes":["read_repository"],"access_level":30,"expires_at":"2026-06-01"}"#
        );
        assert_common(&request, op::RESOURCE_TOKEN_CREATE);
        let dead = new.clone().expires_at(ExpiryDate::new(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()));
        assert!(matches!(request_fn(&dead), Err(Error::InvalidInput { field: "expires_at", .. })));
        let bad = NewResourceToken::new("ci", Scopes::parse("write:repository").unwrap());
        assert!(matches!(request_fn(&bad), Err(Error::InvalidInput { field: "scopes", .. })));
    }

    fn request_fn(new: &NewResourceToken) -> Result<HttpRequest> {
        request(&context(), &pat(), &Resource::Group("5".into()), new, now())
    }

    #[test]
    fn parses_the_secret() {
        let body = r#"{"id":9,"name":"ci","revoked":false,"created_at":"2026-01-01T00:00:00.000Z","scopes":["api"],"user_id":77,"active":true,"expires_at":"2026-06-01","access_level":40,"token":"glpat-res"}"#;
        let created = parse(&respond(201, body), now()).unwrap();
        assert_eq!(created.secret.expose_secret(), "glpat-res");
        assert_eq!(created.metadata.extras.get("access_level"), Some("40"));
    }
}
