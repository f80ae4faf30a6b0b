//! The service's JSON shapes (exact field names from the spec) and their conversion to the
//! provider-neutral model.
//!
//! Wire structs that can hold a token value do not implement `Debug`.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::PatTokenError;
use super::Targets;
use crate::error::{Error, Result};
use crate::extras::Extras;
use crate::model::{PatId, PatMetadata};
use crate::scope::Scopes;
use crate::secret::PatSecret;

/// `PatToken`. Every field is optional in the schema; the ones a token cannot lack are checked in
/// [`PatTokenWire::into_metadata`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PatTokenWire {
    pub(crate) authorization_id: Option<String>,
    #[serde(default)]
    pub(crate) display_name: Option<String>,
    /// Read from the parser's buffer (`Scopes`' own `Deserialize`): no `String` in between.
    #[serde(default)]
    pub(crate) scope: Option<Scopes>,
    /// `targetAccounts`: `null` (or missing) for a global token.
    #[serde(default, deserialize_with = "de_targets")]
    pub(crate) target_accounts: Option<Arc<str>>,
    #[serde(default)]
    pub(crate) token: Option<WireSecret>,
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub(crate) valid_from: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub(crate) valid_to: Option<DateTime<Utc>>,
}

/// A token value straight from JSON into a secret; never printed.
pub(crate) struct WireSecret(pub(crate) PatSecret);

impl<'de> Deserialize<'de> for WireSecret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| Self(PatSecret::new(s)))
    }
}

impl PatTokenWire {
    /// The metadata, or a decode error naming the missing field.
    pub(crate) fn into_metadata(self, at: &str) -> Result<(PatMetadata, Option<PatSecret>)> {
        let Self { authorization_id, display_name, scope, target_accounts, token, valid_from, valid_to } = self;
        let fields = TokenFields { authorization_id, display_name, scope, target_accounts, valid_from, valid_to };
        Ok((fields.into_metadata(at, || Arc::from(Targets::AllOrganizations.extra_value()))?, token.map(|t| t.0)))
    }
}

/// A `PatToken`'s fields but its secret: what a listing reads of each token.
#[derive(Default)]
struct TokenFields {
    authorization_id: Option<String>,
    display_name: Option<String>,
    scope: Option<Scopes>,
    /// The ids joined by `,` (the targets extra's form), or `None` for a global token.
    target_accounts: Option<Arc<str>>,
    valid_from: Option<DateTime<Utc>>,
    valid_to: Option<DateTime<Utc>>,
}

impl TokenFields {
    /// The metadata, or a decode error naming the missing field (`{at}.{field}`).
    fn into_metadata(self, at: &str, all_organizations: impl FnOnce() -> Arc<str>) -> Result<PatMetadata> {
        let missing = |field: &str| Error::Decode {
            path: format!("{at}.{field}"),
            source: format!("`{field}` is missing or null").into(),
        };
        Ok(PatMetadata {
            id: PatId::new(self.authorization_id.ok_or_else(|| missing("authorizationId"))?),
            display_name: self.display_name.unwrap_or_default(),
            scopes: self.scope.unwrap_or_default(),
            valid_from: self.valid_from.ok_or_else(|| missing("validFrom"))?,
            // Every Azure DevOps token has an expiry; a missing one is a broken answer.
            valid_to: Some(self.valid_to.ok_or_else(|| missing("validTo"))?),
            extras: Extras::one(Targets::EXTRA, self.target_accounts.unwrap_or_else(all_organizations)),
        })
    }
}

/// One token of a listing, converted as it is read: its fields go straight into the
/// [`PatMetadata`] (no `PatTokenWire` in between, whose moves cost about as much as the
/// conversion), and its `token` (null in a listing) is skipped without being read into memory.
/// Duplicate and unknown fields are handled as `PatTokenWire`'s derived `Deserialize` does:
/// a duplicate is an error, an unknown field is ignored. The token is pushed onto the page's
/// vector where it is built (moving it out through serde's layers cost more than building it);
/// what comes back is only the conversion's error, if any.
struct ListedPat<'c> {
    cache: &'c mut PageCache,
    items: &'c mut Vec<PatMetadata>,
}

/// What the tokens of one page share: a token with the same scopes or the same target
/// organizations as the token before it shares their text (most tokens of a listing do: an
/// organization's listing is mostly that organization's tokens, with a few sets of scopes), so
/// neither is parsed, joined or allocated again.
#[derive(Default)]
struct PageCache {
    /// The last `scope` text read, as the service wrote it, and its set.
    scope_wire: String,
    scopes: Option<Scopes>,
    /// The last `targetAccounts` read, joined; the buffer they are joined in.
    targets: Option<Arc<str>>,
    joining: String,
    /// The targets extra of a global token (`*`).
    all_organizations: Option<Arc<str>>,
}

/// The fields of a `PatToken`, as a listing tells them apart.
enum Field {
    AuthorizationId,
    DisplayName,
    Scope,
    TargetAccounts,
    ValidFrom,
    ValidTo,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Field;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a PatToken field name")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> std::result::Result<Field, E> {
                Ok(match name {
                    "authorizationId" => Field::AuthorizationId,
                    "displayName" => Field::DisplayName,
                    "scope" => Field::Scope,
                    "targetAccounts" => Field::TargetAccounts,
                    "validFrom" => Field::ValidFrom,
                    "validTo" => Field::ValidTo,
                    _ => Field::Other,
                })
            }
        }
        deserializer.deserialize_identifier(V)
    }
}

/// Refuses a field read a second time.
fn first<E: serde::de::Error>(seen: &mut bool, name: &'static str) -> std::result::Result<(), E> {
    if std::mem::replace(seen, true) { Err(E::duplicate_field(name)) } else { Ok(()) }
}

/// `next_value` for a field that may appear once.
fn once<'de, A: serde::de::MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    seen: &mut bool,
    name: &'static str,
) -> std::result::Result<(), A::Error> {
    first(seen, name)?;
    *slot = map.next_value()?;
    Ok(())
}

/// A date-time field (`null` allowed), read with [`OptDateTime`].
struct DateField(Option<DateTime<Utc>>);

impl<'de> Deserialize<'de> for DateField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        de_opt_datetime(deserializer).map(Self)
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for ListedPat<'_> {
    type Value = Option<Box<Error>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ListedPat<'_> {
    type Value = Option<Box<Error>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("struct PatTokenWire")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        let ListedPat { cache, items } = self;
        let mut fields = TokenFields::default();
        let mut seen = [false; 6];
        let (mut valid_from, mut valid_to) = (None, None);
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::AuthorizationId => {
                    once(&mut map, &mut fields.authorization_id, &mut seen[0], "authorizationId")?;
                }
                Field::DisplayName => once(&mut map, &mut fields.display_name, &mut seen[1], "displayName")?,
                Field::Scope => {
                    first(&mut seen[2], "scope")?;
                    fields.scope = map.next_value_seed(SharedScopes(cache))?;
                }
                Field::TargetAccounts => {
                    first(&mut seen[3], "targetAccounts")?;
                    fields.target_accounts = map.next_value_seed(SharedTargets(cache))?;
                }
                Field::ValidFrom => once(&mut map, &mut valid_from, &mut seen[4], "validFrom")?,
                Field::ValidTo => once(&mut map, &mut valid_to, &mut seen[5], "validTo")?,
                Field::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        fields.valid_from = valid_from.and_then(|DateField(t)| t);
        fields.valid_to = valid_to.and_then(|DateField(t)| t);
        let all_organizations = &mut cache.all_organizations;
        let metadata = fields.into_metadata("", || {
            all_organizations.get_or_insert_with(|| Arc::from(Targets::AllOrganizations.extra_value())).clone()
        });
        Ok(match metadata {
            Ok(metadata) => {
                items.push(metadata);
                None
            }
            Err(e) => Some(Box::new(e)),
        })
    }
}

/// `scope` (a string or null), shared with the token before when it is the same text.
struct SharedScopes<'c>(&'c mut PageCache);

impl<'de> serde::de::DeserializeSeed<'de> for SharedScopes<'_> {
    type Value = Option<Scopes>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> serde::de::Visitor<'de> for SharedScopes<'_> {
    type Value = Option<Scopes>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a space-separated scope list")
    }

    fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> std::result::Result<Self::Value, E> {
        let cache = self.0;
        if let Some(scopes) = cache.scopes.as_ref().filter(|_| cache.scope_wire == s) {
            return Ok(Some(scopes.clone()));
        }
        let scopes = Scopes::from_wire(s);
        cache.scope_wire.clear();
        cache.scope_wire.push_str(s);
        cache.scopes = Some(scopes.clone());
        Ok(Some(scopes))
    }
}

/// `targetAccounts` (a list of ids or null), joined, and shared with the token before when the
/// same.
struct SharedTargets<'c>(&'c mut PageCache);

impl<'de> serde::de::DeserializeSeed<'de> for SharedTargets<'_> {
    type Value = Option<Arc<str>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> serde::de::Visitor<'de> for SharedTargets<'_> {
    type Value = Option<Arc<str>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of organization ids")
    }

    fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
        let cache = self.0;
        cache.joining.clear();
        while let Some(Id(id)) = seq.next_element()? {
            if !cache.joining.is_empty() {
                cache.joining.push(',');
            }
            cache.joining.push_str(&id);
        }
        if let Some(same) = cache.targets.as_ref().filter(|t| ***t == *cache.joining) {
            return Ok(Some(same.clone()));
        }
        let joined: Arc<str> = Arc::from(cache.joining.as_str());
        cache.targets = Some(joined.clone());
        Ok(Some(joined))
    }
}

/// `PatTokenResult`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PatTokenResultWire {
    #[serde(default)]
    pub(crate) pat_token: Option<PatTokenWire>,
    #[serde(default)]
    pub(crate) pat_token_error: Option<PatTokenError>,
    #[serde(default)]
    pub(crate) pat_token_error_message: Option<String>,
}

/// `PagedPatTokens`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PagedPatTokensWire {
    #[serde(default)]
    pub(crate) continuation_token: Option<String>,
    #[serde(default)]
    pub(crate) pat_tokens: ListedPats,
}

/// `patTokens` (a list or null), each token converted to [`PatMetadata`] as it is read, with no
/// vector of wire structs in between. The first token that cannot be converted is the page's
/// error, [`Error::Decode`] with its path (`patTokens[1].validFrom`); the rest are still read,
/// so a well-formed answer is never reported as broken JSON.
pub(crate) struct ListedPats(pub(crate) Result<Vec<PatMetadata>>);

impl Default for ListedPats {
    fn default() -> Self {
        Self(Ok(Vec::new()))
    }
}

impl<'de> Deserialize<'de> for ListedPats {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ListedPats;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of PatToken or null")
            }
            fn visit_none<E: serde::de::Error>(self) -> std::result::Result<ListedPats, E> {
                Ok(ListedPats::default())
            }
            fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<ListedPats, E> {
                Ok(ListedPats::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<ListedPats, D::Error> {
                deserializer.deserialize_seq(self)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<ListedPats, A::Error> {
                // Sized for the service's largest page, so a page never regrows its vector.
                let mut items =
                    Vec::with_capacity(seq.size_hint().unwrap_or(super::pats::list::MAX_PAGE_SIZE as usize));
                let mut failed = None;
                let mut index = 0;
                let mut cache = PageCache::default();
                while let Some(error) = seq.next_element_seed(ListedPat { cache: &mut cache, items: &mut items })? {
                    if let (None, Some(error)) = (&failed, error) {
                        failed = Some(match *error {
                            Error::Decode { path, source } => {
                                Error::Decode { path: format!("patTokens[{index}]{path}"), source }
                            }
                            other => other,
                        });
                    }
                    index += 1;
                }
                Ok(ListedPats(failed.map_or(Ok(items), Err)))
            }
        }
        deserializer.deserialize_option(V)
    }
}

/// `PatTokenCreateRequest`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateBody<'a> {
    pub(crate) display_name: &'a str,
    pub(crate) scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) valid_to: Option<String>,
    pub(crate) all_orgs: bool,
}

/// `PatTokenUpdateRequest`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateBody<'a> {
    pub(crate) authorization_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) display_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) valid_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) all_orgs: Option<bool>,
}

/// `SessionToken`, as Token Admin lists it: a `PatToken`'s fields plus a few of its own.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionTokenWire {
    #[serde(flatten)]
    pub(crate) token: PatTokenWire,
    #[serde(default)]
    pub(crate) user_id: Option<String>,
    #[serde(default)]
    pub(crate) is_valid: Option<bool>,
    #[serde(default)]
    pub(crate) is_public: Option<bool>,
}

/// `TokenAdminPagedSessionTokens`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AdminPageWire {
    #[serde(default)]
    pub(crate) continuation_token: Option<String>,
    #[serde(default)]
    pub(crate) value: Option<Vec<SessionTokenWire>>,
}

/// `TokenAdminRevocation`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RevocationWire<'a> {
    pub(crate) authorization_id: &'a str,
}

/// `TokenAdminRevocationRule`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RevocationRuleWire {
    pub(crate) scopes: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) created_before: Option<String>,
}

/// A WrappedException error body (the fields patkit uses).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WrappedExceptionWire {
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) type_key: Option<String>,
}

/// Formats a date the way requests send it: RFC 3339, UTC, `Z`, milliseconds.
pub(crate) fn format_datetime(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses the service's dates: RFC 3339 with any offset and up to 7 (or more) fractional digits,
/// or a date without an offset (Token Admin sends `2018-07-19T00:00:00`), read as UTC.
pub(crate) fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    crate::rfc3339::parse_utc_or_naive(s)
}

/// `targetAccounts` of a token read on its own: the ids joined by `,`, the [`Extras`] form
/// [`Targets::extra_value`] writes (a listing shares them between tokens, [`SharedTargets`]).
fn de_targets<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Option<Arc<str>>, D::Error> {
    serde::de::DeserializeSeed::deserialize(SharedTargets(&mut PageCache::default()), deserializer)
}

/// One id, borrowed from the parser's buffer when it holds no escapes.
#[derive(Deserialize)]
#[serde(transparent)]
struct Id<'a>(#[serde(borrow)] std::borrow::Cow<'a, str>);

fn de_opt_datetime<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Option<DateTime<Utc>>, D::Error> {
    deserializer.deserialize_option(OptDateTime)
}

/// Reads a date-time string (or null) straight from the parser's buffer: serde's `Cow<str>`
/// would copy every date into a new `String`, two per token.
struct OptDateTime;

impl<'de> serde::de::Visitor<'de> for OptDateTime {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a date-time string or null")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> std::result::Result<Self::Value, E> {
        parse_datetime(s).map(Some).ok_or_else(|| E::custom("not a date-time"))
    }

    fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_with_seven_digits_offsets_and_none() {
        let t = parse_datetime("2020-11-02T22:56:52.1033333Z").unwrap();
        assert_eq!(t.timestamp_subsec_nanos(), 103_333_300);
        assert_eq!(parse_datetime("2018-07-19T00:00:00").unwrap(), Utc.with_ymd_and_hms(2018, 7, 19, 0, 0, 0).unwrap());
        assert_eq!(
            parse_datetime("2018-07-18T00:51:26.5557358-07:00").unwrap(),
            Utc.with_ymd_and_hms(2018, 7, 18, 7, 51, 26).unwrap() + chrono::TimeDelta::nanoseconds(555_735_800)
        );
        assert!(parse_datetime("yesterday").is_none());
        assert!(parse_datetime("2020-13-45T00:00:00Z").is_none());
    }

    #[test]
    fn target_accounts_become_the_targets_extra_and_scopes_a_set() {
        let token = |targets: &str| {
            let json = format!(
                r#"{{"authorizationId":"id","scope":"vso.work vso.code"{targets},"validFrom":"2020-01-01T00:00:00Z","validTo":"2020-02-01T00:00:00Z"}}"#
            );
            let (metadata, secret) = serde_json::from_str::<PatTokenWire>(&json).unwrap().into_metadata("").unwrap();
            assert!(secret.is_none());
            assert_eq!(metadata.scopes.to_string(), "vso.code vso.work");
            metadata.extras.get(Targets::EXTRA).map(str::to_owned)
        };
        assert_eq!(token("").as_deref(), Some("*"), "missing: a global token");
        assert_eq!(token(r#","targetAccounts":null"#).as_deref(), Some("*"));
        assert_eq!(
            token(r#","targetAccounts":["org-1","org\u002d2"]"#).as_deref(),
            Some("org-1,org-2"),
            "escapes are read"
        );
        assert_eq!(token(r#","targetAccounts":[]"#).as_deref(), Some(""));
        assert!(serde_json::from_str::<PatTokenWire>(r#"{"targetAccounts":"org-1"}"#).is_err());
    }

    #[test]
    fn a_page_shares_repeated_scopes_and_targets_and_reads_every_change() {
        let token = |id: &str, scope: &str, targets: &str| {
            format!(
                r#"{{"authorizationId":"{id}","scope":{scope},"targetAccounts":{targets},"validFrom":"2020-01-01T00:00:00Z","validTo":"2020-02-01T00:00:00Z","token":null}}"#
            )
        };
        let page = [
            token("a", r#""vso.work vso.code""#, r#"["o1"]"#),
            token("b", r#""vso.work vso.code""#, r#"["o1"]"#),
            token("c", r#""vso.build""#, r#"["o1","o2"]"#),
            token("d", r#""vso.work  vso.code""#, "null"),
            token("e", "null", r#"["o1"]"#),
            token("f", r#""vso.build""#, "[]"),
            token("g", r#""vso.build""#, "null"),
        ];
        let json = format!(r#"{{"continuationToken":null,"patTokens":[{}]}}"#, page.join(","));
        let listed = serde_json::from_str::<PagedPatTokensWire>(&json).unwrap().pat_tokens.0.unwrap();
        let seen: Vec<(&str, String, Option<&str>)> =
            listed.iter().map(|t| (t.id.as_str(), t.scopes.to_string(), t.extras.get(Targets::EXTRA))).collect();
        assert_eq!(
            seen,
            [
                ("a", "vso.code vso.work".to_owned(), Some("o1")),
                ("b", "vso.code vso.work".to_owned(), Some("o1")),
                ("c", "vso.build".to_owned(), Some("o1,o2")),
                ("d", "vso.code vso.work".to_owned(), Some("*")),
                ("e", String::new(), Some("o1")),
                ("f", "vso.build".to_owned(), Some("")),
                ("g", "vso.build".to_owned(), Some("*")),
            ]
        );
        // The listing's values equal what a token read on its own gets.
        let alone = serde_json::from_str::<PatTokenWire>(&page[1]).unwrap().into_metadata("").unwrap().0;
        assert_eq!(listed[1], alone);
        // A field given twice is refused, as the derived reader refuses it.
        let twice = r#"{"patTokens":[{"authorizationId":"a","scope":"x","scope":"y"}]}"#;
        assert!(
            serde_json::from_str::<PagedPatTokensWire>(twice)
                .err()
                .unwrap()
                .to_string()
                .contains("duplicate field `scope`")
        );
    }

    #[test]
    fn requests_send_millisecond_utc() {
        let t = Utc.with_ymd_and_hms(2020, 12, 1, 23, 46, 23).unwrap() + chrono::TimeDelta::milliseconds(319);
        assert_eq!(format_datetime(t), "2020-12-01T23:46:23.319Z");
    }
}
