//! Gitea and Forgejo (`https://HOST/api/v1`): access tokens minted with the account's password,
//! which never expire (fact sheet: `forges-pat-api.md` §3).

#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
