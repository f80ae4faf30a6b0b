//! Gitea answers errors with a message only (`{"message": …, "url": …}`); patkit names the ones a
//! caller must tell apart (fact sheet §3.4) with a code of its own.

use std::fmt;

use crate::error::ServiceCode;

/// What a Gitea / Forgejo refusal was, as [`Error::Rejected`](crate::Error::Rejected) carries it
/// in its [`ServiceCode`]. Gitea sends no codes, only messages; patkit derives these from the
/// messages of §3.4, so they are patkit's spelling (`ErrorCode::as_str`), not the service's.
/// Open: a code this version does not know parses as [`ErrorCode::Unknown`].
///
/// ```
/// use patkit::gitea::ErrorCode;
/// let code = patkit::ServiceCode::new("name_taken");
/// assert_eq!(ErrorCode::from(&code), ErrorCode::NameTaken);
/// assert_eq!(ErrorCode::AmbiguousName.as_str(), "ambiguous_name");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `name_taken`: 400 `access token name has been used already` (names are unique per user).
    NameTaken,
    /// `invalid_scope`: 400 `invalid access token scope provided: …`.
    InvalidScope,
    /// `no_scope`: 400 `access token must have a scope` (Gitea 1.22 and later).
    NoScope,
    /// `ambiguous_name`: 422 `multiple matches for token name` (a delete by name matched several
    /// tokens; delete by id instead).
    AmbiguousName,
    /// A code this version of patkit does not know, verbatim.
    Unknown(String),
}

impl ErrorCode {
    /// patkit's spelling of the code.
    pub fn as_str(&self) -> &str {
        match self {
            Self::NameTaken => "name_taken",
            Self::InvalidScope => "invalid_scope",
            Self::NoScope => "no_scope",
            Self::AmbiguousName => "ambiguous_name",
            Self::Unknown(raw) => raw,
        }
    }

    /// The code of a refusal with HTTP `status` and Gitea's `message`, when it is one of §3.4's.
    pub(crate) fn of_message(status: u16, message: &str) -> Option<Self> {
        let message = message.trim();
        match status {
            400 if message == "access token name has been used already" => Some(Self::NameTaken),
            400 if message.starts_with("invalid access token scope provided") => Some(Self::InvalidScope),
            400 if message == "access token must have a scope" => Some(Self::NoScope),
            422 if message.starts_with("multiple matches for token name") => Some(Self::AmbiguousName),
            _ => None,
        }
    }

    /// As the [`ServiceCode`] an error carries.
    pub(crate) fn code(&self) -> ServiceCode {
        match self {
            Self::Unknown(raw) => ServiceCode::new(raw.clone()),
            known => ServiceCode::new(known.as_str().to_owned()),
        }
    }
}

impl From<&ServiceCode> for ErrorCode {
    fn from(code: &ServiceCode) -> Self {
        match code.as_str() {
            "name_taken" => Self::NameTaken,
            "invalid_scope" => Self::InvalidScope,
            "no_scope" => Self::NoScope,
            "ambiguous_name" => Self::AmbiguousName,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sheets_messages_have_codes_that_round_trip() {
        let cases = [
            (400, "access token name has been used already", ErrorCode::NameTaken),
            (400, "invalid access token scope provided: invalid access token scope: repo", ErrorCode::InvalidScope),
            (400, "access token must have a scope", ErrorCode::NoScope),
            (422, "multiple matches for token name 'ci'", ErrorCode::AmbiguousName),
        ];
        for (status, message, code) in cases {
            assert_eq!(ErrorCode::of_message(status, message), Some(code.clone()), "{message}");
            assert_eq!(ErrorCode::from(&code.code()), code);
        }
        assert_eq!(ErrorCode::of_message(422, "access token name has been used already"), None);
        assert_eq!(ErrorCode::of_message(400, "[Name]: Required"), None);
        assert_eq!(ErrorCode::from(&ServiceCode::new("later")), ErrorCode::Unknown("later".into()));
    }
}
