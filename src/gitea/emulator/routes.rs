//! Which endpoint a request is for, from its method and path alone (§3.1).

use http::Method;

use super::operations as op;
use super::setup::Flavor;
use super::wire::Incoming;
use crate::transport::Operation;

/// An endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// `GET /users/{username}/tokens`.
    List(String),
    /// `POST /users/{username}/tokens`.
    Create(String),
    /// `DELETE /users/{username}/tokens/{token}` (an id, or else a name).
    Delete(String, String),
    /// `GET /user`.
    CurrentUser,
    /// `GET /admin/users`.
    AdminUsers,
    /// `GET /users/search`.
    SearchUsers,
    /// `GET /users/{username}/keys` (`false`) or `…/gpg_keys` (`true`).
    UserKeys(String, bool),
    /// `GET /version` (and Forgejo's `GET /api/forgejo/v1/version`).
    Version,
}

impl Route {
    /// The endpoint `request` is for; `None`: no route (404).
    pub(crate) fn classify(request: &Incoming, flavor: Flavor) -> Option<Self> {
        let get = request.method == Method::GET;
        if let Some(rest) = &request.forgejo_segments {
            let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
            return (flavor == Flavor::Forgejo && get && rest == ["version"]).then_some(Self::Version);
        }
        let segments: Vec<&str> = request.segments.as_ref()?.iter().map(String::as_str).collect();
        Some(match (request.method.as_str(), segments.as_slice()) {
            ("GET", ["users", user, "tokens"]) => Self::List((*user).to_owned()),
            ("POST", ["users", user, "tokens"]) => Self::Create((*user).to_owned()),
            ("DELETE", ["users", user, "tokens", token]) => Self::Delete((*user).to_owned(), (*token).to_owned()),
            ("GET", ["user"]) => Self::CurrentUser,
            ("GET", ["admin", "users"]) => Self::AdminUsers,
            ("GET", ["users", "search"]) => Self::SearchUsers,
            ("GET", ["users", user, "keys"]) => Self::UserKeys((*user).to_owned(), false),
            ("GET", ["users", user, "gpg_keys"]) => Self::UserKeys((*user).to_owned(), true),
            ("GET", ["version"]) => Self::Version,
            _ => return None,
        })
    }

    /// The operation the request is an instance of.
    pub(crate) fn operation(&self) -> Operation {
        match self {
            Self::List(_) => op::TOKEN_LIST,
            Self::Create(_) => op::TOKEN_CREATE,
            Self::Delete(..) => op::TOKEN_DELETE,
            Self::CurrentUser => op::CURRENT_USER,
            Self::AdminUsers => op::ADMIN_USERS,
            Self::SearchUsers => op::USER_SEARCH,
            Self::UserKeys(_, false) => op::USER_KEYS,
            Self::UserKeys(_, true) => op::USER_GPG_KEYS,
            Self::Version => op::VERSION,
        }
    }
}
