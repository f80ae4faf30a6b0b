//! [`GrantQuery`]: the filters of the grant and request listings (§4.2), checked before sending.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::{Error, Result};
use crate::github::client::check_login;
use crate::github::pagination;
use crate::http_url::HttpUrl;

/// At most this many `owner[]` logins per listing.
pub const MAX_OWNERS: usize = 10;
/// At most this many `token_id[]` ids per listing.
pub const MAX_TOKEN_IDS: usize = 50;

/// The order of a listing: by `created_at` (GitHub's only sort key), newest first unless
/// [`ascending`](GrantQuery::ascending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Direction {
    /// `direction=desc` (GitHub's default).
    #[default]
    Descending,
    /// `direction=asc`.
    Ascending,
}

/// Which grants (or requests) a listing returns, with every filter GitHub offers. Empty means
/// all of them, 100 a page, newest first.
///
/// ```
/// use patkit::github::GrantQuery;
/// let q = GrantQuery::new().owner("octocat").owner("hubot").permission("contents").token_id(98716);
/// assert_eq!(q.owners(), ["octocat", "hubot"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantQuery {
    owners: Vec<String>,
    repository: Option<String>,
    permission: Option<String>,
    last_used_before: Option<DateTime<Utc>>,
    last_used_after: Option<DateTime<Utc>>,
    token_ids: Vec<u64>,
    sort_by_created_at: bool,
    direction: Option<Direction>,
    per_page: Option<u32>,
}

impl GrantQuery {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only tokens of `login` (`owner[]`; up to [`MAX_OWNERS`], any of them).
    pub fn owner(mut self, login: impl Into<String>) -> Self {
        self.owners.push(login.into());
        self
    }

    /// Only tokens with access to the repository named `name` (`repository`).
    pub fn repository(mut self, name: impl Into<String>) -> Self {
        self.repository = Some(name.into());
        self
    }

    /// Only tokens holding the permission `name` (`permission`, e.g. `contents`).
    pub fn permission(mut self, name: impl Into<String>) -> Self {
        self.permission = Some(name.into());
        self
    }

    /// Only tokens last used before `at` (`last_used_before`).
    pub fn last_used_before(mut self, at: DateTime<Utc>) -> Self {
        self.last_used_before = Some(at);
        self
    }

    /// Only tokens last used after `at` (`last_used_after`).
    pub fn last_used_after(mut self, at: DateTime<Utc>) -> Self {
        self.last_used_after = Some(at);
        self
    }

    /// Only the token `id` (`token_id[]`, the token's id, not the grant's; up to
    /// [`MAX_TOKEN_IDS`]).
    pub fn token_id(mut self, id: u64) -> Self {
        self.token_ids.push(id);
        self
    }

    /// Sort by `created_at` (`sort=created_at`), the only key GitHub offers.
    pub fn sort_by_created_at(mut self) -> Self {
        self.sort_by_created_at = true;
        self
    }

    /// `direction=asc` (`true`) or `desc` (`false`).
    pub fn ascending(mut self, ascending: bool) -> Self {
        self.direction = Some(if ascending { Direction::Ascending } else { Direction::Descending });
        self
    }

    /// Items per page (1 to 100; default 100).
    pub fn per_page(mut self, n: u32) -> Self {
        self.per_page = Some(n);
        self
    }

    /// The `owner[]` logins.
    pub fn owners(&self) -> &[String] {
        &self.owners
    }

    /// The `token_id[]` ids.
    pub fn token_ids(&self) -> &[u64] {
        &self.token_ids
    }

    /// Checks the query and appends it, with `page`, to `url`.
    pub(crate) fn apply(&self, url: &mut HttpUrl, page: u32) -> Result<()> {
        let per_page = pagination::per_page(self.per_page)?;
        if self.owners.len() > MAX_OWNERS {
            return Err(Error::invalid_input("owner", format!("GitHub filters by at most {MAX_OWNERS} owners")));
        }
        for login in &self.owners {
            check_login("owner", login)?;
        }
        if self.token_ids.len() > MAX_TOKEN_IDS {
            return Err(Error::invalid_input(
                "token_id",
                format!("GitHub filters by at most {MAX_TOKEN_IDS} token ids"),
            ));
        }
        for (field, value) in [("repository", &self.repository), ("permission", &self.permission)] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty() || v.len() > 100 || v.chars().any(char::is_control))
            {
                return Err(Error::invalid_input(field, "expected a non-empty name"));
            }
        }
        if let (Some(before), Some(after)) = (self.last_used_before, self.last_used_after)
            && before <= after
        {
            return Err(Error::invalid_input("last_used_before", "must be later than last_used_after"));
        }
        url.append_pair("per_page", &per_page.to_string()).append_pair("page", &page.to_string());
        if self.sort_by_created_at {
            url.append_pair("sort", "created_at");
        }
        if let Some(direction) = self.direction {
            url.append_pair("direction", if direction == Direction::Ascending { "asc" } else { "desc" });
        }
        for login in &self.owners {
            url.append_pair("owner[]", login);
        }
        if let Some(name) = &self.repository {
            url.append_pair("repository", name);
        }
        if let Some(name) = &self.permission {
            url.append_pair("permission", name);
        }
        let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        if let Some(t) = self.last_used_before {
            url.append_pair("last_used_before", &stamp(t));
        }
        if let Some(t) = self.last_used_after {
            url.append_pair("last_used_after", &stamp(t));
        }
        for id in &self.token_ids {
            url.append_pair("token_id[]", &id.to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query_of(q: &GrantQuery, page: u32) -> Result<Vec<(String, String)>> {
        let mut url: HttpUrl = "https://api.github.com/orgs/acme/personal-access-tokens".parse().unwrap();
        q.apply(&mut url, page)?;
        Ok(url.query_pairs().collect())
    }

    #[test]
    fn every_filter_reaches_the_query_string() {
        let before: DateTime<Utc> = "2026-02-01T00:00:00Z".parse().unwrap();
        let after: DateTime<Utc> = "2025-12-01T10:30:00Z".parse().unwrap();
        let q = GrantQuery::new()
            .owner("octocat")
            .owner("hubot")
            .repository("Hello-World")
            .permission("contents")
            .last_used_before(before)
            .last_used_after(after)
            .token_id(98716)
            .token_id(98717)
            .sort_by_created_at()
            .ascending(true)
            .per_page(25);
        let pairs = query_of(&q, 3).unwrap();
        let want = [
            ("per_page", "25"),
            ("page", "3"),
            ("sort", "created_at"),
            ("direction", "asc"),
            ("owner[]", "octocat"),
            ("owner[]", "hubot"),
            ("repository", "Hello-World"),
            ("permission", "contents"),
            ("last_used_before", "2026-02-01T00:00:00Z"),
            ("last_used_after", "2025-12-01T10:30:00Z"),
            ("token_id[]", "98716"),
            ("token_id[]", "98717"),
        ];
        let want: Vec<(String, String)> = want.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(pairs, want);
        assert_eq!(query_of(&GrantQuery::new(), 1).unwrap().len(), 2, "no filter: per_page and page only");
    }

    #[test]
    fn limits_are_checked_before_sending() {
        let many_owners = (0..11).fold(GrantQuery::new(), |q, i| q.owner(format!("u{i}")));
        assert!(matches!(query_of(&many_owners, 1), Err(Error::InvalidInput { field: "owner", .. })));
        let many_ids = (0..51).fold(GrantQuery::new(), |q, i| q.token_id(i));
        assert!(matches!(query_of(&many_ids, 1), Err(Error::InvalidInput { field: "token_id", .. })));
        assert!(query_of(&GrantQuery::new().owner("a&owner[]=b"), 1).is_err());
        assert!(query_of(&GrantQuery::new().per_page(101), 1).is_err());
        assert!(query_of(&GrantQuery::new().repository(" "), 1).is_err());
        let t: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        assert!(query_of(&GrantQuery::new().last_used_before(t).last_used_after(t), 1).is_err());
    }
}
