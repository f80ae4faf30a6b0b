//! Token checks (§4.4): `GET /user` with the token's scopes and expiry in headers, `GET
//! /orgs/{org}` (where SAML enforcement shows), `GET /rate_limit`, and the unauthenticated
//! leaked-token revocation `POST /credentials/revoke`.

use http::StatusCode;
use serde_json::{Value, json};

use super::auth::Principal;
use super::call::{Answer, Call};
use super::facts;
use super::setup::TokenKind;
use super::wire::{empty, expiration_header, json_response, set_header};

impl Call<'_> {
    /// `GET /user`: the token's owner; `X-OAuth-Scopes` for a classic PAT, and
    /// `GitHub-Authentication-Token-Expiration` when the token expires. An installation token
    /// gets 403 (it acts for no user).
    pub(crate) fn current_user(&mut self) -> Answer {
        let (token_id, owner, kind, scopes) = match self.principal {
            Principal::Anonymous => return Err(facts::requires_authentication()),
            Principal::Installation { .. } => return Err(facts::not_accessible_by_integration()),
            Principal::Pat { token_id, owner, kind, scopes, .. } => (*token_id, owner, *kind, scopes),
        };
        let id = self.state.user_id(owner);
        let mut response = json_response(
            StatusCode::OK,
            &json!({ "login": owner, "id": id, "node_id": format!("U_emu{id}"), "type": "User", "site_admin": false }),
        );
        if kind == TokenKind::Classic {
            set_header(&mut response, "x-oauth-scopes", &scopes.join(", "));
            set_header(&mut response, "x-accepted-oauth-scopes", "");
        }
        if let Some(expires) = self.state.pats().get(&token_id).and_then(|p| p.expires_at) {
            set_header(&mut response, "github-authentication-token-expiration", &expiration_header(expires));
        }
        Ok(response)
    }

    /// `GET /orgs/{org}`: the org; a PAT without a SAML authorization for a SAML org gets 403 +
    /// `X-GitHub-SSO` (§4.12 #8) — a fine-grained PAT also passes with a grant in the org (the
    /// emulator's pick: GitHub approves those through the grant); an installation of another
    /// org 404.
    pub(crate) fn org(&mut self, org: &str) -> Answer {
        let entry = self.state.org(org).ok_or_else(facts::not_found)?;
        match self.principal {
            Principal::Pat { token_id, kind, .. }
                if entry.saml
                    && !self.state.saml_authorized(&entry.login, *token_id)
                    && !(*kind == TokenKind::FineGrained
                        && self.state.grants().values().any(|g| g.org == entry.login && g.token_id == *token_id)) =>
            {
                return Err(facts::saml_required(&entry.login, *token_id));
            }
            Principal::Installation { org: installed, .. } if !installed.eq_ignore_ascii_case(&entry.login) => {
                return Err(facts::not_found());
            }
            _ => {}
        }
        Ok(json_response(
            StatusCode::OK,
            &json!({ "login": entry.login, "id": entry.id, "node_id": format!("O_emu{}", entry.id), "type": "Organization" }),
        ))
    }

    /// `GET /orgs/{org}/members/{username}`: 204 when `username` is a member (or owner) of the
    /// org, 404 when not; callers are checked as for `GET /orgs/{org}` (GitHub answers a caller
    /// outside the org with a 302 to the public membership, which the emulator does not model).
    pub(crate) fn member(&mut self, org: &str, username: &str) -> Answer {
        self.org(org)?;
        let entry = self.state.org(org).ok_or_else(facts::not_found)?;
        let login = username.to_ascii_lowercase();
        if entry.members.contains(&login) || entry.owners.contains(&login) {
            Ok(empty(StatusCode::NO_CONTENT))
        } else {
            Err(facts::not_found())
        }
    }

    /// `POST /credentials/revoke` `{"credentials":[…]}` (1..=1000, each `ghp_`, `github_pat_`,
    /// `gho_`, `ghu_` or `ghr_`) → 202 `{}`. A known PAT among them stops working at once, and
    /// its grants, requests and SAML authorizations go with it; unknown values are accepted and
    /// ignored (GitHub says nothing about which were found). The caller was checked to be
    /// anonymous before this runs.
    pub(crate) fn credentials_revoke(&mut self) -> Answer {
        let body = self.request.json().unwrap_or(Value::Null);
        let invalid = |message: &str| facts::validation("Credential", "credentials", "invalid", message);
        let list = body["credentials"].as_array().ok_or_else(|| {
            facts::validation("Credential", "credentials", "missing_field", "credentials is required")
        })?;
        if list.is_empty() || list.len() > facts::MAX_REVOKE_CREDENTIALS {
            return Err(invalid("between 1 and 1000 credentials are allowed"));
        }
        let values: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
        if values.len() != list.len()
            || values.iter().any(|v| !facts::REVOCABLE_PREFIXES.iter().any(|p| v.starts_with(p)))
        {
            // Names no value: the body is secrets.
            return Err(invalid("each credential must be a GitHub token of a revocable kind"));
        }
        for value in values {
            if let Some(id) = self.state.pat_by_secret(value) {
                if let Some(pat) = self.state.pats_mut().get_mut(&id) {
                    pat.revoked = true;
                }
                self.state.grants_mut().retain(|_, g| g.token_id != id);
                self.state.requests_mut().retain(|_, g| g.token_id != id);
                self.state.authorizations.retain(|_, a| a.token_id != Some(id));
            }
        }
        Ok(json_response(StatusCode::ACCEPTED, &json!({})))
    }
}
