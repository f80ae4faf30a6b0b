//! Which endpoint a request is for, from its method and path alone (§5.1). Both `1.0` and
//! `latest` are accepted as the version.

use http::Method;

use super::operations as op;
use crate::transport::Operation;

/// An endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    List(String),
    Create(String),
    Get(String, String),
    Update(String, String),
    Delete(String, String),
    User(String),
}

impl Route {
    /// The endpoint for `method` on `segments` (from `rest` on); `None`: no route.
    pub(crate) fn classify(method: &Method, segments: &[String]) -> Option<Self> {
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        let version = |v: &str| v == "1.0" || v == "latest";
        Some(match (method.as_str(), s.as_slice()) {
            (m, ["rest", "access-tokens", v, "users", slug]) if version(v) => {
                let slug = (*slug).to_owned();
                match m {
                    "GET" => Self::List(slug),
                    "PUT" => Self::Create(slug),
                    _ => return None,
                }
            }
            (m, ["rest", "access-tokens", v, "users", slug, id]) if version(v) => {
                let (slug, id) = ((*slug).to_owned(), (*id).to_owned());
                match m {
                    "GET" => Self::Get(slug, id),
                    "POST" => Self::Update(slug, id),
                    "DELETE" => Self::Delete(slug, id),
                    _ => return None,
                }
            }
            ("GET", ["rest", "api", v, "users", slug]) if version(v) => Self::User((*slug).to_owned()),
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
            Self::User(_) => op::USER,
        }
    }
}
