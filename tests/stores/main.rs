//! The token stores: the conformance suite on every store, the file store, the OS keyring (a real
//! Secret Service) and OpenBao/Vault (a real server).
//!
//! One test binary for this layer (each binary links the whole crate); each module is the
//! former test file of the same name and keeps its own `cfg`.

#[cfg(all(feature = "vault", feature = "testing", feature = "reqwest"))]
#[path = "../lifecycle_support/vault_kv.rs"]
#[allow(dead_code)] // shared with the lifecycle tests, which use more of it
mod vault_kv;

mod blocking;
mod conformance;
mod file_store;
mod file_store_off_unix;
mod keyring;
mod vault;
mod vault_auth;
