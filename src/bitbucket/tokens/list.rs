//! `GET /rest/access-tokens/1.0/users/{userSlug}?start=&limit=`: one page of a user's tokens.

use chrono::{DateTime, Utc};
use http::Method;

use crate::auth::AccessCredential;
use crate::bitbucket::classify::{check, decode};
use crate::bitbucket::request::RequestContext;
use crate::bitbucket::wire::PageWire;
use crate::bitbucket::{BitbucketClient, BitbucketToken, TokenOwner, operations as op};
use crate::error::{Error, Result};
use crate::model::{ContinuationToken, Page};
use crate::transport::{HttpRequest, HttpResponse};

/// The largest `limit` patkit asks for. The server may cap it lower (its `page.max.*`
/// settings); the client follows `isLastPage` / `nextPageStart`, never the requested limit.
pub const MAX_LIMIT: u32 = 1000;

/// `GET …/{owner}[?start=&limit=]`. The continuation must be an offset (digits) and the
/// limit 1 to [`MAX_LIMIT`]; both refused before sending otherwise.
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    owner: &TokenOwner,
    limit: Option<u32>,
    start: Option<&ContinuationToken>,
) -> Result<HttpRequest> {
    let mut url = ctx.tokens_url(owner, None);
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(start) = start {
        let raw = start.as_str();
        if raw.is_empty() || raw.len() > 12 || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_input("continuation", "not a Bitbucket page start"));
        }
        pairs.push(("start", raw.to_owned()));
    }
    if let Some(n) = limit {
        if n == 0 || n > MAX_LIMIT {
            return Err(Error::invalid_input("limit", format!("1 to {MAX_LIMIT}, not {n}")));
        }
        pairs.push(("limit", n.to_string()));
    }
    if !pairs.is_empty() {
        url.extend_pairs(pairs);
    }
    ctx.build(Method::GET, url, op::TOKEN_LIST, credential, None)
}

/// A page, continued by `nextPageStart` while `isLastPage` is false.
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<Page<BitbucketToken>> {
    check(response, op::TOKEN_LIST, None, now)?;
    decode::<PageWire>(response, op::TOKEN_LIST)?.into_page()
}

/// One page of a user's tokens; from [`BitbucketClient::list`]. Expired tokens are listed too
/// ([`BitbucketToken::is_expired`] says which); deleted ones are gone.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until `send` is awaited"]
pub struct ListTokens {
    client: BitbucketClient,
    limit: Option<u32>,
    start: Option<ContinuationToken>,
}

impl ListTokens {
    /// `limit=` (1 to [`MAX_LIMIT`]; Bitbucket's default is 25 and it may cap any value lower).
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }

    /// Where to start: a previous page's continuation (`start=`).
    pub fn start(mut self, continuation: ContinuationToken) -> Self {
        self.start = Some(continuation);
        self
    }

    /// Reads one page.
    ///
    /// # Errors
    ///
    /// [`Error::Forbidden`] when Bitbucket refuses (401) though the password works: someone
    /// else's tokens without being a system administrator. [`Error::Api`] 404 for an unknown user.
    pub async fn send(self) -> Result<Page<BitbucketToken>> {
        let credential = self.client.credential().await?;
        let request = request(self.client.ctx(), &credential, self.client.owner(), self.limit, self.start.as_ref())?;
        match self.client.execute(request, parse).await {
            Err(e) => Err(self.client.forbidden_if_password_works(e).await),
            ok => ok,
        }
    }
}

impl BitbucketClient {
    /// Lists the tokens of the client's user (or, from [`for_user`](Self::for_user), of that
    /// user), one page per [`ListTokens::send`].
    pub fn list(&self) -> ListTokens {
        ListTokens { client: self.clone(), limit: None, start: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::classify::tests::{now, respond};
    use crate::bitbucket::request::tests::{assert_common, context, password, user};
    use crate::bitbucket::wire::examples::LIST;

    #[test]
    fn request_shapes() {
        let request =
            request(&context(), &password(), &user("john.doe"), Some(25), Some(&ContinuationToken::new("50"))).unwrap();
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri(),
            "https://bitbucket.example/context/rest/access-tokens/1.0/users/john.doe?start=50&limit=25"
        );
        assert_common(&request, op::TOKEN_LIST);
        let bare = super::request(&context(), &password(), &user("john.doe"), None, None).unwrap();
        assert_eq!(bare.uri(), "https://bitbucket.example/context/rest/access-tokens/1.0/users/john.doe");
        assert!(matches!(
            super::request(&context(), &password(), &user("j"), Some(0), None),
            Err(Error::InvalidInput { field: "limit", .. })
        ));
        let foreign = ContinuationToken::new("5&limit=1");
        assert!(matches!(
            super::request(&context(), &password(), &user("j"), None, Some(&foreign)),
            Err(Error::InvalidInput { field: "continuation", .. })
        ));
    }

    #[test]
    fn parses_the_sheets_list_and_follows_next_page_start_not_the_limit() {
        let page = parse(&respond(200, LIST), now()).unwrap();
        assert_eq!(page.items[0].metadata.id.as_str(), "075905477751");
        assert!(page.is_last(), "isLastPage: true, though size (2) > values (1) and limit is 25");
        let short = r#"{"size":1,"limit":1000,"start":0,"isLastPage":false,"nextPageStart":1,"values":[{"id":"1","createdDate":0,"name":"a"}]}"#;
        assert_eq!(
            parse(&respond(200, short), now()).unwrap().continuation.unwrap().as_str(),
            "1",
            "a page cut below the limit still continues"
        );
        assert!(matches!(
            parse(&respond(401, r#"{"errors":[{"message":"no"}]}"#), now()),
            Err(Error::AuthRequired { .. })
        ));
    }
}
