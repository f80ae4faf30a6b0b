//! Properties of a token's life: create, get, list, expiry, names, update, revoke, rotate.

use chrono::{DateTime, NaiveTime, TimeDelta};
use futures_util::TryStreamExt as _;

use super::{Setup, mint, name, tidy};
use crate::capabilities::ExpiryGranularity;
use crate::error::Error;
use crate::model::{ListQuery, PatChanges, PatId, PatMetadata};
use crate::provider::{PatProvider, PatProviderExt as _};

/// Every active token the provider lists (through `dyn`, with the shared capped pager).
async fn active(provider: &dyn PatProvider) -> Vec<PatMetadata> {
    let query = ListQuery { page_size: Some(100), ..ListQuery::default() };
    provider.list_all(query).try_collect().await.unwrap_or_else(|e| panic!("list_all failed: {e}"))
}

async fn listed(provider: &dyn PatProvider, id: &PatId) -> Option<PatMetadata> {
    active(provider).await.into_iter().find(|m| &m.id == id)
}

/// A created token carries the requested name and scopes, was issued no later than now, and
/// its secret authenticates ([`check_pat`](PatProvider::check_pat)).
pub async fn create_returns_a_working_secret(provider: &dyn PatProvider, setup: &Setup<'_>) {
    let caps = provider.capabilities();
    if !caps.create {
        return; // unsupported_operations_say_so checks the answer.
    }
    let display_name = name("create");
    let spec = setup.spec(&display_name);
    let created = provider.create_pat(spec.clone()).await.unwrap_or_else(|e| panic!("create_pat failed: {e}"));
    assert_eq!(created.metadata.display_name, display_name, "create_pat changed the display name");
    assert_eq!(created.metadata.scopes, spec.scopes, "create_pat changed the scopes");
    assert!(created.metadata.valid_from <= setup.now() + TimeDelta::minutes(5), "issued in the future");
    assert!(!created.secret.expose_secret().is_empty(), "create_pat returned an empty secret");
    if caps.check {
        assert!(provider.check_pat(&created.secret).await.expect("check_pat"), "a new token's secret is refused");
    }
    tidy(provider, &created).await;
}

/// [`get_pat`](PatProvider::get_pat) returns what create (or the seeder) returned.
pub async fn get_returns_what_was_minted(provider: &dyn PatProvider, setup: &Setup<'_>) {
    if !provider.capabilities().get {
        return;
    }
    let created = mint(provider, setup, "get").await;
    let got = provider.get_pat(&created.metadata.id).await.unwrap_or_else(|e| panic!("get_pat failed: {e}"));
    assert_eq!(got.id, created.metadata.id, "get_pat answered another token");
    assert_eq!(got.display_name, created.metadata.display_name);
    assert_eq!(got.scopes, created.metadata.scopes);
    assert_eq!(got.valid_to, created.metadata.valid_to);
    tidy(provider, &created).await;
}

/// A new token is in the active listing, found through `dyn PatProvider` and
/// [`list_all`](crate::PatProviderExt::list_all); its id round-trips exactly.
pub async fn list_own_shows_an_active_token(provider: &dyn PatProvider, setup: &Setup<'_>) {
    if !provider.capabilities().list_own {
        return;
    }
    let created = mint(provider, setup, "list").await;
    let found = listed(provider, &created.metadata.id).await;
    let found = found.unwrap_or_else(|| panic!("the active listing misses the new token {}", created.metadata.id));
    assert_eq!(found.id.as_str(), created.metadata.id.as_str());
    assert_eq!(found.display_name, created.metadata.display_name);
    tidy(provider, &created).await;
}

/// A requested expiry is kept as the granularity says: to the second (`DateTime`), rounded up
/// to the next 00:00 UTC (`Date`, so a token never dies early), rounded up to whole days from
/// now (`Days`: never earlier, less than a day later), or ignored for tokens that
/// never expire (`Never`: at least a century ahead). Checked through create, else through
/// rotate; a provider with neither sets no expiry and is not checked.
pub async fn expiry_follows_the_granularity(provider: &dyn PatProvider, setup: &Setup<'_>) {
    let caps = provider.capabilities();
    let now = setup.now();
    let asked =
        DateTime::from_timestamp(now.timestamp(), 0).expect("now") + TimeDelta::days(10) + TimeDelta::seconds(5025);
    let got = if caps.create {
        let mut spec = setup.spec(&name("expiry"));
        spec.valid_to = Some(asked);
        let created = provider.create_pat(spec).await.unwrap_or_else(|e| panic!("create_pat with an expiry: {e}"));
        tidy(provider, &created).await;
        created.metadata.valid_to
    } else if caps.rotate_server_side {
        let old = mint(provider, setup, "expiry").await;
        let rotated = provider.rotate_pat(&old.metadata.id, Some(asked)).await;
        let rotated = rotated.unwrap_or_else(|e| panic!("rotate_pat with an expiry: {e}"));
        tidy(provider, &rotated.created).await;
        rotated.created.metadata.valid_to
    } else {
        return;
    };
    match caps.expiry {
        ExpiryGranularity::DateTime => assert_eq!(got, Some(asked), "an expiry to the second was changed"),
        ExpiryGranularity::Date => {
            let next_midnight = asked.date_naive().and_time(NaiveTime::MIN).and_utc() + TimeDelta::days(1);
            assert_eq!(got, Some(next_midnight), "a date expiry must round up to the next 00:00 UTC");
        }
        ExpiryGranularity::Days => {
            let got = got.expect("an expiry in whole days was dropped");
            assert!(got >= asked, "an expiry in whole days must round up, never down: asked {asked}, got {got}");
            assert!(
                got < asked + TimeDelta::days(1) + TimeDelta::minutes(5),
                "an expiry in whole days moved by more than a day: asked {asked}, got {got}"
            );
        }
        ExpiryGranularity::Never => assert_eq!(got, None, "a token that never expires reports an expiry"),
    }
}

/// A display name of exactly [`name_max_len`](crate::Capabilities::name_max_len) characters is
/// accepted; one character more is [`Error::InvalidInput`] before anything is created (and
/// before anything is renamed, when the provider updates).
pub async fn display_name_limit_is_enforced(provider: &dyn PatProvider, setup: &Setup<'_>) {
    let caps = provider.capabilities();
    let Some(max) = caps.name_max_len else { return };
    let longest = |extra: usize| {
        let mut n = name("limit");
        let fill = (max + extra).saturating_sub(n.chars().count());
        n.extend(std::iter::repeat_n('x', fill));
        n.chars().take(max + extra).collect::<String>()
    };
    if caps.create {
        let too_long = longest(1);
        match provider.create_pat(setup.spec(&too_long)).await {
            Err(Error::InvalidInput { .. }) => {}
            Err(e) => panic!("a display name over the limit: expected InvalidInput, got {e}"),
            Ok(c) => {
                tidy(provider, &c).await;
                panic!("a display name of {} characters was accepted (limit {max})", max + 1)
            }
        }
        if caps.list_own {
            assert!(
                !active(provider).await.iter().any(|m| m.display_name == too_long),
                "a refused create left a token behind"
            );
        }
        let fits = provider.create_pat(setup.spec(&longest(0))).await;
        let fits = fits.unwrap_or_else(|e| panic!("a display name of exactly {max} characters was refused: {e}"));
        tidy(provider, &fits).await;
    }
    if caps.update {
        let created = mint(provider, setup, "limit").await;
        let changes = PatChanges { display_name: Some(longest(1)), ..PatChanges::default() };
        let result = provider.update_pat(&created.metadata.id, changes).await;
        assert!(matches!(result, Err(Error::InvalidInput { .. })), "a rename over the limit was not refused");
        tidy(provider, &created).await;
    }
}

/// [`update_pat`](PatProvider::update_pat) renames a token (and, with `update_expiry`, moves
/// its expiry) and answers the new metadata, which [`get_pat`](PatProvider::get_pat) then shows.
pub async fn update_changes_what_it_says(provider: &dyn PatProvider, setup: &Setup<'_>) {
    let caps = provider.capabilities();
    if !caps.update {
        return;
    }
    let created = mint(provider, setup, "update").await;
    let renamed = name("renamed");
    let mut changes = PatChanges { display_name: Some(renamed.clone()), ..PatChanges::default() };
    let later = (caps.update_expiry && caps.expiry == ExpiryGranularity::DateTime)
        .then(|| DateTime::from_timestamp(setup.now().timestamp(), 0).expect("now") + TimeDelta::days(20));
    changes.valid_to = later;
    let updated = provider.update_pat(&created.metadata.id, changes).await;
    let updated = updated.unwrap_or_else(|e| panic!("update_pat failed: {e}"));
    assert_eq!(updated.id, created.metadata.id, "update_pat answered another token");
    assert_eq!(updated.display_name, renamed, "update_pat did not rename");
    if let Some(later) = later {
        assert_eq!(updated.valid_to, Some(later), "update_pat did not move the expiry");
    }
    if caps.get {
        let got = provider.get_pat(&created.metadata.id).await.expect("get_pat after update");
        assert_eq!(got.display_name, renamed, "get_pat does not show the rename");
    }
    tidy(provider, &created).await;
}

/// After [`revoke_pat`](PatProvider::revoke_pat) the secret no longer authenticates and the
/// active listing no longer shows the token.
pub async fn revoke_stops_the_token(provider: &dyn PatProvider, setup: &Setup<'_>) {
    let caps = provider.capabilities();
    if !caps.revoke {
        return;
    }
    let created = mint(provider, setup, "revoke").await;
    provider.revoke_pat(&created.metadata.id).await.unwrap_or_else(|e| panic!("revoke_pat failed: {e}"));
    if caps.check {
        assert!(!provider.check_pat(&created.secret).await.expect("check_pat"), "a revoked token still works");
    }
    if caps.list_own {
        assert!(listed(provider, &created.metadata.id).await.is_none(), "a revoked token is listed as active");
    }
}

/// [`rotate_pat`](PatProvider::rotate_pat) answers a new id and a new secret under the same
/// name, names the old id as `previous`, and the old token is revoked at once: its secret no
/// longer works and it leaves the active listing, which shows the new one.
pub async fn rotate_replaces_and_revokes(provider: &dyn PatProvider, setup: &Setup<'_>) {
    let caps = provider.capabilities();
    if !caps.rotate_server_side {
        return;
    }
    let old = mint(provider, setup, "rotate").await;
    let rotated = provider.rotate_pat(&old.metadata.id, None).await;
    let rotated = rotated.unwrap_or_else(|e| panic!("rotate_pat failed: {e}"));
    let new = &rotated.created;
    assert_eq!(rotated.previous, old.metadata.id, "rotate_pat names another previous token");
    assert_ne!(new.metadata.id, old.metadata.id, "a server-side rotation must give a new id");
    assert!(!new.secret.same_as(&old.secret), "a rotation kept the secret");
    assert_eq!(new.metadata.display_name, old.metadata.display_name, "a rotation renamed the token");
    if caps.check {
        assert!(provider.check_pat(&new.secret).await.expect("check_pat"), "the replacement does not work");
        assert!(!provider.check_pat(&old.secret).await.expect("check_pat"), "the rotated token still works");
    }
    if caps.list_own {
        let all = active(provider).await;
        assert!(all.iter().any(|m| m.id == new.metadata.id), "the replacement is not listed");
        assert!(!all.iter().any(|m| m.id == old.metadata.id), "the rotated token is still listed as active");
    }
    tidy(provider, new).await;
}
