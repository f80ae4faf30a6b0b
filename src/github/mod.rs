//! GitHub (github.com, GitHub Enterprise Cloud): governance of the personal access tokens that
//! reach an organization — fine-grained PAT grants and requests, SAML credential authorizations,
//! token checks — with GitHub App authentication (fact sheet: `forges-pat-api.md` §4).

#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
