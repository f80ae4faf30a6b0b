//! The model: Apps (public keys) and their installations, installation tokens and PATs (only a
//! SHA-256 digest of each secret, looked up by it), orgs with their repositories, owners and SAML
//! switch, fine-grained PAT grants and requests, SAML credential authorizations, the queued
//! asynchronous jobs and the settings.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use super::limits::{Buckets, Limits};
use super::setup::{BulkDelay, TokenKind};
use crate::testing::emulator_kit::listing::{ListingCache, Ordered};

/// SHA-256 of a secret.
pub(crate) type Digest = [u8; 32];

/// The digest a token is looked up by; the emulator keeps only this.
pub(crate) fn token_digest(secret: &str) -> Digest {
    Sha256::digest(secret.as_bytes()).into()
}

/// A digest as lower-case hex (what snapshots show).
pub(crate) fn hex(digest: &Digest) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Fine-grained permissions: `{"organization":{…},"repository":{…},"other":{…}}`.
pub(crate) type Permissions = BTreeMap<String, BTreeMap<String, String>>;

/// The three permission groups a grant shows, always present (§4.2).
pub(crate) const PERMISSION_GROUPS: [&str; 3] = ["organization", "repository", "other"];

pub(crate) fn permissions_json(p: &Permissions) -> Value {
    let mut out = Map::new();
    for group in PERMISSION_GROUPS {
        let inner: Map<String, Value> = p
            .get(group)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
            .unwrap_or_default();
        out.insert(group.to_owned(), Value::Object(inner));
    }
    Value::Object(out)
}

#[derive(Debug, Clone)]
pub(crate) struct AppEntry {
    /// The public key, DER (SubjectPublicKeyInfo or PKCS#1 RSAPublicKey).
    pub(crate) public_key: Vec<u8>,
}

#[derive(Debug, Clone)]
pub(crate) struct InstallationEntry {
    pub(crate) app_id: u64,
    /// The org login, lower-case.
    pub(crate) org: String,
    /// App permission name → `read` / `write`.
    pub(crate) permissions: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub(crate) struct InstallationToken {
    pub(crate) installation_id: u64,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) permissions: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub(crate) struct PatEntry {
    pub(crate) token_id: u64,
    pub(crate) owner: String,
    pub(crate) kind: TokenKind,
    pub(crate) name: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) last_used_at: Option<DateTime<Utc>>,
    pub(crate) last_eight: String,
    pub(crate) digest: Digest,
    /// Revoked through `POST /credentials/revoke`: no longer authenticates.
    pub(crate) revoked: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct GrantEntry {
    pub(crate) id: u64,
    pub(crate) org: String,
    pub(crate) token_id: u64,
    /// `none` | `all` | `subset`.
    pub(crate) repository_selection: String,
    pub(crate) repositories: Vec<String>,
    pub(crate) permissions: Permissions,
    /// `access_granted_at` for a grant, `created_at` for a request.
    pub(crate) at: DateTime<Utc>,
    /// Requests only.
    pub(crate) reason: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct AuthorizationEntry {
    pub(crate) credential_id: u64,
    pub(crate) org: String,
    pub(crate) login: String,
    /// As listed: `personal access token`, `SSH key`, `OAuth app token`, `GitHub app token`.
    pub(crate) credential_type: String,
    /// For a PAT: which one (so SAML enforcement knows it is authorized).
    pub(crate) token_id: Option<u64>,
    pub(crate) token_last_eight: Option<String>,
    pub(crate) authorized_at: DateTime<Utc>,
    pub(crate) scopes: Vec<String>,
    pub(crate) note: Option<String>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub(crate) struct OrgEntry {
    pub(crate) id: u64,
    pub(crate) login: String,
    pub(crate) saml: bool,
    /// Owner logins, lower-case.
    pub(crate) owners: BTreeSet<String>,
    /// Member logins (owners are members too), lower-case.
    pub(crate) members: BTreeSet<String>,
    /// `(id, name)`.
    pub(crate) repositories: Vec<(u64, String)>,
}

/// Work a 202 queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Job {
    RevokeGrants {
        org: String,
        ids: Vec<u64>,
    },
    Review {
        org: String,
        ids: Vec<u64>,
        approve: bool,
    },
    /// `login` / `kind` (the revoke body's snake-case `credential_type`) narrow it; `None` is
    /// every one.
    RevokeAuthorizations {
        org: String,
        login: Option<String>,
        kind: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) job: Job,
    pub(crate) due_at: DateTime<Utc>,
    pub(crate) requests_left: u32,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) apps: BTreeMap<u64, AppEntry>,
    pub(crate) installations: BTreeMap<u64, InstallationEntry>,
    pub(crate) installation_tokens: HashMap<Digest, InstallationToken>,
    /// Private, like `grants` and `requests`: every change goes through `pats_mut`,
    /// `grants_mut` or `requests_mut`, which drop the kept listings.
    pats: BTreeMap<u64, PatEntry>,
    /// PAT digest → token id.
    pub(crate) pat_secrets: HashMap<Digest, u64>,
    /// Lower-case login → (id, login as given).
    pub(crate) users: BTreeMap<String, (u64, String)>,
    /// Lower-case login → org.
    pub(crate) orgs: BTreeMap<String, OrgEntry>,
    grants: BTreeMap<u64, GrantEntry>,
    requests: BTreeMap<u64, GrantEntry>,
    /// The grant and request listings being paged through (`grants.rs`); no time in them.
    listings: ListingCache<u64, ()>,
    pub(crate) authorizations: BTreeMap<u64, AuthorizationEntry>,
    pub(crate) pending: Vec<Pending>,
    pub(crate) bulk_delay: BulkDelay,
    pub(crate) limits: Limits,
    pub(crate) buckets: Buckets,
    /// Clock skew allowed on App JWTs (`None`: 60 s).
    pub(crate) jwt_leeway: Option<chrono::TimeDelta>,
    next: Counters,
}

/// Id counters, started apart so that a grant id never looks like a token id (§4.11).
#[derive(Debug)]
struct Counters {
    installation: u64,
    token: u64,
    grant: u64,
    request: u64,
    credential: u64,
    user: u64,
    org: u64,
    repo: u64,
}

impl Default for Counters {
    fn default() -> Self {
        Self {
            installation: 1000,
            token: 98_700,
            grant: 25_380,
            request: 40,
            credential: 161_190,
            user: 0,
            org: 652_550,
            repo: 1_296_260,
        }
    }
}

impl State {
    pub(crate) fn next_installation(&mut self) -> u64 {
        self.next.installation += 1;
        self.next.installation
    }

    pub(crate) fn next_grant(&mut self) -> u64 {
        self.next.grant += 1;
        self.next.grant
    }

    pub(crate) fn next_request(&mut self) -> u64 {
        self.next.request += 1;
        self.next.request
    }

    pub(crate) fn next_credential(&mut self) -> u64 {
        self.next.credential += 1;
        self.next.credential
    }

    /// The user's id, creating the user on first sight.
    pub(crate) fn user(&mut self, login: &str) -> u64 {
        let key = login.to_ascii_lowercase();
        if let Some((id, _)) = self.users.get(&key) {
            return *id;
        }
        self.next.user += 1;
        let id = self.next.user;
        self.users.insert(key, (id, login.to_owned()));
        id
    }

    pub(crate) fn user_id(&self, login: &str) -> u64 {
        self.users.get(&login.to_ascii_lowercase()).map(|(id, _)| *id).unwrap_or(0)
    }

    pub(crate) fn add_org(&mut self, login: &str) -> u64 {
        self.next.org += 1;
        let id = self.next.org;
        let entry = OrgEntry {
            id,
            login: login.to_owned(),
            saml: false,
            owners: BTreeSet::new(),
            members: BTreeSet::new(),
            repositories: Vec::new(),
        };
        self.orgs.insert(login.to_ascii_lowercase(), entry);
        id
    }

    pub(crate) fn org(&self, login: &str) -> Option<&OrgEntry> {
        self.orgs.get(&login.to_ascii_lowercase())
    }

    /// The repository's id in `org`, adding it on first sight.
    pub(crate) fn repository(&mut self, org: &str, name: &str) -> u64 {
        let key = org.to_ascii_lowercase();
        if let Some(found) =
            self.orgs.get(&key).and_then(|o| o.repositories.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)))
        {
            return found.0;
        }
        self.next.repo += 1;
        let id = self.next.repo;
        if let Some(o) = self.orgs.get_mut(&key) {
            o.repositories.push((id, name.to_owned()));
        }
        id
    }

    /// Every fine-grained or classic PAT, by token id.
    pub(crate) fn pats(&self) -> &BTreeMap<u64, PatEntry> {
        &self.pats
    }

    /// Every PAT, to change some: drops the kept listings (their filters read owners and last
    /// uses).
    pub(crate) fn pats_mut(&mut self) -> &mut BTreeMap<u64, PatEntry> {
        self.listings.clear();
        &mut self.pats
    }

    /// The approved fine-grained PAT grants, by id.
    pub(crate) fn grants(&self) -> &BTreeMap<u64, GrantEntry> {
        &self.grants
    }

    /// The grants, to change some: drops the kept listings.
    pub(crate) fn grants_mut(&mut self) -> &mut BTreeMap<u64, GrantEntry> {
        self.listings.clear();
        &mut self.grants
    }

    /// The pending fine-grained PAT requests, by id.
    pub(crate) fn requests(&self) -> &BTreeMap<u64, GrantEntry> {
        &self.requests
    }

    /// The requests, to change some: drops the kept listings.
    pub(crate) fn requests_mut(&mut self) -> &mut BTreeMap<u64, GrantEntry> {
        self.listings.clear();
        &mut self.requests
    }

    /// The kept ids of the listing named `query` (`grants.rs` filters and orders once, and
    /// later pages of the same listing reuse that order until a PAT, grant or request changes:
    /// [`ListingCache`]), so a page costs O(page).
    pub(crate) fn kept_listing(&self, query: &str) -> Option<&[u64]> {
        self.listings.get(query, ())
    }

    /// Keeps the ids of the listing named `query`, in order.
    pub(crate) fn keep_listing(&mut self, query: String, ids: Vec<u64>) -> &[u64] {
        self.listings.keep(query, (), Ordered::timeless(ids))
    }

    pub(crate) fn insert_pat(&mut self, mut entry: PatEntry, secret: &str) -> u64 {
        self.next.token += 1;
        entry.token_id = self.next.token;
        entry.digest = token_digest(secret);
        entry.last_eight = last_eight(secret);
        let id = entry.token_id;
        self.pat_secrets.insert(entry.digest, id);
        self.pats_mut().insert(id, entry);
        id
    }

    /// The PAT `secret` is (revoked or not).
    pub(crate) fn pat_by_secret(&self, secret: &str) -> Option<u64> {
        self.pat_secrets.get(&token_digest(secret)).copied()
    }

    /// Whether the PAT has a SAML authorization in `org`.
    pub(crate) fn saml_authorized(&self, org: &str, token_id: u64) -> bool {
        self.authorizations.values().any(|a| a.org.eq_ignore_ascii_case(org) && a.token_id == Some(token_id))
    }

    /// Runs every queued job that is due: its time has come, or enough requests followed it.
    /// `counted`: this call is for a request (which counts down every job first).
    pub(crate) fn settle(&mut self, now: DateTime<Utc>, counted: bool) {
        if counted {
            for p in &mut self.pending {
                p.requests_left = p.requests_left.saturating_sub(1);
            }
        }
        let (due, waiting): (Vec<Pending>, Vec<Pending>) =
            std::mem::take(&mut self.pending).into_iter().partition(|p| p.requests_left == 0 || p.due_at <= now);
        self.pending = waiting;
        for p in due {
            self.apply(p.job, now);
        }
    }

    /// Runs every queued job now.
    pub(crate) fn settle_all(&mut self, now: DateTime<Utc>) {
        for p in std::mem::take(&mut self.pending) {
            self.apply(p.job, now);
        }
    }

    pub(crate) fn apply(&mut self, job: Job, now: DateTime<Utc>) {
        match job {
            Job::RevokeGrants { org, ids } => {
                self.grants_mut().retain(|id, g| !(ids.contains(id) && g.org.eq_ignore_ascii_case(&org)));
            }
            Job::Review { org, ids, approve } => {
                for id in ids {
                    let matches = self.requests.get(&id).is_some_and(|r| r.org.eq_ignore_ascii_case(&org));
                    if matches {
                        self.review(id, approve, now);
                    }
                }
            }
            Job::RevokeAuthorizations { org, login, kind } => {
                let doomed: Vec<u64> = self
                    .authorizations
                    .values()
                    .filter(|a| {
                        a.org.eq_ignore_ascii_case(&org)
                            && login.as_ref().is_none_or(|l| l.eq_ignore_ascii_case(&a.login))
                            && kind.as_ref().is_none_or(|k| k == super::saml::snake_type(self, a))
                    })
                    .map(|a| a.credential_id)
                    .collect();
                for id in doomed {
                    self.authorizations.remove(&id);
                }
            }
        }
    }

    /// Approves (a grant takes the request's place) or denies (it is gone) request `id`.
    pub(crate) fn review(&mut self, id: u64, approve: bool, now: DateTime<Utc>) {
        let Some(mut request) = self.requests_mut().remove(&id) else { return };
        if approve {
            request.id = self.next_grant();
            request.at = now;
            request.reason = None;
            self.grants_mut().insert(request.id, request);
        }
    }
}

/// The last eight characters of a secret (what SAML listings show, §4.3).
pub(crate) fn last_eight(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars[chars.len().saturating_sub(8)..].iter().collect()
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` random base62 characters.
pub(crate) fn base62(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::getrandom(&mut bytes).expect("the OS has no randomness");
    // 62 * 4 = 248: rejecting bytes ≥ 248 would be unbiased; a test double can live with the
    // slight bias of a plain modulo.
    bytes.iter().map(|b| char::from(BASE62[usize::from(*b) % BASE62.len()])).collect()
}

/// 30 random base62 characters and their CRC32 in 6 base62 digits (§4.5: "last 6 chars are a
/// CRC32 checksum"), so a client's offline shape check can accept an emulator token.
fn checksummed() -> String {
    let random = base62(30);
    let mut crc = crate::crc32::hash(random.as_bytes());
    let mut digits = [b'0'; 6];
    for d in digits.iter_mut().rev() {
        *d = BASE62[(crc % 62) as usize];
        crc /= 62;
    }
    format!("{random}{}", String::from_utf8_lossy(&digits))
}

/// A fresh secret of the kind's shape (§4.5): `ghp_` + 36 (the last 6 a CRC32 checksum),
/// `github_pat_` + 22 + `_` + 59, `ghs_` + 36 (likewise checksummed).
pub(crate) fn mint(kind: Option<TokenKind>) -> String {
    match kind {
        Some(TokenKind::Classic) => format!("ghp_{}", checksummed()),
        Some(TokenKind::FineGrained) => format!("github_pat_{}_{}", base62(22), base62(59)),
        None => format!("ghs_{}", checksummed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_secrets_have_the_documented_shapes() {
        let classic = mint(Some(TokenKind::Classic));
        assert_eq!((classic.len(), &classic[..4]), (40, "ghp_"));
        let fine = mint(Some(TokenKind::FineGrained));
        assert_eq!((fine.len(), &fine[..11], &fine[33..34]), (93, "github_pat_", "_"));
        let installation = mint(None);
        assert_eq!((installation.len(), &installation[..4]), (40, "ghs_"));
        // The checksum: CRC32 of the 30 random characters, 6 base62 digits.
        let body = &classic[4..];
        let mut crc = u64::from(crate::crc32::hash(&body.as_bytes()[..30]));
        let mut decoded = 0u64;
        for c in body[30..].bytes() {
            decoded = decoded * 62 + BASE62.iter().position(|b| *b == c).unwrap() as u64;
        }
        crc %= 62u64.pow(6);
        assert_eq!(decoded, crc);
    }
}
