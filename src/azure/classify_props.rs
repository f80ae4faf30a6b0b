//! Property tests of the classifier's pure functions on hostile input: `retry_after`, `decode`
//! and `check_status` (the client-level properties are in `tests/azure/hostile_input.rs`).
//!
//! Cases per property: `PROPTEST_CASES` (default 10,000).

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::Config;

use super::classify::{check_status, decode, retry_after};
use super::wire::{AdminPageWire, PagedPatTokensWire, PatTokenResultWire, WrappedExceptionWire};
use crate::azure::operations as op;
use crate::error::Error;
use crate::transport::HttpResponse;

/// The proptest configuration of the unit-level hostile-input properties.
pub(crate) fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    Config { cases, failure_persistence: None, ..Config::default() }
}

const CANARY: &str = "unitcanary5e4d3c2b1a0f9e8d7c6b";

fn response(status: u16, retry_after: Option<http::HeaderValue>, body: Vec<u8>) -> HttpResponse {
    let mut response = http::Response::new(body);
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
    if let Some(v) = retry_after {
        response.headers_mut().insert(http::header::RETRY_AFTER, v);
    }
    response
}

/// Any instant chrono can hold.
fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    let (min, max) = (DateTime::<Utc>::MIN_UTC.timestamp(), DateTime::<Utc>::MAX_UTC.timestamp());
    prop_oneof![
        (min..=max).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap()),
        Just(DateTime::<Utc>::MIN_UTC),
        Just(DateTime::<Utc>::MAX_UTC),
    ]
}

/// Whole-second instants in the years an HTTP date can spell (1..=9999).
fn http_date_instant() -> impl Strategy<Value = DateTime<Utc>> {
    (-62_135_596_800i64..=253_402_300_799).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

/// Header values: any visible bytes (what `http` accepts), and number-like texts.
fn header_value() -> impl Strategy<Value = http::HeaderValue> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64).prop_map(|bytes| {
            let visible: Vec<u8> =
                bytes.into_iter().map(|b| if b == b'\t' || (b >= 0x20 && b != 0x7f) { b } else { b'?' }).collect();
            http::HeaderValue::from_bytes(&visible).unwrap()
        }),
        "[ \t]*[+-]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][+-]?[0-9]{1,5})?[ \t]*"
            .prop_map(|s| http::HeaderValue::from_str(&s).unwrap()),
        "(NaN|inf|-inf|infinity|-0|-0\\.0|\\+0)".prop_map(|s| http::HeaderValue::from_str(&s).unwrap()),
    ]
}

/// The error and everything it shows.
fn shown(e: &Error) -> String {
    let mut all = format!("{e} {e:?}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        all.push_str(&format!(" {s}"));
        source = s.source();
    }
    all
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn retry_after_never_panics_and_reads_only_whole_seconds_or_dates(
        value in header_value(),
        ms in prop::option::of(header_value()),
        now in any_instant(),
    ) {
        let mut r = response(429, Some(value.clone()), Vec::new());
        if let Some(ms) = &ms {
            r.headers_mut().insert("retry-after-ms", ms.clone());
        }
        let got = retry_after(&r, now);
        let millis = ms.as_ref().and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
        let text = value.to_str().ok().map(str::trim);
        match (millis, text.map(|t| (t.parse::<u64>(), t.parse::<f64>()))) {
            // `retry-after-ms` (whole milliseconds) wins over `Retry-After`.
            (Some(ms), _) => prop_assert_eq!(got, Some(Duration::from_millis(ms))),
            (None, Some((Ok(n), _))) => prop_assert_eq!(got, Some(Duration::from_secs(n))),
            // Negative, fractional, exponent, NaN and infinite numbers are no wait at all.
            (None, Some((Err(_), Ok(_)))) => prop_assert_eq!(got, None),
            _ => {}
        }
    }

    #[test]
    fn retry_after_dates_are_the_time_until_then(at in http_date_instant(), now in any_instant()) {
        let value = http::HeaderValue::from_str(&at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()).unwrap();
        let expected = (at - now).to_std().unwrap_or(Duration::ZERO);
        prop_assert_eq!(retry_after(&response(429, Some(value), Vec::new()), now), Some(expected));
    }

    #[test]
    fn decode_never_panics_on_any_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
        for op in [op::CREATE, op::LIST] {
            let results = [
                decode::<PatTokenResultWire>(&body, op).err(),
                decode::<PagedPatTokensWire>(&body, op).err(),
                decode::<AdminPageWire>(&body, op).err(),
                decode::<WrappedExceptionWire>(&body, op).err(),
            ];
            for e in results.into_iter().flatten() {
                prop_assert!(matches!(&e, Error::Decode { path, .. } if !path.is_empty()), "{:?}", e);
            }
        }
    }

    #[test]
    fn sensitive_decode_errors_never_quote_the_body(
        before in "[\\[\\]{}\":,0-9a-zA-Z \\\\]{0,40}",
        after in "[\\[\\]{}\":,0-9a-zA-Z \\\\]{0,40}",
        wrap in 0u8..7,
    ) {
        // The canary where a token goes, in a value of the wrong type, and in arbitrary JSON-ish
        // surroundings; for a create every decode error must leave it out.
        let body = match wrap {
            0 => format!("{before}\"{CANARY}\"{after}"),
            1 => format!("{{\"patToken\":{{\"token\":\"{CANARY}\",{before}"),
            2 => format!("{{\"patToken\":{{\"token\":\"{CANARY}\",\"validTo\":{before}}}}}"),
            3 => format!("{{\"patToken\":\"{CANARY}{before}\"}}"),
            4 => format!("{{\"patTokenError\":[\"{CANARY}\"],{after}"),
            5 => format!("{{\"patToken\":{{\"targetAccounts\":\"{CANARY}\"}}{after}"),
            // Even in a key position (an unknown field whose value is broken).
            _ => format!("{{\"patToken\":{{\"{CANARY}\":[{before}"),
        };
        if let Err(e) = decode::<PatTokenResultWire>(body.as_bytes(), op::CREATE) {
            let shown = shown(&e);
            prop_assert!(!shown.contains(CANARY), "{}", shown);
        }
    }

    #[test]
    fn check_status_accepts_only_usable_success(
        status in 100u16..=999,
        html_type in any::<bool>(),
        body in prop::collection::vec(any::<u8>(), 0..256),
        now in any_instant(),
    ) {
        let mut r = response(status, None, body);
        if html_type {
            r.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/html"));
        }
        let html = html_type || r.body().iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
        for op in [op::CREATE, op::GET, op::LIST, op::REVOKE, op::ADMIN_REVOKE] {
            let got = check_status(&r, op, now);
            prop_assert_eq!(got.is_ok(), (200..300).contains(&status) && status != 203 && !html, "{:?}", got.err());
        }
    }
}
