//! `POST /users/:user_id/personal_access_tokens` (admins) and `POST /user/personal_access_tokens`
//! (a user's own, `k8s_proxy`/`self_rotate` scopes only). Never re-sent.

use chrono::{DateTime, Utc};
use http::Method;
use serde::Serialize;

use crate::admin::UserId;
use crate::auth::AccessCredential;
use crate::error::{Error, Result};
use crate::gitlab::classify::{check, decode};
use crate::gitlab::request::{RequestContext, json, user_id};
use crate::gitlab::wire::{SecretWire, TokenWire};
use crate::gitlab::{ExpiryDate, GitLabClient, operations as op, scopes};
use crate::model::CreatedPat;
use crate::scope::Scopes;
use crate::transport::{HttpRequest, HttpResponse, Operation};

/// The longest `description` GitLab accepts, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 255;

/// What a new personal access token is to be.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewPat {
    /// `name`.
    pub name: String,
    /// `scopes` (checked against [`scopes::ALL`]; for [`GitLabClient::create_own`] only
    /// [`scopes::SELF_CREATE_ALLOWED`]).
    pub scopes: Scopes,
    /// `description` (at most [`MAX_DESCRIPTION_CHARS`]).
    pub description: Option<String>,
    /// `expires_at`; `None` lets GitLab choose (the instance's maximum lifetime when expiry is
    /// required).
    pub expires_at: Option<ExpiryDate>,
}

impl NewPat {
    /// A token named `name` with `scopes`, no description, GitLab's default expiry.
    pub fn new(name: impl Into<String>, scopes: Scopes) -> Self {
        Self { name: name.into(), scopes, description: None, expires_at: None }
    }

    /// With a description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// With an expiry date.
    pub fn expires_at(mut self, date: ExpiryDate) -> Self {
        self.expires_at = Some(date);
        self
    }
}

#[derive(Serialize)]
struct Body<'a> {
    name: &'a str,
    scopes: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
}

/// Checks `new` (name, description, expiry) and serializes it.
pub(crate) fn body(new: &NewPat, now: DateTime<Utc>) -> Result<Vec<u8>> {
    if new.name.trim().is_empty() {
        return Err(Error::invalid_input("name", "a GitLab token needs a name"));
    }
    if let Some(d) = &new.description
        && d.chars().count() > MAX_DESCRIPTION_CHARS
    {
        return Err(Error::invalid_input("description", format!("at most {MAX_DESCRIPTION_CHARS} characters")));
    }
    let expires_at = new.expires_at.map(|d| d.check_alive(now)).transpose()?;
    json(&Body {
        name: &new.name,
        scopes: new.scopes.iter().map(|s| s.as_str()).collect(),
        description: new.description.as_deref(),
        expires_at: expires_at.map(|d| d.to_string()),
    })
}

/// `POST /users/:user_id/personal_access_tokens`.
pub(crate) fn request_for_user(
    ctx: &RequestContext,
    credential: &AccessCredential,
    user: &UserId,
    new: &NewPat,
    now: DateTime<Utc>,
) -> Result<HttpRequest> {
    let user = user_id(user)?.to_string();
    scopes::check(&new.scopes)?;
    let url = ctx.url(&["users", &user, "personal_access_tokens"]);
    ctx.build(Method::POST, url, op::PAT_CREATE_FOR_USER, credential, Some(body(new, now)?))
}

/// `POST /user/personal_access_tokens`: only `k8s_proxy`/`self_rotate`, refused before sending.
pub(crate) fn request_own(
    ctx: &RequestContext,
    credential: &AccessCredential,
    new: &NewPat,
    now: DateTime<Utc>,
) -> Result<HttpRequest> {
    scopes::check_self_create(&new.scopes)?;
    let url = ctx.url(&["user", "personal_access_tokens"]);
    ctx.build(Method::POST, url, op::PAT_CREATE_OWN, credential, Some(body(new, now)?))
}

/// The new token with its secret (201).
pub(crate) fn parse(response: &HttpResponse, op: Operation, now: DateTime<Utc>) -> Result<CreatedPat> {
    check(response, op, None, now)?;
    let wire: TokenWire<SecretWire> = decode(response, op)?;
    wire.into_created(now)
}

impl GitLabClient {
    /// Creates a token for `user` (an instance administrator's call; self-managed and Dedicated
    /// only). The secret is in the answer, once. Sent once: a failure after the request may have
    /// reached GitLab is returned as it is.
    pub async fn create_for_user(&self, user: &UserId, new: &NewPat) -> Result<CreatedPat> {
        let credential = self.credential().await?;
        let request = request_for_user(self.ctx(), &credential, user, new, self.now())?;
        self.execute(request, |r, now| parse(r, op::PAT_CREATE_FOR_USER, now)).await
    }

    /// Creates a token for the caller. GitLab allows only the `k8s_proxy` and `self_rotate`
    /// scopes here; others are refused before sending. Sent once.
    pub async fn create_own(&self, new: &NewPat) -> Result<CreatedPat> {
        let credential = self.credential().await?;
        let request = request_own(self.ctx(), &credential, new, self.now())?;
        self.execute(request, |r, now| parse(r, op::PAT_CREATE_OWN, now)).await
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::gitlab::classify::tests::{now, respond};
    use crate::gitlab::request::tests::{assert_common, context, pat};
    use crate::gitlab::wire::examples::CREATED;

    fn new() -> NewPat {
        NewPat::new("mytoken", Scopes::parse("api").unwrap())
            .description("Test Token description")
            .expires_at(ExpiryDate::new(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()))
    }

    #[test]
    fn admin_create_request_shape() {
        let request = request_for_user(&context(), &pat(), &UserId::from("42"), &new(), now()).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "https://gitlab.example/api/v4/users/42/personal_access_tokens");
        assert_eq!(
            request.body(),
            br#"{"name":"mytoken","scopes":["api"],"description":"Test Token description","expires_at":"2026-12-31"}"#
        );
        assert_common(&request, op::PAT_CREATE_FOR_USER);
        let bare = request_for_user(
            &context(),
            &pat(),
            &UserId::from("42"),
            &NewPat::new("n", Scopes::parse("read_api").unwrap()),
            now(),
        )
        .unwrap();
        assert_eq!(bare.body(), br#"{"name":"n","scopes":["read_api"]}"#);
    }

    #[test]
    fn own_create_takes_only_k8s_proxy_and_self_rotate() {
        let ok = NewPat::new("agent", Scopes::parse("k8s_proxy self_rotate").unwrap());
        let request = request_own(&context(), &pat(), &ok, now()).unwrap();
        assert_eq!(request.uri(), "https://gitlab.example/api/v4/user/personal_access_tokens");
        assert_eq!(request.body(), br#"{"name":"agent","scopes":["k8s_proxy","self_rotate"]}"#);
        assert_common(&request, op::PAT_CREATE_OWN);
        for bad in ["api", "k8s_proxy read_api"] {
            let refused = NewPat::new("agent", Scopes::parse(bad).unwrap());
            assert!(
                matches!(
                    request_own(&context(), &pat(), &refused, now()),
                    Err(Error::InvalidInput { field: "scopes", .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn bad_input_is_refused_before_sending() {
        let user = UserId::from("42");
        let unknown_scope = NewPat::new("n", Scopes::parse("vso.code").unwrap());
        assert!(matches!(
            request_for_user(&context(), &pat(), &user, &unknown_scope, now()),
            Err(Error::InvalidInput { field: "scopes", .. })
        ));
        let dead = new().expires_at(ExpiryDate::new(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()));
        assert!(matches!(
            request_for_user(&context(), &pat(), &user, &dead, now()),
            Err(Error::InvalidInput { field: "expires_at", .. })
        ));
        let long = new().description("d".repeat(256));
        assert!(matches!(
            request_for_user(&context(), &pat(), &user, &long, now()),
            Err(Error::InvalidInput { field: "description", .. })
        ));
        assert!(matches!(
            request_for_user(&context(), &pat(), &UserId::from("alice"), &new(), now()),
            Err(Error::InvalidInput { field: "user_id", .. })
        ));
        assert!(matches!(
            request_for_user(&context(), &pat(), &user, &NewPat::new(" ", Scopes::parse("api").unwrap()), now()),
            Err(Error::InvalidInput { field: "name", .. })
        ));
    }

    #[test]
    fn parses_the_sheets_answer_and_errors() {
        let created = parse(&respond(201, CREATED), op::PAT_CREATE_FOR_USER, now()).unwrap();
        assert_eq!(created.metadata.id.as_str(), "3");
        assert_eq!(created.secret.expose_secret(), "<your_new_access_token>");
        let invalid = r#"{"error":"scopes does not have a valid value"}"#;
        match parse(&respond(400, invalid), op::PAT_CREATE_OWN, now()) {
            Err(Error::Api { status: 400, message: Some(m), .. }) => {
                assert_eq!(m, "scopes does not have a valid value")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse(&respond(403, r#"{"message":"403 Forbidden"}"#), op::PAT_CREATE_FOR_USER, now()),
            Err(Error::Forbidden { .. })
        ));
    }
}
