//! SAML SSO credential authorizations of a GHEC org (§4.3), for the org's owners with a classic
//! PAT (`read:org` to list, `admin:org` to remove), itself SAML-authorized for the org.

use http::StatusCode;
use serde_json::{Value, json};

use super::auth::Principal;
use super::call::{Answer, Call, parse_id};
use super::facts::{self, Refusal};
use super::paging;
use super::setup::TokenKind;
use super::state::{AuthorizationEntry, Job, State};
use super::wire::{empty, format_time, json_response};

/// The `credential_type` words of the revoke bodies (snake case, §4.3).
pub(crate) const REVOKE_TYPES: [&str; 4] = ["classic_pat", "fine_grained_pat", "ssh_key", "oauth_app_token"];

/// An authorization's type as the revoke bodies spell it.
pub(crate) fn snake_type(state: &State, a: &AuthorizationEntry) -> &'static str {
    if let Some(pat) = a.token_id.and_then(|id| state.pats().get(&id)) {
        return match pat.kind {
            TokenKind::Classic => "classic_pat",
            TokenKind::FineGrained => "fine_grained_pat",
        };
    }
    match a.credential_type.as_str() {
        "SSH key" => "ssh_key",
        "OAuth app token" => "oauth_app_token",
        "GitHub app token" => "github_app_token",
        _ => "classic_pat",
    }
}

impl Call<'_> {
    /// An owner of `org` (which has SAML), with a classic PAT that has `admin:org` (or, when
    /// `admin` is false, `read:org`, `write:org` or `admin:org`) and is SAML-authorized for it.
    fn require_owner(&self, org: &str, admin: bool) -> Result<String, Refusal> {
        let org_entry = self.state.org(org).filter(|o| o.saml).ok_or_else(facts::not_found)?;
        match self.principal {
            Principal::Anonymous => Err(facts::requires_authentication()),
            Principal::Installation { .. } => Err(facts::not_accessible_by_integration()),
            Principal::Pat { kind: TokenKind::FineGrained, .. } => Err(facts::not_accessible_by_pat()),
            Principal::Pat { token_id, owner, scopes, .. } => {
                if !org_entry.owners.contains(&owner.to_ascii_lowercase()) {
                    return Err(facts::not_found());
                }
                if !self.state.saml_authorized(&org_entry.login, *token_id) {
                    return Err(facts::saml_required(&org_entry.login, *token_id));
                }
                let has = |s: &str| scopes.iter().any(|x| x == s);
                if admin && !has("admin:org") {
                    return Err(facts::missing_scope("admin:org"));
                }
                let can_read = has("read:org") || has("write:org") || has("admin:org");
                if !admin && !can_read {
                    return Err(facts::missing_scope("admin:org, read:org, write:org"));
                }
                Ok(org_entry.login.clone())
            }
        }
    }

    fn authorization_json(&self, a: &AuthorizationEntry) -> Value {
        let mut body = json!({
            "login": a.login,
            "credential_id": a.credential_id,
            "credential_type": a.credential_type,
            "credential_authorized_at": format_time(a.authorized_at),
            "scopes": a.scopes,
            "authorized_credential_id": a.token_id,
        });
        if let Some(last) = &a.token_last_eight {
            body["token_last_eight"] = json!(last);
        }
        if let Some(note) = &a.note {
            body["authorized_credential_note"] = json!(note);
        }
        if let Some(expires) = a.expires_at {
            body["authorized_credential_expires_at"] = json!(format_time(expires));
        }
        if a.credential_type.eq_ignore_ascii_case("SSH key") {
            // An SSH key's authorization names its fingerprint and title (§4.3); the emulator
            // holds no key, so both are made up from the id.
            body["fingerprint"] = json!(format!("SHA256:emulated{:016x}", a.credential_id));
            body["authorized_credential_title"] = json!(format!("key {}", a.credential_id));
        }
        if let Some(used) = a.token_id.and_then(|id| self.state.pats().get(&id)).and_then(|p| p.last_used_at) {
            body["credential_accessed_at"] = json!(format_time(used));
        }
        body
    }

    /// `GET /orgs/{org}/credential-authorizations?login=`.
    pub(crate) fn saml_list(&mut self, org: &str) -> Answer {
        let org = self.require_owner(org, false)?;
        let login = self.request.query("login");
        let found: Vec<&AuthorizationEntry> = self
            .state
            .authorizations
            .values()
            .filter(|a| a.org == org && login.is_none_or(|l| l.eq_ignore_ascii_case(&a.login)))
            .collect();
        // Only the page is rendered.
        let (skip, take) = paging::skip_take(self.request);
        let items = found.iter().skip(skip).take(take).map(|a| self.authorization_json(a)).collect();
        Ok(paging::windowed(items, found.len(), self.request))
    }

    /// `DELETE /orgs/{org}/credential-authorizations/{credential_id}` → 204; 404 if unknown.
    pub(crate) fn saml_delete(&mut self, org: &str, id: &str) -> Answer {
        let org = self.require_owner(org, true)?;
        let id = parse_id(id).filter(|id| self.state.authorizations.get(id).is_some_and(|a| a.org == org));
        let id = id.ok_or_else(facts::not_found)?;
        self.state.authorizations.remove(&id);
        Ok(empty(StatusCode::NO_CONTENT))
    }

    /// The async revocations → 202 with the queued message; a bad `credential_type` is 422.
    pub(crate) fn saml_revoke_bulk(&mut self, org: &str, login: Option<&str>, by_type: bool) -> Answer {
        let org = self.require_owner(org, true)?;
        let kind = if by_type {
            let body = self.request.json().unwrap_or(Value::Null);
            let kind = body["credential_type"].as_str().filter(|k| REVOKE_TYPES.contains(k));
            let kind = kind.ok_or_else(|| {
                facts::validation(
                    "CredentialAuthorization",
                    "credential_type",
                    "invalid",
                    "credential_type must be one of classic_pat, fine_grained_pat, ssh_key, oauth_app_token",
                )
            })?;
            Some(kind.to_owned())
        } else {
            None
        };
        self.queue(Job::RevokeAuthorizations { org, login: login.map(str::to_owned), kind });
        Ok(json_response(
            StatusCode::ACCEPTED,
            &json!({ "message": "Credential authorization revocation has been queued" }),
        ))
    }
}
