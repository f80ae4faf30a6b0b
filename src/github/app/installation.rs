//! The installation access token (`ghs_…`) an app's JWT is exchanged for
//! (`POST /app/installations/{id}/access_tokens`), and its cache.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use http::Method;
use serde::Deserialize;

use super::GitHubApp;
use crate::auth::AccessCredential;
use crate::error::Result;
use crate::github::GitHubClient;
use crate::github::operations as op;
use crate::secret::BearerToken;

/// How long before its `expires_at` a cached installation token is replaced (GitHub's tokens
/// live one hour).
pub(crate) const REFRESH_MARGIN: Duration = Duration::minutes(5);

/// An installation access token: what a GitHub App acts with on one installation (one
/// organization). `Debug` never shows the token.
#[derive(Clone)]
pub struct InstallationToken {
    token: BearerToken,
    expires_at: DateTime<Utc>,
    permissions: BTreeMap<String, String>,
}

impl fmt::Debug for InstallationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstallationToken")
            .field("token", &self.token)
            .field("expires_at", &self.expires_at)
            .field("permissions", &self.permissions)
            .finish()
    }
}

impl InstallationToken {
    /// The token (`ghs_…`), sent as `Authorization: Bearer`.
    pub fn token(&self) -> &BearerToken {
        &self.token
    }

    /// When GitHub stops accepting it (an hour after it was issued).
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// The permissions GitHub granted it (`"personal_access_tokens": "write"`, …).
    pub fn permissions(&self) -> &BTreeMap<String, String> {
        &self.permissions
    }

    /// Whether it is still worth sending at `now` (more than five minutes left).
    pub(crate) fn fresh_at(&self, now: DateTime<Utc>) -> bool {
        now + REFRESH_MARGIN < self.expires_at
    }
}

/// The cached installation token of one credential: one refresh at a time, every concurrent
/// caller waiting for it and then using its result.
#[derive(Default)]
pub(crate) struct Cache(tokio::sync::Mutex<Option<InstallationToken>>);

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.0.try_lock() {
            Ok(cached) => match cached.as_ref() {
                Some(token) => format!("cached until {}", token.expires_at),
                None => "empty".to_owned(),
            },
            Err(_) => "refreshing".to_owned(),
        };
        f.debug_tuple("Cache").field(&state).finish()
    }
}

impl Cache {
    /// The cached token if fresh at the client's now, else a new one from GitHub (the lock is
    /// held across the exchange, so concurrent callers share one refresh).
    pub(crate) async fn get(
        &self,
        client: &GitHubClient,
        app: &GitHubApp,
        installation_id: u64,
    ) -> Result<InstallationToken> {
        let mut cached = self.0.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| t.fresh_at(client.now())) {
            return Ok(token.clone());
        }
        let token = exchange(client, app, installation_id).await?;
        *cached = Some(token.clone());
        Ok(token)
    }

    /// Forgets the cached token (GitHub refused it: revoked, or the clock was wrong).
    pub(crate) async fn forget(&self) {
        *self.0.lock().await = None;
    }
}

#[derive(Deserialize)]
struct Wire {
    token: String,
    expires_at: DateTime<Utc>,
    #[serde(default)]
    permissions: BTreeMap<String, String>,
}

/// The field names of the answer (the only keys a decode error may show).
const FIELDS: &[&str] = &["token", "expires_at", "permissions", "repository_selection", "repositories"];

/// Exchanges a fresh JWT of `app` for a token of installation `installation_id`.
pub(crate) async fn exchange(
    client: &GitHubClient,
    app: &GitHubApp,
    installation_id: u64,
) -> Result<InstallationToken> {
    let jwt = app.jwt(client.now())?;
    let id = installation_id.to_string();
    let url = client.api_url(&["app", "installations", &id, "access_tokens"]);
    let request =
        client.build(Method::POST, url, op::CREATE_INSTALLATION_TOKEN, Some(&AccessCredential::Bearer(jwt)), None)?;
    client
        .exchange(request, None, |response, _| {
            let wire: Wire = crate::client::decode::json(response.body(), op::CREATE_INSTALLATION_TOKEN, FIELDS)?;
            Ok(InstallationToken {
                token: BearerToken::new(wire.token),
                expires_at: wire.expires_at,
                permissions: wire.permissions,
            })
        })
        .await
}
