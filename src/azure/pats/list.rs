use crate::auth::AccessCredential;
use crate::azure::classify::{check_status, decode};
use crate::azure::request::{RequestContext, build, lifecycle_authorization};
use crate::azure::wire::PagedPatTokensWire;
use crate::azure::{AzureDevOpsClient, operations as op};
use crate::error::{Error, Result};
use crate::model::{ContinuationToken, ListQuery, Page, PatMetadata, SortBy, StatusFilter};
use crate::pagination::{self, DEFAULT_MAX_PAGES};
use crate::transport::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_core::Stream;
use http::Method;

/// The service's largest page.
pub(crate) const MAX_PAGE_SIZE: u32 = 100;

pub(crate) fn filter_wire(filter: StatusFilter) -> &'static str {
    match filter {
        StatusFilter::Active => "active",
        StatusFilter::Revoked => "revoked",
        StatusFilter::Expired => "expired",
        StatusFilter::All => "all",
    }
}

pub(crate) fn sort_wire(sort: SortBy) -> &'static str {
    match sort {
        SortBy::DisplayName => "displayName",
        SortBy::DisplayDate => "displayDate",
        SortBy::Status => "status",
    }
}

/// Checks a page size before sending: 1 to 100.
pub(crate) fn validate(query: &ListQuery) -> Result<()> {
    match query.page_size {
        Some(n) if n == 0 || n > MAX_PAGE_SIZE => {
            Err(Error::invalid_input("page_size", format!("{n} is outside 1..={MAX_PAGE_SIZE}")))
        }
        _ => Ok(()),
    }
}

/// `GET …/_apis/tokens/pats` with every filter spelled out, so each page carries the same query
/// (the continuation token carries only a position).
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    query: &ListQuery,
    continuation: Option<&ContinuationToken>,
) -> Result<HttpRequest> {
    validate(query)?;
    let mut url = ctx.pats_url();
    {
        let q = &mut url;
        q.append_pair("displayFilterOption", filter_wire(query.filter))
            .append_pair("sortByOption", sort_wire(query.sort))
            .append_pair("isSortAscending", if query.ascending { "true" } else { "false" });
        if let Some(top) = query.page_size {
            q.append_pair("$top", &top.to_string());
        }
        if let Some(c) = continuation {
            q.append_pair("continuationToken", c.as_str());
        }
    }
    build(Method::GET, url, op::LIST, lifecycle_authorization(credential)?, None)
}

/// A `PagedPatTokens`; an empty or null `continuationToken` ends the listing.
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<Page<PatMetadata>> {
    check_status(response, op::LIST, now)?;
    let page: PagedPatTokensWire = decode(response.body(), op::LIST)?;
    let items = page.pat_tokens.0?;
    let continuation = page.continuation_token.filter(|c| !c.is_empty()).map(ContinuationToken::new);
    Ok(Page { items, continuation })
}

/// A listing being prepared; from [`AzureDevOpsClient::list`].
///
/// Fetch one page with [`page`](Self::page), or stream every page or item with
/// [`pages`](Self::pages) / [`items`](Self::items). Every page request repeats the same filters
/// (the service's continuation token carries only a position). A stream ends with
/// [`Error::ListingCut`](crate::Error::ListingCut) when the service hands back a continuation it
/// had already sent, or after [`max_pages`](Self::max_pages) pages.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until a page or stream is consumed"]
pub struct ListPats {
    client: AzureDevOpsClient,
    query: ListQuery,
    max_pages: usize,
    /// The name [`Error::ListingCut`](crate::Error::ListingCut) gives this listing.
    listing: &'static str,
}

impl AzureDevOpsClient {
    /// Prepares a listing of the caller's own tokens (default: active, by display name,
    /// ascending, the service's page size of 20).
    pub fn list(&self) -> ListPats {
        ListPats {
            client: self.clone(),
            query: ListQuery::default(),
            max_pages: DEFAULT_MAX_PAGES,
            listing: "PAT list",
        }
    }
}

impl ListPats {
    /// Which tokens: active (default), revoked, expired or all.
    pub fn filter(mut self, filter: StatusFilter) -> Self {
        self.query.filter = filter;
        self
    }

    /// Sort key (default display name).
    pub fn sort(mut self, sort: SortBy) -> Self {
        self.query.sort = sort;
        self
    }

    /// Ascending (default `true`) or descending.
    pub fn ascending(mut self, ascending: bool) -> Self {
        self.query.ascending = ascending;
        self
    }

    /// Items per page, 1 to 100 (checked before sending).
    pub fn page_size(mut self, size: u32) -> Self {
        self.query.page_size = Some(size);
        self
    }

    /// Replaces the whole query.
    pub fn query(mut self, query: ListQuery) -> Self {
        self.query = query;
        self
    }

    /// Most pages a stream reads (default [`DEFAULT_MAX_PAGES`](crate::DEFAULT_MAX_PAGES)); a
    /// listing that needs more ends with [`Error::ListingCut`](crate::Error::ListingCut). Raise
    /// it if you expect more than `max_pages ×` [`page_size`](Self::page_size) tokens; 0 is
    /// refused when the stream starts.
    pub fn max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// Names the listing in [`Error::ListingCut`](crate::Error::ListingCut) (for the crate's own
    /// listings that use this one).
    pub(crate) fn named(mut self, listing: &'static str) -> Self {
        self.listing = listing;
        self
    }

    /// One page: the first with `None`, a later one with the continuation of the page before
    /// (also one saved earlier, to resume).
    pub async fn page(&self, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>> {
        let credential = self.client.credential().await?;
        let request = request(&self.client.inner.ctx, &credential, &self.query, continuation.as_ref())?;
        self.client.execute(request, parse).await
    }

    /// Every page from the first, until the service sends an empty or null continuation. Ends
    /// after the first error, which is [`Error::ListingCut`](crate::Error::ListingCut) when the
    /// service repeats a continuation of this listing or the page cap is reached.
    pub fn pages(self) -> impl Stream<Item = Result<Page<PatMetadata>>> + Send + 'static {
        self.pages_from(None)
    }

    /// Every page from `continuation` on (resuming a listing saved earlier; the cap counts from
    /// here).
    pub fn pages_from(
        self,
        continuation: Option<ContinuationToken>,
    ) -> impl Stream<Item = Result<Page<PatMetadata>>> + Send + 'static {
        let (listing, max_pages) = (self.listing, self.max_pages);
        pagination::pages(listing, max_pages, continuation, move |c| {
            let this = self.clone();
            async move { this.page(c).await }
        })
    }

    /// Every token, page after page.
    pub fn items(self) -> impl Stream<Item = Result<PatMetadata>> + Send + 'static {
        pagination::items(self.pages())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::Targets;
    use crate::azure::pats::examples::*;
    use crate::azure::request::tests::{assert_common_headers, bearer, context};

    #[test]
    fn request_shape_with_every_option() {
        let query = ListQuery {
            filter: StatusFilter::Expired,
            sort: SortBy::DisplayDate,
            ascending: false,
            page_size: Some(100),
        };
        let request = request(&context(), &bearer(), &query, Some(&ContinuationToken::new("MjA="))).unwrap();
        assert_eq!(request.method(), Method::GET);
        let url: crate::http_url::HttpUrl = request.uri().to_string().parse().unwrap();
        assert_eq!(url.path(), "/fabrikam/_apis/tokens/pats");
        let pairs: Vec<(String, String)> = url.query_pairs().collect();
        let expected = [
            ("api-version", "7.1-preview.1"),
            ("displayFilterOption", "expired"),
            ("sortByOption", "displayDate"),
            ("isSortAscending", "false"),
            ("$top", "100"),
            ("continuationToken", "MjA="),
        ];
        assert_eq!(pairs, expected.map(|(k, v)| (k.to_owned(), v.to_owned())));
        assert_common_headers(&request, op::LIST);
    }

    #[test]
    fn defaults_are_sent_explicitly_and_page_size_is_checked() {
        let request = request(&context(), &bearer(), &ListQuery::default(), None).unwrap();
        let q = request.uri().query().unwrap();
        assert!(
            q.contains("displayFilterOption=active")
                && q.contains("sortByOption=displayName")
                && q.contains("isSortAscending=true")
        );
        assert!(!q.contains("top") && !q.contains("continuationToken"));
        for bad in [0, 101] {
            let query = ListQuery { page_size: Some(bad), ..ListQuery::default() };
            assert!(matches!(
                super::request(&context(), &bearer(), &query, None),
                Err(Error::InvalidInput { field: "page_size", .. })
            ));
        }
    }

    #[test]
    fn parses_the_spec_example_and_ends_on_empty_token() {
        let page = parse(&ok(LIST_RESPONSE), now()).unwrap();
        assert_eq!(page.items.len(), 4);
        assert!(page.is_last(), "\"\" ends the listing");
        assert_eq!(
            Targets::of(&page.items[0]),
            Some(Targets::AllOrganizations),
            "null targetAccounts is a global token"
        );
        let one = Targets::Organizations(vec!["38aaa865-2c70-4bf7-a308-0c6539c38c1a".into()]);
        assert_eq!(Targets::of(&page.items[1]), Some(one));
    }

    #[test]
    fn null_token_ends_and_a_value_continues() {
        assert!(parse(&ok(r#"{"continuationToken":null,"patTokens":[]}"#), now()).unwrap().is_last());
        assert!(parse(&ok(r#"{"patTokens":[]}"#), now()).unwrap().is_last());
        let page = parse(&ok(r#"{"continuationToken":"NDA=","patTokens":[]}"#), now()).unwrap();
        assert_eq!(page.continuation, Some(ContinuationToken::new("NDA=")));
    }

    #[test]
    fn a_bad_item_names_its_index() {
        let body = r#"{"continuationToken":"","patTokens":[{"authorizationId":"a","validFrom":"2020-10-24T03:04:57.52Z","validTo":"2020-10-24T03:04:57.52Z"},{"authorizationId":"b","validTo":"2020-10-24T03:04:57.52Z"}]}"#;
        assert!(matches!(parse(&ok(body), now()), Err(Error::Decode { path, .. }) if path == "patTokens[1].validFrom"));
    }
}
