//! The token check: `GET /user` made with the token itself (`Authorization: token …`).

use chrono::{DateTime, Utc};
use http::Method;

use crate::error::Result;
use crate::gitea::classify::{Asked, check, scrubbed};
use crate::gitea::request::RequestContext;
use crate::gitea::{GiteaClient, operations as op};
use crate::secret::PatSecret;
use crate::transport::{HttpRequest, HttpResponse};

/// `GET /user` with `Authorization: token <secret>`.
pub(crate) fn request(ctx: &RequestContext, secret: &PatSecret) -> Result<HttpRequest> {
    ctx.with_token(Method::GET, ctx.url(&["user"]), op::TOKEN_CHECK, secret)
}

/// 2xx (JSON, not a proxy's HTML page): the token works. 401: it does not. 403 for a missing
/// scope (`token does not have at least one of required scope(s)`): Gitea recognised the token,
/// which only lacks `read:user`, so it works. Any other answer (a redirect or a sign-in page of a
/// proxy in front of Gitea included) is an error: nothing is concluded from it.
pub(crate) fn parse(response: &HttpResponse, asked: &Asked<'_>, now: DateTime<Utc>) -> Result<bool> {
    match response.status().as_u16() {
        401 => Ok(false),
        403 if std::str::from_utf8(response.body()).is_ok_and(|b| b.contains("required scope")) => Ok(true),
        _ => check(response, asked, now).map(|()| true),
    }
}

impl GiteaClient {
    /// Whether `secret` currently authenticates at Gitea: one harmless read (`GET /user`) made
    /// with the token itself. `Ok(false)` means Gitea refused it (401).
    pub async fn check(&self, secret: &PatSecret) -> Result<bool> {
        let request = request(self.ctx(), secret)?;
        let scrub = [secret.expose_secret()];
        let asked = Asked { op: op::TOKEN_CHECK, id: None, otp_sent: None, flavor: self.flavor(), scrub: &scrub };
        self.execute(request, |r, now| parse(r, &asked, now).map_err(|e| scrubbed(e, &scrub))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitea::classify::tests::{asked, now, respond};
    use crate::gitea::request::tests::context;

    #[test]
    fn request_shape() {
        let secret = PatSecret::new("9fcb1158165773dd010fca5f0cf7174316c3e37d".into());
        let request = request(&context(), &secret).unwrap();
        assert_eq!(
            (request.method(), request.uri().to_string()),
            (&Method::GET, "https://gitea.example/api/v1/user".into())
        );
        assert_eq!(request.headers()["authorization"], "token 9fcb1158165773dd010fca5f0cf7174316c3e37d");
        assert!(request.headers()["authorization"].is_sensitive());
        assert!(request.headers().get("x-gitea-otp").is_none());
        assert_eq!(crate::transport::Operation::of(&request), Some(op::TOKEN_CHECK));
    }

    #[test]
    fn answers() {
        let asked = Asked { op: op::TOKEN_CHECK, ..asked(None) };
        assert!(parse(&respond(200, r#"{"id":1,"login":"alice"}"#), &asked, now()).unwrap());
        assert!(!parse(&respond(401, r#"{"message":"invalid token"}"#), &asked, now()).unwrap());
        let scope = r#"{"message":"token does not have at least one of required scope(s): [read:user]"}"#;
        assert!(parse(&respond(403, scope), &asked, now()).unwrap(), "recognised, short of a scope");
        let prohibited = r#"{"message":"This account is prohibited from signing in"}"#;
        assert!(matches!(parse(&respond(403, prohibited), &asked, now()), Err(crate::Error::Forbidden { .. })));
        assert!(matches!(parse(&respond(500, ""), &asked, now()), Err(crate::Error::Api { status: 500, .. })));
        let sign_in = respond(200, "<html>SSO sign-in</html>");
        assert!(parse(&sign_in, &asked, now()).is_err(), "a proxy's page says nothing about the token");
        assert!(parse(&respond(302, ""), &asked, now()).is_err());
    }
}
