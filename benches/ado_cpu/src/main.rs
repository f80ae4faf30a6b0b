//! Client CPU per listed token: patkit against `azure_devops_rust_api` (the generated Azure DevOps
//! SDK, features `tokens` + `token_admin`), as a new user would write each.
//!
//! The Azure emulator serves 10,000 PATs over loopback HTTP from its own thread and runtime. On
//! this thread, one current-thread runtime runs both clients, each listing every token in pages of
//! 100 (`displayDate` order), alternating which goes first, pair after pair. Each listing is timed
//! in this thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), so the server's work and the waits for
//! other processes are excluded. Prints the median of the per-pair ratios with its interquartile
//! range, and `RATIO ado_cpu patkit/azure_devops_rust_api`.
//!
//! `scripts/bench-ado-cpu.sh [PAIRS]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_devops_rust_api::tokens::models::{DisplayFilterOptions, SortByOptions};
use chrono::TimeDelta;
use futures_util::TryStreamExt as _;
use patkit::SortBy;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{Emulator, SeedPat};
use patkit::transport::ReqwestTransport;

const TOKENS: usize = 10_000;
const PAGE: i32 = 100;

/// A fixed Entra bearer token (the emulator's user token) for azure_devops_rust_api.
struct Bearer(String);

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bearer(<redacted>)")
    }
}

#[async_trait::async_trait]
impl TokenCredential for Bearer {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let expires = azure_core::time::OffsetDateTime::now_utc() + azure_core::time::Duration::hours(1);
        Ok(AccessToken::new(self.0.clone(), expires))
    }
}

fn thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec.
    #[allow(unsafe_code)]
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0);
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

async fn patkit_list(client: &AzureDevOpsClient) -> usize {
    let items = client.list().sort(SortBy::DisplayDate).page_size(PAGE as u32).items();
    items.try_fold(0usize, |n, _| async move { Ok(n + 1) }).await.unwrap()
}

async fn ado_list(client: &azure_devops_rust_api::tokens::Client) -> usize {
    let pats = client.pats_client();
    let mut count = 0;
    let mut continuation: Option<String> = None;
    loop {
        let mut request = pats
            .list("fabrikam")
            .display_filter_option(DisplayFilterOptions::Active)
            .sort_by_option(SortByOptions::DisplayDate)
            .is_sort_ascending(true)
            .top(PAGE);
        if let Some(c) = continuation.take() {
            request = request.continuation_token(c);
        }
        let page = request.send().await.unwrap().into_body().unwrap();
        count += page.pat_tokens.len();
        match page.continuation_token.filter(|c| !c.is_empty()) {
            Some(c) => continuation = Some(c),
            None => return count,
        }
    }
}

fn main() {
    let pairs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(30);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let emulator = Emulator::new();
        emulator.add_organization("fabrikam");
        let alice = emulator.add_user("Alice");
        let now = emulator.now();
        for i in 0..TOKENS {
            let seed = SeedPat::new(format!("bench-{i:05}"), "vso.code vso.build")
                .valid_to(now + TimeDelta::minutes(60 + i as i64));
            emulator.seed_pat("fabrikam", alice.id, seed);
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let server = emulator.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
            ready_tx.send((server.base_url(), alice)).unwrap();
            let _ = stop_rx.await;
            server.shutdown().await;
        });
    });
    let (base, alice) = ready_rx.recv().unwrap();

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let ratios = rt.block_on(async {
        let ours = AzureDevOpsClient::builder("fabrikam", alice.credential())
            .base_url(&base)
            .transport(ReqwestTransport::new().unwrap())
            .build()
            .unwrap();
        let credential = azure_devops_rust_api::Credential::from_token_credential(Arc::new(Bearer(
            alice.bearer.expose_secret().to_owned(),
        )));
        let theirs = azure_devops_rust_api::tokens::ClientBuilder::new(credential)
            .endpoint(azure_core::http::Url::parse(&base).unwrap())
            .build();
        // Warm up both: connections, buffers, the emulator's kept listing.
        assert_eq!(patkit_list(&ours).await, TOKENS);
        assert_eq!(ado_list(&theirs).await, TOKENS);
        let started = Instant::now();
        let mut ratios = Vec::with_capacity(pairs);
        let (mut sum_ours, mut sum_theirs) = (Duration::ZERO, Duration::ZERO);
        for i in 0..pairs {
            let (mut a, mut b) = (Duration::ZERO, Duration::ZERO);
            for side in [i % 2, 1 - i % 2] {
                let cpu = thread_cpu();
                if side == 0 {
                    assert_eq!(patkit_list(&ours).await, TOKENS);
                    a = thread_cpu() - cpu;
                } else {
                    assert_eq!(ado_list(&theirs).await, TOKENS);
                    b = thread_cpu() - cpu;
                }
            }
            sum_ours += a;
            sum_theirs += b;
            ratios.push(a.as_secs_f64() / b.as_secs_f64());
        }
        let n = u32::try_from(pairs).unwrap();
        println!(
            "ado_cpu: {pairs} pairs in {:.1?}; mean CPU per listing of {TOKENS}: patkit {:.2?}, \
             azure_devops_rust_api {:.2?}",
            started.elapsed(),
            sum_ours / n,
            sum_theirs / n
        );
        ratios
    });
    let _ = stop_tx.send(());
    server.join().unwrap();
    let mut sorted = ratios;
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    println!(
        "RATIO ado_cpu patkit/azure_devops_rust_api (paired, CPU time, median): {:.3} median of {} pairs \
         (interquartile {:.3}–{:.3})",
        at(0.5),
        sorted.len(),
        at(0.25),
        at(0.75)
    );
}
