//! GitLab's token JSON (§2.3) and its mapping onto the neutral model.

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

use super::expiry::ExpiryDate;
use super::scopes;
use super::token::{EXTRA_ACCESS_LEVEL, EXTRA_DESCRIPTION, GitLabToken};
use crate::error::{Error, Result};
use crate::extras::Extras;
use crate::model::{CreatedPat, PatId, PatMetadata};
use crate::secret::PatSecret;

/// A PersonalAccessToken (or project/group access token) body. `T` is what `token` decodes to:
/// [`IgnoredAny`] for lists and gets (a secret there is dropped unread), [`SecretWire`] for
/// create and rotate answers.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenWire<T = IgnoredAny> {
    pub(crate) id: u64,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) revoked: bool,
    pub(crate) created_at: DateTime<Utc>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) scopes: Vec<String>,
    #[serde(default)]
    pub(crate) user_id: Option<u64>,
    #[serde(default)]
    pub(crate) last_used_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub(crate) active: Option<bool>,
    #[serde(default)]
    pub(crate) expires_at: Option<NaiveDate>,
    #[serde(default)]
    pub(crate) access_level: Option<u32>,
    #[serde(default = "none")]
    pub(crate) token: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

/// The `token` of a create or rotate answer, read straight into a secret.
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

impl<T> TokenWire<T> {
    /// The token in patkit's terms, with `active` computed at `now` when the answer lacks it.
    pub(crate) fn into_token(self, now: DateTime<Utc>) -> (GitLabToken, Option<T>) {
        let valid_to = self.expires_at.map(|d| ExpiryDate::new(d).ends_at());
        let mut extras = Extras::new();
        if let Some(description) = self.description.filter(|d| !d.is_empty()) {
            extras.insert(EXTRA_DESCRIPTION, description);
        }
        if let Some(level) = self.access_level {
            extras.insert(EXTRA_ACCESS_LEVEL, level.to_string());
        }
        let active = self.active.unwrap_or(!self.revoked && valid_to.is_none_or(|t| t > now));
        let token = GitLabToken {
            metadata: PatMetadata {
                id: PatId::new(self.id.to_string()),
                display_name: self.name,
                scopes: scopes::from_wire(&self.scopes),
                valid_from: self.created_at,
                valid_to,
                extras,
            },
            user_id: self.user_id,
            revoked: self.revoked,
            active,
            last_used_at: self.last_used_at,
        };
        (token, self.token)
    }
}

impl TokenWire<SecretWire> {
    /// A create or rotate answer: the metadata and the secret, which must be there.
    pub(crate) fn into_created(self, now: DateTime<Utc>) -> Result<CreatedPat> {
        let (token, secret) = self.into_token(now);
        let secret = secret.ok_or_else(|| Error::Decode {
            path: "token".into(),
            source: "the answer carried no token secret".into(),
        })?;
        Ok(CreatedPat { metadata: token.metadata, secret: secret.0 })
    }
}

#[cfg(test)]
pub(crate) mod examples {
    //! The fact sheet's bodies (§2.3), verbatim.

    /// PersonalAccessToken (list item; get; get self).
    pub(crate) const PAT: &str = r#"{
  "id": 4,
  "name": "Test Token",
  "revoked": false,
  "created_at": "2020-07-23T14:31:47.729Z",
  "description": "Test Token description",
  "scopes": ["api"],
  "user_id": 3,
  "last_used_at": "2021-10-06T17:58:37.550Z",
  "active": true,
  "expires_at": null
}"#;

    /// Create for user (201).
    pub(crate) const CREATED: &str = r#"{
  "id": 3,
  "name": "mytoken",
  "revoked": false,
  "created_at": "2020-10-14T11:58:53.526Z",
  "description": "Test Token description",
  "scopes": ["api"],
  "user_id": 42,
  "last_used_ips": [],
  "active": true,
  "expires_at": "2020-12-31",
  "token": "<your_new_access_token>"
}"#;

    /// Rotate (200).
    pub(crate) const ROTATED: &str = r#"{
  "id": 42,
  "name": "Rotated Token",
  "revoked": false,
  "created_at": "2023-08-01T15:00:00.000Z",
  "description": "Test Token description",
  "scopes": ["api"],
  "user_id": 1337,
  "last_used_at": null,
  "active": true,
  "expires_at": "2023-08-15",
  "token": "s3cr3t"
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
        let wire: TokenWire = serde_json::from_str(PAT).unwrap();
        let (token, _) = wire.into_token(now());
        assert_eq!(token.metadata.id.as_str(), "4");
        assert_eq!(token.metadata.display_name, "Test Token");
        assert_eq!(token.metadata.scopes.to_string(), "api");
        assert_eq!(token.metadata.valid_from.to_rfc3339(), "2020-07-23T14:31:47.729+00:00");
        assert_eq!(token.metadata.valid_to, None, "null expires_at: no expiry");
        assert_eq!(token.metadata.extras.get(EXTRA_DESCRIPTION), Some("Test Token description"));
        assert_eq!((token.user_id, token.active, token.revoked), (Some(3), true, false));
        assert_eq!(token.last_used_at.unwrap().to_rfc3339(), "2021-10-06T17:58:37.550+00:00");
    }

    #[test]
    fn expiry_is_midnight_utc_of_the_date_and_the_secret_is_read_once() {
        let wire: TokenWire<SecretWire> = serde_json::from_str(CREATED).unwrap();
        let created = wire.into_created(now()).unwrap();
        assert_eq!(created.metadata.valid_to.unwrap().to_rfc3339(), "2020-12-31T00:00:00+00:00");
        assert_eq!(created.secret.expose_secret(), "<your_new_access_token>");
        assert!(!format!("{created:?}").contains("your_new_access_token"));
        let listed: TokenWire = serde_json::from_str(CREATED).unwrap();
        assert!(!format!("{listed:?}").contains("your_new_access_token"), "a secret in a list is dropped unread");
    }

    #[test]
    fn active_is_computed_when_absent() {
        let body =
            r#"{"id":1,"name":"n","created_at":"2026-01-01T00:00:00Z","scopes":["api"],"expires_at":"2026-03-01"}"#;
        let (token, _) = serde_json::from_str::<TokenWire>(body).unwrap().into_token(now());
        assert!(!token.active, "expired at 00:00 UTC of its date");
    }
}
