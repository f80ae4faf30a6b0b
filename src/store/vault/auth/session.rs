//! The session: one working Vault token for all of a store's requests, refreshed before it
//! expires and after Vault refuses it, by one caller while the others wait.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use zeroize::Zeroizing;

use super::wire::{self, AuthApi, Lease};
use super::{Method, SecretIdSource, VaultAuth, VaultSecretId};
use crate::store::vault::answers;
use crate::store::vault::token::VaultToken;
use crate::store::{StoreError, StoreErrorKind};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, Operation};

/// How soon a refresh that could not be done (Vault unreachable, the file unreadable) is tried
/// again, at most, while the token in hand is still valid.
const RETRY_REFRESH: Duration = Duration::from_secs(5);

/// The token requests carry, and which one it is (to tell, after a 403, whether someone else
/// already replaced it).
pub(crate) struct Ticket {
    pub(crate) token: VaultToken,
    pub(crate) generation: u64,
}

pub(crate) struct Session {
    auth: VaultAuth,
    api: AuthApi,
    /// The AppRole mount, split into path segments.
    mount: Vec<String>,
    state: Mutex<State>,
    /// Held by the one caller that refreshes; the others wait on it, then use its token.
    refresh: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    held: Option<Held>,
    /// Raised whenever the token changes.
    generation: u64,
}

struct Held {
    token: VaultToken,
    /// When to refresh (`None`: never, the token does not expire or cannot be refreshed).
    refresh_at: Option<Instant>,
    /// When it stops working (`None`: never, or not known).
    expires_at: Option<Instant>,
    lease: Option<Lease>,
    /// The TTL it had when it was obtained (AppRole: what the login gave), to notice a
    /// renewal capped by the token's maximum TTL.
    first_ttl: Duration,
}

impl Session {
    pub(crate) fn new(auth: VaultAuth, api: AuthApi) -> crate::Result<Self> {
        let mut mount = Vec::new();
        match &auth.method {
            Method::Token { token, .. } if token.header_value().is_none() => {
                return Err(crate::Error::invalid_input("token", "holds characters an HTTP header cannot carry"));
            }
            Method::AppRole { mount: m, role_id, .. } => {
                if role_id.is_empty() {
                    return Err(crate::Error::invalid_input("role_id", "must not be empty"));
                }
                for segment in m.trim_matches('/').split('/') {
                    if matches!(segment, "" | "." | "..") {
                        return Err(crate::Error::invalid_input(
                            "auth mount",
                            "must not be empty nor have an empty, '.' or '..' segment",
                        ));
                    }
                    mount.push(segment.to_owned());
                }
            }
            _ => {}
        }
        Ok(Self { auth, api, mount, state: Mutex::new(State::default()), refresh: tokio::sync::Mutex::new(()) })
    }

    pub(crate) fn auth(&self) -> &VaultAuth {
        &self.auth
    }

    /// A token to send now: the one held, unless it is due for a refresh (then one caller
    /// refreshes it and the others wait for that).
    pub(crate) async fn token(&self, transport: &dyn HttpTransport) -> Result<Ticket, StoreError> {
        if let Some(ticket) = self.fresh() {
            return Ok(ticket);
        }
        let _one_refresh = self.refresh.lock().await;
        if let Some(ticket) = self.fresh() {
            return Ok(ticket);
        }
        self.refresh_due(transport).await?;
        self.current().ok_or_else(|| StoreError::new(StoreErrorKind::PermissionDenied, "no Vault token"))
    }

    /// Vault refused a request sent with the token of `generation` (403). Gets a different
    /// token if the method can (the file read again; a new AppRole login, unless Vault still
    /// knows the token, so the refusal was the policy's), once for all callers that saw the
    /// refusal. `true` if a different token is now held (send again with it).
    pub(crate) async fn refused(&self, transport: &dyn HttpTransport, generation: u64) -> Result<bool, StoreError> {
        let _one_refresh = self.refresh.lock().await;
        if self.lock().generation != generation {
            return Ok(true);
        }
        match &self.auth.method {
            Method::Token { .. } => Ok(false),
            Method::TokenFile(path) => {
                let token = read_token_file(path)?;
                let same = self.lock().held.as_ref().is_some_and(|h| h.token.expose_secret() == token.expose_secret());
                if same {
                    return Ok(false);
                }
                let lease = self.lookup(transport, &token).await.ok();
                self.install(token, lease, Instant::now());
                tracing::info!(method = "token file", "patkit: Vault refused the token; read the token file again");
                Ok(true)
            }
            Method::AppRole { .. } => {
                // A 403 is also what a policy answers for a path the token may not touch: if
                // Vault still knows the token, a new login would change nothing (and leave one
                // more token behind per refused request).
                let held = self.lock().held.as_ref().map(|h| h.token.clone());
                if let Some(token) = held
                    && self.lookup(transport, &token).await.is_ok()
                {
                    return Ok(false);
                }
                self.login(transport).await?;
                tracing::info!(method = "approle", "patkit: Vault refused the token; logged in again");
                Ok(true)
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn current(&self) -> Option<Ticket> {
        let state = self.lock();
        state.held.as_ref().map(|held| Ticket { token: held.token.clone(), generation: state.generation })
    }

    fn fresh(&self) -> Option<Ticket> {
        let state = self.lock();
        let held = state.held.as_ref()?;
        held.refresh_at
            .is_none_or(|at| Instant::now() < at)
            .then(|| Ticket { token: held.token.clone(), generation: state.generation })
    }

    /// Whether the held token is still within its TTL (or has none).
    fn still_valid(&self) -> bool {
        self.lock().held.as_ref().is_some_and(|held| held.expires_at.is_none_or(|at| Instant::now() < at))
    }

    /// Puts `token` in hand, scheduling its refresh at 2/3 of its TTL.
    fn install(&self, token: VaultToken, lease: Option<Lease>, obtained: Instant) {
        let mut state = self.lock();
        let changed = state.held.as_ref().is_none_or(|h| h.token.expose_secret() != token.expose_secret());
        let ttl = lease.map(|l| l.ttl).filter(|ttl| !ttl.is_zero());
        let first_ttl = match (&state.held, changed) {
            (Some(held), false) => held.first_ttl,
            _ => ttl.unwrap_or_default().max(lease.map(|l| l.creation_ttl).unwrap_or_default()),
        };
        let refreshable = !matches!(&self.auth.method, Method::Token { .. }) || lease.is_some_and(|l| l.renewable);
        let refresh_at = match (ttl, lease) {
            (Some(ttl), _) if refreshable => obtained.checked_add(ttl * 2 / 3),
            (Some(_), _) => None,
            // Not known (the lookup failed): ask again later.
            (None, None) => obtained.checked_add(RETRY_REFRESH * 12),
            // Never expires.
            (None, Some(_)) => None,
        };
        let expires_at = ttl.and_then(|ttl| obtained.checked_add(ttl));
        state.held = Some(Held { token, refresh_at, expires_at, lease, first_ttl });
        if changed {
            state.generation += 1;
        }
    }

    /// Puts off the next refresh of the held token (a refresh failed while it still works).
    fn postpone(&self) {
        let mut state = self.lock();
        if let Some(held) = &mut state.held {
            let soon = Instant::now() + RETRY_REFRESH;
            held.refresh_at = Some(held.expires_at.map_or(soon, |end| soon.min(end)));
        }
    }

    /// The refresh that is due (or the first token).
    async fn refresh_due(&self, transport: &dyn HttpTransport) -> Result<(), StoreError> {
        let outcome = match &self.auth.method {
            // Sent as it is: taken as never expiring.
            Method::Token { token, keep_alive: false } => {
                self.install(
                    token.clone(),
                    Some(Lease { ttl: Duration::ZERO, renewable: false, creation_ttl: Duration::ZERO }),
                    Instant::now(),
                );
                Ok(())
            }
            Method::Token { token, keep_alive: true } => {
                let held = self.lock().held.as_ref().map(|h| h.lease);
                match held {
                    // First use (or the last lookup failed): how long does it live?
                    None | Some(None) => {
                        let obtained = Instant::now();
                        let lease = self.lookup(transport, token).await.ok();
                        self.install(token.clone(), lease, obtained);
                        Ok(())
                    }
                    Some(Some(lease)) => {
                        let first_ttl = self.lock().held.as_ref().map_or(lease.ttl, |h| h.first_ttl);
                        self.renew(transport, token.clone(), first_ttl.max(lease.ttl)).await
                    }
                }
            }
            Method::TokenFile(path) => match read_token_file(path) {
                Ok(token) => {
                    let obtained = Instant::now();
                    let lease = self.lookup(transport, &token).await.ok();
                    self.install(token, lease, obtained);
                    Ok(())
                }
                Err(e) => Err(e),
            },
            Method::AppRole { .. } => {
                let held = self.lock().held.as_ref().map(|h| (h.token.clone(), h.lease, h.first_ttl));
                match held {
                    Some((token, Some(lease), first_ttl)) if lease.renewable && lease.ttl >= first_ttl / 3 => {
                        match self.renew(transport, token, first_ttl).await {
                            // Renewed, but capped near its maximum TTL: log in afresh instead.
                            Ok(()) if self.lease_ttl().is_some_and(|ttl| ttl < first_ttl / 3) => {
                                self.login(transport).await
                            }
                            Ok(()) => Ok(()),
                            Err(_) => self.login(transport).await,
                        }
                    }
                    _ => self.login(transport).await,
                }
            }
        };
        match outcome {
            Ok(()) => Ok(()),
            // The token in hand still works: use it, and try again soon.
            Err(e) if self.still_valid() => {
                tracing::warn!(method = self.auth.kind(), error = %e, "patkit: could not refresh the Vault token; using the current one");
                self.postpone();
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    fn lease_ttl(&self) -> Option<Duration> {
        self.lock().held.as_ref().and_then(|h| h.lease).map(|l| l.ttl)
    }

    async fn lookup(&self, transport: &dyn HttpTransport, token: &VaultToken) -> Result<Lease, StoreError> {
        let response = self.send(transport, self.api.lookup_self(token)?, wire::LOOKUP).await?;
        wire::parse_lookup(&response)
    }

    async fn renew(&self, transport: &dyn HttpTransport, token: VaultToken, ttl: Duration) -> Result<(), StoreError> {
        if ttl.is_zero() {
            return Ok(());
        }
        let obtained = Instant::now();
        let response = self.send(transport, self.api.renew_self(&token, ttl)?, wire::RENEW).await?;
        let (renewed, lease) = wire::parse_auth(&response, "renewing the token")?;
        tracing::info!(method = self.auth.kind(), ttl_secs = lease.ttl.as_secs(), "patkit: Vault token renewed");
        self.install(renewed, Some(lease), obtained);
        Ok(())
    }

    async fn login(&self, transport: &dyn HttpTransport) -> Result<(), StoreError> {
        let Method::AppRole { role_id, secret_id, .. } = &self.auth.method else {
            return Err(StoreError::new(StoreErrorKind::Other, "only AppRole logs in"));
        };
        let secret_id = match secret_id {
            SecretIdSource::Value(value) => value.clone(),
            SecretIdSource::File(path) => VaultSecretId::new(read_secret_file(path, "secret ID")?),
        };
        let obtained = Instant::now();
        let mut request = self.api.app_role_login(&self.mount, role_id, &secret_id)?;
        let response = self.send(transport, request.clone(), wire::LOGIN).await;
        zeroize::Zeroize::zeroize(request.body_mut());
        let (token, lease) = wire::parse_auth(&response?, "the AppRole login")?;
        tracing::info!(method = "approle", ttl_secs = lease.ttl.as_secs(), "patkit: logged in to Vault");
        // A new token: its TTL is the one renewals are measured against.
        self.lock().held = None;
        self.install(token, Some(lease), obtained);
        Ok(())
    }

    async fn send(
        &self,
        transport: &dyn HttpTransport,
        request: HttpRequest,
        op: Operation,
    ) -> Result<HttpResponse, StoreError> {
        transport.send(request).await.map_err(|e| answers::transport_error(op, op.name(), e))
    }
}

/// Reads a token from `path`; surrounding whitespace is ignored.
fn read_token_file(path: &Path) -> Result<VaultToken, StoreError> {
    let token = VaultToken::new(read_secret_file(path, "token")?);
    if token.header_value().is_none() {
        return Err(StoreError::new(
            StoreErrorKind::Other,
            format!("the token file {} holds characters an HTTP header cannot carry", path.display()),
        ));
    }
    Ok(token)
}

/// Reads a secret from a small file (a token, a secret ID), trimmed; the file's bytes are wiped.
/// Errors name the path, never the content.
fn read_secret_file(path: &Path, what: &str) -> Result<String, StoreError> {
    let content = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        StoreError::new(StoreErrorKind::Unavailable, format!("could not read the Vault {what} file {}", path.display()))
            .with_source(e)
    })?);
    let trimmed = content.trim();
    if trimmed.is_empty() {
        return Err(StoreError::new(
            StoreErrorKind::Unavailable,
            format!("the Vault {what} file {} is empty", path.display()),
        ));
    }
    Ok(trimmed.to_owned())
}
