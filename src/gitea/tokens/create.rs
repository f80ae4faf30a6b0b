//! `POST /users/{username}/tokens` with the password login. Never re-sent.

use chrono::{DateTime, Utc};
use http::Method;
use serde::Serialize;

use crate::admin::UserId;
use crate::error::{Error, Result};
use crate::gitea::classify::{Asked, check, decode};
use crate::gitea::request::{Prepared, RequestContext, json, username};
use crate::gitea::wire::{SecretWire, TokenWire};
use crate::gitea::{GiteaClient, operations as op, scopes};
use crate::model::CreatedPat;
use crate::scope::Scopes;
use crate::transport::HttpResponse;

/// The longest token name patkit sends, in characters: 255, the size of Gitea's `name` column
/// (the model declares no size, so the database's default `VARCHAR(255)` holds it; the fact
/// sheet names no limit). Longer names are refused before sending.
pub const NAME_MAX_CHARS: usize = 255;

/// What a new access token is to be.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewToken {
    /// `name`: unique among the owner's tokens (Gitea answers a taken name with 400, which is
    /// [`Error::Rejected`] with [`ErrorCode::NameTaken`](crate::gitea::ErrorCode::NameTaken)).
    pub name: String,
    /// `scopes`, checked against [`scopes::VOCABULARY`] before sending.
    pub scopes: Scopes,
}

impl NewToken {
    /// A token named `name` with `scopes`.
    pub fn new(name: impl Into<String>, scopes: Scopes) -> Self {
        Self { name: name.into(), scopes }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    name: &'a str,
    scopes: Vec<&'a str>,
}

/// Checks `new` (name, scopes) and serializes it.
pub(crate) fn body(new: &NewToken) -> Result<Vec<u8>> {
    if new.name.trim().is_empty() {
        return Err(Error::invalid_input("name", "a Gitea token needs a name"));
    }
    let chars = new.name.chars().count();
    if chars > NAME_MAX_CHARS {
        return Err(Error::invalid_input(
            "name",
            format!("a Gitea token name is at most {NAME_MAX_CHARS} characters, not {chars}"),
        ));
    }
    scopes::check(&new.scopes)?;
    json(&Body { name: &new.name, scopes: new.scopes.iter().map(|s| s.as_str()).collect() })
}

/// `POST /users/{owner}/tokens`.
pub(crate) fn request(ctx: &RequestContext, owner: &str, new: &NewToken) -> Result<Prepared> {
    let body = body(new)?;
    Ok(Prepared {
        method: Method::POST,
        url: ctx.tokens_url(username(owner)?, None),
        op: op::TOKEN_CREATE,
        body: Some(body),
    })
}

/// The new token with its secret (`sha1`, 201).
pub(crate) fn parse(
    response: &HttpResponse,
    asked: &Asked<'_>,
    new: &NewToken,
    now: DateTime<Utc>,
) -> Result<CreatedPat> {
    check(response, asked, now)?;
    let wire: TokenWire<SecretWire> = decode(response, op::TOKEN_CREATE)?;
    wire.into_created(&new.scopes, now)
}

impl GiteaClient {
    /// Creates a token for the [`owner`](Self::owner). The secret is in the answer, once. Sent
    /// once: a failure after the request may have reached Gitea is returned as it is (a token
    /// may then exist under `new.name`: list to find it, delete it by id).
    pub async fn create(&self, new: &NewToken) -> Result<CreatedPat> {
        self.create_as(self.owner(), new).await
    }

    /// Creates a token for `user`: a site administrator's call (anyone else gets
    /// [`Error::Forbidden`](crate::Error::Forbidden)). Sent once.
    pub async fn create_for_user(&self, user: &UserId, new: &NewToken) -> Result<CreatedPat> {
        self.create_as(user.as_str(), new).await
    }

    async fn create_as(&self, owner: &str, new: &NewToken) -> Result<CreatedPat> {
        let prepared = request(self.ctx(), owner, new)?;
        self.managed(prepared, None, |r, asked, now| parse(r, asked, new, now)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitea::classify::tests::{asked, now, respond};
    use crate::gitea::request::tests::{assert_managed, context, login};
    use crate::gitea::wire::examples::CREATED;

    fn new() -> NewToken {
        NewToken::new("ci-bot", Scopes::parse("write:repository read:user").unwrap())
    }

    #[tokio::test]
    async fn request_shape() {
        let request = context().managed(request(&context(), "alice", &new()).unwrap(), &login(None).await).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "https://gitea.example/api/v1/users/alice/tokens");
        assert_eq!(request.body(), br#"{"name":"ci-bot","scopes":["read:user","write:repository"]}"#);
        assert_eq!(request.headers()["content-type"], "application/json");
        assert_managed(&request, op::TOKEN_CREATE);
    }

    #[test]
    fn bad_input_is_refused_before_sending() {
        for (bad, field) in [
            (NewToken::new(" ", Scopes::parse("all").unwrap()), "name"),
            (NewToken::new("n".repeat(NAME_MAX_CHARS + 1), Scopes::parse("all").unwrap()), "name"),
            (NewToken::new("n", Scopes::parse("repo").unwrap()), "scopes"),
            (NewToken::new("n", Scopes::default()), "scopes"),
        ] {
            match request(&context(), "alice", &bad) {
                Err(Error::InvalidInput { field: got, .. }) => assert_eq!(got, field, "{bad:?}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        let longest = NewToken::new("é".repeat(NAME_MAX_CHARS), Scopes::parse("all").unwrap());
        assert!(request(&context(), "alice", &longest).is_ok(), "the limit counts characters");
        assert!(matches!(
            request(&context(), "alice@example.com", &new()),
            Err(Error::InvalidInput { field: "user", .. })
        ));
    }

    #[test]
    fn parses_the_sheets_answer_and_errors() {
        let asked = crate::gitea::classify::Asked { op: op::TOKEN_CREATE, ..asked(Some(false)) };
        let created = parse(&respond(201, CREATED), &asked, &new(), now()).unwrap();
        assert_eq!(created.metadata.id.as_str(), "7");
        assert_eq!(created.metadata.display_name, "ci-bot");
        assert_eq!(created.secret.expose_secret(), "9fcb1158165773dd010fca5f0cf7174316c3e37d");
        assert_eq!(created.metadata.valid_to, None);
        let taken =
            r#"{"message":"access token name has been used already","url":"https://gitea.example/api/swagger"}"#;
        match parse(&respond(400, taken), &asked, &new(), now()) {
            Err(Error::Rejected { code, .. }) => {
                assert_eq!(crate::gitea::ErrorCode::from(&code), crate::gitea::ErrorCode::NameTaken)
            }
            other => panic!("{other:?}"),
        }
        let broken = CREATED.replace(r#""id": 7"#, r#""id": "9fcb1158165773dd010fca5f0cf7174316c3e37d""#);
        let err = parse(&respond(201, &broken), &asked, &new(), now()).unwrap_err();
        let shown = format!("{err} {err:?} {}", std::error::Error::source(&err).unwrap());
        assert!(matches!(err, Error::Decode { .. }) && !shown.contains("9fcb1158"), "{shown}");
    }
}
