//! GitHub App authentication: `POST /app/installations/{installation_id}/access_tokens` with an
//! RS256 App JWT answers an installation token (`ghs_…`) that lives one hour.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use http::StatusCode;
use serde_json::{Value, json};

use super::call::{Answer, Call, parse_id};
use super::facts;
use super::jwt;
use super::state::{InstallationToken, mint, token_digest};
use super::wire::{format_time, json_response};

impl Call<'_> {
    /// The App of the request's JWT (401 when there is none, or it does not verify).
    fn app(&self, leeway: TimeDelta) -> Result<u64, super::facts::Refusal> {
        match super::auth::credential(self.request) {
            None => Err(facts::requires_authentication()),
            Some(value) if jwt::looks_like_jwt(value) => jwt::verify(value, &self.state.apps, self.now, leeway),
            Some(_) => Err(facts::jwt_undecodable()),
        }
    }

    /// `GET /orgs/{org}/installation`: the JWT's App's installation on `org` (404 when it is
    /// not installed there).
    pub(crate) fn org_installation(&mut self, org: &str, leeway: TimeDelta) -> Answer {
        let app_id = self.app(leeway)?;
        let org = self.state.org(org).ok_or_else(facts::not_found)?;
        let (id, entry) = self
            .state
            .installations
            .iter()
            .find(|(_, e)| e.app_id == app_id && e.org == org.login)
            .ok_or_else(facts::not_found)?;
        Ok(json_response(
            StatusCode::OK,
            &json!({
                "id": id,
                "app_id": app_id,
                "account": { "login": org.login, "id": org.id, "type": "Organization" },
                "target_type": "Organization",
                "target_id": org.id,
                "permissions": entry.permissions,
                "repository_selection": "all",
                "access_tokens_url": format!("{}/app/installations/{id}/access_tokens", self.request.origin),
            }),
        ))
    }

    /// The JWT must verify against the key of the App the installation belongs to (else 401,
    /// or 404 for an installation of another App or none). An optional `permissions` body
    /// narrows the token; asking for more than the installation has is 422.
    pub(crate) fn installation_token(&mut self, installation: &str, leeway: TimeDelta) -> Answer {
        let app_id = self.app(leeway)?;
        let entry = parse_id(installation)
            .and_then(|id| self.state.installations.get(&id).map(|e| (id, e)))
            .filter(|(_, e)| e.app_id == app_id);
        let (id, entry) = entry.ok_or_else(facts::not_found)?;
        let mut permissions = entry.permissions.clone();
        if let Some(Value::Object(asked)) = self.request.json().map(|b| b["permissions"].clone()) {
            let mut narrowed = BTreeMap::new();
            for (name, level) in asked {
                let level = level.as_str().unwrap_or("");
                let held = permissions.get(&name).map(String::as_str);
                let fits = matches!((held, level), (Some("write"), "read" | "write") | (Some("read"), "read"));
                if !fits {
                    return Err(facts::validation(
                        "Installation",
                        "permissions",
                        "invalid",
                        "The permissions requested are not granted to this installation.",
                    ));
                }
                narrowed.insert(name, level.to_owned());
            }
            permissions = narrowed;
        }
        let secret = mint(None);
        let lifetime = TimeDelta::from_std(facts::INSTALLATION_TOKEN_LIFETIME).unwrap_or(TimeDelta::hours(1));
        let expires_at = self.now + lifetime;
        self.state.installation_tokens.insert(
            token_digest(&secret),
            InstallationToken { installation_id: id, expires_at, permissions: permissions.clone() },
        );
        Ok(json_response(
            StatusCode::CREATED,
            &json!({
                "token": secret,
                "expires_at": format_time(expires_at),
                "permissions": permissions,
                "repository_selection": "all",
            }),
        ))
    }
}
