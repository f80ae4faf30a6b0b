//! Where requests go and what they carry: `{base}/…` paths, the credential, `Sudo`.

use http::{HeaderValue, Method};

use crate::auth::AccessCredential;
use crate::client::base_url;
use crate::client::request as core;
use crate::error::Error;
use crate::error::Result;
use crate::http_url::HttpUrl;
use crate::model::PatId;
use crate::transport::{HttpRequest, Operation};

/// Where and how requests go: fixed per client.
#[derive(Debug, Clone)]
pub(crate) struct RequestContext {
    /// `https://HOST/api/v4`.
    pub(crate) base_url: HttpUrl,
    /// The `Sudo` header value, when the client acts as another user (admins).
    pub(crate) sudo: Option<HeaderValue>,
}

impl RequestContext {
    /// `{base}/{segments…}`, each segment percent-encoded as one path segment.
    pub(crate) fn url(&self, segments: &[&str]) -> HttpUrl {
        base_url::join(&self.base_url, segments.iter().copied())
    }

    /// A request with the common headers, the credential and `Sudo` when set.
    pub(crate) fn build(
        &self,
        method: Method,
        url: HttpUrl,
        op: Operation,
        credential: &AccessCredential,
        json_body: Option<Vec<u8>>,
    ) -> Result<HttpRequest> {
        let mut request = core::build(method, &url, op, Some(credential.to_header()), &[], json_body)?;
        if let Some(sudo) = &self.sudo {
            request.headers_mut().insert("sudo", sudo.clone());
        }
        Ok(request)
    }
}

pub(crate) use core::json;

/// A token id as GitLab spells it: a positive integer. Anything else (including `self`, which
/// has its own methods) is an id GitLab never issued: [`Error::NotFound`], before sending.
pub(crate) fn token_id(id: &PatId) -> Result<u64> {
    let raw = id.as_str();
    raw.parse::<u64>()
        .ok()
        .filter(|n| *n > 0 && raw.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| Error::NotFound { id: Some(id.clone()) })
}

/// The `…/self` endpoints answer only for an access token (`PRIVATE-TOKEN`); an OAuth or other
/// credential gets HTTP 400 there, so it is refused before sending.
pub(crate) fn require_access_token(credential: &AccessCredential) -> Result<()> {
    match credential {
        AccessCredential::Header { name, .. } if name.as_str() == super::PRIVATE_TOKEN_HEADER => Ok(()),
        _ => Err(Error::credential(
            crate::error::CredentialErrorKind::NotAccepted,
            "GitLab's `personal_access_tokens/self` endpoints need an access token sent as PRIVATE-TOKEN, not an \
             OAuth token; use GitLabCredential::private_token",
        )),
    }
}

/// A GitLab user id: a positive integer, refused before sending otherwise.
pub(crate) fn user_id(user: &crate::admin::UserId) -> Result<u64> {
    let raw = user.as_str();
    raw.parse::<u64>()
        .ok()
        .filter(|n| *n > 0 && raw.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| Error::invalid_input("user_id", "a GitLab user id is a positive integer"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::gitlab::GitLabCredential;

    pub(crate) fn context() -> RequestContext {
        RequestContext { base_url: "https://gitlab.example/api/v4".parse().unwrap(), sudo: None }
    }

    pub(crate) fn pat() -> AccessCredential {
        AccessCredential::header(http::HeaderName::from_static("private-token"), "glpat-management".to_owned())
    }

    /// The headers every request must carry.
    pub(crate) fn assert_common(request: &HttpRequest, op: Operation) {
        let h = request.headers();
        assert_eq!(h["accept"], "application/json");
        assert!(h["user-agent"].to_str().unwrap().starts_with("patkit/"));
        assert!(h["private-token"].is_sensitive());
        assert_eq!(h["private-token"], "glpat-management");
        assert!(h.get("authorization").is_none());
        assert_eq!(Operation::of(request), Some(op));
    }

    #[test]
    fn sudo_is_sent_when_set_and_paths_are_encoded() {
        let _ = GitLabCredential::private_token("x".to_owned());
        let mut ctx = context();
        ctx.sudo = Some(HeaderValue::from_static("alice"));
        let op = Operation::idempotent("t");
        let request = ctx.build(Method::GET, ctx.url(&["projects", "group/project"]), op, &pat(), None).unwrap();
        assert_eq!(request.uri(), "https://gitlab.example/api/v4/projects/group%2Fproject");
        assert_eq!(request.headers()["sudo"], "alice");
        assert_common(&request, op);
    }

    #[test]
    fn ids_are_positive_integers() {
        assert_eq!(token_id(&PatId::new("42")).unwrap(), 42);
        for bad in ["self", "0", "-1", "+4", "4 ", "", "1e3", "99999999999999999999999"] {
            assert!(matches!(token_id(&PatId::new(bad)), Err(Error::NotFound { .. })), "{bad}");
        }
    }
}
