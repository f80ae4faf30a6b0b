//! Expiry scan: which tokens are expired, expiring soon or fine — from the server's view, the
//! store's, or both reconciled.

mod finding;
mod reconcile;
mod sink;

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;

pub use finding::{Finding, FindingKind, View};
pub use sink::{FnSink, ScanSink, sink_fn};

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::model::{ListQuery, PatMetadata, SortBy, StatusFilter};
use crate::pagination::{self, DEFAULT_MAX_PAGES};
use crate::provider::PatProvider;
use crate::store::TokenStore;
use reconcile::ServerView;

/// An expiry scan, set up with a provider, a store, or both.
///
/// - provider only: the server's view (every token that is not revoked);
/// - store only: the store's view (every entry);
/// - both: reconciled — each stored entry checked against the server (revoked or missing
///   there, expiry differs), plus the server's active tokens that are not stored.
///
/// Expiry is judged by the injected clock: expired (`valid_to <= now`), expiring within the
/// [window](Self::window), or fine; a token that never expires is fine. Every live token the
/// provider retires early ([`PatProvider::retirement`], e.g. Azure DevOps global PATs from
/// 2026-12-01) also gets a finding of its own: [`FindingKind::Retiring`] before that date,
/// [`FindingKind::Retired`] from then on. A store-only scan knows a provider's rules only when
/// given the provider with [`rules_of`](Self::rules_of).
///
/// ```
/// use std::time::Duration;
/// use chrono::TimeZone;
/// use patkit::lifecycle::{FindingKind, Scan};
/// use patkit::store::InMemoryTokenStore;
/// use patkit::{Extras, ManualClock, PatId, PatMetadata, PatRecord, PatSecret, Scopes, StoredPat, TokenStore};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let now = chrono::Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
/// let store = InMemoryTokenStore::new();
/// let metadata = PatMetadata {
///     id: PatId::new("1"), display_name: "ci".into(), scopes: Scopes::parse("vso.code")?,
///     valid_from: now - chrono::TimeDelta::days(30), valid_to: Some(now + chrono::TimeDelta::days(2)),
///     extras: Extras::new(),
/// };
/// store.put(StoredPat {
///     record: PatRecord::new("ci", "azure-devops", "fabrikam", metadata, now),
///     secret: PatSecret::new("value".into()),
/// }).await?;
///
/// let report = Scan::new().store(store).clock(ManualClock::new(now)).window(Duration::from_secs(7 * 86_400)).run().await?;
/// assert!(matches!(report.findings[0].kind, FindingKind::ExpiringSoon { .. }));
/// # Ok::<_, patkit::Error>(()) }).unwrap();
/// ```
#[derive(Clone)]
pub struct Scan {
    provider: Option<Arc<dyn PatProvider>>,
    rules: Vec<Arc<dyn PatProvider>>,
    store: Option<Arc<dyn TokenStore>>,
    clock: Arc<dyn Clock>,
    window: Duration,
    max_age: Option<Duration>,
    max_pages: usize,
}

impl fmt::Debug for Scan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scan")
            .field("provider", &self.provider)
            .field("store", &self.store)
            .field("clock", &self.clock)
            .field("window", &self.window)
            .field("max_pages", &self.max_pages)
            .finish()
    }
}

impl Default for Scan {
    fn default() -> Self {
        Self::new()
    }
}

impl Scan {
    /// A scan with neither provider nor store yet, the system clock, a 7-day window and a cap of
    /// [`DEFAULT_MAX_PAGES`] pages per listing.
    pub fn new() -> Self {
        Self {
            provider: None,
            rules: Vec::new(),
            store: None,
            clock: Arc::new(SystemClock),
            window: Duration::from_secs(7 * 86_400),
            max_age: None,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }

    /// Scans the tokens of `provider` (and, with a store, only the entries of this provider and
    /// organization).
    pub fn provider(mut self, provider: impl PatProvider + 'static) -> Self {
        self.provider = Some(Arc::new(provider));
        self
    }

    /// Judges stored entries of `provider` (by [`provider_name`](PatProvider::provider_name)) by
    /// its rules ([`PatProvider::retirement`]) without listing its tokens: for a store-only scan
    /// that should still flag, say, Azure DevOps global PATs. Nothing is sent to the provider.
    pub fn rules_of(mut self, provider: impl PatProvider + 'static) -> Self {
        self.rules.push(Arc::new(provider));
        self
    }

    /// Scans the entries of `store`.
    pub fn store(mut self, store: impl TokenStore + 'static) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// Where "now" comes from (default [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// A token expiring within this long is [`FindingKind::ExpiringSoon`] (default 7 days).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Flags every live token made longer ago than `max_age` ([`FindingKind::Stale`]), whatever
    /// its expiry: the way to keep tokens that never expire (Gitea, Forgejo) from living forever
    /// (default: none).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Most pages (of 100 tokens) each of the provider's listings may take (default
    /// [`DEFAULT_MAX_PAGES`]). A listing that needs more, or whose provider repeats a
    /// continuation, fails the scan with [`Error::ListingCut`]; 0 is refused when the scan runs.
    pub fn max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// Runs the scan.
    pub async fn run(&self) -> Result<ScanReport> {
        self.scan().await
    }

    /// Runs the scan and hands each finding to `sink` (in report order) before returning the
    /// report.
    pub async fn run_with(&self, sink: &dyn ScanSink) -> Result<ScanReport> {
        let report = self.scan().await?;
        for finding in &report.findings {
            sink.on_finding(finding).await;
        }
        Ok(report)
    }

    async fn scan(&self) -> Result<ScanReport> {
        if self.provider.is_none() && self.store.is_none() {
            return Err(Error::invalid_input("scan", "set a provider, a store, or both"));
        }
        let now = self.clock.now();
        let server = match &self.provider {
            Some(provider) => {
                let tokens = list(&**provider, StatusFilter::All, self.max_pages).await?;
                let revoked: HashSet<_> =
                    list(&**provider, StatusFilter::Revoked, self.max_pages).await?.into_iter().map(|t| t.id).collect();
                Some(ServerView { provider: provider.provider_name().to_owned(), tokens, revoked })
            }
            None => None,
        };
        let records = match &self.store {
            Some(store) => {
                let mut records = store.list().await?;
                if let Some(provider) = &self.provider {
                    records.retain(|r| {
                        r.provider == provider.provider_name() && r.organization == provider.organization()
                    });
                }
                Some(records)
            }
            None => None,
        };
        let rule = |provider: &str, token: &PatMetadata| {
            self.provider.iter().chain(&self.rules).find(|p| p.provider_name() == provider)?.retirement(token)
        };
        let findings = reconcile::findings(&rule, now, self.window, self.max_age, server.as_ref(), records.as_deref());
        Ok(ScanReport { now, window: self.window, findings })
    }
}

/// Every token of `provider` with this status, on at most `max_pages` pages.
async fn list(provider: &dyn PatProvider, filter: StatusFilter, max_pages: usize) -> Result<Vec<PatMetadata>> {
    let query = ListQuery { filter, sort: SortBy::DisplayName, ascending: true, page_size: Some(100) };
    let query = &query;
    pagination::items(pagination::pages("expiry scan", max_pages, None, |continuation| async move {
        provider.list_pats(query, continuation).await
    }))
    .try_collect()
    .await
}

/// What a [`Scan`] found.
///
/// Serializes (`serde::Serialize`) to the versioned JSON shape of `schemas/scan-report.v1.json`
/// in the repository: `"format": "patkit.scan-report"`, `"version": 1`, times in RFC 3339,
/// durations in whole seconds (`window_secs`), snake_case finding kinds. It holds no secret.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use patkit::lifecycle::Scan;
/// use patkit::store::InMemoryTokenStore;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let report = Scan::new()
///     .store(Arc::new(InMemoryTokenStore::new()))
///     .clock(patkit::ManualClock::new(chrono::DateTime::UNIX_EPOCH))
///     .window(Duration::from_secs(86_400))
///     .run()
///     .await?;
/// let json = serde_json::to_value(&report).unwrap();
/// assert_eq!((json["format"].as_str(), json["version"].as_u64()), (Some("patkit.scan-report"), Some(1)));
/// assert_eq!((json["now"].as_str(), json["window_secs"].as_u64()), (Some("1970-01-01T00:00:00Z"), Some(86_400)));
/// # Ok::<(), patkit::Error>(()) }).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanReport {
    /// The clock's time when the scan ran.
    pub now: DateTime<Utc>,
    /// The window used.
    pub window: Duration,
    /// Every finding: stored entries in name order first, then server tokens that are not
    /// stored.
    pub findings: Vec<Finding>,
}

impl ScanReport {
    /// Findings that need someone's attention (everything but [`FindingKind::Fine`]).
    pub fn needing_attention(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.kind.needs_attention())
    }

    /// Findings of the kind `kind` names (compared by variant, not by value).
    pub fn of_kind<'a>(&'a self, kind: &'a FindingKind) -> impl Iterator<Item = &'a Finding> {
        self.findings.iter().filter(move |f| std::mem::discriminant(&f.kind) == std::mem::discriminant(kind))
    }
}

impl fmt::Display for ScanReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "scan at {} (window {} days)",
            self.now.format("%Y-%m-%d %H:%M UTC"),
            self.window.as_secs() / 86_400
        )?;
        for finding in &self.findings {
            writeln!(f, "  {finding}")?;
        }
        write!(f, "{} findings, {} need attention", self.findings.len(), self.needing_attention().count())
    }
}
