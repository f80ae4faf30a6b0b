//! `GET /personal_access_tokens` with every filter of §2.2.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use http::Method;

use crate::admin::UserId;
use crate::auth::AccessCredential;
use crate::error::Result;
use crate::gitlab::classify::{check, decode};
use crate::gitlab::request::{RequestContext, user_id};
use crate::gitlab::wire::TokenWire;
use crate::gitlab::{GitLabClient, GitLabToken, operations as op, pagination};
use crate::model::{ContinuationToken, Page};
use crate::transport::{HttpRequest, HttpResponse};

/// The `state` filter: `active` (neither revoked nor expired) or `inactive` (revoked **or**
/// expired).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenState {
    /// Neither revoked nor expired.
    Active,
    /// Revoked or expired.
    Inactive,
}

/// The `sort` orders GitLab knows.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenSort {
    /// `created_asc`.
    CreatedAsc,
    /// `created_desc`.
    CreatedDesc,
    /// `expires_asc`.
    ExpiresAsc,
    /// `expires_desc`.
    ExpiresDesc,
    /// `last_used_asc`.
    LastUsedAsc,
    /// `last_used_desc`.
    LastUsedDesc,
    /// `name_asc`.
    NameAsc,
    /// `name_desc`.
    NameDesc,
}

impl TokenSort {
    /// GitLab's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreatedAsc => "created_asc",
            Self::CreatedDesc => "created_desc",
            Self::ExpiresAsc => "expires_asc",
            Self::ExpiresDesc => "expires_desc",
            Self::LastUsedAsc => "last_used_asc",
            Self::LastUsedDesc => "last_used_desc",
            Self::NameAsc => "name_asc",
            Self::NameDesc => "name_desc",
        }
    }
}

/// The filters of one listing; what [`ListPats`] sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    pub(crate) state: Option<TokenState>,
    pub(crate) revoked: Option<bool>,
    pub(crate) search: Option<String>,
    pub(crate) created_after: Option<DateTime<Utc>>,
    pub(crate) created_before: Option<DateTime<Utc>>,
    pub(crate) last_used_after: Option<DateTime<Utc>>,
    pub(crate) last_used_before: Option<DateTime<Utc>>,
    pub(crate) expires_after: Option<NaiveDate>,
    pub(crate) expires_before: Option<NaiveDate>,
    pub(crate) sort: Option<TokenSort>,
    pub(crate) user_id: Option<UserId>,
    pub(crate) per_page: Option<u32>,
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `GET /personal_access_tokens?…`. Bad input (`per_page` over 100, a user id or continuation
/// that is no number) is refused before sending.
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    filter: &Filter,
    continuation: Option<&ContinuationToken>,
) -> Result<HttpRequest> {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(state) = filter.state {
        pairs.push(("state", if state == TokenState::Active { "active" } else { "inactive" }.into()));
    }
    if let Some(revoked) = filter.revoked {
        pairs.push(("revoked", revoked.to_string()));
    }
    if let Some(search) = &filter.search {
        pairs.push(("search", search.clone()));
    }
    for (name, value) in [
        ("created_after", filter.created_after),
        ("created_before", filter.created_before),
        ("last_used_after", filter.last_used_after),
        ("last_used_before", filter.last_used_before),
    ] {
        if let Some(t) = value {
            pairs.push((name, instant(t)));
        }
    }
    for (name, value) in [("expires_after", filter.expires_after), ("expires_before", filter.expires_before)] {
        if let Some(d) = value {
            pairs.push((name, d.format("%Y-%m-%d").to_string()));
        }
    }
    if let Some(sort) = filter.sort {
        pairs.push(("sort", sort.as_str().into()));
    }
    if let Some(user) = &filter.user_id {
        pairs.push(("user_id", user_id(user)?.to_string()));
    }
    pairs.extend(pagination::query(filter.per_page, continuation)?);
    let mut url = ctx.url(&["personal_access_tokens"]);
    if !pairs.is_empty() {
        url.extend_pairs(pairs);
    }
    ctx.build(Method::GET, url, op::PAT_LIST, credential, None)
}

/// A page of tokens, and the next page's continuation from `x-next-page` / `Link`.
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<Page<GitLabToken>> {
    check(response, op::PAT_LIST, None, now)?;
    let items: Vec<TokenWire> = decode(response, op::PAT_LIST)?;
    Ok(Page {
        items: items.into_iter().map(|w| w.into_token(now).0).collect(),
        continuation: pagination::next(response),
    })
}

/// A listing of personal access tokens; from [`GitLabClient::list`]. Non-admins see their own
/// tokens (revoked and expired ones too unless filtered); admins see every token of the instance
/// unless [`user_id`](Self::user_id) narrows it.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until `send` is awaited"]
pub struct ListPats {
    client: GitLabClient,
    filter: Filter,
    continuation: Option<ContinuationToken>,
}

impl ListPats {
    /// `state=active|inactive`.
    pub fn state(mut self, state: TokenState) -> Self {
        self.filter.state = Some(state);
        self
    }
    /// `revoked=true|false`.
    pub fn revoked(mut self, revoked: bool) -> Self {
        self.filter.revoked = Some(revoked);
        self
    }
    /// `search=` (a substring of the name).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.filter.search = Some(text.into());
        self
    }
    /// `created_after=`.
    pub fn created_after(mut self, t: DateTime<Utc>) -> Self {
        self.filter.created_after = Some(t);
        self
    }
    /// `created_before=`.
    pub fn created_before(mut self, t: DateTime<Utc>) -> Self {
        self.filter.created_before = Some(t);
        self
    }
    /// `last_used_after=`.
    pub fn last_used_after(mut self, t: DateTime<Utc>) -> Self {
        self.filter.last_used_after = Some(t);
        self
    }
    /// `last_used_before=`.
    pub fn last_used_before(mut self, t: DateTime<Utc>) -> Self {
        self.filter.last_used_before = Some(t);
        self
    }
    /// `expires_after=` (a date).
    pub fn expires_after(mut self, d: NaiveDate) -> Self {
        self.filter.expires_after = Some(d);
        self
    }
    /// `expires_before=` (a date).
    pub fn expires_before(mut self, d: NaiveDate) -> Self {
        self.filter.expires_before = Some(d);
        self
    }
    /// `sort=`.
    pub fn sort(mut self, sort: TokenSort) -> Self {
        self.filter.sort = Some(sort);
        self
    }
    /// `user_id=` (a numeric id). Admins: any user; a non-admin naming someone else gets a 401.
    pub fn user_id(mut self, user: impl Into<UserId>) -> Self {
        self.filter.user_id = Some(user.into());
        self
    }
    /// `per_page=` (1 to [`MAX_PER_PAGE`](crate::gitlab::MAX_PER_PAGE); more is refused before sending).
    pub fn per_page(mut self, n: u32) -> Self {
        self.filter.per_page = Some(n);
        self
    }
    /// The page to read: a previous page's continuation.
    pub fn page(mut self, continuation: ContinuationToken) -> Self {
        self.continuation = Some(continuation);
        self
    }

    /// Reads one page.
    ///
    /// GitLab answers a non-admin's [`user_id`](Self::user_id) of another user with 401; when
    /// the credential itself works that is [`Error::Forbidden`](crate::Error::Forbidden), not
    /// [`Error::AuthRequired`](crate::Error::AuthRequired).
    pub async fn send(self) -> Result<Page<GitLabToken>> {
        let credential = self.client.credential().await?;
        let request = request(self.client.ctx(), &credential, &self.filter, self.continuation.as_ref())?;
        match self.client.execute(request, parse).await {
            Err(crate::Error::AuthRequired { .. })
                if self.filter.user_id.is_some() && self.client.credential_works().await =>
            {
                Err(crate::Error::Forbidden {
                    code: None,
                    message: "GitLab refused the user_id filter (401) though the credential works: only \
                              administrators may list another user's tokens"
                        .to_owned(),
                })
            }
            other => other,
        }
    }
}

impl GitLabClient {
    /// Lists personal access tokens, one page per [`ListPats::send`].
    pub fn list(&self) -> ListPats {
        ListPats { client: self.clone(), filter: Filter::default(), continuation: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::classify::tests::now;
    use crate::gitlab::request::tests::{assert_common, context, pat};
    use crate::gitlab::wire::examples::PAT;

    #[test]
    fn every_filter_is_sent() {
        let filter = Filter {
            state: Some(TokenState::Active),
            revoked: Some(false),
            search: Some("ci bot".into()),
            created_after: Some("2026-01-01T00:00:00Z".parse().unwrap()),
            created_before: Some("2026-02-01T00:00:00Z".parse().unwrap()),
            last_used_after: Some("2026-01-02T00:00:00Z".parse().unwrap()),
            last_used_before: Some("2026-02-02T00:00:00Z".parse().unwrap()),
            expires_after: NaiveDate::from_ymd_opt(2026, 3, 1),
            expires_before: NaiveDate::from_ymd_opt(2026, 4, 1),
            sort: Some(TokenSort::ExpiresAsc),
            user_id: Some(UserId::from("42")),
            per_page: Some(100),
        };
        let request = request(&context(), &pat(), &filter, Some(&ContinuationToken::new("3"))).unwrap();
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri(),
            "https://gitlab.example/api/v4/personal_access_tokens?state=active&revoked=false&search=ci+bot\
             &created_after=2026-01-01T00%3A00%3A00.000Z&created_before=2026-02-01T00%3A00%3A00.000Z\
             &last_used_after=2026-01-02T00%3A00%3A00.000Z&last_used_before=2026-02-02T00%3A00%3A00.000Z\
             &expires_after=2026-03-01&expires_before=2026-04-01&sort=expires_asc&user_id=42&per_page=100&page=3"
        );
        assert_common(&request, op::PAT_LIST);
        let bare = super::request(&context(), &pat(), &Filter::default(), None).unwrap();
        assert_eq!(bare.uri(), "https://gitlab.example/api/v4/personal_access_tokens");
    }

    #[test]
    fn bad_input_is_refused_before_sending() {
        let too_many = Filter { per_page: Some(101), ..Filter::default() };
        assert!(matches!(
            request(&context(), &pat(), &too_many, None),
            Err(crate::Error::InvalidInput { field: "per_page", .. })
        ));
        let bad_user = Filter { user_id: Some(UserId::from("alice")), ..Filter::default() };
        assert!(matches!(
            request(&context(), &pat(), &bad_user, None),
            Err(crate::Error::InvalidInput { field: "user_id", .. })
        ));
    }

    #[test]
    fn parses_a_page_and_its_continuation() {
        let body = format!("[{PAT}]");
        let response =
            http::Response::builder().status(200).header("x-next-page", "2").body(body.into_bytes()).unwrap();
        let page = parse(&response, now()).unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].metadata.id.as_str(), "4");
        assert_eq!(page.continuation.unwrap().as_str(), "2");
        let last = http::Response::builder().status(200).header("x-next-page", "").body(b"[]".to_vec()).unwrap();
        assert!(parse(&last, now()).unwrap().is_last());
    }
}
