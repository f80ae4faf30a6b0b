//! The service facts the emulator answers with, spelled here from the fact sheet
//! (`azure-devops-pat-api.md`) and never borrowed from the client: operation names, the
//! `patTokenError` codes, which scope strings a PAT may carry, the global-PAT retirement date.
//!
//! The client has its own spelling of each (`azure::operations`, `PatTokenError`, `azure::scopes::check`,
//! `GLOBAL_PAT_RETIREMENT`); the tests below compare the two, so a typo on either side fails a
//! test instead of being agreed with by construction.

use chrono::{DateTime, TimeZone as _, Utc};

/// The names of the operations, as fault rules and [`Emulator::requests_seen`] match them.
///
/// [`Emulator::requests_seen`]: super::Emulator::requests_seen
pub(crate) mod op {
    /// `POST …/_apis/tokens/pats`.
    pub(crate) const CREATE: &str = "create";
    /// `GET …/_apis/tokens/pats?authorizationId=…`.
    pub(crate) const GET: &str = "get";
    /// `GET …/_apis/tokens/pats` without an id.
    pub(crate) const LIST: &str = "list";
    /// `PUT …/_apis/tokens/pats`.
    pub(crate) const UPDATE: &str = "update";
    /// `DELETE …/_apis/tokens/pats`.
    pub(crate) const REVOKE: &str = "revoke";
    /// `GET …/_apis/connectionData`.
    pub(crate) const CHECK_TOKEN: &str = "check_token";
    /// `GET …/_apis/tokenadmin/personalaccesstokens/{descriptor}`.
    pub(crate) const ADMIN_LIST_PATS: &str = "admin_list_pats";
    /// `POST …/_apis/tokenadmin/revocations`.
    pub(crate) const ADMIN_REVOKE: &str = "admin_revoke";
    /// `POST …/_apis/tokenadmin/revocationrules`.
    pub(crate) const ADMIN_CREATE_REVOCATION_RULE: &str = "admin_create_revocation_rule";
    /// `GET …/_apis/graph/users`.
    pub(crate) const GRAPH_LIST_USERS: &str = "graph_list_users";
}

/// The `patTokenError` values the emulator sends (fact sheet §4.8, `SessionTokenError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    None,
    DisplayNameRequired,
    InvalidDisplayName,
    InvalidValidTo,
    InvalidScope,
    InvalidToken,
    TokenNotFound,
    InvalidAuthorizationId,
    GlobalPatPolicyViolation,
    FullScopePatPolicyViolation,
    PatLifespanPolicyViolation,
    DisablePatCreationPolicyViolation,
    GlobalPatCreationBlocked,
    ExpiredPatCannotBeExtended,
}

impl Code {
    /// Every value, for the tests.
    #[cfg(test)]
    const ALL: [Code; 14] = [
        Code::None,
        Code::DisplayNameRequired,
        Code::InvalidDisplayName,
        Code::InvalidValidTo,
        Code::InvalidScope,
        Code::InvalidToken,
        Code::TokenNotFound,
        Code::InvalidAuthorizationId,
        Code::GlobalPatPolicyViolation,
        Code::FullScopePatPolicyViolation,
        Code::PatLifespanPolicyViolation,
        Code::DisablePatCreationPolicyViolation,
        Code::GlobalPatCreationBlocked,
        Code::ExpiredPatCannotBeExtended,
    ];

    /// The value on the wire, exactly as the 7.2 spec spells it (note `globalPATCreationBlocked`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Code::None => "none",
            Code::DisplayNameRequired => "displayNameRequired",
            Code::InvalidDisplayName => "invalidDisplayName",
            Code::InvalidValidTo => "invalidValidTo",
            Code::InvalidScope => "invalidScope",
            Code::InvalidToken => "invalidToken",
            Code::TokenNotFound => "tokenNotFound",
            Code::InvalidAuthorizationId => "invalidAuthorizationId",
            Code::GlobalPatPolicyViolation => "globalPatPolicyViolation",
            Code::FullScopePatPolicyViolation => "fullScopePatPolicyViolation",
            Code::PatLifespanPolicyViolation => "patLifespanPolicyViolation",
            Code::DisablePatCreationPolicyViolation => "disablePatCreationPolicyViolation",
            Code::GlobalPatCreationBlocked => "globalPATCreationBlocked",
            Code::ExpiredPatCannotBeExtended => "expiredPatCannotBeExtended",
        }
    }
}

/// The full-access scope (fact sheet §8).
pub(crate) const FULL_ACCESS_SCOPE: &str = "app_token";

/// Permissions on the Azure DevOps Entra resource that a PAT can never carry (fact sheet §8).
const ENTRA_ONLY_SCOPES: [&str; 3] = ["user_impersonation", "vso.pats", "vso.pats_manage"];

/// Whether a PAT may be created with this one scope string: `app_token`, or a `vso.` name of
/// lower-case letters, digits, `_` and inner dots (the §8 table's shape, so scopes newer than
/// the table still pass), but never an Entra-only permission.
pub(crate) fn is_pat_scope(scope: &str) -> bool {
    if scope == FULL_ACCESS_SCOPE {
        return true;
    }
    if ENTRA_ONLY_SCOPES.contains(&scope) {
        return false;
    }
    let Some(name) = scope.strip_prefix("vso.") else {
        return false;
    };
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && !name.ends_with('.')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
}

/// When the service stops accepting global PATs: 2026-12-01T00:00:00Z (fact sheet §9,
/// BLOG-GPAT).
pub(crate) fn global_pat_retirement() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::PatTokenError;

    #[test]
    fn every_code_the_emulator_sends_is_one_the_client_knows_by_the_same_name() {
        for code in Code::ALL {
            let parsed = PatTokenError::parse(code.as_str());
            assert!(!matches!(parsed, PatTokenError::Unknown(_)), "the client does not know {:?}", code.as_str());
            assert_eq!(parsed.as_str(), code.as_str());
        }
    }

    #[test]
    fn operation_names_agree_with_the_client_tags() {
        use crate::azure::operations as client;
        let pairs = [
            (op::CREATE, client::CREATE),
            (op::GET, client::GET),
            (op::LIST, client::LIST),
            (op::UPDATE, client::UPDATE),
            (op::REVOKE, client::REVOKE),
            (op::CHECK_TOKEN, client::CHECK_TOKEN),
            (op::ADMIN_LIST_PATS, client::ADMIN_LIST_PATS),
            (op::ADMIN_REVOKE, client::ADMIN_REVOKE),
            (op::ADMIN_CREATE_REVOCATION_RULE, client::ADMIN_CREATE_REVOCATION_RULE),
            (op::GRAPH_LIST_USERS, client::GRAPH_LIST_USERS),
        ];
        assert_eq!(pairs.len(), client::ALL.len(), "every client operation has an emulator route");
        for (ours, theirs) in pairs {
            assert_eq!(ours, theirs.name());
        }
    }

    #[test]
    fn scope_rules_agree_with_the_client_on_the_fact_sheet_cases() {
        let cases = [
            ("app_token", true),
            ("vso.code", true),
            ("vso.code_write", true),
            ("vso.release_execute", true),
            ("vso.some.future_scope2", true),
            ("vso.pats", false),
            ("vso.pats_manage", false),
            ("user_impersonation", false),
            ("vso.", false),
            ("vso..code", false),
            ("vso.code.", false),
            ("vso.Code", false),
            ("vso.code-write", false),
            ("code", false),
            ("all_access_token", false),
            ("", false),
        ];
        for (scope, ok) in cases {
            assert_eq!(is_pat_scope(scope), ok, "emulator on {scope:?}");
            let client = crate::scope::Scope::new(scope.to_owned()).and_then(|s| crate::azure::scopes::check(&s));
            assert_eq!(client.is_ok(), ok, "client on {scope:?}");
        }
    }

    #[test]
    fn the_retirement_date_agrees_with_the_client() {
        assert_eq!(global_pat_retirement().to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert_eq!(global_pat_retirement(), crate::azure::GLOBAL_PAT_RETIREMENT);
    }
}
