//! `POST /orgs/{org}/personal-access-tokens` `{"action":"revoke","pat_ids":[…]}`: many grants
//! revoked in one call, which GitHub accepts (202) and completes later.

use http::Method;

use super::numeric_id;
use crate::error::{Error, Result};
use crate::github::GitHubClient;
use crate::github::classify::Asked;
use crate::github::operations as op;
use crate::github::pending::{Pending, PendingKind};
use crate::model::PatId;

/// At most this many ids per bulk call (grants or requests).
pub const MAX_IDS: usize = 100;

/// The ids of a bulk call: 1 to [`MAX_IDS`], each a positive integer, no repeats.
pub(crate) fn bulk_ids(ids: &[PatId]) -> Result<Vec<u64>> {
    if ids.is_empty() || ids.len() > MAX_IDS {
        return Err(Error::invalid_input(
            "ids",
            format!("GitHub takes 1 to {MAX_IDS} ids per call, not {}", ids.len()),
        ));
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let n = numeric_id(id).map_err(|_| Error::invalid_input("ids", format!("`{id}` is no GitHub id")))?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(out)
}

impl GitHubClient {
    /// Revokes the grants `grants` (1 to 100 **grant** ids) in one call. GitHub accepts it
    /// (202) and completes it later: the answer is a [`Pending`] whose
    /// [`wait`](Pending::wait) lists the grants until they are gone. As with
    /// [`revoke_grant`](Self::revoke_grant), the tokens themselves stay valid elsewhere.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for no ids, more than 100, or an id that is no positive integer,
    /// before sending.
    pub async fn revoke_grants(&self, grants: &[PatId]) -> Result<Pending> {
        let ids = bulk_ids(grants)?;
        let url = self.org_url(&["personal-access-tokens"]);
        let body = crate::client::request::json(&serde_json::json!({"action": "revoke", "pat_ids": ids}))?;
        let request = self.authed(Method::POST, url, op::GRANT_REVOKE_MANY, Some(body)).await?;
        let asked = Asked { app_only: true, ..Asked::op(op::GRANT_REVOKE_MANY) };
        self.send(request, Some(asked), |_, _| Ok(())).await?;
        Ok(Pending::new(self.clone(), PendingKind::GrantRevocation, ids))
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::github::grants::tests::{assert_common, client};
    use crate::github::wire::tests::GRANT;
    use crate::testing::{MockResponse, MockTransport, Route};

    fn ids(raw: &[&str]) -> Vec<PatId> {
        raw.iter().map(|r| PatId::new(*r)).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn a_bulk_revocation_is_accepted_then_waited_for_by_listing() {
        let mock = MockTransport::new()
            .on(Route::post("/orgs/acme/personal-access-tokens"), MockResponse::json(202, "{}"))
            .on_seq(
                Route::get("/orgs/acme/personal-access-tokens"),
                [MockResponse::json(200, format!("[{GRANT}]")), MockResponse::json(200, "[]")],
            );
        let pending = client(&mock).revoke_grants(&ids(&["25381", "1296280", "25381"])).await.unwrap();
        assert_eq!(pending.ids(), [25381, 1296280]);
        let sent = mock.requests_to(&Route::post("/orgs/acme/personal-access-tokens"));
        assert_common(&sent[0]);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(sent[0].body()).unwrap(),
            serde_json::json!({"action": "revoke", "pat_ids": [25381, 1296280]})
        );
        // First listing still shows 25381; the second shows nothing left.
        pending.wait().await.unwrap();
        mock.assert_requested(&Route::get("/orgs/acme/personal-access-tokens"), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_revocation_still_listed_after_the_timeout_is_still_pending() {
        let mock = MockTransport::new()
            .on(Route::post("/orgs/acme/personal-access-tokens"), MockResponse::json(202, "{}"))
            .on(Route::get("/orgs/acme/personal-access-tokens"), MockResponse::json(200, format!("[{GRANT}]")));
        let pending = client(&mock).revoke_grants(&ids(&["25381"])).await.unwrap();
        let err = pending.wait().await.unwrap_err();
        match &err {
            Error::Api { status: 202, code: Some(code), .. } => {
                assert_eq!(crate::github::ErrorCode::from(code), crate::github::ErrorCode::StillPending)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(pending.remaining().await.unwrap(), [25381]);
    }

    #[tokio::test]
    async fn bad_id_lists_send_nothing() {
        let mock = MockTransport::new();
        let c = client(&mock);
        assert!(matches!(c.revoke_grants(&[]).await, Err(Error::InvalidInput { field: "ids", .. })));
        let many: Vec<PatId> = (1..=101).map(|i| PatId::new(i.to_string())).collect();
        assert!(matches!(c.revoke_grants(&many).await, Err(Error::InvalidInput { field: "ids", .. })));
        assert!(matches!(c.revoke_grants(&ids(&["1", "x"])).await, Err(Error::InvalidInput { field: "ids", .. })));
        mock.assert_request_count(0);
    }
}
