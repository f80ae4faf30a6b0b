//! Hostile answers for every response parser, through the public client: arbitrary bytes,
//! truncated and mistyped versions of the fact sheet's bodies, huge numbers, deep nesting,
//! invalid dates, HTML, every status and random headers. Whatever the answer, the client must not
//! panic, must classify it as documented (`Ok` only for a usable 2xx, otherwise the typed error
//! its status and body call for), must never show a secret in an error, and must send a bounded
//! number of requests. The invariants are in `hostile/harness.rs`, shared with the fuzz target.
//!
//! Cases per property: `PROPTEST_CASES` (default 10,000).

use crate::harness;

use crate::harness::{Answer, CANARY, Harness, Op, fixtures};
use chrono::{DateTime, TimeZone, Utc};
use patkit::http::{HeaderName, HeaderValue};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use serde_json::Value;

/// Cases per property test: `PROPTEST_CASES`, or 10,000.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

/// A JSON string that stands in for a value while a body is rewritten, then is replaced by raw
/// (possibly invalid) JSON text.
const PLACEHOLDER: &str = "\"@@hostile-placeholder@@\"";

/// Field names the parsers know (and a few neighbours), inserted where the fixtures lack them.
const FIELDS: &[&str] = &[
    "patToken",
    "patTokenError",
    "patTokenErrorMessage",
    "patTokens",
    "continuationToken",
    "value",
    "authorizationId",
    "displayName",
    "scope",
    "targetAccounts",
    "token",
    "validFrom",
    "validTo",
    "userId",
    "isValid",
    "isPublic",
    "message",
    "typeKey",
    "$id",
    "innerException",
];

/// Raw JSON texts of the wrong type for (nearly) every field, huge numbers, and broken JSON.
const WRONG: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1.5",
    "18446744073709551616",
    "-9223372036854775809",
    "1e309",
    "-1e309",
    "1e-400",
    "123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890",
    "0.00000000000000000000000000000000000000000000000000000000000000000000000000000000001",
    "\"\"",
    "\" \"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"\\udc00\\ud800\"",
    "\"none\"",
    "\"tokenNotFound\"",
    "\"globalPatPolicyViolation\"",
    "\"somethingNew2099\"",
    "\"2020-13-45T25:61:61Z\"",
    "\"9999-12-31T23:59:59.9999999-23:59\"",
    "\"+262143-12-31T23:59:59\"",
    "\"<html>\"",
    "[]",
    "[null]",
    "[1,\"a\",{}]",
    "{}",
    "{\"a\":1}",
    "{\"token\":null}",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "",
    "[",
    "{",
    "\"unterminated",
    "nul",
    "NaN",
    "Infinity",
    "0x10",
    "01",
];

/// Date-time texts the parser must refuse or read without panicking.
const DATES: &[&str] = &[
    "",
    "yesterday",
    "2020-02-30T00:00:00Z",
    "2021-02-29T00:00:00Z",
    "2020-12-31T23:59:60Z",
    "2020-12-31T23:59:60.999999999Z",
    "0000-01-01T00:00:00Z",
    "0000-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59.9999999-23:59",
    "262143-12-31T23:59:59",
    "+262143-12-31T23:59:59",
    "+262144-01-01T00:00:00",
    "-262144-01-01T00:00:00",
    "-000001-01-01T00:00:00",
    "2020-11-02T22:56:52.103333333333333333333333333333333333333Z",
    "2020-11-02T22:56:52.Z",
    "2020-11-02T22:56:52+99:99",
    "2020-11-02T22:56:52+24:00",
    "2020-11-02T22:56:52Z+",
    "2020-11-02 22:56:52Z",
    "2020-11-02t22:56:52z",
    "2020-11-02T22:56",
    "2020-11-02",
    "22:56:52",
    "\u{0}2020-11-02T22:56:52Z",
    "２０２０-11-02T22:56:52Z",
];

fn date_text() -> BoxedStrategy<String> {
    prop_oneof![
        select(DATES).prop_map(str::to_owned),
        "[+-]?[0-9]{0,7}-[0-9]{0,3}-[0-9]{0,3}[Tt ][0-9]{0,3}:[0-9]{0,3}(:[0-9]{0,3})?(\\.[0-9]{0,40})?([Zz]|[+-][0-9]{1,3}(:?[0-9]{0,3})?)?",
        any::<String>(),
    ]
    .boxed()
}

/// Any JSON value (small), including floats, unicode keys and nesting.
fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Raw JSON text to put where a field's value goes.
fn hostile_raw() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(WRONG).prop_map(str::to_owned),
        2 => "-?[1-9][0-9]{18,400}(\\.[0-9]{1,40})?([eE][+-]?[0-9]{1,6})?",
        2 => any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
        2 => date_text().prop_map(|s| serde_json::to_string(&s).unwrap()),
        1 => (0usize..20_000).prop_map(|n| serde_json::to_string(&"x".repeat(n)).unwrap()),
        1 => (1usize..5_000).prop_map(|d| format!("{}{}", "[".repeat(d), "]".repeat(d))),
        1 => (1usize..5_000).prop_map(|d| "{\"a\":".repeat(d)),
        2 => json_value().prop_map(|v| v.to_string()),
    ]
    .boxed()
}

/// Every JSON pointer in `v` (the root is `""`).
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                pointers(child, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// Pre-parsed fixtures and their pointers.
struct Fixture {
    text: String,
    json: Value,
    pointers: Vec<String>,
    objects: Vec<String>,
    dates: Vec<String>,
}

fn parsed_fixtures() -> Vec<Fixture> {
    fixtures()
        .into_iter()
        .map(|(_, text)| {
            let json: Value = serde_json::from_str(&text).expect("fixture is JSON");
            let mut all = Vec::new();
            pointers(&json, String::new(), &mut all);
            let objects = all.iter().filter(|p| json.pointer(p).is_some_and(Value::is_object)).cloned().collect();
            let dates = all.iter().filter(|p| p.ends_with("/validFrom") || p.ends_with("/validTo")).cloned().collect();
            Fixture { text, json, pointers: all, objects, dates }
        })
        .collect()
}

/// `fixture` with the value at `pointer` replaced by `raw` JSON text.
fn replace(fixture: &Fixture, pointer: &str, raw: &str) -> Vec<u8> {
    let mut json = fixture.json.clone();
    *json.pointer_mut(pointer).expect("pointer exists") = serde_json::from_str(PLACEHOLDER).unwrap();
    json.to_string().replacen(PLACEHOLDER, raw, 1).into_bytes()
}

/// `fixture` with `field: raw` added to the object at `pointer` (or replacing its value).
fn insert(fixture: &Fixture, pointer: &str, field: &str, raw: &str) -> Vec<u8> {
    let mut json = fixture.json.clone();
    let object = json.pointer_mut(pointer).and_then(Value::as_object_mut).expect("an object");
    object.insert(field.to_owned(), serde_json::from_str(PLACEHOLDER).unwrap());
    json.to_string().replacen(PLACEHOLDER, raw, 1).into_bytes()
}

fn pick<'a>(items: &'a [String], i: &Index) -> Option<&'a String> {
    (!items.is_empty()).then(|| &items[i.index(items.len())])
}

/// A hostile body for `op`: the fixture families use `op`'s own fixture half of the time.
fn body(op: Op, fx: std::sync::Arc<Vec<Fixture>>) -> BoxedStrategy<Vec<u8>> {
    let n = fx.len();
    let fixture = prop_oneof![Just(op.own_fixture()), 0..n].boxed();
    let (f1, f2, f3, f4, f5, f6) = (fx.clone(), fx.clone(), fx.clone(), fx.clone(), fx.clone(), fx.clone());
    // Only a create's answer holds a token, so only there may a key hold one: an unknown field
    // named like a token, with a hostile value.
    let canary_key = (fixture.clone(), any::<Index>(), hostile_raw())
        .prop_map(move |(i, at, raw)| insert(&f6[i], &f6[i].objects[at.index(f6[i].objects.len())], CANARY, &raw));
    let canary_key = if op == Op::Create { canary_key.boxed() } else { Just(Vec::new()).boxed() };
    prop_oneof![
        // Arbitrary bytes, and JSON-ish bytes.
        2 => prop::collection::vec(any::<u8>(), 0..1024),
        1 => "[\\[\\]{}\":,0-9a-zA-Z \\\\.eE+-]{0,256}".prop_map(String::into_bytes),
        // Empty and near-empty.
        1 => select(&["", " ", "\r\n\t ", "null", "{}", "[]", "0", "\"\"", "true", "\u{feff}{}"][..])
            .prop_map(|s| s.as_bytes().to_vec()),
        // A fixture truncated anywhere.
        3 => (fixture.clone(), any::<Index>()).prop_map(move |(i, cut)| {
            let text = f1[i].text.as_bytes();
            text[..cut.index(text.len() + 1)].to_vec()
        }),
        // A field of a fixture replaced by a wrong type, a huge number, broken JSON.
        4 => (fixture.clone(), any::<Index>(), hostile_raw())
            .prop_map(move |(i, at, raw)| replace(&f2[i], &f2[i].pointers[at.index(f2[i].pointers.len())], &raw)),
        // A (known) field added to, or overwritten in, any object of a fixture.
        3 => (fixture.clone(), any::<Index>(), select(FIELDS), hostile_raw()).prop_map(move |(i, at, field, raw)| {
            let object = &f3[i].objects[at.index(f3[i].objects.len())];
            insert(&f3[i], object, field, &raw)
        }),
        // A date replaced by an invalid or extreme one.
        2 => (fixture.clone(), any::<Index>(), date_text()).prop_map(move |(i, at, date)| {
            let quoted = serde_json::to_string(&date).unwrap();
            match pick(&f4[i].dates, &at) {
                Some(p) => replace(&f4[i], p, &quoted),
                None => insert(&f4[i], "", "validTo", &quoted),
            }
        }),
        // Deep nesting (up to 200k levels), closed or not, bare or inside a field.
        1 => (1usize..200_000, 0u8..4).prop_map(|(depth, kind)| match kind {
            0 => "[".repeat(depth),
            1 => format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
            2 => "{\"a\":".repeat(depth),
            _ => format!("{{\"patTokens\":{}", "[".repeat(depth)),
        }
        .into_bytes()),
        // HTML pages.
        1 => (select(&["<!DOCTYPE html>", "<html>", "  \n<", "<?xml version=\"1.0\"?>", "<"][..]), ".{0,200}")
            .prop_map(|(head, rest)| format!("{head}{rest}").into_bytes()),
        // The canary as a token value: spliced into arbitrary bytes, and as the `token` field of
        // any object of a fixture (other fields may hold it in a real answer only as a token).
        1 => (prop::collection::vec(any::<u8>(), 0..64), prop::collection::vec(any::<u8>(), 0..64))
            .prop_map(|(a, b)| [a, format!("{{\"patToken\":{{\"token\":\"{CANARY}\"").into_bytes(), b].concat()),
        1 => canary_key,
        1 => (fixture, any::<Index>()).prop_map(move |(i, at)| {
            insert(&f5[i], &f5[i].objects[at.index(f5[i].objects.len())], "token", &format!("\"{CANARY}\""))
        }),
    ]
    .boxed()
}

fn header_value() -> BoxedStrategy<HeaderValue> {
    prop::collection::vec(any::<u8>(), 0..80)
        .prop_map(|bytes| {
            let visible: Vec<u8> =
                bytes.into_iter().map(|b| if b == b'\t' || (b >= 0x20 && b != 0x7f) { b } else { b'?' }).collect();
            HeaderValue::from_bytes(&visible).expect("visible bytes")
        })
        .boxed()
}

fn content_type() -> BoxedStrategy<Option<HeaderValue>> {
    prop_oneof![
        2 => Just(None),
        4 => select(&[
            "application/json; charset=utf-8",
            "application/json",
            "text/html; charset=utf-8",
            "TEXT/HTML",
            "text/plain",
            "application/problem+json",
            "",
        ][..])
        .prop_map(|s| Some(HeaderValue::from_static(s))),
        1 => header_value().prop_map(Some),
    ]
    .boxed()
}

fn retry_after() -> BoxedStrategy<Option<HeaderValue>> {
    prop_oneof![
        3 => Just(None),
        3 => select(&[
            "0", "7", " 30 ", "-1", "-0", "+5", "1.5", "-0.0", "1e3", "1e400", "NaN", "inf", "-inf",
            "86400",
            "3153600000",
            "18446744073709551615", "18446744073709551616", "99999999999999999999.5",
            "Fri, 27 Nov 2026 12:00:30 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
            "Mon, 01 Jan 0000 00:00:00 GMT", "Mon, 32 Foo 2026 25:61:61 GMT", "Tue, 03 Nov 2020 00:00:00 +2359",
            "soon", "",
        ][..])
        .prop_map(|s| Some(HeaderValue::from_static(s))),
        1 => any::<u64>().prop_map(|n| Some(HeaderValue::from(n))),
        1 => any::<f64>().prop_map(|f| HeaderValue::from_str(&f.to_string()).ok()),
        1 => header_value().prop_map(Some),
    ]
    .boxed()
}

fn extra_headers() -> BoxedStrategy<Vec<(HeaderName, HeaderValue)>> {
    let name = prop_oneof![
        select(
            &[
                "content-type",
                "retry-after",
                "retry-after-ms",
                "x-ms-retry-after-ms",
                "location",
                "www-authenticate",
                "x-tfs-fedauthredirect",
                "x-vss-e2eid",
            ][..]
        )
        .prop_map(HeaderName::from_static),
        "[a-z][a-z0-9-]{0,15}".prop_map(|s| HeaderName::from_bytes(s.as_bytes()).expect("token chars")),
    ];
    prop::collection::vec((name, header_value()), 0..4).boxed()
}

fn status() -> BoxedStrategy<u16> {
    prop_oneof![
        4 => Just(200u16),
        1 => select(&[201u16, 202, 203, 204, 206][..]),
        2 => select(&[301u16, 302, 303, 307, 308, 400, 401, 403, 404, 408, 409, 429, 500, 502, 503, 504][..]),
        4 => 100u16..=599,
        1 => 600u16..=999,
    ]
    .boxed()
}

fn answer(op: Op, fx: std::sync::Arc<Vec<Fixture>>) -> BoxedStrategy<Answer> {
    (status(), content_type(), retry_after(), extra_headers(), body(op, fx))
        .prop_map(|(status, content_type, retry_after, extra, body)| {
            let mut headers = Vec::new();
            headers.extend(content_type.map(|v| (http::header::CONTENT_TYPE, v)));
            headers.extend(retry_after.map(|v| (http::header::RETRY_AFTER, v)));
            headers.extend(extra);
            Answer { status, headers, body }
        })
        .boxed()
}

fn now() -> BoxedStrategy<DateTime<Utc>> {
    prop_oneof![
        8 => (0i64..4_102_444_800).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap()),
        1 => Just(DateTime::<Utc>::MIN_UTC),
        1 => Just(DateTime::<Utc>::MAX_UTC),
    ]
    .boxed()
}

fn short(answer: &Answer) -> String {
    let body = String::from_utf8_lossy(&answer.body);
    let body: String = body.chars().take(600).collect();
    format!("status {} headers {:?} body ({} bytes) {body:?}", answer.status, answer.headers, answer.body.len())
}

/// Runs `cases()` hostile answers through `op` (a create's follow-up list pages get hostile
/// answers too) and fails with the smallest answer that breaks an invariant.
fn property(op: Op) {
    let fx = std::sync::Arc::new(parsed_fixtures());
    let later = if op == Op::Create { answer(Op::ListPage, fx.clone()) } else { Just(Answer::new(500, "")).boxed() };
    let strategy = (answer(op, fx), later, now());
    let harness = Harness::new();
    let config = Config { cases: cases(), failure_persistence: None, ..Config::default() };
    let started = std::time::Instant::now();
    let result = TestRunner::new(config).run(&strategy, |(first, later, now)| {
        harness.run_and_check(op, &first, &later, now).map_err(TestCaseError::fail)
    });
    eprintln!("{op:?}: {} cases in {:.1?}", cases(), started.elapsed());
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, (first, later, now))) => {
            panic!("{why}\nfirst: {}\nlater: {}\nnow: {now}", short(&first), short(&later))
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn every_operation_with_retries_survives_hostile_answers() {
    // The default client retries 408/429/5xx and honours `Retry-After` (also on a success, as
    // pacing): hostile answers and headers must not make it leak, loop or wait without bound.
    let fx = std::sync::Arc::new(parsed_fixtures());
    let cases_for = |op: Op| (Just(op), answer(op, fx.clone()), answer(Op::ListPage, fx.clone()), now());
    let strategy = prop::strategy::Union::new(Op::ALL.map(|op| cases_for(op).boxed()));
    let harness = Harness::with_retries();
    let config = Config { cases: cases(), failure_persistence: None, ..Config::default() };
    let started = std::time::Instant::now();
    let result = TestRunner::new(config).run(&strategy, |(op, first, later, now)| {
        let (outcome, sent, elapsed) = harness.run_timed(op, &first, &later, now);
        harness::check_with_retries(op, &first, &later, &outcome, &sent, elapsed).map_err(TestCaseError::fail)
    });
    eprintln!("with retries: {} cases in {:.1?}", cases(), started.elapsed());
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, (op, first, later, now))) => {
            panic!("{why}\n{op:?}\nfirst: {}\nlater: {}\nnow: {now}", short(&first), short(&later))
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn create_survives_hostile_answers() {
    property(Op::Create);
}

#[test]
fn get_survives_hostile_answers() {
    property(Op::Get);
}

#[test]
fn list_page_survives_hostile_answers() {
    property(Op::ListPage);
}

#[test]
fn update_survives_hostile_answers() {
    property(Op::Update);
}

#[test]
fn revoke_survives_hostile_answers() {
    property(Op::Revoke);
}

#[test]
fn check_pat_survives_hostile_answers() {
    property(Op::CheckPat);
}

#[test]
fn admin_list_page_survives_hostile_answers() {
    property(Op::AdminListPage);
}

#[test]
fn admin_revoke_survives_hostile_answers() {
    property(Op::AdminRevoke);
}

#[test]
fn admin_revocation_rule_survives_hostile_answers() {
    property(Op::AdminRule);
}

/// Runs `answers` through every operation; a create's follow-up pages get `later`.
fn every_op(harness: &Harness, answers: impl IntoIterator<Item = Answer>, later: &Answer) {
    let now = Utc.with_ymd_and_hms(2020, 11, 3, 0, 0, 0).unwrap();
    for first in answers {
        for op in Op::ALL {
            if let Err(why) = harness.run_and_check(op, &first, later, now) {
                panic!("{why}\nanswer: {}", short(&first));
            }
        }
    }
}

#[test]
fn every_status_from_100_to_599_with_every_kind_of_body() {
    let harness = Harness::new();
    let fx = fixtures();
    let later = Answer::new(200, fx[2].1.clone());
    let bodies = [
        String::new(),
        fx[0].1.clone(),
        fx[2].1.clone(),
        fx[5].1.clone(),
        "<html><body>Sign in</body></html>".to_owned(),
        "{\"patToken\":null,\"patTokenError\":\"accessDenied\"}".to_owned(),
        "not json".to_owned(),
    ];
    for status in 100..=599 {
        let answers = bodies.iter().flat_map(|body| {
            [
                Answer::new(status, body.clone()),
                Answer::new(status, body.clone()).header("content-type", "application/json; charset=utf-8"),
                Answer::new(status, body.clone()).header("content-type", "text/html").header("retry-after", "5"),
            ]
        });
        every_op(&harness, answers, &later);
    }
}

#[test]
fn every_truncation_of_every_fact_sheet_body() {
    let harness = Harness::new();
    for (name, text) in fixtures() {
        let answers = (0..=text.len()).flat_map(|cut| {
            let body = text.as_bytes()[..cut].to_vec();
            [
                Answer { status: 200, headers: Vec::new(), body: body.clone() },
                Answer { status: 400, headers: Vec::new(), body },
            ]
        });
        every_op(&harness, answers, &Answer::new(200, text.as_bytes()[..text.len() / 2].to_vec()));
        eprintln!("{name}: {} cuts", text.len() + 1);
    }
}

#[test]
fn every_field_of_every_fact_sheet_body_with_every_wrong_type() {
    let harness = Harness::new();
    let fx = parsed_fixtures();
    let mut runs = 0;
    for fixture in &fx {
        for pointer in &fixture.pointers {
            for raw in WRONG {
                let body = replace(fixture, pointer, raw);
                every_op(&harness, [Answer::new(200, body.clone())], &Answer::new(200, body));
                runs += Op::ALL.len();
            }
        }
        for object in &fixture.objects {
            for field in FIELDS {
                for raw in WRONG {
                    every_op(&harness, [Answer::new(200, insert(fixture, object, field, raw))], &Answer::new(500, ""));
                    runs += Op::ALL.len();
                }
            }
        }
    }
    eprintln!("{runs} operations");
}

#[test]
fn a_hundred_thousand_levels_of_nesting() {
    let harness = Harness::new();
    let depth = 100_000;
    let bodies = [
        "[".repeat(depth),
        format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        "{\"a\":".repeat(depth),
        format!("{{\"patToken\":{{\"token\":\"{CANARY}\",\"scope\":{}", "[".repeat(depth)),
        format!("{{\"value\":[{{\"validTo\":{}", "{\"x\":".repeat(depth)),
    ];
    for body in bodies {
        for status in [200, 400, 403, 429, 500] {
            let first = Answer::new(status, body.clone());
            every_op(&harness, [first.clone()], &first);
        }
    }
}

#[test]
fn invalid_dates_in_every_date_field() {
    let harness = Harness::new();
    for fixture in parsed_fixtures() {
        for pointer in &fixture.dates {
            for date in DATES {
                let body = replace(&fixture, pointer, &serde_json::to_string(date).unwrap());
                every_op(&harness, [Answer::new(200, body.clone())], &Answer::new(200, body));
            }
        }
    }
}

#[test]
fn a_create_body_with_a_broken_field_never_shows_its_token() {
    // The named case of the canary property: the token is read into a secret before a later
    // field fails to decode.
    let harness = Harness::new();
    let now = Utc.with_ymd_and_hms(2020, 11, 3, 0, 0, 0).unwrap();
    for broken in ["\"validTo\":12345", "\"validTo\":\"x\"", "\"targetAccounts\":\"x\"", "\"scope\":[]"] {
        let body = format!("{{\"patToken\":{{\"authorizationId\":\"a\",\"token\":\"{CANARY}\",{broken}}}}}");
        let (outcome, _) = harness.run(Op::Create, &Answer::new(200, body), &Answer::new(500, ""), now);
        let e = outcome.expect_err("a broken body is an error");
        // A success that does not decode leaves a minted token whose secret is lost (issue 10,
        // finding 7): an uncertain outcome naming the id that did decode.
        match &e {
            patkit::Error::CreateOutcomeUnknown { id, source, .. } => {
                assert_eq!(id.as_ref().map(|id| id.as_str()), Some("a"));
                assert!(matches!(**source, patkit::Error::Decode { .. }), "{source:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(!harness::shown(&e).contains(CANARY), "{}", harness::shown(&e));
    }
}

#[test]
fn a_create_search_stops_on_a_listing_that_never_ends() {
    // A failed create looks for its token page by page; a service that always answers with a
    // continuation must not keep it listing forever (the transport fails the test past
    // `MAX_REQUESTS_PER_OPERATION` requests).
    let harness = Harness::new();
    let now = Utc.with_ymd_and_hms(2020, 11, 3, 0, 0, 0).unwrap();
    let token = r#"{"authorizationId":"a","displayName":"new_token","validFrom":"2020-11-02T22:56:52Z","validTo":"2020-12-01T23:46:23Z"}"#;
    let echo = Answer::new(200, format!(r#"{{"continuationToken":"more","patTokens":[{token}]}}"#));
    let fresh =
        Answer::new(200, format!(r#"{{"continuationToken":"{}","patTokens":[{token}]}}"#, harness::REQUEST_NUMBER));
    for (endless, pages) in [(&echo, 2), (&fresh, 50)] {
        let (outcome, sent) = harness.run(Op::Create, &Answer::new(503, ""), endless, now);
        assert_eq!(sent.len(), 1 + pages, "the create, then the pages read");
        match outcome {
            // An echoed continuation ends the search at its repeat; fresh ones are read up to
            // the page bound. Either way the token the pages read showed is reported, once.
            Err(patkit::Error::CreateOutcomeUnknown { found, .. }) => assert_eq!(found.len(), 1),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn fuzz_seeds_replay() {
    // The committed seed corpus of `fuzz/` (named `{operation}-{status}-{what}`), through the
    // fuzz target's input decoding and checks; runs on stable, without cargo-fuzz.
    let harness = Harness::new();
    let now = Utc.with_ymd_and_hms(2020, 11, 3, 0, 0, 0).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/seeds") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (op, first, later) = harness::from_fuzz_bytes(&std::fs::read(&path).unwrap());
        let mut parts = name.splitn(3, '-');
        assert_eq!(parts.next(), Some(format!("{op:?}").to_lowercase().as_str()), "{name}: operation");
        assert_eq!(parts.next(), Some(first.status.to_string().as_str()), "{name}: status");
        if let Err(why) = harness.run_and_check(op, &first, &later, now) {
            panic!("{name}: {why}");
        }
        seen += 1;
    }
    assert!(seen >= 40, "only {seen} seeds in {}", dir.display());
}

#[test]
fn the_canary_counts_as_a_secret_only_where_a_token_goes() {
    // The oracle of the leak check (the fuzzer first flagged a list answer that was just the
    // canary as a JSON string, which a list error may quote like any text).
    let only = |body: String, keys| harness::canary_only_at(body.as_bytes(), keys);
    assert!(only(format!(r#"{{"patToken":{{"token":"{CANARY}"}}}}"#), false));
    assert!(only(format!("{{\"token\" :\n \"{CANARY}\", \"token\":\"{CANARY}x\"}}"), false));
    assert!(only("no canary at all".to_owned(), false));
    assert!(!only(format!(r#""{CANARY}""#), false));
    assert!(!only(format!(r#"{{"message":"{CANARY}"}}"#), false));
    assert!(!only(format!(r#"{{"message":"a \"token\":\"{CANARY}"}}"#), false));
    assert!(!only(format!(r#"{{"token":"{CANARY}","displayName":"{CANARY}"}}"#), false));
    assert!(!only(format!(r#"{{"{CANARY}":1}}"#), false));
    assert!(only(format!(r#"{{"{CANARY}" : 1}}"#), true));
    assert!(!only(format!(r#"{{"{CANARY}x": 1}}"#), true));
}
