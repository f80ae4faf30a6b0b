//! The retry decorator's rules: what is retried, how long it waits, and when it gives up.

use chrono::{TimeZone, Utc};
use http::HeaderMap;

use super::*;

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        map.append(http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
    }
    map
}

#[test]
fn retry_after_forms() {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    let secs = |s: u64| Some(Duration::from_secs(s));
    assert_eq!(retry_after(&headers(&[("retry-after", "7")]), now), secs(7));
    assert_eq!(retry_after(&headers(&[("retry-after", " 0 ")]), now), secs(0));
    assert_eq!(retry_after(&headers(&[("retry-after", "Sun, 01 Mar 2026 12:00:30 GMT")]), now), secs(30));
    assert_eq!(retry_after(&headers(&[("retry-after", "Sunday, 01-Mar-26 12:01:00 GMT")]), now), secs(60));
    assert_eq!(retry_after(&headers(&[("retry-after", "Sun Mar  1 12:00:05 2026")]), now), secs(5));
    assert_eq!(retry_after(&headers(&[("retry-after", "Sun, 01 Mar 2026 11:00:00 GMT")]), now), secs(0));
    assert_eq!(
        retry_after(&headers(&[("retry-after", "9"), ("x-ms-retry-after-ms", "1500")]), now),
        Some(Duration::from_millis(1500))
    );
    assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
    assert_eq!(retry_after(&headers(&[("retry-after", "-3")]), now), None);
    assert_eq!(retry_after(&headers(&[]), now), None);
}

#[test]
fn backoff_ceiling_grows_and_caps() {
    let b = BackoffConfig { initial: Duration::from_millis(500), max: Duration::from_secs(3), multiplier: 2.0 };
    let waits: Vec<_> = (0..5).map(|n| b.ceiling(n).as_millis()).collect();
    assert_eq!(waits, [500, 1000, 2000, 3000, 3000]);
    assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(3));
    let nan = BackoffConfig { multiplier: f64::NAN, ..b.clone() };
    assert_eq!(nan.ceiling(1), Duration::from_secs(3));
    let flat = BackoffConfig { multiplier: 1.0, ..b };
    assert_eq!(flat.ceiling(7), Duration::from_millis(500));
}

#[test]
fn generator_is_uniform_enough_and_seedable() {
    let mut a = XorShift::from_seed(7);
    let mut b = XorShift::from_seed(7);
    let xs: Vec<f64> = (0..10_000).map(|_| a.next_unit()).collect();
    assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
    assert_eq!(b.next_unit(), xs[0]);
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    assert!((0.45..0.55).contains(&mean), "{mean}");
    assert_ne!(XorShift::from_seed(0).next_u64(), 0);
}
