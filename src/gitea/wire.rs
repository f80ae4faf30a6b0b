//! Gitea's token JSON (`AccessToken`, §3.3) and its mapping onto the neutral model.

use chrono::{DateTime, Utc};
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

use super::scopes;
use super::token::GiteaToken;
use crate::error::{Error, Result};
use crate::extras::Extras;
use crate::model::{CreatedPat, PatId, PatMetadata};
use crate::scope::Scopes;
use crate::secret::PatSecret;

/// An `AccessToken` body. `T` is what `sha1` decodes to: [`IgnoredAny`] for a listing (where it
/// is `""`; whatever is there is dropped unread), [`SecretWire`] for a create answer.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenWire<T = IgnoredAny> {
    pub(crate) id: i64,
    pub(crate) name: String,
    #[serde(default = "none")]
    pub(crate) sha1: Option<T>,
    #[serde(default)]
    pub(crate) token_last_eight: Option<String>,
    #[serde(default)]
    pub(crate) scopes: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub(crate) last_used_at: Option<DateTime<Utc>>,
}

fn none<T>() -> Option<T> {
    None
}

/// The `sha1` of a create answer (the 40-hex secret itself, despite the name), read straight
/// into a secret. Its format is not enforced beyond "not empty": a token Gitea minted is never
/// thrown away because a later version spells its secrets differently.
pub(crate) struct SecretWire(pub(crate) PatSecret);

impl std::fmt::Debug for SecretWire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> Deserialize<'de> for SecretWire {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| Self(PatSecret::new(s)))
    }
}

/// A time Go's zero value (`0001-01-01T00:00:00Z`) or anything not after the epoch stands for
/// "not known".
fn real(t: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    t.filter(|t| t.timestamp() > 0)
}

impl<T> TokenWire<T> {
    /// The token in patkit's terms; `valid_from` is `created_at`, else `fallback`.
    fn into_token(self, fallback: DateTime<Utc>, asked: Option<&Scopes>) -> (GiteaToken, Option<T>) {
        let created_at = real(self.created_at);
        let scopes = match (self.scopes, asked) {
            (Some(words), _) if !words.is_empty() => scopes::from_wire(&words),
            (_, Some(asked)) => asked.clone(),
            (words, None) => scopes::from_wire(&words.unwrap_or_default()),
        };
        let token = GiteaToken {
            metadata: PatMetadata {
                id: PatId::new(self.id.to_string()),
                display_name: self.name,
                scopes,
                valid_from: created_at.unwrap_or(fallback),
                valid_to: None,
                extras: Extras::new(),
            },
            token_last_eight: self.token_last_eight.filter(|s| !s.is_empty()),
            created_at,
            last_used_at: real(self.last_used_at),
        };
        (token, self.sha1)
    }
}

impl TokenWire {
    /// A listed token (an unknown `created_at` counts as the epoch: see [`GiteaToken`]).
    pub(crate) fn into_listed(self) -> GiteaToken {
        self.into_token(DateTime::UNIX_EPOCH, None).0
    }
}

impl TokenWire<SecretWire> {
    /// A create answer: the metadata and the secret, which must be there and not empty. Gitea's
    /// create answer may omit `scopes` (and carry a zero `created_at`): the asked scopes and
    /// `now` stand in.
    pub(crate) fn into_created(self, asked: &Scopes, now: DateTime<Utc>) -> Result<CreatedPat> {
        let (token, secret) = self.into_token(now, Some(asked));
        let secret = secret.filter(|s| !s.0.expose_secret().is_empty()).ok_or_else(|| Error::Decode {
            path: "sha1".into(),
            source: "the create answer carried no token secret".into(),
        })?;
        Ok(CreatedPat { metadata: token.metadata, secret: secret.0 })
    }
}

#[cfg(test)]
pub(crate) mod examples {
    //! The fact sheet's bodies (§3.3).

    /// `AccessToken`, create answer (201).
    pub(crate) const CREATED: &str = r#"{
  "id": 7,
  "name": "ci-bot",
  "sha1": "9fcb1158165773dd010fca5f0cf7174316c3e37d",
  "token_last_eight": "16c3e37d",
  "scopes": ["write:repository", "read:user"]
}"#;

    /// The same token in a listing: `sha1` is empty.
    pub(crate) const LISTED: &str = r#"{
  "id": 7,
  "name": "ci-bot",
  "sha1": "",
  "token_last_eight": "16c3e37d",
  "scopes": ["write:repository", "read:user"]
}"#;
}

#[cfg(test)]
mod tests {
    use super::examples::*;
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_sheets_token_maps_onto_the_model() {
        let token = serde_json::from_str::<TokenWire>(LISTED).unwrap().into_listed();
        assert_eq!(token.metadata.id.as_str(), "7");
        assert_eq!(token.metadata.display_name, "ci-bot");
        assert_eq!(token.metadata.scopes.to_string(), "read:user write:repository");
        assert_eq!(token.metadata.valid_to, None, "Gitea tokens never expire");
        assert_eq!(token.metadata.valid_from, DateTime::UNIX_EPOCH, "no created_at: an unknown age counts as old");
        assert_eq!(token.token_last_eight.as_deref(), Some("16c3e37d"));
        assert!(token.metadata.extras.is_empty());
    }

    #[test]
    fn the_secret_is_sha1_in_the_create_answer_only() {
        let asked = Scopes::parse("write:repository read:user").unwrap();
        let created =
            serde_json::from_str::<TokenWire<SecretWire>>(CREATED).unwrap().into_created(&asked, now()).unwrap();
        assert_eq!(created.secret.expose_secret(), "9fcb1158165773dd010fca5f0cf7174316c3e37d");
        assert_eq!(created.metadata.valid_from, now(), "no created_at: the clock stands in");
        assert!(!format!("{created:?}").contains("9fcb1158"));
        let listed: TokenWire = serde_json::from_str(CREATED).unwrap();
        assert!(!format!("{listed:?}").contains("9fcb1158"), "a secret in a listing is dropped unread");
        let empty = serde_json::from_str::<TokenWire<SecretWire>>(LISTED).unwrap().into_created(&asked, now());
        assert!(matches!(empty, Err(Error::Decode { ref path, .. }) if path == "sha1"));
        let missing = r#"{"id":8,"name":"n"}"#;
        let missing = serde_json::from_str::<TokenWire<SecretWire>>(missing).unwrap().into_created(&asked, now());
        assert!(matches!(missing, Err(Error::Decode { .. })));
    }

    #[test]
    fn a_create_answer_without_scopes_keeps_the_asked_ones_and_times_parse_with_offsets() {
        let asked = Scopes::parse("read:repository").unwrap();
        let body = r#"{"id":9,"name":"n","sha1":"0123456789abcdef0123456789abcdef01234567","token_last_eight":"01234567",
                       "created_at":"0001-01-01T00:00:00Z"}"#;
        let created = serde_json::from_str::<TokenWire<SecretWire>>(body).unwrap().into_created(&asked, now()).unwrap();
        assert_eq!(created.metadata.scopes, asked);
        assert_eq!(created.metadata.valid_from, now(), "Go's zero time is no creation time");
        let listed = r#"{"id":9,"name":"n","sha1":"","scopes":["all"],"created_at":"2026-02-01T10:00:00+02:00",
                         "last_used_at":"2026-02-02T00:00:00Z"}"#;
        let token = serde_json::from_str::<TokenWire>(listed).unwrap().into_listed();
        assert_eq!(token.metadata.valid_from.to_rfc3339(), "2026-02-01T08:00:00+00:00");
        assert_eq!(token.created_at, Some(token.metadata.valid_from));
        assert_eq!(token.last_used_at.unwrap().to_rfc3339(), "2026-02-02T00:00:00+00:00");
        assert_eq!(token.token_last_eight, None);
    }
}
