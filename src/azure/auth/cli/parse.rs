//! Parsing the JSON that `az account get-access-token --output json` prints.
//!
//! The output holds the token, so nothing here ever quotes it: errors name the field that was
//! missing or malformed, never a value (serde_json's own messages can quote values, so they are
//! not passed on either).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::secret::BearerToken;

/// A token and when it expires.
#[derive(Debug)]
pub(crate) struct AzToken {
    pub(crate) token: BearerToken,
    pub(crate) expires_at: DateTime<Utc>,
}

/// What was wrong with the output. Names fields only, never values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParseError {
    NotJson,
    NotAnObject,
    MissingToken,
    MissingExpiry,
    BadExpiry(&'static str),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotJson => f.write_str("the output is not JSON"),
            Self::NotAnObject => f.write_str("the output is not a JSON object"),
            Self::MissingToken => f.write_str("`accessToken` is missing, empty or not a string"),
            Self::MissingExpiry => f.write_str("neither `expires_on` nor `expiresOn` is present"),
            Self::BadExpiry(field) => write!(f, "`{field}` is not a valid time"),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses az's output. `expires_on` (unix seconds, az ≥ 2.54) is preferred; otherwise
/// `expiresOn` (local time without an offset, e.g. `2026-11-27 19:40:00.000000`) is converted
/// to UTC with `local_to_utc`.
pub(crate) fn parse_output(
    stdout: &[u8],
    local_to_utc: impl Fn(NaiveDateTime) -> Option<DateTime<Utc>>,
) -> Result<AzToken, ParseError> {
    let mut value: Value = serde_json::from_slice(stdout).map_err(|_| ParseError::NotJson)?;
    let object = value.as_object_mut().ok_or(ParseError::NotAnObject)?;
    // The token is moved out of the document, so the rest of it is dropped without it, and the
    // parsed string is wiped once the trimmed copy is in a `BearerToken`.
    let token = match object.remove("accessToken") {
        Some(Value::String(s)) => {
            let s = Zeroizing::new(s);
            match s.trim() {
                "" => return Err(ParseError::MissingToken),
                trimmed => BearerToken::new(trimmed.to_owned()),
            }
        }
        _ => return Err(ParseError::MissingToken),
    };
    let expires_at = match (object.get("expires_on"), object.get("expiresOn")) {
        (Some(unix), _) if !unix.is_null() => parse_unix(unix).ok_or(ParseError::BadExpiry("expires_on"))?,
        (_, Some(Value::String(local))) => {
            parse_local(local, &local_to_utc).ok_or(ParseError::BadExpiry("expiresOn"))?
        }
        (_, Some(v)) if !v.is_null() => return Err(ParseError::BadExpiry("expiresOn")),
        _ => return Err(ParseError::MissingExpiry),
    };
    Ok(AzToken { token, expires_at })
}

/// `expiresOn` as az prints it when patkit runs it: az prints the local time of its own process,
/// and patkit runs az with `TZ=UTC0` (see `AzureCliCredential`), so that local time is UTC. This
/// spares patkit reading the machine's time zone database (chrono's `clock` feature and its
/// `iana-time-zone` crate) for a field only az releases before 2.54 (November 2023) need:
/// later ones print `expires_on`, which is preferred.
pub(crate) fn az_local_is_utc(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    Some(naive.and_utc())
}

fn parse_unix(value: &Value) -> Option<DateTime<Utc>> {
    let seconds = match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))?,
        Value::String(s) => s.trim().parse::<i64>().ok()?,
        _ => return None,
    };
    DateTime::from_timestamp(seconds, 0)
}

fn parse_local(text: &str, local_to_utc: impl Fn(NaiveDateTime) -> Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let naive = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())?;
    local_to_utc(naive)
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, TimeZone as _};

    use super::*;

    const CANARY: &str = "eyJ0eXAiOiJKV1Qi.CANARY-az-parse.sig";

    fn utc_plus_two(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
        FixedOffset::east_opt(2 * 3600).unwrap().from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc))
    }

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn prefers_unix_expires_on() {
        let out = format!(
            r#"{{"accessToken":"{CANARY}","expiresOn":"2026-11-27 19:40:00.000000","expires_on":1795808400,
               "subscription":"s","tenant":"t","tokenType":"Bearer"}}"#
        );
        let parsed = parse_output(out.as_bytes(), utc_plus_two).unwrap();
        assert_eq!(parsed.token.expose_secret(), CANARY);
        assert_eq!(parsed.expires_at, DateTime::from_timestamp(1_795_808_400, 0).unwrap());
    }

    #[test]
    fn falls_back_to_local_expires_on() {
        for (text, expected) in [
            ("2026-11-27 19:40:00.000000", "2026-11-27T17:40:00Z"),
            ("2026-11-27 19:40:00", "2026-11-27T17:40:00Z"),
            ("2026-11-27 19:40:00.123456", "2026-11-27T17:40:00.123456Z"),
        ] {
            let out = format!(r#"{{"accessToken":"t","expiresOn":"{text}"}}"#);
            assert_eq!(parse_output(out.as_bytes(), utc_plus_two).unwrap().expires_at, at(expected), "{text}");
        }
        let out = r#"{"accessToken":"t","expiresOn":"2026-11-27 19:40:00.000000","expires_on":null}"#;
        assert_eq!(parse_output(out.as_bytes(), utc_plus_two).unwrap().expires_at, at("2026-11-27T17:40:00Z"));
    }

    #[test]
    fn unix_seconds_as_string_parse() {
        let out = r#"{"accessToken":"t","expires_on":"1795808400"}"#;
        assert_eq!(parse_output(out.as_bytes(), utc_plus_two).unwrap().expires_at.timestamp(), 1_795_808_400);
    }

    #[test]
    fn errors_name_fields_never_values() {
        let cases: [(&str, ParseError); 7] = [
            ("garbage {", ParseError::NotJson),
            ("[1,2]", ParseError::NotAnObject),
            (r#"{"expires_on":1}"#, ParseError::MissingToken),
            (r#"{"accessToken":"","expires_on":1}"#, ParseError::MissingToken),
            (r#"{"accessToken":"CANARY"}"#, ParseError::MissingExpiry),
            (r#"{"accessToken":"CANARY","expiresOn":"CANARY"}"#, ParseError::BadExpiry("expiresOn")),
            (r#"{"accessToken":"CANARY","expires_on":"CANARY"}"#, ParseError::BadExpiry("expires_on")),
        ];
        for (out, expected) in cases {
            let err = parse_output(out.replace("CANARY", CANARY).as_bytes(), utc_plus_two).unwrap_err();
            assert_eq!(err, expected, "{out}");
            assert!(!format!("{err} {err:?}").contains("CANARY"));
        }
    }

    #[test]
    fn az_local_time_is_read_as_utc() {
        let out = r#"{"accessToken":"t","expiresOn":"2026-07-15 12:00:00.000000"}"#;
        assert_eq!(parse_output(out.as_bytes(), az_local_is_utc).unwrap().expires_at, at("2026-07-15T12:00:00Z"));
    }
}
