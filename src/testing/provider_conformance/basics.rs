//! Properties that need no token of their own: capabilities, unsupported operations, unknown
//! ids and secrets, redaction.

use chrono::TimeDelta;

use super::{Setup, mint, tidy};
use crate::capabilities::{Capabilities, ExpiryGranularity};
use crate::error::Error;
use crate::model::{ListQuery, PatChanges, PatId};
use crate::provider::PatProvider;
use crate::secret::PatSecret;

/// A secret no provider issued.
fn made_up_secret() -> PatSecret {
    PatSecret::new(format!("conformance{}", crate::random::hex(16)))
}

/// An id no provider issued (a UUID: Azure DevOps ids are GUIDs; other providers must answer
/// any unknown id with not found).
fn unknown_id() -> PatId {
    PatId::new(crate::random::uuid_v4())
}

fn assert_unsupported<T>(provider: &dyn PatProvider, operation: &str, result: crate::Result<T>) {
    match result {
        Err(Error::Unsupported { provider: name, operation: said }) => {
            assert_eq!(name, provider.provider_name(), "{operation}: Unsupported names another provider");
            assert!(said.starts_with(operation), "{operation}: Unsupported names the operation `{said}`");
        }
        Err(e) => panic!("{operation}: the capabilities say it is not offered, but it answered: {e}"),
        Ok(_) => panic!("{operation}: the capabilities say it is not offered, but it succeeded"),
    }
}

/// The capabilities hang together: a provider name, an expiry change only with update, no
/// expiry change for tokens that never expire, a display-name limit of at least one character,
/// the same answer twice, and a `Debug` that names exactly the flags set.
pub async fn capabilities_are_coherent(provider: &dyn PatProvider) {
    let caps = provider.capabilities();
    assert!(!provider.provider_name().is_empty(), "provider_name is empty");
    assert_eq!(caps, provider.capabilities(), "capabilities changed between two calls");
    assert!(!caps.update_expiry || caps.update, "update_expiry without update: {caps:?}");
    assert!(
        !(caps.update_expiry && caps.expiry == ExpiryGranularity::Never),
        "update_expiry for tokens that never expire: {caps:?}"
    );
    assert_ne!(caps.name_max_len, Some(0), "a display-name limit of 0 allows no token");
    let debug = format!("{caps:?}");
    for (flag, set) in caps.flags() {
        let shown = debug.split(|c: char| !c.is_alphanumeric() && c != '_').any(|word| word == flag);
        assert_eq!(set, shown, "Debug `{debug}` and the flag `{flag}` disagree");
    }
    assert_ne!(Capabilities::NONE, caps, "a provider that can do nothing");
}

/// Every operation whose capability is off answers [`Error::Unsupported`] naming the provider
/// and the operation (nothing is skipped: this is what "not offered" must look like).
pub async fn unsupported_operations_say_so(provider: &dyn PatProvider, setup: &Setup<'_>) {
    let caps = provider.capabilities();
    let id = unknown_id();
    if !caps.create {
        assert_unsupported(provider, "create_pat", provider.create_pat(setup.spec(&super::name("unsupported"))).await);
    }
    if !caps.get {
        assert_unsupported(provider, "get_pat", provider.get_pat(&id).await);
    }
    if !caps.list_own {
        assert_unsupported(provider, "list_pats", provider.list_pats(&ListQuery::default(), None).await);
    }
    if !caps.update {
        let changes = PatChanges { display_name: Some(super::name("unsupported")), ..PatChanges::default() };
        assert_unsupported(provider, "update_pat", provider.update_pat(&id, changes).await);
    }
    if caps.update && !caps.update_expiry {
        let changes = PatChanges { valid_to: Some(setup.now() + TimeDelta::days(7)), ..PatChanges::default() };
        assert_unsupported(provider, "update_pat", provider.update_pat(&id, changes).await);
    }
    if !caps.revoke {
        assert_unsupported(provider, "revoke_pat", provider.revoke_pat(&id).await);
    }
    if !caps.rotate_server_side {
        assert_unsupported(provider, "rotate_pat", provider.rotate_pat(&id, None).await);
    }
    if !caps.check {
        assert_unsupported(provider, "check_pat", provider.check_pat(&made_up_secret()).await);
    }
}

/// [`get_pat`](PatProvider::get_pat) of an id the provider never issued is
/// [`Error::NotFound`].
pub async fn get_of_an_unknown_id_is_not_found(provider: &dyn PatProvider) {
    if !provider.capabilities().get {
        return; // unsupported_operations_say_so checks the answer.
    }
    match provider.get_pat(&unknown_id()).await {
        Err(Error::NotFound { .. }) => {}
        Err(e) => panic!("get_pat of an unknown id: expected NotFound, got {e}"),
        Ok(m) => panic!("get_pat of an unknown id found {}", m.id),
    }
}

/// [`update_pat`](PatProvider::update_pat) of an id the provider never issued is
/// [`Error::NotFound`], and creates nothing.
pub async fn update_of_an_unknown_id_is_not_found(provider: &dyn PatProvider) {
    if !provider.capabilities().update {
        return; // unsupported_operations_say_so checks the answer.
    }
    let changes = PatChanges { display_name: Some(super::name("unknown")), ..PatChanges::default() };
    match provider.update_pat(&unknown_id(), changes).await {
        Err(Error::NotFound { .. }) => {}
        Err(e) => panic!("update_pat of an unknown id: expected NotFound, got {e}"),
        Ok(m) => panic!("update_pat of an unknown id changed {}", m.id),
    }
}

/// [`check_pat`](PatProvider::check_pat) of a secret the provider never issued is `Ok(false)`.
pub async fn check_refuses_an_unknown_secret(provider: &dyn PatProvider) {
    if !provider.capabilities().check {
        return; // unsupported_operations_say_so checks the answer.
    }
    match provider.check_pat(&made_up_secret()).await {
        Ok(false) => {}
        Ok(true) => panic!("check_pat accepted a secret nobody issued"),
        Err(e) => panic!("check_pat of an unknown secret: expected Ok(false), got {e}"),
    }
}

/// Neither the provider's `Debug` nor a new token's `Debug` shows the token's secret.
pub async fn secrets_never_appear_in_debug(provider: &dyn PatProvider, setup: &Setup<'_>) {
    let created = mint(provider, setup, "debug").await;
    let secret = created.secret.expose_secret().to_owned();
    assert!(!format!("{created:?}").contains(&secret), "a created token's Debug shows its secret");
    assert!(!format!("{provider:?}").contains(&secret), "the provider's Debug shows a secret");
    tidy(provider, &created).await;
}
