use crate::auth::AccessCredential;
use crate::azure::classify::{check_status, decode, pat_token_result};
use crate::azure::request::{RequestContext, build, json, lifecycle_authorization};
use crate::azure::targets::requested_all_orgs;
use crate::azure::wire::{CreateBody, PatTokenResultWire, format_datetime};
use crate::azure::{AzureDevOpsClient, GLOBAL_PAT_RETIREMENT, Targets, operations as op, validate};
use crate::error::{Error, Result};
use crate::model::{CreatedPat, ListQuery, PatId, PatMetadata, PatSpec, SortBy, StatusFilter, chrono_delta};
use crate::pagination::DEFAULT_MAX_PAGES;
use crate::scope::Scopes;
use crate::transport::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use http::Method;
use serde::Deserialize;
use std::time::Duration;

/// `POST …/_apis/tokens/pats` with a `PatTokenCreateRequest`.
pub(crate) fn request(ctx: &RequestContext, credential: &AccessCredential, spec: &PatSpec) -> Result<HttpRequest> {
    let body = CreateBody {
        display_name: &spec.display_name,
        scope: spec.scopes.to_string(),
        valid_to: spec.valid_to.map(format_datetime),
        all_orgs: requested_all_orgs(&spec.extras, &ctx.organization)?.unwrap_or(false),
    };
    build(Method::POST, ctx.pats_url(), op::CREATE, lifecycle_authorization(credential)?, Some(json(&body)?))
}

/// A `PatTokenResult` carrying the new token and its secret.
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<CreatedPat> {
    check_status(response, op::CREATE, now)?;
    let result: PatTokenResultWire = decode(response.body(), op::CREATE)?;
    let (metadata, secret) = pat_token_result(result, None)?.into_metadata("patToken")?;
    let secret = secret.ok_or_else(|| Error::Decode {
        path: "patToken.token".to_owned(),
        source: "the create response carried no token value".into(),
    })?;
    Ok(CreatedPat { metadata, secret })
}

/// The longest `authorizationId` [`minted_id`] takes for an id (the service's are 36-character
/// GUIDs); anything longer is not one and must not grow an error.
const MAX_ID_BYTES: usize = 128;

/// The id of the token a create answer names, read leniently from a body [`parse`] refused (a
/// field of the token broken or missing, or no secret): only `patToken.authorizationId` has to
/// decode. Never reads the secret into anything.
pub(crate) fn minted_id(response: &HttpResponse) -> Option<PatId> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Minted {
        #[serde(default)]
        pat_token: Option<MintedToken>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct MintedToken {
        #[serde(default)]
        authorization_id: Option<String>,
    }
    if !response.status().is_success() {
        return None;
    }
    let minted: Minted = serde_json::from_slice(response.body()).ok()?;
    let id = minted.pat_token?.authorization_id?;
    let plausible = !id.is_empty() && id.len() <= MAX_ID_BYTES && !id.chars().any(char::is_control);
    plausible.then(|| PatId::new(id))
}

/// Most list pages (of 100) a create whose outcome is unknown reads while looking for its token,
/// so a service whose listing never ends cannot keep it searching forever.
const RECOVERY_MAX_PAGES: usize = 50;

/// A create request being prepared; from [`AzureDevOpsClient::create`]. Send it with
/// [`CreatePat::send`].
#[derive(Debug)]
#[must_use = "a create does nothing until `.send()` is awaited"]
pub struct CreatePat {
    client: AzureDevOpsClient,
    spec: PatSpec,
    lifetime: Option<Duration>,
}

impl AzureDevOpsClient {
    /// Prepares the creation of a PAT named `display_name` with `scopes`.
    ///
    /// Without an expiry the service picks one (one year, clamped by the tenant's lifespan
    /// policy). The secret is in the result, once: store it before anything else.
    pub fn create(&self, display_name: impl Into<String>, scopes: Scopes) -> CreatePat {
        CreatePat { client: self.clone(), spec: PatSpec::new(display_name, scopes), lifetime: None }
    }

    /// Tokens with exactly this display name (any status), e.g. to find the result of a create
    /// whose answer was lost. Reads pages of 100 up to
    /// [`DEFAULT_MAX_PAGES`](crate::DEFAULT_MAX_PAGES) of them; a listing that does not end
    /// by then, or that repeats a continuation, is [`Error::ListingCut`] (list with
    /// [`list`](Self::list) and [`ListPats::max_pages`](crate::azure::ListPats::max_pages) to
    /// read further).
    pub async fn find_by_display_name(&self, display_name: &str) -> Result<Vec<PatMetadata>> {
        match self.search(display_name, DEFAULT_MAX_PAGES, "search by display name").await {
            (found, None) => Ok(found),
            (_, Some(e)) => Err(e),
        }
    }

    /// The tokens named `display_name` (each once) on at most `max_pages` pages, and the error
    /// that ended the listing early, if one did.
    async fn search(
        &self,
        display_name: &str,
        max_pages: usize,
        listing: &'static str,
    ) -> (Vec<PatMetadata>, Option<Error>) {
        let query =
            ListQuery { filter: StatusFilter::All, sort: SortBy::DisplayName, ascending: true, page_size: Some(100) };
        let mut pages = std::pin::pin!(self.list().query(query).max_pages(max_pages).named(listing).pages());
        let mut found: Vec<PatMetadata> = Vec::new();
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => {
                    for token in page.items {
                        if token.display_name == display_name && !found.iter().any(|f| f.id == token.id) {
                            found.push(token);
                        }
                    }
                }
                Err(e) => return (found, Some(e)),
            }
        }
        (found, None)
    }
}

impl CreatePat {
    /// Expires at `valid_to`. Must be in the future and within the client's maximum lifespan.
    pub fn expires_at(mut self, valid_to: DateTime<Utc>) -> Self {
        self.spec.valid_to = Some(valid_to);
        self.lifetime = None;
        self
    }

    /// Expires `lifetime` after now (by the client's clock).
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// Makes a *global* token, valid in every organization the user can reach
    /// (`allOrgs: true`). Discouraged: Azure DevOps retires global PATs on
    /// [`GLOBAL_PAT_RETIREMENT`](crate::azure::GLOBAL_PAT_RETIREMENT) (2026-12-01), tenants may forbid
    /// them, and Microsoft recommends organization-bound tokens. patkit logs a warning when one is
    /// requested.
    ///
    /// From 2026-12-01 the service refuses the request: `send` fails with
    /// [`Error::PolicyViolation`] of [`Policy::GlobalPatRetired`](crate::azure::Policy::GlobalPatRetired)
    /// (`globalPATCreationBlocked`), and global tokens that already exist stop authenticating. A
    /// tenant policy may refuse it earlier ([`Policy::GlobalPat`](crate::azure::Policy::GlobalPat)).
    /// Rotation never asks for a global token unless told to
    /// ([`GlobalReplacement`](crate::azure::GlobalReplacement)).
    pub fn all_organizations(mut self, global: bool) -> Self {
        if global {
            Targets::AllOrganizations.put(&mut self.spec.extras);
        } else {
            self.spec.extras.remove(Targets::EXTRA);
        }
        self
    }

    /// The provider-neutral description of what will be created.
    pub fn spec(&self) -> &PatSpec {
        &self.spec
    }

    /// Checks the input, then creates the token. Never re-sent: if the request may have reached
    /// the service and the answer was lost (or said yes in a body that could not be read, or was
    /// a 408 or a 5xx), the error is [`Error::CreateOutcomeUnknown`].
    pub async fn send(mut self) -> Result<CreatedPat> {
        let now = self.client.now();
        if let Some(lifetime) = self.lifetime {
            self.spec.valid_to = Some(now + chrono_delta(lifetime));
        }
        self.client.create_from_spec(self.spec).await
    }
}

impl AzureDevOpsClient {
    pub(crate) async fn create_from_spec(&self, spec: PatSpec) -> Result<CreatedPat> {
        let now = self.now();
        validate::display_name(&spec.display_name)?;
        validate::scopes(&spec.scopes)?;
        if let Some(valid_to) = spec.valid_to {
            validate::expiry(valid_to, now, self.inner.max_lifespan)?;
        }
        let all_organizations = requested_all_orgs(&spec.extras, &self.inner.ctx.organization)?.unwrap_or(false);
        if all_organizations {
            let retired = now >= GLOBAL_PAT_RETIREMENT;
            tracing::warn!(
                retired,
                "creating a global PAT (allOrgs); Azure DevOps stops accepting global PATs on 2026-12-01"
            );
        }
        let credential = self.credential().await?;
        let request = request(&self.inner.ctx, &credential, &spec)?;
        let mut minted = None;
        let result = self
            .execute(request, |response, now| {
                let parsed = parse(response, now);
                if parsed.is_err() {
                    minted = minted_id(response);
                }
                parsed
            })
            .await;
        match result {
            Err(e) if self.inner.recover_uncertain_creates && outcome_unknown(&e) => {
                // What the search read before an error is kept: a partial answer still names
                // tokens to revoke.
                let (found, _) = self.search(&spec.display_name, RECOVERY_MAX_PAGES, "uncertain-create search").await;
                let found = found.into_iter().filter(|m| !m.is_expired(now)).collect();
                Err(Error::CreateOutcomeUnknown {
                    display_name: spec.display_name,
                    id: minted,
                    found,
                    source: Box::new(e),
                })
            }
            other => other,
        }
    }
}

/// Whether a failed create may nevertheless have minted a token: the request may have reached
/// the service and no answer says it did not (a transport failure after sending, a 5xx, a 408
/// timeout), or the service said yes with a body that could not be read (so the secret is lost).
fn outcome_unknown(e: &Error) -> bool {
    match e {
        Error::Transport(t) => !t.is_before_send(),
        Error::Api { status, .. } => *status >= 500 || *status == 408,
        Error::Decode { .. } => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::pats::examples::*;
    use crate::azure::request::tests::{assert_common_headers, bearer, context};
    use crate::extras::Extras;
    use crate::scope::Scopes;

    #[test]
    fn request_shape() {
        let spec = PatSpec {
            display_name: "new_token".into(),
            scopes: Scopes::parse("vso.code vso.work").unwrap(),
            valid_to: Some(example_valid_to()),
            extras: Extras::new(),
        };
        let request = request(&context(), &bearer(), &spec).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "https://vssps.dev.azure.com/fabrikam/_apis/tokens/pats?api-version=7.1-preview.1");
        assert_common_headers(&request, op::CREATE);
        assert_eq!(request.headers()["content-type"], "application/json");
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"displayName": "new_token", "scope": "vso.code vso.work", "validTo": "2020-12-01T23:46:23.319Z", "allOrgs": false})
        );
    }

    #[test]
    fn omitted_expiry_is_not_sent() {
        let spec = PatSpec {
            display_name: "n".into(),
            scopes: Scopes::parse("app_token").unwrap(),
            valid_to: None,
            extras: Extras::new().with("targets", "*"),
        };
        let body: serde_json::Value =
            serde_json::from_slice(request(&context(), &bearer(), &spec).unwrap().body()).unwrap();
        assert_eq!(body, serde_json::json!({"displayName": "n", "scope": "app_token", "allOrgs": true}));
    }

    #[test]
    fn parses_the_spec_example() {
        let created = parse(&ok(CREATE_RESPONSE), now()).unwrap();
        assert_eq!(created.metadata.id.as_str(), "4ab5764f-4193-4f1d-b995-64144880b7d7");
        assert_eq!(created.metadata.display_name, "new_token");
        assert!(crate::azure::scopes::is_full_access(&created.metadata.scopes));
        assert_eq!(
            Targets::of(&created.metadata),
            Some(Targets::Organizations(vec!["38aaa865-2c70-4bf7-a308-0c6539c38c1a".into()]))
        );
        assert_eq!(created.secret.expose_secret(), "dip55dwf4vpitomw63jzvomefmi2jluguprzwwqwuc6xq4fhocwq");
        assert!(!format!("{created:?}").contains("dip55dwf"));
    }

    #[test]
    fn the_minted_id_is_read_from_a_body_that_does_not_parse() {
        let broken = r#"{"patToken":{"authorizationId":"4ab5764f","token":"s3cret","validTo":12}}"#;
        assert!(parse(&ok(broken), now()).is_err());
        assert_eq!(minted_id(&ok(broken)).unwrap().as_str(), "4ab5764f");
        assert_eq!(minted_id(&ok(GET_RESPONSE)).unwrap().as_str(), "3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32");
        let long = format!(r#"{{"patToken":{{"authorizationId":"{}"}}}}"#, "x".repeat(MAX_ID_BYTES + 1));
        for unreadable in
            ["{\"patToken\":{\"authorizationId\":", "{\"patToken\":{\"authorizationId\":7}}", "[]", long.as_str()]
        {
            assert!(minted_id(&ok(unreadable)).is_none(), "{unreadable}");
        }
    }

    #[test]
    fn a_success_without_a_token_is_a_decode_error() {
        let body = GET_RESPONSE; // same shape, token null
        assert!(matches!(parse(&ok(body), now()), Err(Error::Decode { path, .. }) if path == "patToken.token"));
    }
}
