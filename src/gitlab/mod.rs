//! GitLab (gitlab.com and self-managed, `https://HOST/api/v4`): personal, project and group
//! access tokens, with server-side rotation (fact sheet: `forges-pat-api.md` §2).

#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
