//! Drives every Azure DevOps operation of the public client over a closure transport that answers
//! with a response derived from hostile input, and checks what came back.
//!
//! Shared by `tests/hostile_input.rs` (proptest) and `fuzz/fuzz_targets/responses.rs` (cargo-fuzz),
//! which include this file by path. The invariants are those the client promises for *any*
//! answer: no panic, a typed result classified by status, no secret in any error, and a bounded
//! number of requests.
#![allow(dead_code, unreachable_pub)]

use std::error::Error as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::operations as op;
use patkit::http::{self, HeaderName, HeaderValue};
use patkit::transport::{HttpResponse, Operation, RetryConfig, from_fn};
use patkit::{AuthFailure, Error, ManualClock, PatId, PatSecret, Scopes};

/// The secret placed in the `token` field of create bodies; it must never show up in an error or
/// in the `Debug` of a result.
pub const CANARY: &str = "hostilecanary7f3a9c2e5b1d4f6a8c0e2b4d6f8a1c3e5";
/// The secret in the fact sheet's create example, replaced by [`CANARY`] in the fixtures.
const EXAMPLE_SECRET: &str = "dip55dwf4vpitomw63jzvomefmi2jluguprzwwqwuc6xq4fhocwq";
/// The bearer token the client sends; it must never show up either.
pub const BEARER: &str = "hostilebearer0c1d2e3f4a5b6c7d8e9f";
/// The PAT `check_pat` sends.
pub const CHECKED_PAT: &str = "hostilecheckedpat9e8d7c6b5a4f3e2d1c";
/// Upper bound on requests a single operation may send, however the service answers (a create
/// that fails with a 5xx looks for its token through a bounded number of list pages).
pub const MAX_REQUESTS_PER_OPERATION: usize = 64;
/// The same with the default retry policy (each of a failed create's 50 search pages may be
/// retried 5 times).
pub const MAX_REQUESTS_WITH_RETRIES: usize = 512;
/// In the body of a later answer, replaced by the request's number (distinct continuation
/// tokens for an endless listing).
pub const REQUEST_NUMBER: &str = "@@request-number@@";
/// Longest service message an error may carry: the classifier caps the service's text at 512
/// bytes plus `…`, and may add a fixed hint (e.g. Token Admin's 401 names the admin requirement).
const MAX_MESSAGE_BYTES: usize = 512 + '…'.len_utf8() + 256;
/// Longest `Display` of an error caused by an answer (a few capped messages and names).
const MAX_DISPLAY_BYTES: usize = 4096;

/// The fact sheet's example bodies (`tests/fixtures/`), the create one carrying [`CANARY`].
pub fn fixtures() -> Vec<(&'static str, String)> {
    vec![
        ("create_response", include_str!("../fixtures/create_response.json").replace(EXAMPLE_SECRET, CANARY)),
        ("get_response", include_str!("../fixtures/get_response.json").to_owned()),
        ("list_response", include_str!("../fixtures/list_response.json").to_owned()),
        ("update_response", include_str!("../fixtures/update_response.json").to_owned()),
        ("admin_list_response", include_str!("../fixtures/admin_list_response.json").to_owned()),
        ("invalid_access_exception", include_str!("../fixtures/invalid_access_exception.json").to_owned()),
    ]
}

/// Every operation of the client that parses a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Create,
    Get,
    ListPage,
    Update,
    Revoke,
    CheckPat,
    AdminListPage,
    AdminRevoke,
    AdminRule,
}

impl Op {
    pub const ALL: [Op; 9] = [
        Op::Create,
        Op::Get,
        Op::ListPage,
        Op::Update,
        Op::Revoke,
        Op::CheckPat,
        Op::AdminListPage,
        Op::AdminRevoke,
        Op::AdminRule,
    ];

    /// The index of the fixture this operation's real answer looks like.
    pub fn own_fixture(self) -> usize {
        match self {
            Op::Create => 0,
            Op::Get | Op::Revoke | Op::CheckPat => 1,
            Op::ListPage => 2,
            Op::Update => 3,
            Op::AdminListPage | Op::AdminRevoke | Op::AdminRule => 4,
        }
    }
}

/// One HTTP answer: status (100..=999), headers, body.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self { status, headers: Vec::new(), body: body.into() }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((HeaderName::from_static(name), HeaderValue::from_str(value).unwrap()));
        self
    }

    fn to_response(&self) -> HttpResponse {
        let mut response = http::Response::new(self.body.clone());
        *response.status_mut() = http::StatusCode::from_u16(self.status).expect("status in 100..=999");
        for (name, value) in &self.headers {
            response.headers_mut().append(name.clone(), value.clone());
        }
        response
    }

    /// The response, with every [`REQUEST_NUMBER`] in the body replaced by `n`.
    fn to_response_numbered(&self, n: usize) -> HttpResponse {
        let mut response = self.to_response();
        let body = response.body_mut();
        if let Some(at) = body.windows(REQUEST_NUMBER.len()).position(|w| w == REQUEST_NUMBER.as_bytes()) {
            body.splice(at..at + REQUEST_NUMBER.len(), n.to_string().into_bytes());
        }
        response
    }

    /// Whether the classifier must see this answer as an HTML page (the fact sheet's sign-in
    /// pages): a `text/html` content type, or no content type and a body starting with `<`.
    fn is_html(&self) -> bool {
        // A content type that is not visible ASCII counts as absent.
        let content_type = self.headers.iter().find(|(n, _)| n == http::header::CONTENT_TYPE);
        match content_type.and_then(|(_, v)| v.to_str().ok()) {
            Some(ct) => ct.to_ascii_lowercase().contains("text/html"),
            None => self.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<'),
        }
    }

    /// `Retry-After` when it is plain delta-seconds (and no millisecond form overrides it).
    fn retry_after_seconds(&self) -> Option<u64> {
        if self.headers.iter().any(|(n, _)| n.as_str().ends_with("retry-after-ms")) {
            return None;
        }
        let (_, v) = self.headers.iter().find(|(n, _)| n == http::header::RETRY_AFTER)?;
        v.to_str().ok()?.trim().parse().ok()
    }
}

/// Statuses a fuzz input picks by index (see [`from_fuzz_bytes`]).
const FUZZ_STATUSES: [u16; 12] = [200, 201, 204, 203, 302, 400, 401, 403, 404, 429, 500, 503];
/// Content types a fuzz input picks by index.
const FUZZ_CONTENT_TYPES: [Option<&str>; 8] = [
    None,
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("text/html; charset=utf-8"),
    Some("TEXT/HTML"),
    Some("text/plain"),
    Some(""),
    Some("application/problem+json"),
];
/// `Retry-After` values a fuzz input picks by index.
const FUZZ_RETRY_AFTER: [Option<&str>; 8] = [
    None,
    Some("0"),
    Some("7"),
    Some("-0"),
    Some("1.5"),
    Some("1e400"),
    Some("Fri, 27 Nov 2026 12:00:30 GMT"),
    Some("NaN"),
];

/// Reads a fuzz input: what to call, the answer to its request and to any later request.
///
/// - byte 0: the operation, `Op::ALL[b % 9]`;
/// - bytes 1–2 (big-endian `s`): the status, `FUZZ_STATUSES[s % 12]` when `s < 0x8000`, else
///   `100 + s % 900`;
/// - byte 3: bits 0–2 the content type, bits 3–5 the `Retry-After` (tables above), bits 6–7 the
///   later answer: 0 `500` empty, 2 `503` with the same body, 1 and 3 `200` with the same body
///   (in a later answer, [`REQUEST_NUMBER`] becomes the request's number);
/// - the rest: the body.
///
/// Inputs shorter than 4 bytes are padded with zeros.
pub fn from_fuzz_bytes(data: &[u8]) -> (Op, Answer, Answer) {
    let mut head = [0u8; 4];
    let n = data.len().min(4);
    head[..n].copy_from_slice(&data[..n]);
    let body = data[n..].to_vec();
    let op = Op::ALL[usize::from(head[0]) % Op::ALL.len()];
    let s = u16::from_be_bytes([head[1], head[2]]);
    let status = if s < 0x8000 { FUZZ_STATUSES[usize::from(s) % FUZZ_STATUSES.len()] } else { 100 + s % 900 };
    let mut first = Answer { status, headers: Vec::new(), body: body.clone() };
    if let Some(ct) = FUZZ_CONTENT_TYPES[usize::from(head[3] & 7)] {
        first.headers.push((http::header::CONTENT_TYPE, HeaderValue::from_static(ct)));
    }
    if let Some(ra) = FUZZ_RETRY_AFTER[usize::from((head[3] >> 3) & 7)] {
        first.headers.push((http::header::RETRY_AFTER, HeaderValue::from_static(ra)));
    }
    let later = match head[3] >> 6 {
        0 => Answer::new(500, Vec::new()),
        2 => Answer::new(503, body),
        _ => Answer::new(200, body),
    };
    (op, first, later)
}

#[derive(Default)]
struct Script {
    /// The answer to the operation's own request.
    first: Answer,
    /// The answer to any later request (the list pages a failed create looks through).
    later: Answer,
    sent: Vec<Operation>,
}

/// A client over a closure transport that answers from a [`Script`], and the runtime to drive it.
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    client: AzureDevOpsClient,
    clock: ManualClock,
    script: Arc<Mutex<Script>>,
}

/// What one operation returned: the `Debug` of its value, or the error.
pub type Outcome = Result<String, Error>;

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    /// A client without retries: every answer is the final one, so its classification can be
    /// checked ([`check`]).
    pub fn new() -> Self {
        Self::build(false)
    }

    /// A client with the default retry policy, on a runtime in paused (virtual) time: retries
    /// and `Retry-After` waits take no real time ([`check_with_retries`]).
    pub fn with_retries() -> Self {
        Self::build(true)
    }

    fn build(retries: bool) -> Self {
        let max_requests = if retries { MAX_REQUESTS_WITH_RETRIES } else { MAX_REQUESTS_PER_OPERATION };
        let script = Arc::new(Mutex::new(Script::default()));
        let answers = Arc::clone(&script);
        let transport = from_fn(move |request: patkit::transport::HttpRequest| {
            let response = {
                let mut s = lock(&answers);
                let op = Operation::of(&request).expect("every request names its operation");
                s.sent.push(op);
                assert!(
                    s.sent.len() <= max_requests,
                    "one operation sent more than {max_requests} requests: {:?}…",
                    &s.sent[..8]
                );
                if s.sent.len() == 1 { s.first.to_response() } else { s.later.to_response_numbered(s.sent.len()) }
            };
            async move { Ok(response) }
        });
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2020, 11, 3, 0, 0, 0).unwrap());
        let client = AzureDevOpsClient::builder("fabrikam", StaticCredential::new(BEARER.to_owned()))
            .transport(transport)
            .retry(if retries { RetryConfig::default() } else { RetryConfig::none() })
            // One client serves every generated case: pacing state would carry one case's
            // answers into the next. The pacer's own bounds are unit-tested.
            .pacing(patkit::transport::Pacing::Off)
            .clock(clock.clone())
            .build()
            .expect("client");
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().start_paused(retries).build().expect("runtime");
        Self { runtime, client, clock, script }
    }

    /// Runs `op` against `first` (later requests get `later`) at `now`, and returns what it
    /// returned together with the operations of the requests it sent.
    pub fn run(&self, op: Op, first: &Answer, later: &Answer, now: DateTime<Utc>) -> (Outcome, Vec<Operation>) {
        let (outcome, sent, _) = self.run_timed(op, first, later, now);
        (outcome, sent)
    }

    /// [`run`](Self::run), also returning how long the operation took in the runtime's time
    /// (virtual time for [`with_retries`](Self::with_retries)).
    pub fn run_timed(
        &self,
        op: Op,
        first: &Answer,
        later: &Answer,
        now: DateTime<Utc>,
    ) -> (Outcome, Vec<Operation>, Duration) {
        {
            let mut s = lock(&self.script);
            s.first = first.clone();
            s.later = later.clone();
            s.sent.clear();
        }
        self.clock.set(now);
        let client = &self.client;
        let id = PatId::new("4ab5764f-4193-4f1d-b995-64144880b7d7");
        let (outcome, elapsed) = self.runtime.block_on(async {
            let started = tokio::time::Instant::now();
            let outcome = match op {
                Op::Create => client.create("new_token", scopes()).send().await.map(|v| format!("{v:?}")),
                Op::Get => client.get(&id).await.map(|v| format!("{v:?}")),
                Op::ListPage => client.list().page(None).await.map(|v| format!("{v:?}")),
                Op::Update => client.update(&id).display_name("renamed").send().await.map(|v| format!("{v:?}")),
                Op::Revoke => client.revoke(&id).await.map(|v| format!("{v:?}")),
                Op::CheckPat => {
                    client.check_pat(&PatSecret::new(CHECKED_PAT.to_owned())).await.map(|v| format!("{v:?}"))
                }
                Op::AdminListPage => client
                    .token_admin()
                    .list_pats("aad.MjcwYjYwYzMtZThiMy03MGU1LWFjZDYtYzM5Zjk3ZDZmYTRh")
                    .page(None)
                    .await
                    .map(|v| format!("{v:?}")),
                Op::AdminRevoke => {
                    client.token_admin().revoke(std::slice::from_ref(&id)).await.map(|v| format!("{v:?}"))
                }
                Op::AdminRule => {
                    client.token_admin().create_revocation_rule(&scopes(), None).await.map(|v| format!("{v:?}"))
                }
            };
            (outcome, started.elapsed())
        });
        let sent = std::mem::take(&mut lock(&self.script).sent);
        (outcome, sent, elapsed)
    }

    /// [`run`](Self::run), then [`check`]; `Err` names the broken invariant.
    pub fn run_and_check(&self, op: Op, first: &Answer, later: &Answer, now: DateTime<Utc>) -> Result<(), String> {
        let (outcome, sent) = self.run(op, first, later, now);
        check(op, first, later, &outcome, &sent)
    }
}

fn scopes() -> Scopes {
    Scopes::parse("vso.code").expect("scope")
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The invariants of one operation under the default retry policy, whichever answer ends up
/// final: no secret shown, the operation's own request repeated at most `max_retries` times (a
/// create never), only list pages besides, and a bounded (virtual) time: each request waits at
/// most one budget of pacing and one of retries.
pub fn check_with_retries(
    op: Op,
    first: &Answer,
    later: &Answer,
    outcome: &Outcome,
    sent: &[Operation],
    elapsed: Duration,
) -> Result<(), String> {
    let ctx = || format!("{op:?} on HTTP {} then {} with retries", first.status, later.status);
    let config = RetryConfig::default();
    let own = sent.first().copied();
    let repeats = sent.iter().filter(|o| Some(**o) == own).count();
    let others_are_pages = sent.iter().all(|o| Some(*o) == own || (op == Op::Create && *o == op::LIST));
    let max_repeats = if op == Op::Create { 1 } else { config.max_retries as usize + 1 };
    if repeats > max_repeats || !others_are_pages {
        return Err(format!("{}: sent {sent:?}", ctx()));
    }
    let budget_per_request = config.budget * 2;
    if elapsed > budget_per_request * sent.len() as u32 {
        return Err(format!("{}: took {elapsed:?} for {} requests", ctx(), sent.len()));
    }
    let canary_is_secret = canary_only_at(&first.body, op == Op::Create) && canary_only_at(&later.body, false);
    let secrets = if canary_is_secret { &[CANARY, BEARER, CHECKED_PAT][..] } else { &[BEARER, CHECKED_PAT][..] };
    let text = match outcome {
        Ok(value) => value.clone(),
        Err(e) => shown(e),
    };
    match secrets.iter().find(|s| text.contains(*s)) {
        Some(s) => Err(format!("{}: a secret ({s}) shown: {text}", ctx())),
        None => Ok(()),
    }
}

/// Everything an error shows: Display, Debug and the Display of every source.
pub fn shown(e: &Error) -> String {
    let mut all = format!("{e}\n{e:?}");
    let mut source = e.source();
    while let Some(s) = source {
        all.push('\n');
        all.push_str(&s.to_string());
        source = s.source();
    }
    all
}

/// The invariants of one operation's outcome for the answer `first`.
pub fn check(op: Op, first: &Answer, later: &Answer, outcome: &Outcome, sent: &[Operation]) -> Result<(), String> {
    let status = first.status;
    let ctx = || format!("{op:?} on HTTP {status} ({} body bytes)", first.body.len());
    // The bearer token and the checked PAT are never in an answer, so never in an output. The
    // canary is checked when the answers hold it only where a token goes (a `"token"` value; for
    // a create's own answer also a key): elsewhere (a message, a name, a bare string) it is just
    // text the service sent, which errors of non-sensitive operations may quote.
    let canary_is_secret = canary_only_at(&first.body, op == Op::Create) && canary_only_at(&later.body, false);
    let secrets = if canary_is_secret { &[CANARY, BEARER, CHECKED_PAT][..] } else { &[BEARER, CHECKED_PAT][..] };
    let leaked = |text: &str| secrets.iter().copied().find(|s| text.contains(s));

    // What was sent: the operation's request first, and only list pages after it (the search of
    // a create whose outcome is unknown).
    let expected_first = match op {
        Op::Create => op::CREATE,
        Op::Get => op::GET,
        Op::ListPage => op::LIST,
        Op::Update => op::UPDATE,
        Op::Revoke => op::REVOKE,
        Op::CheckPat => op::CHECK_TOKEN,
        Op::AdminListPage => op::ADMIN_LIST_PATS,
        Op::AdminRevoke => op::ADMIN_REVOKE,
        Op::AdminRule => op::ADMIN_CREATE_REVOCATION_RULE,
    };
    if sent.first() != Some(&expected_first) {
        return Err(format!("{}: first request was {:?}", ctx(), sent.first()));
    }
    let recovering = op == Op::Create && matches!(outcome, Err(Error::CreateOutcomeUnknown { .. }));
    if sent.len() > 1 && !(recovering && sent[1..].iter().all(|o| *o == op::LIST)) {
        return Err(format!("{}: unexpected follow-up requests {:?}", ctx(), &sent[1..]));
    }

    let refused = status == 203 || (300..400).contains(&status) || first.is_html();
    if let Some(s) = outcome.as_ref().ok().and_then(|v| leaked(v)) {
        return Err(format!("{}: a secret ({s}) in the Debug of the result", ctx()));
    }
    if let Err(e) = outcome {
        let text = shown(e);
        if let Some(s) = leaked(&text) {
            return Err(format!("{}: a secret ({s}) in an error: {text}", ctx()));
        }
        let display = e.to_string();
        if display.len() > MAX_DISPLAY_BYTES {
            return Err(format!("{}: an error Display of {} bytes", ctx(), display.len()));
        }
        for message in messages(e) {
            if message.len() > MAX_MESSAGE_BYTES {
                return Err(format!("{}: a service message of {} bytes was kept", ctx(), message.len()));
            }
        }
        // A source quotes body text (serde's message) capped too.
        let mut source = e.source();
        while let Some(s) = source {
            let len = s.to_string().len();
            if len > MAX_DISPLAY_BYTES {
                return Err(format!("{}: an error source Display of {len} bytes", ctx()));
            }
            source = s.source();
        }
    }

    if op == Op::CheckPat {
        // The PAT works on a 2xx; a refusal (sign-in page, redirect, HTML, 401, 403) is
        // `Ok(false)`; anything else says nothing about the PAT and is an error.
        let expected = if refused || status == 401 || status == 403 {
            Some("false")
        } else if (200..300).contains(&status) {
            Some("true")
        } else {
            None
        };
        return match (expected, outcome) {
            (Some(want), Ok(got)) if want == got => Ok(()),
            (None, Err(Error::Api { status: s, .. })) if *s == status && status != 429 => Ok(()),
            (None, Err(Error::RateLimited { .. })) if status == 429 => Ok(()),
            (want, got) => Err(format!("{}: check_pat expected {want:?}, got {got:?}", ctx())),
        };
    }

    let e = match outcome {
        Ok(value) => {
            let success = (200..300).contains(&status) && !refused;
            let gone = op == Op::Revoke && status == 404 && !refused;
            return if success || gone {
                Ok(())
            } else {
                Err(format!("{}: Ok({value}) for a non-2xx or HTML answer", ctx()))
            };
        }
        Err(e) => e,
    };
    let auth = |expected: AuthFailure| match e {
        Error::AuthRequired { reason, .. } if *reason == expected => Ok(()),
        other => Err(format!("{}: expected AuthRequired({expected:?}), got {other:?}", ctx())),
    };
    if status == 203 {
        return auth(AuthFailure::SignInPage);
    }
    if (300..400).contains(&status) {
        return auth(AuthFailure::Redirect);
    }
    if first.is_html() {
        return auth(AuthFailure::HtmlBody);
    }
    if (200..300).contains(&status) {
        // A create whose 2xx body does not decode may have minted a token whose secret is lost:
        // an uncertain outcome, looked for.
        if op == Op::Create
            && let Error::CreateOutcomeUnknown { source, .. } = e
        {
            return match &**source {
                Error::Decode { .. } => Ok(()),
                other => Err(format!("{}: a 2xx answer became an unknown outcome because of {other:?}", ctx())),
            };
        }
        // A 2xx body may be undecodable or carry an in-body rejection; nothing else.
        let in_body = matches!(
            e,
            Error::Decode { .. }
                | Error::NotFound { .. }
                | Error::PolicyViolation { .. }
                | Error::Rejected { .. }
                | Error::Forbidden { .. }
        );
        let parses_body = !matches!(op, Op::AdminRevoke | Op::AdminRule);
        return if in_body && parses_body { Ok(()) } else { Err(format!("{}: a 2xx answer became {e:?}", ctx())) };
    }
    match (status, e) {
        (401, Error::AuthRequired { reason: AuthFailure::Unauthorized, .. }) => Ok(()),
        (403, Error::Forbidden { .. }) => Ok(()),
        (404, Error::NotFound { .. }) if matches!(op, Op::Get | Op::Update) => Ok(()),
        (429, Error::RateLimited { retry_after, .. }) => match first.retry_after_seconds() {
            Some(secs) if retry_after.map(|d| d.as_secs()) != Some(secs) => {
                Err(format!("{}: Retry-After {secs} read as {retry_after:?}", ctx()))
            }
            _ => Ok(()),
        },
        (s, Error::CreateOutcomeUnknown { source, .. }) if op == Op::Create && (s >= 500 || s == 408) => {
            match &**source {
                Error::Api { status: inner, .. } if *inner == s => Ok(()),
                other => Err(format!("{}: outcome unknown because of {other:?}", ctx())),
            }
        }
        (s, Error::Api { status: got, .. })
            if *got == s
                && ![401, 403, 429].contains(&s)
                && !(s == 404 && matches!(op, Op::Get | Op::Update | Op::Revoke))
                && ((s < 500 && s != 408) || op != Op::Create) =>
        {
            Ok(())
        }
        (_, other) => Err(format!("{}: classified as {other:?}", ctx())),
    }
}

/// Whether every occurrence of [`CANARY`] in `body` is (the start of) a `"token"` value, or with
/// `keys`, a key. Positions are judged on the text: an escaped quote before `"token"` or the
/// canary counts as "elsewhere", so a match is always structural JSON.
pub fn canary_only_at(body: &[u8], keys: bool) -> bool {
    fn trim_end(b: &[u8]) -> &[u8] {
        let n = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(0, |i| i + 1);
        &b[..n]
    }
    fn unescaped_quote_before(before: &[u8]) -> Option<&[u8]> {
        let rest = before.strip_suffix(b"\"")?;
        (!rest.ends_with(b"\\")).then_some(rest)
    }
    let token_value = |before: &[u8]| {
        let Some(rest) = unescaped_quote_before(before) else { return false };
        let Some(rest) = trim_end(rest).strip_suffix(b":") else { return false };
        trim_end(rest).strip_suffix(b"\"token\"").is_some_and(|r| !r.ends_with(b"\\"))
    };
    let key = |before: &[u8], after: &[u8]| {
        let closes =
            after.strip_prefix(b"\"").is_some_and(|a| a.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b':'));
        closes && unescaped_quote_before(before).is_some()
    };
    let canary = CANARY.as_bytes();
    (0..body.len().saturating_sub(canary.len() - 1)).filter(|&i| body[i..].starts_with(canary)).all(|i| {
        let (before, after) = (&body[..i], &body[i + canary.len()..]);
        token_value(before) || (keys && key(before, after))
    })
}

/// The service-provided messages an error keeps.
fn messages(e: &Error) -> Vec<&str> {
    match e {
        Error::AuthRequired { message, .. }
        | Error::PolicyViolation { message, .. }
        | Error::Rejected { message, .. }
        | Error::RateLimited { message, .. } => message.iter().map(String::as_str).collect(),
        Error::Api { code, message, .. } => {
            code.iter().map(patkit::ServiceCode::as_str).chain(message.iter().map(String::as_str)).collect()
        }
        Error::Forbidden { code, message } => {
            code.iter().map(patkit::ServiceCode::as_str).chain([message.as_str()]).collect()
        }
        Error::CreateOutcomeUnknown { source, .. } => messages(source),
        _ => Vec::new(),
    }
}
