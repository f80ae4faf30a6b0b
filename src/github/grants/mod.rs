//! The organization's fine-grained PAT grants (§4.2): one file per operation.

mod idle;
mod list;
pub(crate) mod query;
mod repositories;
mod revoke;
mod revoke_many;

pub use query::{Direction, GrantQuery, MAX_OWNERS, MAX_TOKEN_IDS};
pub use revoke_many::MAX_IDS;
pub(crate) use revoke_many::bulk_ids as revoke_many_ids;

use crate::error::{Error, Result};
use crate::model::PatId;

/// A grant (or request, or authorization) id as GitHub spells it: a positive integer. Anything
/// else is an id GitHub never issued: [`Error::NotFound`] before sending.
pub(crate) fn numeric_id(id: &PatId) -> Result<u64> {
    let raw = id.as_str();
    match raw.parse::<u64>() {
        Ok(n) if n > 0 && raw.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(Error::NotFound { id: Some(id.clone()) }),
    }
}

#[cfg(all(test, feature = "testing"))]
pub(crate) mod tests {
    use crate::github::{GitHubClient, GitHubCredential};
    use crate::testing::MockTransport;

    pub(crate) const CLASSIC: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

    /// A client of `acme` acting with a classic token, retries off.
    pub(crate) fn client(mock: &MockTransport) -> GitHubClient {
        GitHubClient::builder("acme", GitHubCredential::token(CLASSIC))
            .transport(mock.clone())
            .clock(crate::clock::ManualClock::new("2026-03-01T12:00:00Z".parse().unwrap()))
            .retry(crate::transport::RetryConfig::none())
            .revoke_wait(std::time::Duration::from_secs(1), std::time::Duration::from_secs(5))
            .build()
            .unwrap()
    }

    /// GitHub's headers and the token.
    pub(crate) fn assert_common(request: &crate::transport::HttpRequest) {
        let h = request.headers();
        assert_eq!(h["accept"], "application/vnd.github+json");
        assert_eq!(h.get_all("accept").iter().count(), 1);
        assert_eq!(h["x-github-api-version"], "2022-11-28");
        assert!(h["authorization"].is_sensitive());
        assert_eq!(h["authorization"], format!("Bearer {CLASSIC}").as_str());
    }

    #[test]
    fn ids_are_positive_integers() {
        use super::numeric_id;
        use crate::model::PatId;
        assert_eq!(numeric_id(&PatId::new("25381")).unwrap(), 25381);
        for bad in ["", "0", "-1", "1.5", "+3", "abc", "99999999999999999999999"] {
            assert!(matches!(numeric_id(&PatId::new(bad)), Err(crate::Error::NotFound { .. })), "{bad}");
        }
    }
}
