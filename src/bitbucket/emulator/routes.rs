//! Which endpoint a request is for, from its method and path alone (§5.1). Both `1.0` and
//! `latest` are accepted as the version.

use http::Method;

use super::operations as op;
use super::state::Owner;
use crate::transport::Operation;

/// An endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    List(Owner),
    Create(Owner),
    Get(Owner, String),
    Update(Owner, String),
    Delete(Owner, String),
    /// `GET /rest/api/…/users/{slug}`, `…/projects/{key}`, `…/projects/{key}/repos/{slug}`.
    Read(Owner),
    /// `GET /rest/api/…/admin/users`.
    AdminUsers,
    /// `GET /rest/ssh/…/keys` (`false`) or `GET /rest/gpg/…/keys` (`true`).
    Keys(bool),
}

impl Route {
    /// The endpoint for `method` on `segments` (from `rest` on); `None`: no route.
    pub(crate) fn classify(method: &Method, segments: &[String]) -> Option<Self> {
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        let version = |v: &str| v == "1.0" || v == "latest";
        // The owner and what follows it (a token id, or nothing).
        let owner = |rest: &[&str]| -> Option<(Owner, Option<String>)> {
            let (owner, tail) = match rest {
                ["users", slug, tail @ ..] => (Owner::User((*slug).to_owned()), tail),
                ["projects", key, "repos", slug, tail @ ..] => {
                    (Owner::Repository((*key).to_owned(), (*slug).to_owned()), tail)
                }
                ["projects", key, tail @ ..] => (Owner::Project((*key).to_owned()), tail),
                _ => return None,
            };
            match tail {
                [] => Some((owner, None)),
                [id] => Some((owner, Some((*id).to_owned()))),
                _ => None,
            }
        };
        Some(match (method.as_str(), s.as_slice()) {
            (m, ["rest", "access-tokens", v, rest @ ..]) if version(v) => match (m, owner(rest)?) {
                ("GET", (owner, None)) => Self::List(owner),
                ("PUT", (owner, None)) => Self::Create(owner),
                ("GET", (owner, Some(id))) => Self::Get(owner, id),
                ("POST", (owner, Some(id))) => Self::Update(owner, id),
                ("DELETE", (owner, Some(id))) => Self::Delete(owner, id),
                _ => return None,
            },
            ("GET", ["rest", "api", v, "admin", "users"]) if version(v) => Self::AdminUsers,
            ("GET", ["rest", "ssh", v, "keys"]) if version(v) => Self::Keys(false),
            ("GET", ["rest", "gpg", v, "keys"]) if version(v) => Self::Keys(true),
            ("GET", ["rest", "api", v, rest @ ..]) if version(v) => match owner(rest)? {
                (owner, None) => Self::Read(owner),
                _ => return None,
            },
            _ => return None,
        })
    }

    /// The operation the request is an instance of.
    pub(crate) fn operation(&self) -> Operation {
        match self {
            Self::List(_) => op::LIST,
            Self::Create(_) => op::CREATE,
            Self::Get(..) => op::GET,
            Self::Update(..) => op::UPDATE,
            Self::Delete(..) => op::DELETE,
            Self::Read(Owner::User(_)) => op::USER,
            Self::Read(_) => op::RESOURCE,
            Self::AdminUsers => op::ADMIN_USERS,
            Self::Keys(false) => op::SSH_KEYS,
            Self::Keys(true) => op::GPG_KEYS,
        }
    }
}
