//! `POST /users/{username}/tokens` with the password login. Never re-sent.

use chrono::{DateTime, Utc};
use http::Method;
use serde::{Deserialize, Serialize};

use crate::admin::UserId;
use crate::error::{Error, Result};
use crate::gitea::classify::{Asked, check, decode};
use crate::gitea::request::{Prepared, RequestContext, json, username};
use crate::gitea::wire::{SecretWire, TokenWire};
use crate::gitea::{GiteaClient, operations as op, scopes};
use crate::model::{CreatedPat, PatId, PatMetadata};
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

/// The id a 2xx create answer names, even when the rest of it could not be read (the token
/// exists; its secret is lost).
pub(crate) fn minted_id(response: &HttpResponse) -> Option<PatId> {
    #[derive(Deserialize)]
    struct Minted {
        id: i64,
    }
    if !response.status().is_success() {
        return None;
    }
    serde_json::from_slice::<Minted>(response.body()).ok().filter(|m| m.id > 0).map(|m| PatId::new(m.id.to_string()))
}

/// Whether a failed create may nevertheless have minted a token: the request may have reached
/// Gitea and no answer says it did not (a transport failure after sending, a 5xx, a 408), or
/// Gitea said yes in a body that could not be read.
fn outcome_unknown(e: &Error) -> bool {
    match e {
        Error::Transport(t) => !t.is_before_send(),
        Error::Api { status, .. } => *status >= 500 || *status == 408,
        Error::Decode { .. } => true,
        _ => false,
    }
}

/// Most pages (of [`MAX_LIMIT`](crate::gitea::MAX_LIMIT)) the search after an uncertain create
/// reads.
const SEARCH_MAX_PAGES: usize = 20;

impl GiteaClient {
    /// Creates a token for the [`owner`](Self::owner). The secret is in the answer, once.
    ///
    /// Sent once. When the request may have reached Gitea and the answer was lost (a transport
    /// failure after sending, a 5xx, a 408) or said yes in a body that could not be read, the
    /// client lists the owner's tokens (one more password login: a prompt is asked again) and
    /// answers [`Error::CreateOutcomeUnknown`] with the tokens named `new.name` it found (names
    /// are unique per user, so at most one) and the minted id when the answer named it. Their
    /// secrets are lost: delete them and create again.
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
        let mut minted = None;
        let result = self
            .managed(prepared, None, |r, asked, now| {
                let parsed = parse(r, asked, new, now);
                if parsed.is_err() {
                    minted = minted_id(r);
                }
                parsed
            })
            .await;
        match result {
            Err(e) if outcome_unknown(&e) => Err(Error::CreateOutcomeUnknown {
                display_name: new.name.clone(),
                id: minted,
                found: self.tokens_named(owner, &new.name).await,
                source: Box::new(e),
            }),
            other => other,
        }
    }

    /// The tokens of `owner` named `name`, as far as a listing of at most [`SEARCH_MAX_PAGES`]
    /// pages could read them (a failed listing ends the search with what it found).
    async fn tokens_named(&self, owner: &str, name: &str) -> Vec<PatMetadata> {
        let mut found = Vec::new();
        let mut continuation = None;
        for _ in 0..SEARCH_MAX_PAGES {
            let mut list = self.list_user(owner).limit(crate::gitea::MAX_LIMIT);
            if let Some(c) = continuation.take() {
                list = list.continuation(c);
            }
            let Ok(page) = list.send().await else { break };
            found.extend(page.items.into_iter().filter(|t| t.metadata.display_name == name).map(|t| t.metadata));
            match page.continuation {
                Some(c) => continuation = Some(c),
                None => break,
            }
        }
        found
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
