//! `PUT /rest/access-tokens/1.0/users/{userSlug}`: a new token, its secret in the answer once.
//! Never re-sent.

use http::Method;
use serde::Serialize;

use crate::auth::AccessCredential;
use crate::bitbucket::classify::{check, decode};
use crate::bitbucket::expiry::MAX_EXPIRY_DAYS;
use crate::bitbucket::request::{RequestContext, json};
use crate::bitbucket::wire::{SecretWire, TokenWire};
use crate::bitbucket::{BitbucketClient, TokenOwner, operations as op, permissions};
use crate::error::{Error, Result};
use crate::model::CreatedPat;
use crate::scope::Scopes;
use crate::transport::{HttpRequest, HttpResponse};

/// The longest token name patkit sends, in characters (Bitbucket's own limit is not on the fact
/// sheet; names are refused here only when empty or absurdly long).
pub const MAX_NAME_CHARS: usize = 255;

/// What a new token is to be.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewToken {
    /// `name` (required, not blank).
    pub name: String,
    /// `permissions` (checked by [`permissions::check`]).
    pub permissions: Scopes,
    /// `expiryDays` (1 to [`MAX_EXPIRY_DAYS`](crate::bitbucket::MAX_EXPIRY_DAYS)); `None`: the
    /// token never expires, unless an administrator requires expiry (then Bitbucket answers 400,
    /// [`Error::PolicyViolation`]). Fixed for the token's life.
    pub expiry_days: Option<u32>,
}

impl NewToken {
    /// A token named `name` with `permissions` that never expires.
    pub fn new(name: impl Into<String>, permissions: Scopes) -> Self {
        Self { name: name.into(), permissions, expiry_days: None }
    }

    /// Expiring `days` days after its creation.
    pub fn expiry_days(mut self, days: u32) -> Self {
        self.expiry_days = Some(days);
        self
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    name: &'a str,
    permissions: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiry_days: Option<u32>,
}

/// Checks a token name.
pub(crate) fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid_input("name", "a Bitbucket token needs a name"));
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(Error::invalid_input("name", format!("is {chars} characters long; at most {MAX_NAME_CHARS}")));
    }
    Ok(())
}

/// `PUT …/{owner}` with `{name, permissions, expiryDays?}`; bad input refused before sending.
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    owner: &TokenOwner,
    new: &NewToken,
) -> Result<HttpRequest> {
    check_name(&new.name)?;
    permissions::check_for(owner, &new.permissions)?;
    if new.expiry_days.is_some_and(|d| d == 0 || d > MAX_EXPIRY_DAYS) {
        return Err(Error::invalid_input("expiry_days", format!("1 to {MAX_EXPIRY_DAYS} days")));
    }
    let body = json(&Body {
        name: &new.name,
        permissions: new.permissions.iter().map(|p| p.as_str()).collect(),
        expiry_days: new.expiry_days,
    })?;
    ctx.build(Method::PUT, ctx.tokens_url(owner, None), op::TOKEN_CREATE, credential, Some(body))
}

/// The new token with its secret (200; any 2xx).
pub(crate) fn parse(response: &HttpResponse, now: chrono::DateTime<chrono::Utc>) -> Result<CreatedPat> {
    check(response, op::TOKEN_CREATE, None, now)?;
    let wire: TokenWire<SecretWire> = decode(response, op::TOKEN_CREATE)?;
    wire.into_created()
}

impl BitbucketClient {
    /// Creates a token for the client's user (or project, or repository). The secret is in the answer, once. Sent once: a
    /// failure after the request may have reached Bitbucket is returned as it is.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] on a client from [`for_user`](Self::for_user) (nobody may create
    /// tokens for another user); [`Error::InvalidInput`] for bad input, before sending;
    /// [`Error::AuthRequired`] when the password is refused.
    pub async fn create(&self, new: &NewToken) -> Result<CreatedPat> {
        if !self.may_create() {
            return Err(Error::unsupported(crate::bitbucket::PROVIDER_NAME, "create_pat for another user"));
        }
        let credential = self.credential().await?;
        let request = request(self.ctx(), &credential, self.owner(), new)?;
        match self.execute(request, parse).await {
            Err(e) => Err(self.forbidden_if_password_works(e).await),
            ok => ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::classify::tests::{now, respond};
    use crate::bitbucket::request::tests::{assert_common, context, password, user};
    use crate::bitbucket::wire::examples::CREATED;

    #[test]
    fn request_shape_is_the_sheets() {
        let new = NewToken::new("che5", Scopes::parse("PROJECT_WRITE REPO_WRITE").unwrap()).expiry_days(90);
        let request = request(&context(), &password(), &user("ksmster"), &new).unwrap();
        assert_eq!(request.method(), Method::PUT);
        assert_eq!(request.uri(), "https://bitbucket.example/context/rest/access-tokens/1.0/users/ksmster");
        assert_eq!(request.body(), br#"{"name":"che5","permissions":["PROJECT_WRITE","REPO_WRITE"],"expiryDays":90}"#);
        assert_eq!(request.headers()["content-type"], "application/json");
        assert_common(&request, op::TOKEN_CREATE);
        let bare = super::request(
            &context(),
            &password(),
            &user("ksmster"),
            &NewToken::new("n", Scopes::parse("REPO_READ").unwrap()),
        )
        .unwrap();
        assert_eq!(bare.body(), br#"{"name":"n","permissions":["REPO_READ"]}"#, "no expiryDays: never expires");
    }

    #[test]
    fn bad_input_is_refused_before_sending() {
        let ok = Scopes::parse("REPO_READ").unwrap();
        for (new, field) in [
            (NewToken::new(" ", ok.clone()), "name"),
            (NewToken::new("x".repeat(256), ok.clone()), "name"),
            (NewToken::new("n", Scopes::parse("ADMIN").unwrap()), "permissions"),
            (NewToken::new("n", Scopes::default()), "permissions"),
            (NewToken::new("n", ok.clone()).expiry_days(0), "expiry_days"),
        ] {
            match super::request(&context(), &password(), &user("ksmster"), &new) {
                Err(Error::InvalidInput { field: got, .. }) => assert_eq!(got, field, "{new:?}"),
                other => panic!("{new:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn parses_the_sheets_answer_and_errors() {
        let created = parse(&respond(200, CREATED), now()).unwrap();
        assert_eq!(created.metadata.id.as_str(), "158910532909");
        assert_eq!(created.secret.expose_secret(), "token");
        assert!(parse(&respond(201, CREATED), now()).is_ok(), "any 2xx (the sheet leaves 200 vs 201 open)");
        let no_secret = CREATED.replace(r#""token": "token""#, r#""tokenx": 1"#);
        assert!(
            matches!(parse(&respond(200, &no_secret), now()), Err(Error::Decode { ref path, .. }) if path == "token")
        );
        let refused = r#"{"errors":[{"context":null,"message":"ACCOUNT_READ is not a valid permission","exceptionName":"com.atlassian.bitbucket.validation.ArgumentValidationException"}]}"#;
        assert!(
            matches!(parse(&respond(400, refused), now()), Err(Error::Api { status: 400, message: Some(ref m), .. }) if m == "ACCOUNT_READ is not a valid permission")
        );
    }
}
