//! What every request to the service carries: URL layout, api-version, headers, the operation tag.

use http::Method;

use crate::auth::AccessCredential;
use crate::client::base_url;
use crate::client::request::{self as core, Header};
use crate::error::{CredentialErrorKind, Error, Result};
use crate::http_url::HttpUrl;
use crate::transport::{HttpRequest, Operation};

/// The `User-Agent` every request carries: `patkit/<version>`.
pub const USER_AGENT: &str = core::USER_AGENT;

/// Where and how requests go: fixed per client.
#[derive(Debug, Clone)]
pub(crate) struct RequestContext {
    /// `https://vssps.dev.azure.com` or an override.
    pub(crate) base_url: HttpUrl,
    /// Where a PAT is tried out (`https://dev.azure.com` or the override of `base_url`).
    pub(crate) check_base_url: HttpUrl,
    pub(crate) organization: String,
    pub(crate) pat_api_version: String,
    pub(crate) admin_api_version: String,
}

impl RequestContext {
    /// `{base}/{organization}/{segments…}` with `api-version` set.
    pub(crate) fn url(&self, base: &HttpUrl, segments: &[&str], api_version: &str) -> HttpUrl {
        let mut url = base_url::join(base, std::iter::once(self.organization.as_str()).chain(segments.iter().copied()));
        url.append_pair("api-version", api_version);
        url
    }

    /// `{base}/{organization}/_apis/tokens/pats?api-version=…`.
    pub(crate) fn pats_url(&self) -> HttpUrl {
        self.url(&self.base_url, &["_apis", "tokens", "pats"], &self.pat_api_version)
    }

    /// `{base}/{organization}/_apis/tokenadmin/{segments…}?api-version=…`.
    pub(crate) fn admin_url(&self, segments: &[&str]) -> HttpUrl {
        let mut all = vec!["_apis", "tokenadmin"];
        all.extend_from_slice(segments);
        self.url(&self.base_url, &all, &self.admin_api_version)
    }
}

/// The credential header a request carries: its name and its sensitive value.
pub(crate) type Authorization = Header;

/// The `Authorization` header for the PAT lifecycle API, which accepts only Entra user tokens
/// (bearer): a PAT ([`PatCredential`](super::PatCredential), Basic auth) or any other Basic or
/// custom-header credential is refused here, before anything is sent.
pub(crate) fn lifecycle_authorization(credential: &AccessCredential) -> Result<Authorization> {
    match credential {
        AccessCredential::Bearer(_) => Ok(credential.to_header()),
        _ => Err(Error::credential(
            CredentialErrorKind::NotAccepted,
            "the PAT lifecycle API accepts only a Microsoft Entra access token issued to a user (a bearer \
             token), not a PAT or another Basic or header credential; use an Entra credential (e.g. \
             AzureCliCredential after `az login`)",
        )),
    }
}

/// Builds a request with the headers every call carries (the shared ones of
/// [`client::request::build`](crate::client::request::build)) plus
/// `X-TFS-FedAuthRedirect: Suppress`, so a bad credential gets a 401 instead of a sign-in page.
pub(crate) fn build(
    method: Method,
    url: HttpUrl,
    op: Operation,
    authorization: Authorization,
    json_body: Option<Vec<u8>>,
) -> Result<HttpRequest> {
    core::build(method, &url, op, Some(authorization), &[("X-TFS-FedAuthRedirect", "Suppress")], json_body)
}

pub(crate) use core::json;

#[cfg(test)]
pub(crate) mod tests {
    use http::{HeaderName, header};

    use super::*;
    use crate::secret::BearerToken;

    pub(crate) fn context() -> RequestContext {
        RequestContext {
            base_url: "https://vssps.dev.azure.com".parse().unwrap(),
            check_base_url: "https://dev.azure.com".parse().unwrap(),
            organization: "fabrikam".into(),
            pat_api_version: "7.1-preview.1".into(),
            admin_api_version: "7.1".into(),
        }
    }

    pub(crate) fn bearer() -> AccessCredential {
        AccessCredential::Bearer(BearerToken::new("entra-user-token".into()))
    }

    /// The headers every request must carry.
    pub(crate) fn assert_common_headers(request: &HttpRequest, op: Operation) {
        let h = request.headers();
        assert_eq!(h["accept"], "application/json");
        assert_eq!(h["x-tfs-fedauthredirect"], "Suppress");
        assert!(h["user-agent"].to_str().unwrap().starts_with("patkit/"));
        assert!(h["authorization"].is_sensitive());
        assert_eq!(h["authorization"], "Bearer entra-user-token");
        assert_eq!(Operation::of(request), Some(op));
    }

    #[test]
    fn urls_encode_the_organization_and_keep_a_base_path() {
        let mut ctx = context();
        assert_eq!(
            ctx.pats_url().as_str(),
            "https://vssps.dev.azure.com/fabrikam/_apis/tokens/pats?api-version=7.1-preview.1"
        );
        ctx.base_url = "https://proxy.example/ado/".parse().unwrap();
        ctx.organization = "my org".into();
        assert_eq!(
            ctx.admin_url(&["revocations"]).as_str(),
            "https://proxy.example/ado/my%20org/_apis/tokenadmin/revocations?api-version=7.1"
        );
    }

    #[test]
    fn only_a_bearer_token_is_accepted_for_the_lifecycle_api() {
        let refused = [
            AccessCredential::basic("", crate::PatSecret::new("p".into())),
            AccessCredential::basic("alice", "pw".to_owned()),
            AccessCredential::header(HeaderName::from_static("private-token"), "t".to_owned()),
        ];
        for credential in refused {
            assert!(
                matches!(
                    lifecycle_authorization(&credential),
                    Err(Error::Credential { kind: CredentialErrorKind::NotAccepted, .. })
                ),
                "{credential:?}"
            );
        }
        let (name, value) = lifecycle_authorization(&bearer()).unwrap();
        assert_eq!((name, value.to_str().unwrap()), (header::AUTHORIZATION, "Bearer entra-user-token"));
    }
}
