//! Where requests go and what they carry: `{base}/users/{username}/tokens…` with the password
//! login (HTTP Basic, plus the flavour's one-time-code header), or `Authorization: token …` for
//! a call made with a token itself.

use http::{HeaderName, Method};
use zeroize::Zeroizing;

use super::Flavor;
use crate::auth::PasswordLogin;
use crate::auth::header::sensitive;
use crate::client::base_url;
use crate::client::request as core;
use crate::error::{Error, Result};
use crate::http_url::HttpUrl;
use crate::model::PatId;
use crate::secret::PatSecret;
use crate::transport::{HttpRequest, Operation};

pub(crate) use core::json;

/// A token-management request whose input has been checked, before any login: the login (which
/// may ask a person for a password and a one-time code) is only made for input that can be sent.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) method: Method,
    pub(crate) url: HttpUrl,
    pub(crate) op: Operation,
    pub(crate) body: Option<Vec<u8>>,
}

/// Where and how requests go: fixed per client.
#[derive(Debug, Clone)]
pub(crate) struct RequestContext {
    /// `https://HOST/api/v1`.
    pub(crate) base_url: HttpUrl,
    /// Which header carries a one-time code.
    pub(crate) flavor: Flavor,
}

impl RequestContext {
    /// `{base}/{segments…}`, each segment percent-encoded as one path segment.
    pub(crate) fn url(&self, segments: &[&str]) -> HttpUrl {
        base_url::join(&self.base_url, segments.iter().copied())
    }

    /// `{base}/users/{owner}/tokens[/{rest}]`.
    pub(crate) fn tokens_url(&self, owner: &str, rest: Option<&str>) -> HttpUrl {
        match rest {
            Some(rest) => self.url(&["users", owner, "tokens", rest]),
            None => self.url(&["users", owner, "tokens"]),
        }
    }

    /// The token-management request `prepared`, with Basic auth with the password and the
    /// one-time code (when the login has one) in the flavour's header, marked sensitive.
    pub(crate) fn managed(&self, prepared: Prepared, login: &PasswordLogin) -> Result<HttpRequest> {
        let Prepared { method, url, op, body } = prepared;
        let mut request = core::build(method, &url, op, Some(login.basic().to_header()), &[], body)?;
        if let Some(code) = login.one_time_code() {
            request
                .headers_mut()
                .insert(HeaderName::from_static(self.flavor.otp_header()), sensitive(code.expose_secret()));
        }
        Ok(request)
    }

    /// A request made with `token` itself: `Authorization: token <t>`, marked sensitive.
    pub(crate) fn with_token(
        &self,
        method: Method,
        url: HttpUrl,
        op: Operation,
        token: &PatSecret,
    ) -> Result<HttpRequest> {
        core::build(method, &url, op, Some((http::header::AUTHORIZATION, token_authorization(token))), &[], None)
    }
}

/// `token <t>`, built in a buffer that is wiped when it is dropped.
fn token_authorization(token: &PatSecret) -> http::HeaderValue {
    const PREFIX: &str = "token ";
    let secret = token.expose_secret();
    let mut text = Zeroizing::new(String::with_capacity(PREFIX.len() + secret.len()));
    text.push_str(PREFIX);
    text.push_str(secret);
    sensitive(&text)
}

/// A token id as Gitea issues it: a positive decimal integer. Anything else is an id Gitea never
/// issued: [`Error::NotFound`], before sending (a delete path that is no integer would be taken
/// as a token *name*).
pub(crate) fn token_id(id: &PatId) -> Result<u64> {
    let raw = id.as_str();
    raw.parse::<u64>()
        .ok()
        .filter(|n| *n > 0 && *n <= i64::MAX as u64 && raw.bytes().all(|b| b.is_ascii_digit()) && !raw.starts_with('0'))
        .ok_or_else(|| Error::NotFound { id: Some(id.clone()) })
}

/// A user name as Gitea's token paths take it (`/users/{username}/tokens`): not empty, no
/// whitespace, control characters or `/`, and no e-mail address (Basic auth accepts one, the
/// path does not).
pub(crate) fn username(user: &str) -> Result<&str> {
    if user.is_empty() || user.chars().count() > 255 {
        return Err(Error::invalid_input("user", "a Gitea user name is 1 to 255 characters"));
    }
    if user.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/') {
        return Err(Error::invalid_input("user", "a Gitea user name has no whitespace, control characters or `/`"));
    }
    if user.contains('@') {
        return Err(Error::invalid_input(
            "user",
            "Gitea's token paths take the user name, not an e-mail address; set GiteaClientBuilder::owner to the \
             user name",
        ));
    }
    Ok(user)
}

/// A token name a delete by name may carry. Gitea reads the path segment as an id first (Go's
/// `strconv.ParseInt(s, 0, 64)`: decimal, `0x…`, `0o…`, `0b…`, a leading `0` for octal,
/// underscores, a sign) and only falls back to the name when that fails or gives 0, so a name
/// that looks like a number could delete another token: refused before sending.
pub(crate) fn deletable_name(name: &str) -> Result<&str> {
    if name.trim().is_empty() {
        return Err(Error::invalid_input("name", "a token name must not be blank"));
    }
    let unsigned = name.strip_prefix(['+', '-']).unwrap_or(name);
    let numeric = unsigned.starts_with(|c: char| c.is_ascii_digit())
        && unsigned.chars().all(|c| c.is_ascii_hexdigit() || matches!(c, '_' | 'x' | 'X' | 'o' | 'O' | 'b' | 'B'));
    if numeric {
        return Err(Error::invalid_input(
            "name",
            "Gitea would read this name as a token id; delete the token by its id instead",
        ));
    }
    Ok(name)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::auth::PasswordCredential;

    pub(crate) fn context() -> RequestContext {
        RequestContext { base_url: "https://gitea.example/api/v1".parse().unwrap(), flavor: Flavor::Gitea }
    }

    pub(crate) async fn login(otp: Option<&str>) -> PasswordLogin {
        let mut credential = PasswordCredential::new("alice", "pw-management".to_owned());
        if let Some(code) = otp {
            credential = credential.with_one_time_code(code.to_owned());
        }
        credential.login().await.unwrap()
    }

    /// The headers every management request must carry (`alice:pw-management`).
    pub(crate) fn assert_managed(request: &HttpRequest, op: Operation) {
        let h = request.headers();
        assert_eq!(h["accept"], "application/json");
        assert!(h["user-agent"].to_str().unwrap().starts_with("patkit/"));
        assert!(h["authorization"].is_sensitive());
        assert_eq!(h["authorization"], "Basic YWxpY2U6cHctbWFuYWdlbWVudA==");
        assert_eq!(Operation::of(request), Some(op));
    }

    #[tokio::test]
    async fn the_one_time_code_goes_in_the_flavours_header_marked_sensitive() {
        const OP: Operation = Operation::idempotent("t");
        let prepared = || Prepared { method: Method::GET, url: context().url(&["x"]), op: OP, body: None };
        let without = context().managed(prepared(), &login(None).await).unwrap();
        assert_managed(&without, OP);
        assert!(without.headers().get("x-gitea-otp").is_none() && without.headers().get("x-forgejo-otp").is_none());
        let with = login(Some("314159")).await;
        let gitea = context().managed(prepared(), &with).unwrap();
        assert_eq!(gitea.headers()["x-gitea-otp"], "314159");
        assert!(gitea.headers()["x-gitea-otp"].is_sensitive());
        assert!(gitea.headers().get("x-forgejo-otp").is_none());
        let forgejo = RequestContext { flavor: Flavor::Forgejo, ..context() };
        let sent = forgejo.managed(prepared(), &with).unwrap();
        assert_eq!(sent.headers()["x-forgejo-otp"], "314159");
        assert!(sent.headers().get("x-gitea-otp").is_none());
        assert!(!format!("{gitea:?} {sent:?}").contains("314159"), "the code never shows in Debug");
    }

    #[test]
    fn a_token_call_carries_the_token_scheme() {
        const OP: Operation = Operation::idempotent("t");
        let secret = PatSecret::new("9fcb1158165773dd010fca5f0cf7174316c3e37d".into());
        let request = context().with_token(Method::GET, context().url(&["user"]), OP, &secret).unwrap();
        assert_eq!(request.headers()["authorization"], "token 9fcb1158165773dd010fca5f0cf7174316c3e37d");
        assert!(request.headers()["authorization"].is_sensitive());
        assert_eq!(request.uri(), "https://gitea.example/api/v1/user");
    }

    #[test]
    fn ids_are_positive_decimal_integers() {
        assert_eq!(token_id(&PatId::new("42")).unwrap(), 42);
        for bad in ["ci", "0", "-1", "+4", "042", "0x2a", "4 ", "", "9223372036854775808", "1e3"] {
            assert!(matches!(token_id(&PatId::new(bad)), Err(Error::NotFound { .. })), "{bad}");
        }
    }

    #[test]
    fn names_gitea_would_read_as_ids_are_refused_for_delete() {
        for numeric in ["7", "0x1f", "0o17", "017", "0b101", "1_000", "-5", "+3", "1e3"] {
            assert!(matches!(deletable_name(numeric), Err(Error::InvalidInput { field: "name", .. })), "{numeric}");
        }
        for name in ["ci", "2fa-bot", "ci~r20260301T120000Z-abcdef12", "x7", "0 day"] {
            assert_eq!(deletable_name(name).unwrap(), name);
        }
        assert!(deletable_name("  ").is_err());
    }

    #[test]
    fn user_names_for_paths() {
        assert_eq!(username("alice.b-c_d").unwrap(), "alice.b-c_d");
        for bad in ["", "a b", "a/b", "alice@example.com", "a\nb"] {
            assert!(matches!(username(bad), Err(Error::InvalidInput { field: "user", .. })), "{bad:?}");
        }
    }
}
