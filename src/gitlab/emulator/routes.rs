//! Which endpoint a request is for, from its method and path alone (§2.1).

use http::Method;

use super::operations as op;
use super::setup::ResourceKind;
use crate::transport::Operation;

/// A token id in a path: an integer, or `self`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenRef {
    Id(u64),
    SelfToken,
    /// Neither: Grape's `type: Integer` refuses it with 400.
    Invalid,
}

impl TokenRef {
    fn parse(segment: &str, self_allowed: bool) -> Self {
        if self_allowed && segment == "self" {
            return Self::SelfToken;
        }
        segment.parse().map(Self::Id).unwrap_or(Self::Invalid)
    }
}

/// An endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    List,
    Get(TokenRef),
    Associations,
    Rotate(TokenRef),
    Revoke(TokenRef),
    CreateForUser(String),
    CreateOwn,
    CurrentUser,
    Users,
    UserKeys(String),
    UserGpgKeys(String),
    ResourceList(ResourceKind, String),
    ResourceCreate(ResourceKind, String),
    ResourceGet(ResourceKind, String, TokenRef),
    ResourceRotate(ResourceKind, String, TokenRef),
    ResourceRevoke(ResourceKind, String, TokenRef),
}

impl Route {
    /// The endpoint for `method` on the path `segments` (after `/api/v4`); `None`: no route.
    pub(crate) fn classify(method: &Method, segments: &[String]) -> Option<Self> {
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        let m = method.as_str();
        let kind = |k: &str| match k {
            "projects" => Some(ResourceKind::Project),
            "groups" => Some(ResourceKind::Group),
            _ => None,
        };
        Some(match (m, s.as_slice()) {
            ("GET", ["personal_access_tokens"]) => Self::List,
            ("GET", ["personal_access_tokens", "self", "associations"]) => Self::Associations,
            ("GET", ["personal_access_tokens", id]) => Self::Get(TokenRef::parse(id, true)),
            ("DELETE", ["personal_access_tokens", id]) => Self::Revoke(TokenRef::parse(id, true)),
            ("POST", ["personal_access_tokens", id, "rotate"]) => Self::Rotate(TokenRef::parse(id, true)),
            ("POST", ["users", user, "personal_access_tokens"]) => Self::CreateForUser((*user).to_owned()),
            ("POST", ["user", "personal_access_tokens"]) => Self::CreateOwn,
            ("GET", ["user"]) => Self::CurrentUser,
            ("GET", ["users"]) => Self::Users,
            ("GET", ["users", user, "keys"]) => Self::UserKeys((*user).to_owned()),
            ("GET", ["users", user, "gpg_keys"]) => Self::UserGpgKeys((*user).to_owned()),
            (_, [k, rid, "access_tokens", rest @ ..]) => {
                let kind = kind(k)?;
                let rid = (*rid).to_owned();
                match (m, rest) {
                    ("GET", []) => Self::ResourceList(kind, rid),
                    ("POST", []) => Self::ResourceCreate(kind, rid),
                    ("GET", [t]) => Self::ResourceGet(kind, rid, TokenRef::parse(t, false)),
                    ("DELETE", [t]) => Self::ResourceRevoke(kind, rid, TokenRef::parse(t, false)),
                    ("POST", [t, "rotate"]) => Self::ResourceRotate(kind, rid, TokenRef::parse(t, true)),
                    _ => return None,
                }
            }
            _ => return None,
        })
    }

    /// The operation the request is an instance of.
    pub(crate) fn operation(&self) -> Operation {
        match self {
            Self::List => op::LIST,
            Self::Get(TokenRef::SelfToken) => op::GET_SELF,
            Self::Get(_) => op::GET,
            Self::Associations => op::ASSOCIATIONS,
            Self::Rotate(TokenRef::SelfToken) => op::ROTATE_SELF,
            Self::Rotate(_) => op::ROTATE,
            Self::Revoke(TokenRef::SelfToken) => op::REVOKE_SELF,
            Self::Revoke(_) => op::REVOKE,
            Self::CreateForUser(_) => op::CREATE_FOR_USER,
            Self::CreateOwn => op::CREATE_OWN,
            Self::CurrentUser => op::CURRENT_USER,
            Self::Users => op::USERS,
            Self::UserKeys(_) => op::USER_KEYS,
            Self::UserGpgKeys(_) => op::USER_GPG_KEYS,
            Self::ResourceList(..) => op::RESOURCE_LIST,
            Self::ResourceCreate(..) => op::RESOURCE_CREATE,
            Self::ResourceGet(..) => op::RESOURCE_GET,
            Self::ResourceRotate(..) => op::RESOURCE_ROTATE,
            Self::ResourceRevoke(..) => op::RESOURCE_REVOKE,
        }
    }
}
