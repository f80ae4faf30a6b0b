//! Where requests go and what they carry: `{base}/rest/access-tokens/1.0/users/{slug}[/{id}]`,
//! `{base}/rest/api/latest/users/{slug}`, and the credential.

use http::Method;

use super::TokenOwner;
use crate::auth::AccessCredential;
use crate::client::base_url;
use crate::client::request as core;
use crate::error::{Error, Result};
use crate::http_url::HttpUrl;
use crate::model::PatId;
use crate::transport::{HttpRequest, Operation};

pub(crate) use core::json;

/// The access-token REST path below the base URL (`latest` is an alias the client never uses).
pub(crate) const TOKENS_PATH: [&str; 3] = ["rest", "access-tokens", "1.0"];

/// Where requests go: fixed per client.
#[derive(Debug, Clone)]
pub(crate) struct RequestContext {
    /// `https://HOST[/CONTEXT]`.
    pub(crate) base_url: HttpUrl,
}

impl RequestContext {
    /// `{base}/rest/access-tokens/1.0/{owner}[/{id}]`, each segment percent-encoded.
    pub(crate) fn tokens_url(&self, owner: &TokenOwner, id: Option<&str>) -> HttpUrl {
        let tail = owner.segments().into_iter().chain(id);
        base_url::join(&self.base_url, TOKENS_PATH.into_iter().chain(tail))
    }

    /// `{base}/rest/api/latest/{users/{slug} | projects/{key}[/repos/{slug}]}`: a harmless read
    /// of what a token belongs to.
    pub(crate) fn api_url(&self, owner: &TokenOwner) -> HttpUrl {
        let tail = owner.segments();
        base_url::join(&self.base_url, ["rest", "api", "latest"].into_iter().chain(tail))
    }

    /// A request with the common headers and the credential.
    pub(crate) fn build(
        &self,
        method: Method,
        url: HttpUrl,
        op: Operation,
        credential: &AccessCredential,
        json_body: Option<Vec<u8>>,
    ) -> Result<HttpRequest> {
        core::build(method, &url, op, Some(credential.to_header()), &[], json_body)
    }
}

/// A token id as Bitbucket spells it: a numeric **string** (12 digits, leading zeros kept), never
/// parsed as a number. Anything else is an id Bitbucket never issued: [`Error::NotFound`] before
/// sending.
pub(crate) fn token_id(id: &PatId) -> Result<&str> {
    let raw = id.as_str();
    if !raw.is_empty() && raw.len() <= 32 && raw.bytes().all(|b| b.is_ascii_digit()) {
        Ok(raw)
    } else {
        Err(Error::NotFound { id: Some(id.clone()) })
    }
}

/// A user slug, project key or repository slug: not empty, at most 255 characters, no control
/// characters; refused before sending otherwise.
pub(crate) fn user_slug(field: &'static str, slug: &str) -> Result<()> {
    if slug.trim().is_empty() || slug.chars().count() > 255 || slug.chars().any(char::is_control) {
        return Err(Error::invalid_input(field, "expected a Bitbucket user slug, project key or repository slug"));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const BASIC: &str = "Basic a3Ntc3Rlcjpwdy1tYW5hZ2VtZW50"; // ksmster:pw-management

    pub(crate) fn user(slug: &str) -> TokenOwner {
        TokenOwner::User(slug.to_owned())
    }

    pub(crate) fn context() -> RequestContext {
        RequestContext { base_url: "https://bitbucket.example/context".parse().unwrap() }
    }

    pub(crate) fn password() -> AccessCredential {
        AccessCredential::basic("ksmster", "pw-management".to_owned())
    }

    /// The headers every request must carry.
    pub(crate) fn assert_common(request: &HttpRequest, op: Operation) {
        let h = request.headers();
        assert_eq!(h["accept"], "application/json");
        assert!(h["user-agent"].to_str().unwrap().starts_with("patkit/"));
        assert!(h["authorization"].is_sensitive());
        assert_eq!(h["authorization"], BASIC);
        assert_eq!(Operation::of(request), Some(op));
    }

    #[test]
    fn paths_keep_the_context_and_encode_segments() {
        let ctx = context();
        assert_eq!(
            ctx.tokens_url(&user("john.doe"), Some("075905477751")).as_str(),
            "https://bitbucket.example/context/rest/access-tokens/1.0/users/john.doe/075905477751"
        );
        assert_eq!(
            ctx.tokens_url(&user("a/b c"), None).as_str(),
            "https://bitbucket.example/context/rest/access-tokens/1.0/users/a%2Fb%20c"
        );
        assert_eq!(
            ctx.api_url(&user("ksmster")).as_str(),
            "https://bitbucket.example/context/rest/api/latest/users/ksmster"
        );
        let repo = TokenOwner::Repository { project: "PRJ".into(), repository: "api".into() };
        assert_eq!(
            ctx.tokens_url(&repo, Some("1")).as_str(),
            "https://bitbucket.example/context/rest/access-tokens/1.0/projects/PRJ/repos/api/1"
        );
        assert_eq!(
            ctx.api_url(&TokenOwner::Project("PRJ".into())).as_str(),
            "https://bitbucket.example/context/rest/api/latest/projects/PRJ"
        );
    }

    #[test]
    fn ids_are_digit_strings_with_their_leading_zeros() {
        assert_eq!(token_id(&PatId::new("075905477751")).unwrap(), "075905477751");
        for bad in ["", "12a", "-1", "1 ", "../x", "5d8f2c3e-0000-0000-0000-000000000000"] {
            assert!(matches!(token_id(&PatId::new(bad)), Err(Error::NotFound { .. })), "{bad}");
        }
        assert!(
            user_slug("user", " ").is_err()
                && user_slug("user", "a\u{7}").is_err()
                && user_slug("user", "john.doe").is_ok()
        );
    }
}
