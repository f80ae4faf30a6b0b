use super::{AdminTokenInfo, TokenAdmin};
use crate::auth::AccessCredential;
use crate::azure::classify::{check_status, decode};
use crate::azure::request::{RequestContext, build};
use crate::azure::wire::AdminPageWire;
use crate::azure::{AzureDevOpsClient, operations as op};
use crate::error::{Error, Result};
use crate::model::{ContinuationToken, Page};
use crate::pagination::{self, DEFAULT_MAX_PAGES};
use crate::transport::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_core::Stream;
use http::Method;

/// Checks a Graph subject descriptor (`aad.…`, `msa.…`) before it goes into a URL path.
pub(crate) fn validate_descriptor(descriptor: &str) -> Result<()> {
    let ok = !descriptor.is_empty()
        && descriptor.len() <= 512
        && descriptor.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-=+".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input("subject_descriptor", "expected a Graph subject descriptor such as `aad.…`"))
    }
}

/// `GET …/_apis/tokenadmin/personalaccesstokens/{subjectDescriptor}`.
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    descriptor: &str,
    page_size: Option<u32>,
    is_public: bool,
    continuation: Option<&ContinuationToken>,
) -> Result<HttpRequest> {
    validate_descriptor(descriptor)?;
    if page_size == Some(0) {
        return Err(Error::invalid_input("page_size", "must be at least 1"));
    }
    let mut url = ctx.admin_url(&["personalaccesstokens", descriptor]);
    {
        let q = &mut url;
        if let Some(n) = page_size {
            q.append_pair("pageSize", &n.to_string());
        }
        q.append_pair("isPublic", if is_public { "true" } else { "false" });
        if let Some(c) = continuation {
            q.append_pair("continuationToken", c.as_str());
        }
    }
    build(Method::GET, url, op::ADMIN_LIST_PATS, credential.to_header(), None)
}

/// A `TokenAdminPagedSessionTokens`; a `null` (or empty) continuation ends the listing.
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<Page<AdminTokenInfo>> {
    check_status(response, op::ADMIN_LIST_PATS, now)?;
    let page: AdminPageWire = decode(response.body(), op::ADMIN_LIST_PATS)?;
    let items = page
        .value
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            // Token Admin never returns a token value; should it, the value is dropped unread.
            let (metadata, _) = t.token.into_metadata(&format!("value[{i}]"))?;
            Ok(AdminTokenInfo {
                metadata,
                user_id: t.user_id,
                is_valid: t.is_valid,
                is_public: t.is_public.unwrap_or(false),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let continuation = page.continuation_token.filter(|c| !c.is_empty()).map(ContinuationToken::new);
    Ok(Page { items, continuation })
}

impl TokenAdmin {
    /// Prepares a listing of the PATs of the user with this Graph subject descriptor
    /// (`aad.…`/`msa.…`).
    pub fn list_pats(&self, subject_descriptor: impl Into<String>) -> AdminListPats {
        AdminListPats {
            client: self.client.clone(),
            descriptor: subject_descriptor.into(),
            page_size: None,
            is_public: false,
            max_pages: DEFAULT_MAX_PAGES,
            listing: "Token Admin PAT list",
        }
    }
}

/// A Token Admin listing being prepared; from [`TokenAdmin::list_pats`].
///
/// A stream ends with [`Error::ListingCut`](crate::Error::ListingCut) when the service hands
/// back a continuation it had already sent, or after [`max_pages`](Self::max_pages) pages.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until a page or stream is consumed"]
pub struct AdminListPats {
    client: AzureDevOpsClient,
    descriptor: String,
    page_size: Option<u32>,
    is_public: bool,
    max_pages: usize,
    /// The name [`Error::ListingCut`](crate::Error::ListingCut) gives this listing.
    listing: &'static str,
}

impl AdminListPats {
    /// Items per page (the service's default when unset).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// List SSH keys (`true`) instead of PATs (`false`, the default).
    pub fn ssh_keys(mut self, ssh: bool) -> Self {
        self.is_public = ssh;
        self
    }

    /// Most pages a stream reads (default [`DEFAULT_MAX_PAGES`](crate::DEFAULT_MAX_PAGES)); a
    /// listing that needs more ends with [`Error::ListingCut`](crate::Error::ListingCut). 0 is
    /// refused when the stream starts.
    pub fn max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// One page; pass the previous page's continuation for the next.
    pub async fn page(&self, continuation: Option<ContinuationToken>) -> Result<Page<AdminTokenInfo>> {
        let credential = self.client.credential().await?;
        let request = request(
            &self.client.inner.ctx,
            &credential,
            &self.descriptor,
            self.page_size,
            self.is_public,
            continuation.as_ref(),
        )?;
        self.client.execute(request, parse).await
    }

    /// Every page until the service's continuation is `null`. Ends after the first error, which
    /// is [`Error::ListingCut`](crate::Error::ListingCut) when the service repeats a continuation
    /// of this listing or the page cap is reached.
    pub fn pages(self) -> impl Stream<Item = Result<Page<AdminTokenInfo>>> + Send + 'static {
        let (listing, max_pages) = (self.listing, self.max_pages);
        pagination::pages(listing, max_pages, None, move |c| {
            let this = self.clone();
            async move { this.page(c).await }
        })
    }

    /// Every token of the user.
    pub fn items(self) -> impl Stream<Item = Result<AdminTokenInfo>> + Send + 'static {
        pagination::items(self.pages())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::pats::examples::{now, ok};
    use crate::azure::request::tests::{assert_common_headers, bearer, context};

    const EXAMPLE: &str = r#"{"value":[
      {"clientId":"00000000-0000-0000-0000-000000000000","accessId":"00000000-0000-0000-0000-000000000000","authorizationId":"952858d3-7084-4635-964e-3c2a57645185","hostAuthorizationId":"00000000-0000-0000-0000-000000000000","userId":"bb5bb6c8-ef0a-400f-8987-92b3674d2043","validFrom":"2018-07-19T00:00:00","validTo":"2018-07-19T00:00:00","displayName":null,"scope":"app_token","targetAccounts":null,"token":null,"alternateToken":null,"isValid":true,"isPublic":false,"publicData":null,"source":null},
      {"clientId":"00000000-0000-0000-0000-000000000000","accessId":"00000000-0000-0000-0000-000000000000","authorizationId":"c2e0abd5-85a8-40b0-a179-88e98538ec7c","hostAuthorizationId":"00000000-0000-0000-0000-000000000000","userId":"bb5bb6c8-ef0a-400f-8987-92b3674d2043","validFrom":"2018-07-19T00:00:00","validTo":"2018-07-19T00:00:00","displayName":null,"scope":"vso.dashboards vso.taskgroups_manage","targetAccounts":null,"token":null,"alternateToken":null,"isValid":true,"isPublic":false,"publicData":null,"source":null}
    ],"continuationToken":null}"#;

    #[test]
    fn request_shape() {
        let request = request(
            &context(),
            &bearer(),
            "msa.MjcwYjYwYzMtZThiMy03MGU1LWFjZDYtYzM5Zjk3ZDZmYTRh",
            Some(20),
            false,
            Some(&ContinuationToken::new("9f1b2c3d-0000-0000-0000-000000000000")),
        )
        .unwrap();
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri(),
            "https://vssps.dev.azure.com/fabrikam/_apis/tokenadmin/personalaccesstokens/msa.MjcwYjYwYzMtZThiMy03MGU1LWFjZDYtYzM5Zjk3ZDZmYTRh?api-version=7.1&pageSize=20&isPublic=false&continuationToken=9f1b2c3d-0000-0000-0000-000000000000"
        );
        assert_common_headers(&request, op::ADMIN_LIST_PATS);
        assert!(super::request(&context(), &bearer(), "aad.x/../y", None, false, None).is_err());
    }

    #[test]
    fn parses_the_spec_example() {
        let page = parse(&ok(EXAMPLE), now()).unwrap();
        assert!(page.is_last());
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[0].metadata.display_name, "");
        assert_eq!(page.items[0].user_id.as_deref(), Some("bb5bb6c8-ef0a-400f-8987-92b3674d2043"));
        assert_eq!(page.items[1].metadata.scopes.len(), 2);
        let more =
            parse(&ok(r#"{"value":[],"continuationToken":"5e1f9a2b-1111-2222-3333-444455556666"}"#), now()).unwrap();
        assert_eq!(more.continuation.unwrap().as_str(), "5e1f9a2b-1111-2222-3333-444455556666");
    }
}
