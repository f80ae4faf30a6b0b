//! The pure part of a scan: findings from what the server and the store hold.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Finding, FindingKind, View};
use crate::model::{PatId, PatMetadata};
use crate::provider::Retirement;
use crate::store::PatRecord;

/// What the server holds: every token (any status) and which of them are revoked.
pub(super) struct ServerView {
    /// The listing provider's name.
    pub(super) provider: String,
    pub(super) tokens: Vec<PatMetadata>,
    pub(super) revoked: HashSet<PatId>,
}

/// Expired, expiring within `window`, or fine at `now`.
fn expiry(token: &PatMetadata, now: DateTime<Utc>, window: Duration) -> FindingKind {
    match token.valid_to {
        Some(valid_to) if token.is_expired(now) => FindingKind::Expired { valid_to },
        Some(valid_to) if token.expires_within(now, window) => {
            FindingKind::ExpiringSoon { valid_to, remaining: token.remaining(now).unwrap_or_default() }
        }
        Some(valid_to) => FindingKind::Fine { valid_to: Some(valid_to) },
        None => FindingKind::NoExpiry { age: age(token, now) },
    }
}

/// How long ago `token` was made (zero for one dated in the future).
fn age(token: &PatMetadata, now: DateTime<Utc>) -> Duration {
    (now - token.valid_from).to_std().unwrap_or(Duration::ZERO)
}

/// The staleness finding of a token older than `max_age`, if one is set.
fn staleness(token: &PatMetadata, now: DateTime<Utc>, max_age: Option<Duration>) -> Option<FindingKind> {
    let max_age = max_age?;
    let age = age(token, now);
    (age > max_age).then_some(FindingKind::Stale { age, max_age })
}

/// The provider's rule that retires tokens early, by provider name, if the scan knows one.
pub(super) type RetirementRule<'a> = &'a dyn Fn(&str, &PatMetadata) -> Option<Retirement>;

/// The retirement finding of a token the provider retires: retired from the date on, retiring
/// before it; `None` for a token no rule retires.
fn retirement(
    rule: RetirementRule<'_>,
    provider: &str,
    token: &PatMetadata,
    now: DateTime<Utc>,
) -> Option<FindingKind> {
    let Retirement { at, reason } = rule(provider, token)?;
    Some(if now >= at { FindingKind::Retired { since: at, reason } } else { FindingKind::Retiring { on: at, reason } })
}

/// The findings of a scan. Stored entries (in the order given) come first, then server tokens.
/// Every token the view holds as live (not revoked, not missing) that `rule` retires gets a
/// retirement finding of its own right after its expiry finding, and one older than `max_age` a
/// staleness finding after that.
pub(super) fn findings(
    rule: RetirementRule<'_>,
    now: DateTime<Utc>,
    window: Duration,
    max_age: Option<Duration>,
    server: Option<&ServerView>,
    records: Option<&[PatRecord]>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let finding = |kind, view, entry: Option<&str>, token: &PatMetadata| Finding {
        kind,
        view,
        entry: entry.map(str::to_owned),
        token: token.clone(),
    };
    let global = |out: &mut Vec<Finding>, view, provider: &str, entry: Option<&str>, token: &PatMetadata| {
        if let Some(kind) = retirement(rule, provider, token, now) {
            out.push(finding(kind, view, entry, token));
        }
        if let Some(kind) = staleness(token, now, max_age) {
            out.push(finding(kind, view, entry, token));
        }
    };
    // A token a rotation replaced and has not revoked yet (retiring, or left for recovery).
    let replaced = |out: &mut Vec<Finding>, view, r: &PatRecord, server: Option<&ServerView>| {
        let Some(previous) = &r.previous else { return };
        let token = server.and_then(|s| s.tokens.iter().find(|t| t.id == previous.id)).unwrap_or(previous);
        let until = r.retiring.as_ref().map(|retiring| retiring.until).filter(|until| *until > r.stored_at);
        let kind = FindingKind::ReplacedNotRevoked {
            until,
            handoff_pending: r.retiring.as_ref().is_some_and(|retiring| retiring.handoff_pending),
            overdue: until.is_none_or(|until| until <= now),
        };
        out.push(finding(kind, view, Some(&r.name), token));
    };
    match (server, records) {
        (None, None) => {}
        (None, Some(records)) => {
            for r in records {
                out.push(finding(expiry(&r.metadata, now, window), View::Store, Some(&r.name), &r.metadata));
                global(&mut out, View::Store, &r.provider, Some(&r.name), &r.metadata);
                replaced(&mut out, View::Store, r, None);
            }
        }
        (Some(server), None) => {
            for t in server.tokens.iter().filter(|t| !server.revoked.contains(&t.id)) {
                out.push(finding(expiry(t, now, window), View::Server, None, t));
                global(&mut out, View::Server, &server.provider, None, t);
            }
        }
        (Some(server), Some(records)) => {
            for r in records {
                let name = Some(r.name.as_str());
                match server.tokens.iter().find(|t| t.id == r.metadata.id) {
                    None => out.push(finding(FindingKind::StoredButMissing, View::Reconciled, name, &r.metadata)),
                    Some(t) if server.revoked.contains(&t.id) => {
                        out.push(finding(FindingKind::StoredButRevoked, View::Reconciled, name, t));
                    }
                    Some(t) => {
                        out.push(finding(expiry(t, now, window), View::Reconciled, name, t));
                        global(&mut out, View::Reconciled, &server.provider, name, t);
                        if t.valid_to != r.metadata.valid_to {
                            let kind = FindingKind::ExpiryDiffers { stored: r.metadata.valid_to, server: t.valid_to };
                            out.push(finding(kind, View::Reconciled, name, t));
                        }
                    }
                }
                if r.previous.as_ref().is_some_and(|p| !server.revoked.contains(&p.id)) {
                    replaced(&mut out, View::Reconciled, r, Some(server));
                }
            }
            // Replaced tokens are in their entries' findings, not "not stored".
            let stored: HashSet<&PatId> = records
                .iter()
                .flat_map(|r| std::iter::once(&r.metadata.id).chain(r.previous.as_ref().map(|p| &p.id)))
                .collect();
            for t in &server.tokens {
                if stored.contains(&t.id) || server.revoked.contains(&t.id) {
                    continue;
                }
                let kind = if t.is_expired(now) { expiry(t, now, window) } else { FindingKind::NotStored };
                out.push(finding(kind, View::Server, None, t));
                global(&mut out, View::Server, &server.provider, None, t);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extras::Extras;
    use crate::scope::Scopes;
    use std::borrow::Cow;

    const RETIREMENT: DateTime<Utc> = DateTime::from_timestamp(1_796_083_200, 0).unwrap();

    /// A provider rule like Azure DevOps': tokens whose `targets` extra is `*` retire.
    fn global_rule(_: &str, token: &PatMetadata) -> Option<Retirement> {
        (token.extras.get("targets") == Some("*"))
            .then_some(Retirement { at: RETIREMENT, reason: Cow::Borrowed("global tokens retire") })
    }

    fn no_rule(_: &str, _: &PatMetadata) -> Option<Retirement> {
        None
    }
    use chrono::{TimeDelta, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap()
    }

    fn token(id: &str, days_left: i64) -> PatMetadata {
        PatMetadata {
            id: PatId::new(id),
            display_name: format!("token {id}"),
            scopes: Scopes::default(),
            valid_from: now() - TimeDelta::days(30),
            valid_to: Some(now() + TimeDelta::days(days_left)),
            extras: Extras::new().with("targets", "o"),
        }
    }

    fn record(name: &str, t: PatMetadata) -> PatRecord {
        PatRecord::new(name, "p", "o", t, now())
    }

    const WEEK: Duration = Duration::from_secs(7 * 86_400);

    #[test]
    fn store_view_judges_expiry() {
        let records = [record("a", token("1", -1)), record("b", token("2", 3)), record("c", token("3", 30))];
        let f = findings(&no_rule, now(), WEEK, None, None, Some(&records));
        assert!(matches!(f[0].kind, FindingKind::Expired { .. }));
        let valid_to = token("2", 3).valid_to.unwrap();
        assert_eq!(f[1].kind, FindingKind::ExpiringSoon { valid_to, remaining: WEEK * 3 / 7 });
        assert!(matches!(f[2].kind, FindingKind::Fine { .. }));
        assert!(f.iter().all(|f| f.view == View::Store));
        assert_eq!(f[0].entry.as_deref(), Some("a"));
    }

    #[test]
    fn server_view_leaves_out_revoked() {
        let server = ServerView {
            provider: "p".into(),
            tokens: vec![token("1", 3), token("2", 30)],
            revoked: [PatId::new("2")].into_iter().collect(),
        };
        let f = findings(&no_rule, now(), WEEK, None, Some(&server), None);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].view, View::Server);
        assert!(matches!(f[0].kind, FindingKind::ExpiringSoon { .. }));
    }

    #[test]
    fn every_live_token_the_provider_retires_gets_a_retirement_finding() {
        let mut global = token("g", 30);
        global.extras.insert("targets", "*");
        let mut revoked_global = token("r", 30);
        revoked_global.extras.insert("targets", "*");
        let server = ServerView {
            provider: "p".into(),
            tokens: vec![global.clone(), token("1", 30), revoked_global],
            revoked: [PatId::new("r")].into_iter().collect(),
        };
        let reason = Cow::Borrowed("global tokens retire");
        let f = findings(&global_rule, now(), WEEK, None, Some(&server), None);
        assert_eq!(f.len(), 3, "{f:?}");
        assert_eq!(f[1].kind, FindingKind::Retiring { on: RETIREMENT, reason: reason.clone() });
        assert_eq!(f[1].token.id, PatId::new("g"));
        assert!(f[1].kind.needs_attention());
        let after = RETIREMENT + TimeDelta::seconds(1);
        let f = findings(&global_rule, after, WEEK, None, None, Some(&[record("stored global", global.clone())]));
        assert_eq!(f[1].kind, FindingKind::Retired { since: RETIREMENT, reason });
        assert_eq!(f[1].entry.as_deref(), Some("stored global"));
        let f = findings(&no_rule, after, WEEK, None, None, Some(&[record("stored global", global)]));
        assert_eq!(f.len(), 1, "without the provider's rule there is no retirement finding");
    }

    #[test]
    fn a_token_without_expiry_is_its_own_finding_and_stale_past_the_maximum_age() {
        let mut never = token("n", 30);
        never.valid_to = None;
        let records = [record("never", never.clone())];
        let f = findings(&no_rule, now(), WEEK, None, None, Some(&records));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, FindingKind::NoExpiry { age: Duration::from_secs(30 * 86_400) });
        assert!(!f[0].kind.needs_attention(), "never expiring is not in itself a problem");
        let max_age = Duration::from_secs(20 * 86_400);
        let f = findings(&no_rule, now(), WEEK, Some(max_age), None, Some(&records));
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].kind, FindingKind::Stale { age: Duration::from_secs(30 * 86_400), max_age });
        assert!(f[1].kind.needs_attention());
        // Any token older than the maximum is stale, expiring or not; a young one is not.
        let young = findings(&no_rule, now(), WEEK, Some(Duration::from_secs(40 * 86_400)), None, Some(&records));
        assert_eq!(young.len(), 1);
        let old_expiring = [record("e", token("e", 60))];
        let f = findings(&no_rule, now(), WEEK, Some(max_age), None, Some(&old_expiring));
        assert!(matches!(
            f[..],
            [Finding { kind: FindingKind::Fine { .. }, .. }, Finding { kind: FindingKind::Stale { .. }, .. }]
        ));
    }

    #[test]
    fn reconciled_view_finds_every_disagreement() {
        let mut moved = token("4", 30);
        moved.valid_to = moved.valid_to.map(|t| t + TimeDelta::days(60));
        let server = ServerView {
            provider: "p".into(),
            tokens: vec![token("1", 30), token("2", 30), moved, token("5", 30), token("6", -2)],
            revoked: [PatId::new("2")].into_iter().collect(),
        };
        let records = [
            record("fine", token("1", 30)),
            record("revoked", token("2", 30)),
            record("missing", token("3", 30)),
            record("moved", token("4", 30)),
        ];
        let f = findings(&no_rule, now(), WEEK, None, Some(&server), Some(&records));
        let kinds: Vec<_> = f.iter().map(|f| (f.entry.clone(), f.kind.clone())).collect();
        assert!(matches!(kinds[0], (Some(ref n), FindingKind::Fine { .. }) if n == "fine"));
        assert_eq!(kinds[1], (Some("revoked".into()), FindingKind::StoredButRevoked));
        assert_eq!(kinds[2], (Some("missing".into()), FindingKind::StoredButMissing));
        assert!(
            matches!(kinds[3], (Some(ref n), FindingKind::Fine { .. }) if n == "moved"),
            "judged by the server's expiry"
        );
        assert!(matches!(kinds[4], (Some(ref n), FindingKind::ExpiryDiffers { .. }) if n == "moved"));
        assert_eq!(kinds[5], (None, FindingKind::NotStored));
        assert_eq!(f[5].token.id, PatId::new("5"));
        assert!(matches!(kinds[6], (None, FindingKind::Expired { .. })), "an expired unstored token is just expired");
        assert_eq!(f.len(), 7);
    }
}
