//! Input checks made before anything is sent. A refused input leaves no trace at the service.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::model::chrono_delta;
use crate::scope::Scopes;

/// Longest display name accepted. The service documents no limit; 256 characters is what patkit
/// picked so a name always fits the UI and the audit log.
pub const MAX_DISPLAY_NAME_CHARS: usize = 256;

/// The default maximum lifespan of a new PAT: one year (the service's UI limit and its default
/// `SessionTokenMaxLifetime`).
pub const DEFAULT_MAX_LIFESPAN: Duration = Duration::from_secs(365 * 24 * 60 * 60);

pub(crate) fn display_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid_input("display_name", "must not be empty"));
    }
    let chars = name.chars().count();
    if chars > MAX_DISPLAY_NAME_CHARS {
        return Err(Error::invalid_input(
            "display_name",
            format!("is {chars} characters long; at most {MAX_DISPLAY_NAME_CHARS} are allowed"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid_input("display_name", "must not contain control characters"));
    }
    Ok(())
}

pub(crate) fn scopes(scopes: &Scopes) -> Result<()> {
    super::scopes::validate(scopes)
}

/// An expiry must lie in the future and within `max_lifespan` of `now`.
pub(crate) fn expiry(valid_to: DateTime<Utc>, now: DateTime<Utc>, max_lifespan: Duration) -> Result<()> {
    if valid_to <= now {
        return Err(Error::invalid_input("valid_to", format!("{valid_to} is not in the future")));
    }
    let latest = now + chrono_delta(max_lifespan);
    if valid_to > latest {
        return Err(Error::invalid_input(
            "valid_to",
            format!(
                "{valid_to} is beyond the maximum lifespan ({} days, until {latest})",
                max_lifespan.as_secs() / 86_400
            ),
        ));
    }
    Ok(())
}

/// Longest organization name the service accepts (Azure DevOps' naming rules: at most 50
/// characters).
pub const MAX_ORGANIZATION_CHARS: usize = 50;

/// An organization name as the service allows them: ASCII letters, digits and hyphens, starting
/// and ending with a letter or digit, at most [`MAX_ORGANIZATION_CHARS`] long. Anything else
/// would not name an organization, and some of it (`.`, `..`) would even be dropped from the
/// URL, sending the request somewhere else.
pub(crate) fn organization(org: &str) -> Result<()> {
    let bytes = org.as_bytes();
    let alphanumeric = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    let ok = bytes.len() <= MAX_ORGANIZATION_CHARS
        && alphanumeric(bytes.first())
        && alphanumeric(bytes.last())
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "organization",
            "must be an Azure DevOps organization name: 1 to 50 ASCII letters, digits or hyphens, starting and \
             ending with a letter or digit",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap()
    }

    #[test]
    fn display_names() {
        assert!(display_name("ci token").is_ok());
        assert!(display_name(&"é".repeat(256)).is_ok());
        for bad in ["", "   ", "a\nb"] {
            assert!(matches!(display_name(bad), Err(Error::InvalidInput { field: "display_name", .. })), "{bad:?}");
        }
        assert!(display_name(&"x".repeat(257)).is_err());
    }

    #[test]
    fn scope_sets() {
        assert!(scopes(&Scopes::parse("vso.code").unwrap()).is_ok());
        assert!(matches!(scopes(&Scopes::default()), Err(Error::InvalidInput { field: "scopes", .. })));
        assert!(scopes(&Scopes::from_wire("vso.code NOT-A-SCOPE")).is_err());
        assert!(scopes(&Scopes::parse("read_api").unwrap()).is_err());
    }

    #[test]
    fn expiries() {
        let day = chrono::TimeDelta::days(1);
        assert!(expiry(now() + day, now(), DEFAULT_MAX_LIFESPAN).is_ok());
        assert!(expiry(now() + day * 365, now(), DEFAULT_MAX_LIFESPAN).is_ok());
        assert!(expiry(now() + day * 366, now(), DEFAULT_MAX_LIFESPAN).is_err());
        assert!(expiry(now(), now(), DEFAULT_MAX_LIFESPAN).is_err());
        assert!(expiry(now() - day, now(), DEFAULT_MAX_LIFESPAN).is_err());
        assert!(expiry(now() + day * 10, now(), Duration::from_secs(7 * 86_400)).is_err());
    }

    #[test]
    fn organizations() {
        for good in ["fabrikam", "F", "9", "my-org-2", &"a".repeat(MAX_ORGANIZATION_CHARS)] {
            assert!(organization(good).is_ok(), "{good}");
        }
        let too_long = "a".repeat(MAX_ORGANIZATION_CHARS + 1);
        for bad in
            ["", "a/b", "a b", "x?y", "%2F", ".", "..", "a.b", "-a", "a-", "a_b", "é", "a\u{0}", too_long.as_str()]
        {
            assert!(organization(bad).is_err(), "{bad}");
        }
    }
}
