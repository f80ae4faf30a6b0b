//! SAML single sign-on credential authorizations (GitHub Enterprise Cloud, §4.3): one file per
//! operation. An organization owner's classic PAT or OAuth token (`read:org` to list,
//! `admin:org` to revoke) calls these.

mod list;
mod revoke;
mod revoke_user;

pub use revoke_user::CredentialType;
