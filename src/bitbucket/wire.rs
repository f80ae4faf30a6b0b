//! Bitbucket's token JSON (§5.3) and its mapping onto the neutral model.

use chrono::{DateTime, Utc};
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

use super::expiry::ends_at;
use super::token::BitbucketToken;
use crate::error::{Error, Result};
use crate::extras::Extras;
use crate::model::{ContinuationToken, CreatedPat, Page, PatId, PatMetadata};
use crate::scope::Scopes;
use crate::secret::PatSecret;

/// An access token body. `T` is what `token` decodes to: [`IgnoredAny`] for lists and gets (a
/// secret there is dropped unread), [`SecretWire`] for the create answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenWire<T = IgnoredAny> {
    /// A numeric string; a JSON number is refused (it would lose leading zeros).
    pub(crate) id: String,
    pub(crate) created_date: i64,
    #[serde(default)]
    pub(crate) last_authenticated: Option<i64>,
    #[serde(default)]
    pub(crate) expiry_days: Option<u32>,
    #[serde(default)]
    pub(crate) expiry_date: Option<i64>,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) permissions: Vec<String>,
    #[serde(default)]
    pub(crate) user: Option<UserWire>,
    #[serde(default = "none")]
    pub(crate) token: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

/// The `user` object (only the slug is read).
#[derive(Debug, Deserialize)]
pub(crate) struct UserWire {
    #[serde(default)]
    pub(crate) slug: Option<String>,
}

/// A page of tokens (§5.6).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageWire {
    #[serde(default)]
    pub(crate) values: Vec<TokenWire>,
    pub(crate) is_last_page: bool,
    #[serde(default)]
    pub(crate) next_page_start: Option<u64>,
}

/// The `token` of a create answer, read straight into a secret.
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

/// Epoch milliseconds (§5.3: `createdDate` is epoch ms whatever the swagger says).
fn millis(field: &'static str, ms: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| Error::Decode { path: field.into(), source: "not an epoch-millisecond time".into() })
}

impl<T> TokenWire<T> {
    /// The token in patkit's terms, and the secret when the answer had one.
    pub(crate) fn into_token(self) -> Result<(BitbucketToken, Option<T>)> {
        let created = millis("createdDate", self.created_date)?;
        let valid_to = match (self.expiry_date, self.expiry_days) {
            (Some(ms), _) => Some(millis("expiryDate", ms)?),
            (None, Some(days)) => Some(ends_at(created, days)),
            (None, None) => None,
        };
        let last_authenticated = self.last_authenticated.map(|ms| millis("lastAuthenticated", ms)).transpose()?;
        let token = BitbucketToken {
            metadata: PatMetadata {
                id: PatId::new(self.id),
                display_name: self.name,
                scopes: Scopes::from_wire(&self.permissions.join(" ")),
                valid_from: created,
                valid_to,
                extras: Extras::new(),
            },
            user_slug: self.user.and_then(|u| u.slug),
            expiry_days: self.expiry_days,
            last_authenticated,
        };
        Ok((token, self.token))
    }
}

impl TokenWire<SecretWire> {
    /// A create answer: the metadata and the secret, which must be there.
    pub(crate) fn into_created(self) -> Result<CreatedPat> {
        let id = PatId::new(self.id.clone());
        let (token, secret) = self.into_token()?;
        let secret = secret.ok_or_else(|| Error::Decode {
            path: "token".into(),
            source: format!("the answer for token {id} carried no secret").into(),
        })?;
        Ok(CreatedPat { metadata: token.metadata, secret: secret.0 })
    }
}

impl PageWire {
    /// The page, its continuation `nextPageStart` (only while `isLastPage` is false; the
    /// requested limit is never trusted).
    pub(crate) fn into_page(self) -> Result<Page<BitbucketToken>> {
        let continuation = if self.is_last_page {
            None
        } else {
            let next = self.next_page_start.ok_or_else(|| Error::Decode {
                path: "nextPageStart".into(),
                source: "isLastPage is false but no nextPageStart was sent".into(),
            })?;
            Some(ContinuationToken::new(next.to_string()))
        };
        let items = self.values.into_iter().map(|w| w.into_token().map(|(t, _)| t)).collect::<Result<_>>()?;
        Ok(Page { items, continuation })
    }
}

#[cfg(test)]
pub(crate) mod examples {
    //! The fact sheet's bodies (§5.3), verbatim.

    /// Create response (BB-CHE).
    pub(crate) const CREATED: &str = r#"{
  "id": "158910532909",
  "createdDate": 1609249808751,
  "expiryDays": 90,
  "name": "che5",
  "permissions": ["PROJECT_WRITE", "REPO_WRITE"],
  "user": {
    "name": "ksmster",
    "emailAddress": "ksmster@gmail.com",
    "id": 2,
    "displayName": "ksmster",
    "active": true,
    "slug": "ksmster",
    "type": "NORMAL",
    "links": { "self": [ { "href": "https://bitbucket.example/users/ksmster" } ] }
  },
  "token": "token"
}"#;

    /// List response (BB-KB).
    pub(crate) const LIST: &str = r#"{
  "size": 2,
  "limit": 25,
  "isLastPage": true,
  "values": [
    {
      "id": "075905477751",
      "createdDate": 1610525968583,
      "name": "access token name",
      "permissions": ["REPO_ADMIN", "PROJECT_READ"],
      "user": { "name": "john.doe", "emailAddress": "test@email.com", "id": 52, "displayName": "John Doe",
                "active": true, "slug": "john.doe", "type": "NORMAL",
                "links": { "self": [ { "href": "http://localhost:7994/users/john.doe" } ] } }
    }
  ],
  "start": 0
}"#;
}

#[cfg(test)]
mod tests {
    use super::examples::*;
    use super::*;

    #[test]
    fn the_sheets_create_answer_maps_onto_the_model() {
        let wire: TokenWire<SecretWire> = serde_json::from_str(CREATED).unwrap();
        let created = wire.into_created().unwrap();
        let m = &created.metadata;
        assert_eq!(m.id.as_str(), "158910532909");
        assert_eq!(m.display_name, "che5");
        assert_eq!(m.scopes.to_string(), "PROJECT_WRITE REPO_WRITE");
        assert_eq!(m.valid_from.to_rfc3339(), "2020-12-29T13:50:08.751+00:00");
        assert_eq!(m.valid_to.unwrap().to_rfc3339(), "2021-03-29T13:50:08.751+00:00", "createdDate + 90 days");
        assert_eq!(created.secret.expose_secret(), "token");
        let listed: TokenWire = serde_json::from_str(CREATED).unwrap();
        let (token, _) = listed.into_token().unwrap();
        assert_eq!((token.user_slug.as_deref(), token.expiry_days), (Some("ksmster"), Some(90)));
    }

    #[test]
    fn the_sheets_list_keeps_the_leading_zero_and_has_no_expiry() {
        let page = serde_json::from_str::<PageWire>(LIST).unwrap().into_page().unwrap();
        assert!(page.is_last());
        let token = &page.items[0];
        assert_eq!(token.metadata.id.as_str(), "075905477751");
        assert_eq!(token.metadata.valid_to, None);
        assert_eq!(token.metadata.valid_from.timestamp_millis(), 1_610_525_968_583);
        assert_eq!(token.user_slug.as_deref(), Some("john.doe"));
        assert_eq!(token.last_authenticated, None);
    }

    #[test]
    fn paging_follows_next_page_start_and_ids_must_be_strings() {
        let more = r#"{"size":1,"limit":1,"start":0,"isLastPage":false,"nextPageStart":7,"values":[]}"#;
        let page = serde_json::from_str::<PageWire>(more).unwrap().into_page().unwrap();
        assert_eq!(page.continuation.unwrap().as_str(), "7");
        let broken = r#"{"size":1,"limit":1,"start":0,"isLastPage":false,"values":[]}"#;
        assert!(
            matches!(serde_json::from_str::<PageWire>(broken).unwrap().into_page(), Err(Error::Decode { ref path, .. }) if path == "nextPageStart")
        );
        let numeric = r#"{"id":75905477751,"createdDate":1,"name":"n"}"#;
        assert!(serde_json::from_str::<TokenWire>(numeric).is_err(), "a numeric id would lose its leading zero");
        let with_date =
            r#"{"id":"1","createdDate":0,"expiryDays":3,"expiryDate":86400000,"lastAuthenticated":1000,"name":"n"}"#;
        let (token, _) = serde_json::from_str::<TokenWire>(with_date).unwrap().into_token().unwrap();
        assert_eq!(token.metadata.valid_to.unwrap().timestamp(), 86_400, "expiryDate wins over expiryDays");
        assert_eq!(token.last_authenticated.unwrap().timestamp(), 1);
    }
}
