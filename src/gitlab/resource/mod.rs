//! Project and group access tokens (`/projects/:id/access_tokens`, `/groups/:id/access_tokens`):
//! list, create, get, rotate, revoke, one file per operation, on a [`ResourceTokens`] handle
//! from [`GitLabClient::resource_tokens`].
//!
//! They are tokens of a bot user bound to one project or group, with an
//! [`access_level`](AccessLevel) on it; otherwise they behave as personal access tokens (date
//! expiry, server-side rotation that revokes the old token and is never re-sent, soft revoke).

mod create;
mod get;
mod list;
mod provider;
mod revoke;
mod rotate;

use std::fmt;

use crate::gitlab::GitLabClient;

pub use create::NewResourceToken;

/// What a project or group access token belongs to.
///
/// The id is GitLab's numeric id or the URL path (`group/subgroup/project`), sent
/// percent-encoded as one path segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resource {
    /// A project: `/projects/:id/access_tokens`.
    Project(String),
    /// A group: `/groups/:id/access_tokens`.
    Group(String),
}

impl Resource {
    pub(crate) fn segments(&self) -> [&str; 2] {
        match self {
            Self::Project(id) => ["projects", id],
            Self::Group(id) => ["groups", id],
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [kind, id] = self.segments();
        write!(f, "{kind}/{id}")
    }
}

/// The role a project or group access token has on its resource.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessLevel {
    /// 10.
    Guest,
    /// 15.
    Planner,
    /// 20.
    Reporter,
    /// 30.
    Developer,
    /// 40 (GitLab's default for a new token).
    Maintainer,
    /// 50.
    Owner,
}

impl AccessLevel {
    /// GitLab's number for it.
    pub fn as_u32(self) -> u32 {
        match self {
            Self::Guest => 10,
            Self::Planner => 15,
            Self::Reporter => 20,
            Self::Developer => 30,
            Self::Maintainer => 40,
            Self::Owner => 50,
        }
    }
}

/// Project or group access tokens of one [`Resource`]; from [`GitLabClient::resource_tokens`].
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct ResourceTokens {
    client: GitLabClient,
    resource: Resource,
    /// `HOST/projects/ID` or `HOST/groups/ID`: what
    /// [`PatProvider::organization`](crate::PatProvider::organization) answers.
    organization: String,
}

impl ResourceTokens {
    /// The resource.
    pub fn resource(&self) -> &Resource {
        &self.resource
    }
}

impl GitLabClient {
    /// The access tokens of a project or group (Maintainer or Owner role needed). The handle is
    /// a [`PatProvider`](crate::PatProvider) scoped to that resource (no `create`: see its impl).
    pub fn resource_tokens(&self, resource: Resource) -> ResourceTokens {
        let organization = format!("{}/{resource}", self.host());
        ResourceTokens { client: self.clone(), resource, organization }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_name_their_path() {
        assert_eq!(Resource::Project("g/p".into()).to_string(), "projects/g/p");
        assert_eq!(Resource::Group("7".into()).segments(), ["groups", "7"]);
        assert_eq!(AccessLevel::Maintainer.as_u32(), 40);
    }
}
