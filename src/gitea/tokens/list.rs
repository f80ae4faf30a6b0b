//! `GET /users/{username}/tokens?page=&limit=` with the password login.

use chrono::{DateTime, Utc};
use http::Method;

use crate::admin::UserId;
use crate::error::Result;
use crate::gitea::classify::{Asked, check, decode};
use crate::gitea::pagination::{self, Position};
use crate::gitea::request::{Prepared, RequestContext, username};
use crate::gitea::wire::TokenWire;
use crate::gitea::{GiteaClient, GiteaToken, operations as op};
use crate::model::{ContinuationToken, Page};
use crate::transport::HttpResponse;

/// `GET /users/{owner}/tokens?page={page}&limit={limit}` (both always sent: older Gitea answered
/// every token when `page` was missing).
pub(crate) fn request(ctx: &RequestContext, owner: &str, page: u32, limit: u32) -> Result<Prepared> {
    let mut url = ctx.tokens_url(username(owner)?, None);
    url.append_pair("page", &page.to_string()).append_pair("limit", &limit.to_string());
    Ok(Prepared { method: Method::GET, url, op: op::TOKEN_LIST, body: None })
}

/// A page of tokens, and the next page's position (see [`pagination`]).
pub(crate) fn parse(
    response: &HttpResponse,
    asked: &Asked<'_>,
    at: Position,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Page<GiteaToken>> {
    check(response, asked, now)?;
    let items: Vec<TokenWire> = decode(response, op::TOKEN_LIST)?;
    let next = pagination::next(at, limit, items.len(), pagination::total(response));
    Ok(Page {
        items: items.into_iter().map(TokenWire::into_listed).collect(),
        continuation: next.map(Position::continuation),
    })
}

/// A listing of access tokens, one page per [`send`](Self::send); from [`GiteaClient::list`] or
/// [`GiteaClient::list_user`]. Gitea lists newest first and cannot sort or filter.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until `send` is awaited"]
pub struct ListTokens {
    client: GiteaClient,
    owner: Option<UserId>,
    page: u32,
    limit: Option<u32>,
    continuation: Option<ContinuationToken>,
}

impl ListTokens {
    /// `page=` (1-based; default 1).
    pub fn page(mut self, page: u32) -> Self {
        self.page = page;
        self
    }

    /// `limit=` (1 to [`MAX_LIMIT`](crate::gitea::MAX_LIMIT), default
    /// [`DEFAULT_LIMIT`](crate::gitea::DEFAULT_LIMIT); more is refused before sending).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The page to read: a previous page's continuation (it wins over [`page`](Self::page)).
    pub fn continuation(mut self, continuation: ContinuationToken) -> Self {
        self.continuation = Some(continuation);
        self
    }

    /// Reads one page. Its continuation names the next page while `X-Total-Count` says there
    /// are more tokens (or, without that header, while pages come back full); Gitea's token list
    /// sends no `Link` header.
    pub async fn send(self) -> Result<Page<GiteaToken>> {
        let limit = pagination::limit(self.limit)?;
        let at = match &self.continuation {
            Some(c) => pagination::position_of(c)?,
            None if self.page == 0 => {
                return Err(crate::Error::invalid_input("page", "Gitea pages are numbered from 1"));
            }
            None if self.page == 1 => Position::FIRST,
            None => Position { page: self.page, seen: None },
        };
        let owner = self.owner.as_ref().map_or(self.client.owner(), UserId::as_str);
        let prepared = request(self.client.ctx(), owner, at.page, limit)?;
        self.client.managed(prepared, None, |r, asked, now| parse(r, asked, at, limit, now)).await
    }
}

impl GiteaClient {
    /// Lists the [`owner`](Self::owner)'s tokens, one page per [`ListTokens::send`].
    pub fn list(&self) -> ListTokens {
        ListTokens { client: self.clone(), owner: None, page: 1, limit: None, continuation: None }
    }

    /// Lists `user`'s tokens: a site administrator's call (anyone else gets
    /// [`Error::Forbidden`](crate::Error::Forbidden)).
    pub fn list_user(&self, user: impl Into<UserId>) -> ListTokens {
        ListTokens { owner: Some(user.into()), ..self.list() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitea::classify::tests::{asked, now};
    use crate::gitea::request::tests::{assert_managed, context, login};
    use crate::gitea::wire::examples::LISTED;

    #[tokio::test]
    async fn request_shape() {
        let request = context().managed(request(&context(), "alice", 2, 50).unwrap(), &login(None).await).unwrap();
        assert_eq!(request.method(), Method::GET);
        assert_eq!(request.uri(), "https://gitea.example/api/v1/users/alice/tokens?page=2&limit=50");
        assert!(request.body().is_empty());
        assert_managed(&request, op::TOKEN_LIST);
    }

    #[test]
    fn parses_a_page_and_works_out_the_next() {
        let asked = Asked { op: op::TOKEN_LIST, ..asked(Some(false)) };
        let second = LISTED.replace(r#""id": 7"#, r#""id": 8"#);
        let body = format!("[{LISTED},{second}]");
        let response = |total: &str| {
            http::Response::builder()
                .status(200)
                .header("x-total-count", total)
                .body(body.clone().into_bytes())
                .unwrap()
        };
        let page = parse(&response("5"), &asked, Position::FIRST, 2, now()).unwrap();
        assert_eq!(page.items.iter().map(|t| t.metadata.id.as_str()).collect::<Vec<_>>(), ["7", "8"]);
        assert_eq!(page.items[0].token_last_eight.as_deref(), Some("16c3e37d"));
        assert_eq!(page.continuation.unwrap().as_str(), "2:2");
        let second = Position { page: 2, seen: Some(2) };
        assert!(parse(&response("4"), &asked, second, 2, now()).unwrap().is_last(), "the count is reached");
        let empty = http::Response::builder().status(200).body(b"[]".to_vec()).unwrap();
        assert!(parse(&empty, &asked, Position::FIRST, 50, now()).unwrap().is_last());
        let refused = http::Response::builder().status(401).body(br#"{"message":"auth required"}"#.to_vec()).unwrap();
        assert!(matches!(parse(&refused, &asked, Position::FIRST, 50, now()), Err(crate::Error::AuthRequired { .. })));
    }
}
