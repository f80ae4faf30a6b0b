//! Whose tokens a client's calls address (§5.1): a user's personal tokens, or a project's or a
//! repository's tokens (Bitbucket Data Center 7.x+, with a Data Center license).

use std::fmt;

/// Whose HTTP access tokens a [`BitbucketClient`](super::BitbucketClient) manages: from
/// [`owner`](super::BitbucketClient::owner); chosen with
/// [`for_user`](super::BitbucketClient::for_user), [`for_project`](super::BitbucketClient::for_project)
/// or [`for_repository`](super::BitbucketClient::for_repository).
///
/// `Display` is the path below `/rest/access-tokens/1.0/`:
///
/// ```
/// use patkit::bitbucket::TokenOwner;
/// assert_eq!(TokenOwner::User("john.doe".into()).to_string(), "users/john.doe");
/// let repo = TokenOwner::Repository { project: "PRJ".into(), repository: "api".into() };
/// assert_eq!(repo.to_string(), "projects/PRJ/repos/api");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TokenOwner {
    /// A user's personal tokens, by user slug.
    User(String),
    /// A project's tokens, by project key (managed by project administrators).
    Project(String),
    /// A repository's tokens (managed by repository or project administrators; `REPO_*`
    /// permissions only).
    Repository {
        /// The project key.
        project: String,
        /// The repository slug.
        repository: String,
    },
}

impl TokenOwner {
    /// The path segments below `/rest/access-tokens/1.0/`.
    pub(crate) fn segments(&self) -> Vec<&str> {
        match self {
            Self::User(slug) => vec!["users", slug],
            Self::Project(key) => vec!["projects", key],
            Self::Repository { project, repository } => vec!["projects", project, "repos", repository],
        }
    }
}

impl fmt::Display for TokenOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.segments().join("/"))
    }
}
