//! Property tests of the service's date parsing on hostile input.
//!
//! Cases per property: `PROPTEST_CASES` (default 10,000).

use chrono::{DateTime, Datelike, FixedOffset, SubsecRound, TimeZone, Utc};
use proptest::prelude::*;

use super::classify_props::config;
use super::wire::{format_datetime, parse_datetime};

/// Instants in the years RFC 3339 can spell (0..=9999), to the nanosecond.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (-62_167_219_200i64..=253_402_300_799, 0u32..1_000_000_000).prop_map(|(s, n)| Utc.timestamp_opt(s, n).unwrap())
}

fn date_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[+-]?[0-9]{0,7}-[0-9]{0,3}-[0-9]{0,3}[Tt ][0-9]{0,3}:[0-9]{0,3}(:[0-9]{0,3})?(\\.[0-9]{0,40})?([Zz]|[+-][0-9]{1,3}(:?[0-9]{0,3})?)?",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_parses_or_is_refused_and_what_parses_round_trips(s in date_like()) {
        if let Some(t) = parse_datetime(&s).filter(|t| (0..=9999).contains(&t.year())) {
            prop_assert_eq!(parse_datetime(&format_datetime(t)), Some(t.trunc_subsecs(3)), "from {:?}", s);
        }
    }

    #[test]
    fn requests_dates_read_back_to_the_millisecond(t in instant()) {
        prop_assert_eq!(parse_datetime(&format_datetime(t)), Some(t.trunc_subsecs(3)));
    }

    #[test]
    fn service_dates_with_seven_digits_and_any_offset(t in instant(), offset in -86_399i32..=86_399) {
        // The service writes 100 ns precision and (Token Admin) offsets other than Z; the
        // offset is whole minutes in RFC 3339.
        let offset = FixedOffset::east_opt(offset - offset % 60).unwrap();
        let local = t.with_timezone(&offset);
        prop_assume!((0..=9999).contains(&local.year()));
        let text = format!(
            "{}.{:07}{}",
            local.format("%Y-%m-%dT%H:%M:%S"),
            local.timestamp_subsec_nanos() / 100,
            local.format("%:z")
        );
        prop_assert_eq!(parse_datetime(&text), Some(t.trunc_subsecs(7)), "{}", text);
    }

    #[test]
    fn dates_without_an_offset_are_utc(t in instant()) {
        let text = t.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string();
        prop_assert_eq!(parse_datetime(&text), Some(t.trunc_subsecs(0)), "{}", text);
    }
}
