//! Bitbucket Data Center (`https://HOST[/CONTEXT]/rest/access-tokens/1.0`): HTTP access tokens
//! minted with the account's password, whose expiry is fixed at creation (fact sheet:
//! `forges-pat-api.md` §5).

#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
