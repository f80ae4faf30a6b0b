//! The [`World`] of a lifecycle test: one provider ([`Backend`]: Azure over the emulator, or the
//! fake in a profile) and one store, both behind the [`Gate`], with neutral seeding and checks
//! against the server's state.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{EmulatedUser, Emulator, SeedPat};
use patkit::azure::operations as op;
use patkit::testing::{FAKE_ORGANIZATION, FAKE_PROVIDER_NAME, FakeOp, FakeProfile, FakeProvider};
use patkit::{Clock, ManualClock, PatId, PatProvider, PatRecord, Scopes, StoredPat, TokenStore};

use patkit::auth::PasswordCredential;
use patkit::bitbucket::emulator::{Emulator as BitbucketEmulator, SeedToken as BitbucketSeed};
use patkit::bitbucket::{BitbucketClient, operations as bitbucket_op};
use patkit::gitea::emulator::{Emulator as GiteaEmulator, Flavor as GiteaFlavor, SeedToken as GiteaSeed};
use patkit::gitea::{Flavor, GiteaClient, operations as gitea_op};
use patkit::gitlab::emulator::{Emulator as GitLabEmulator, SeedToken as GitLabSeed};
use patkit::gitlab::{GitLabClient, GitLabCredential, operations as gitlab_op};

use super::{Call, Checker, Gate, GatedProvider, GatedStore, GatedTransport, ORG, start_time};

/// Where the GitLab backend's client thinks the service is (the emulator answers in process).
const GITLAB_BASE_URL: &str = "https://gitlab.example.com/api/v4";
/// The host of the GitLab backend's entries.
const GITLAB_HOST: &str = "gitlab.example.com";
/// Where the Gitea backends' client thinks the service is (the emulator answers in process).
const GITEA_BASE_URL: &str = "https://gitea.example.com/api/v1";
/// Where the Bitbucket backend's client thinks the service is.
const BITBUCKET_BASE_URL: &str = "https://bitbucket.example.com/bitbucket";
/// The password of the Gitea and Bitbucket backends' user, and (Forgejo) her one-time code:
/// canaries, checked never to reach the store.
pub const PASSWORD_CANARY: &str = "pw-canary-3f9d1c";
pub const ONE_TIME_CODE_CANARY: &str = "735911";

/// The provider a [`World`] rotates through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The Azure DevOps client over the emulator.
    Azure,
    /// A [`FakeProvider`] with this profile's capabilities.
    Fake(FakeProfile),
    /// The GitLab client over the GitLab emulator (server-side rotation, date expiry), with a
    /// management token of its own: the rotated tokens are not its credential.
    GitLab,
    /// The Gitea client over the Gitea emulator (password login; tokens never expire; no get;
    /// create-then-delete with unique names; a delete is a hard delete).
    Gitea,
    /// The same on Forgejo, with a two-factor account (a one-time code on every login).
    Forgejo,
    /// The Bitbucket Data Center client over its emulator (password login; expiry in whole
    /// days, fixed at creation; create-then-delete; a delete is a hard delete).
    Bitbucket,
}

impl Backend {
    /// Every backend: Azure, GitLab, Gitea, Forgejo, Bitbucket, and the fake in each profile.
    pub const ALL: [Backend; 8] = [
        Backend::Azure,
        Backend::GitLab,
        Backend::Gitea,
        Backend::Forgejo,
        Backend::Bitbucket,
        Backend::Fake(FakeProfile::CreateUpdate),
        Backend::Fake(FakeProfile::ServerRotate),
        Backend::Fake(FakeProfile::NoExpiry),
    ];

    /// Whether rotations make new tokens (create-then-revoke) rather than rotate server-side.
    pub fn creates(self) -> bool {
        !matches!(self, Backend::Fake(FakeProfile::ServerRotate) | Backend::GitLab)
    }

    /// Whether tokens expire (a token that never does is never due unless forced).
    pub fn expires(self) -> bool {
        !matches!(self, Backend::Fake(FakeProfile::NoExpiry) | Backend::Gitea | Backend::Forgejo)
    }

    /// Whether a revoke deletes the token, so the server no longer shows it at all.
    pub fn deletes(self) -> bool {
        matches!(self, Backend::Gitea | Backend::Forgejo | Backend::Bitbucket)
    }
}

/// One token as the server sees it, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerToken {
    pub id: PatId,
    pub display_name: String,
    /// `None`: never expires.
    pub valid_to: Option<DateTime<Utc>>,
    pub revoked: bool,
    /// Neither revoked nor expired.
    pub active: bool,
}

/// The server's state, for checks: the emulator (and the user whose tokens count) or the fake.
#[derive(Debug, Clone)]
pub enum Server {
    Azure(Emulator, uuid::Uuid),
    Fake(FakeProvider, ManualClock),
    /// The emulator, the user whose tokens count, and the world's management token (its
    /// credential: not one of the tokens the checks look at).
    GitLab(GitLabEmulator, u64, u64),
    /// The emulator and the user whose tokens count.
    Gitea(GiteaEmulator, u64),
    /// The emulator and the slug of the user whose tokens count.
    Bitbucket(BitbucketEmulator, String),
}

impl Server {
    /// Every token of the user, revoked and expired ones included.
    pub fn tokens(&self) -> Vec<ServerToken> {
        match self {
            Server::Azure(emulator, owner) => {
                let snapshot = emulator.snapshot();
                snapshot
                    .tokens_of(*owner)
                    .map(|t| ServerToken {
                        id: t.id.clone(),
                        display_name: t.display_name.clone(),
                        valid_to: Some(t.valid_to),
                        revoked: t.revoked,
                        active: t.is_active(snapshot.now),
                    })
                    .collect()
            }
            Server::GitLab(emulator, owner, management) => emulator
                .snapshot()
                .tokens
                .into_iter()
                .filter(|t| t.user_id == *owner && t.id != *management)
                .map(|t| ServerToken {
                    id: PatId::new(t.id.to_string()),
                    display_name: t.name,
                    valid_to: t.expires_at.map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc()),
                    revoked: t.revoked,
                    active: t.active,
                })
                .collect(),
            Server::Gitea(emulator, owner) => emulator
                .snapshot()
                .tokens_of(*owner)
                .into_iter()
                .map(|t| ServerToken {
                    id: PatId::new(t.id.to_string()),
                    display_name: t.name.clone(),
                    valid_to: None,
                    revoked: false,
                    active: true,
                })
                .collect(),
            Server::Bitbucket(emulator, owner) => emulator
                .snapshot()
                .tokens_of(owner)
                .map(|t| ServerToken {
                    id: PatId::new(t.id.clone()),
                    display_name: t.name.clone(),
                    valid_to: t.expiry_days.map(|days| t.created + TimeDelta::days(i64::from(days))),
                    revoked: false,
                    active: !t.expired,
                })
                .collect(),
            Server::Fake(fake, clock) => {
                let now = clock.now();
                fake.tokens()
                    .into_iter()
                    .map(|t| ServerToken {
                        active: !t.revoked && !t.metadata.is_expired(now),
                        id: t.metadata.id,
                        display_name: t.metadata.display_name,
                        valid_to: t.metadata.valid_to,
                        revoked: t.revoked,
                    })
                    .collect()
            }
        }
    }

    /// One token. Where a revoke deletes (Gitea, Bitbucket), a token the server no longer has is
    /// reported as revoked (ids are never reused), with an empty name.
    pub fn token(&self, id: &PatId) -> Option<ServerToken> {
        let found = self.tokens().into_iter().find(|t| &t.id == id);
        match self {
            Server::Gitea(..) | Server::Bitbucket(..) => Some(found.unwrap_or_else(|| ServerToken {
                id: id.clone(),
                display_name: String::new(),
                valid_to: None,
                revoked: true,
                active: false,
            })),
            _ => found,
        }
    }
}

/// One provider (the emulator and one user, or a fake), a gated provider and a gated store.
pub struct World {
    pub backend: Backend,
    /// The emulator (the Azure backend's server; unused by a fake world's flows).
    pub emulator: Emulator,
    pub clock: ManualClock,
    pub alice: EmulatedUser,
    pub gate: Gate,
    /// The Azure client through the gate (the Azure backend).
    pub client: AzureDevOpsClient,
    /// An Azure client that bypasses the gate (for checks).
    pub direct: AzureDevOpsClient,
    /// The fake (the fake backends' server; without the gate).
    pub fake: FakeProvider,
    /// The GitLab emulator (the GitLab backend's server) and the user whose tokens rotate.
    pub gitlab: GitLabEmulator,
    pub gitlab_user: u64,
    /// The Gitea emulator (the Gitea and Forgejo backends' server) and the user whose tokens rotate.
    pub gitea: GiteaEmulator,
    pub gitea_user: u64,
    /// The Bitbucket emulator (the Bitbucket backend's server); the user is `alice`.
    pub bitbucket: BitbucketEmulator,
    /// The world's provider through the gate: the Azure client or the fake.
    pub provider: Arc<dyn PatProvider>,
    /// The world's provider without the gate (for checks).
    pub direct_provider: Arc<dyn PatProvider>,
    /// The server's state.
    pub server: Server,
    /// The raw store (no gate).
    pub inner_store: Arc<dyn TokenStore>,
    /// The store through the gate.
    pub store: Arc<GatedStore>,
}

impl World {
    /// An Azure world.
    pub fn new(store: Arc<dyn TokenStore>) -> Self {
        Self::on(Backend::Azure, store)
    }

    /// A world on `backend`.
    pub fn on(backend: Backend, store: Arc<dyn TokenStore>) -> Self {
        Self::on_with_checks_through(backend, store.clone(), store)
    }

    /// An Azure world whose flows use `store` and whose checks (and seeding) read the same data
    /// through `direct`, which sees none of the faults `store` may be set up with.
    pub fn with_checks_through(store: Arc<dyn TokenStore>, direct_store: Arc<dyn TokenStore>) -> Self {
        Self::on_with_checks_through(Backend::Azure, store, direct_store)
    }

    /// [`with_checks_through`](Self::with_checks_through) on `backend`.
    pub fn on_with_checks_through(
        backend: Backend,
        store: Arc<dyn TokenStore>,
        direct_store: Arc<dyn TokenStore>,
    ) -> Self {
        let clock = ManualClock::new(start_time());
        let emulator = Emulator::with_clock(Arc::new(clock.clone()));
        emulator.add_organization(ORG);
        let alice = emulator.add_user("Alice");
        let gate = Gate::default();
        let client = AzureDevOpsClient::builder(ORG, StaticCredential::from(alice.bearer.clone()))
            .transport(GatedTransport { inner: Arc::new(emulator.clone()), gate: gate.clone() })
            .clock(clock.clone())
            // The crash points count calls at the gate: no retries under them.
            .retry(patkit::transport::RetryConfig::none())
            .build()
            .unwrap();
        let direct = AzureDevOpsClient::builder(ORG, StaticCredential::from(alice.bearer.clone()))
            .transport(emulator.clone())
            .clock(clock.clone())
            // The crash points count calls at the gate: no retries under them.
            .retry(patkit::transport::RetryConfig::none())
            .build()
            .unwrap();
        let profile = match backend {
            Backend::Fake(profile) => profile,
            _ => FakeProfile::CreateUpdate,
        };
        let gitea = GiteaEmulator::with_clock(
            if backend == Backend::Forgejo { GiteaFlavor::Forgejo } else { GiteaFlavor::Gitea },
            Arc::new(clock.clone()),
        );
        let gitea_user = gitea.add_user("alice", PASSWORD_CANARY).id;
        let mut gitea_login = PasswordCredential::new("alice", PASSWORD_CANARY.to_owned());
        if backend == Backend::Forgejo {
            gitea.set_one_time_code(gitea_user, Some(ONE_TIME_CODE_CANARY));
            gitea_login = gitea_login.with_one_time_code(ONE_TIME_CODE_CANARY.to_owned());
        }
        let gitea_client = |gated: bool| {
            let builder = GiteaClient::builder(GITEA_BASE_URL, gitea_login.clone())
                .flavor(if backend == Backend::Forgejo { Flavor::Forgejo } else { Flavor::Gitea })
                .clock(clock.clone())
                .retry(patkit::transport::RetryConfig::none());
            let builder = if gated {
                builder.transport(GatedTransport { inner: Arc::new(gitea.clone()), gate: gate.clone() })
            } else {
                builder.transport(gitea.clone())
            };
            builder.build().unwrap()
        };
        let bitbucket = BitbucketEmulator::with_clock(Arc::new(clock.clone()));
        bitbucket.add_user("alice", PASSWORD_CANARY);
        let bitbucket_client = |gated: bool| {
            let builder = BitbucketClient::builder(
                BITBUCKET_BASE_URL,
                PasswordCredential::new("alice", PASSWORD_CANARY.to_owned()),
            )
            .clock(clock.clone())
            .retry(patkit::transport::RetryConfig::none());
            let builder = if gated {
                builder.transport(GatedTransport { inner: Arc::new(bitbucket.clone()), gate: gate.clone() })
            } else {
                builder.transport(bitbucket.clone())
            };
            builder.build().unwrap()
        };
        let gitlab = GitLabEmulator::with_clock(Arc::new(clock.clone()));
        let gitlab_user = gitlab.add_user("alice").id;
        // The management token: expiring far beyond any test, never one of the rotated tokens.
        let management = gitlab.seed_token(
            gitlab_user,
            GitLabSeed::new("management", &["api"])
                .expires_at(Some((start_time() + TimeDelta::days(360)).date_naive())),
        );
        let gitlab_client = |gated: bool| {
            let builder =
                GitLabClient::builder(GitLabCredential::private_token(management.secret.expose_secret().to_owned()))
                    .base_url(GITLAB_BASE_URL)
                    .clock(clock.clone())
                    // The crash points count calls at the gate: no retries under them.
                    .retry(patkit::transport::RetryConfig::none());
            let builder = if gated {
                builder.transport(GatedTransport { inner: Arc::new(gitlab.clone()), gate: gate.clone() })
            } else {
                builder.transport(gitlab.clone())
            };
            builder.build().unwrap()
        };
        let fake = FakeProvider::new(profile).clock(clock.clone());
        let (provider, direct_provider, server): (Arc<dyn PatProvider>, Arc<dyn PatProvider>, Server) = match backend {
            Backend::Azure => {
                (Arc::new(client.clone()), Arc::new(direct.clone()), Server::Azure(emulator.clone(), alice.id))
            }
            Backend::Fake(_) => (
                Arc::new(GatedProvider { inner: fake.clone(), gate: gate.clone() }),
                Arc::new(fake.clone()),
                Server::Fake(fake.clone(), clock.clone()),
            ),
            Backend::GitLab => (
                Arc::new(gitlab_client(true)),
                Arc::new(gitlab_client(false)),
                Server::GitLab(gitlab.clone(), gitlab_user, management.id),
            ),
            Backend::Gitea | Backend::Forgejo => {
                (Arc::new(gitea_client(true)), Arc::new(gitea_client(false)), Server::Gitea(gitea.clone(), gitea_user))
            }
            Backend::Bitbucket => (
                Arc::new(bitbucket_client(true)),
                Arc::new(bitbucket_client(false)),
                Server::Bitbucket(bitbucket.clone(), "alice".to_owned()),
            ),
        };
        let gated = Arc::new(GatedStore { inner: store, gate: gate.clone() });
        Self {
            backend,
            emulator,
            clock,
            alice,
            gate,
            client,
            direct,
            fake,
            gitlab,
            gitlab_user,
            gitea,
            gitea_user,
            bitbucket,
            provider,
            direct_provider,
            server,
            inner_store: direct_store,
            store: gated,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A client like [`World::client`] (Azure, through the gate) that replaces global tokens as
    /// `replacement` says.
    #[allow(dead_code)] // not every test binary replaces global tokens
    pub fn client_with(&self, replacement: patkit::azure::GlobalReplacement) -> AzureDevOpsClient {
        AzureDevOpsClient::builder(ORG, StaticCredential::from(self.alice.bearer.clone()))
            .transport(GatedTransport { inner: Arc::new(self.emulator.clone()), gate: self.gate.clone() })
            .clock(self.clock.clone())
            .retry(patkit::transport::RetryConfig::none())
            .global_replacement(replacement)
            .build()
            .unwrap()
    }

    /// The gate's call for a provider operation on this world's backend.
    pub fn call(&self, operation: FakeOp) -> Call {
        match self.backend {
            Backend::Fake(_) => Call::Fake(operation),
            Backend::Azure => Call::Http(match operation {
                FakeOp::Create => op::CREATE,
                FakeOp::Get => op::GET,
                FakeOp::List => op::LIST,
                FakeOp::Update => op::UPDATE,
                FakeOp::Revoke => op::REVOKE,
                FakeOp::Check => op::CHECK_TOKEN,
                other => panic!("the Azure client has no {other:?}"),
            }),
            Backend::GitLab => Call::Http(match operation {
                FakeOp::Rotate => gitlab_op::PAT_ROTATE,
                FakeOp::Get => gitlab_op::PAT_GET,
                FakeOp::List => gitlab_op::PAT_LIST,
                FakeOp::Revoke => gitlab_op::PAT_REVOKE,
                FakeOp::Check => gitlab_op::PAT_GET_SELF,
                other => panic!("the GitLab client has no {other:?}"),
            }),
            Backend::Gitea | Backend::Forgejo => Call::Http(match operation {
                FakeOp::Create => gitea_op::TOKEN_CREATE,
                FakeOp::List => gitea_op::TOKEN_LIST,
                FakeOp::Revoke => gitea_op::TOKEN_DELETE,
                FakeOp::Check => gitea_op::TOKEN_CHECK,
                other => panic!("the Gitea client has no {other:?}"),
            }),
            Backend::Bitbucket => Call::Http(match operation {
                FakeOp::Create => bitbucket_op::TOKEN_CREATE,
                FakeOp::Get => bitbucket_op::TOKEN_GET,
                FakeOp::List => bitbucket_op::TOKEN_LIST,
                FakeOp::Update => bitbucket_op::TOKEN_UPDATE,
                FakeOp::Revoke => bitbucket_op::TOKEN_DELETE,
                // A token is checked by reading the user it belongs to.
                FakeOp::Check => bitbucket_op::USER,
                other => panic!("the Bitbucket client has no {other:?}"),
            }),
        }
    }

    /// The provider name and organization of this world's entries.
    pub fn owner(&self) -> (&'static str, &'static str) {
        match self.backend {
            Backend::Azure => ("azure-devops", ORG),
            Backend::Fake(_) => (FAKE_PROVIDER_NAME, FAKE_ORGANIZATION),
            Backend::GitLab => (patkit::gitlab::PROVIDER_NAME, GITLAB_HOST),
            Backend::Gitea | Backend::Forgejo => (patkit::gitea::PROVIDER_NAME, "gitea.example.com"),
            Backend::Bitbucket => (patkit::bitbucket::PROVIDER_NAME, "bitbucket.example.com"),
        }
    }

    /// Seeds a token expiring in `days_left` days on the server and stores it as `name`.
    pub async fn seed(&self, name: &str, display_name: &str, days_left: i64) -> StoredPat {
        let now = self.now();
        let (metadata, secret) = match self.backend {
            Backend::Azure => {
                let seeded = self.emulator.seed_pat(
                    ORG,
                    self.alice.id,
                    SeedPat::new(display_name, "vso.code vso.packaging")
                        .valid_from(now - TimeDelta::days(30))
                        .valid_to(now + TimeDelta::days(days_left)),
                );
                (self.direct.get(&seeded.id).await.unwrap(), seeded.secret)
            }
            Backend::GitLab => {
                // Expiry is a date: the token dies at 00:00 UTC of `now + days_left`.
                let seeded = self.gitlab.seed_token(
                    self.gitlab_user,
                    GitLabSeed::new(display_name, &["read_api", "read_registry"])
                        .created_at(now - TimeDelta::days(30))
                        .expires_at(Some((now + TimeDelta::days(days_left)).date_naive())),
                );
                let id = PatId::new(seeded.id.to_string());
                (self.direct_provider.get_pat(&id).await.unwrap(), seeded.secret)
            }
            Backend::Gitea | Backend::Forgejo => {
                // Tokens never expire: `days_left` has no meaning here.
                let seeded = self.gitea.seed_token(
                    self.gitea_user,
                    GiteaSeed::new(display_name, &["read:repository", "write:issue"])
                        .created_at(now - TimeDelta::days(30)),
                );
                let id = PatId::new(seeded.id.to_string());
                let listed = patkit::PatProviderExt::list_all(&*self.direct_provider, patkit::ListQuery::default());
                let metadata = futures_util::TryStreamExt::try_collect::<Vec<_>>(listed)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|t| t.id == id)
                    .unwrap();
                (metadata, seeded.secret)
            }
            Backend::Bitbucket => {
                let days = u32::try_from(30 + days_left).unwrap();
                let seeded = self.bitbucket.seed_token(
                    "alice",
                    BitbucketSeed::new(display_name, &["PROJECT_READ", "REPO_WRITE"])
                        .created(now - TimeDelta::days(30))
                        .expiry_days(days),
                );
                let id = PatId::new(seeded.id.clone());
                (self.direct_provider.get_pat(&id).await.unwrap(), seeded.secret)
            }
            Backend::Fake(_) => {
                let scopes = Scopes::parse("vso.code vso.packaging").unwrap();
                let seeded = self.fake.seed(display_name, scopes, Some(now + TimeDelta::days(days_left)));
                (seeded.metadata, seeded.secret)
            }
        };
        let (provider, organization) = self.owner();
        let entry = StoredPat { record: PatRecord::new(name, provider, organization, metadata, now), secret };
        self.inner_store.put(entry.clone()).await.unwrap();
        self.inner_store.get(name).await.unwrap().unwrap()
    }

    /// A checker for [`Gate::set_checker`]: the token stored as `name` is active on the server
    /// — or the entry records a server-side rotate in flight (the server revokes the old token
    /// the moment it answers, so that window cannot be closed; recovery must then produce a
    /// working token, which the tests check after recovering).
    pub fn stored_token_works_checker(&self, name: &str) -> Checker {
        let store = self.inner_store.clone();
        let server = self.server.clone();
        let name = name.to_owned();
        Arc::new(move || {
            let (store, server, name) = (store.clone(), server.clone(), name.clone());
            Box::pin(async move {
                let entry = store.get(&name).await.map_err(|e| format!("store unreadable: {e}"))?;
                let entry = entry.ok_or_else(|| format!("entry {name} is missing"))?;
                let token = server
                    .token(&entry.record.metadata.id)
                    .ok_or_else(|| format!("stored token {} unknown to the server", entry.record.metadata.id))?;
                let in_flight = entry.record.rotation.as_ref().is_some_and(|i| i.server_rotate.is_some());
                if !token.active && !in_flight {
                    return Err(format!("stored token {} is not active (revoked: {})", token.id, token.revoked));
                }
                Ok(())
            })
        })
    }

    /// The invariant after a finished flow (or a crash plus recovery) for one entry.
    pub async fn check_settled(&self, name: &str) -> Result<(), String> {
        self.check_settled_all(&[name]).await
    }

    /// The invariant after a finished flow (or a crash plus recovery): each entry's stored token
    /// works (server state and an actual call with it), every other token of the user is
    /// revoked or expired (or recorded in the entry as its retiring `previous`), and (where rotations create) no display name was used twice (no
    /// duplicate replacements; a server-side rotate keeps the name).
    pub async fn check_settled_all(&self, names: &[&str]) -> Result<(), String> {
        let mut stored_ids = Vec::new();
        for name in names {
            self.check_stored(name).await.map_err(|e| format!("{name}: {e}"))?;
            let record = self.inner_store.get(name).await.unwrap().unwrap().record;
            stored_ids.push(record.metadata.id);
            // A replaced token recorded as retiring (a grace period, a hand-off pending) is
            // valid on purpose, and recorded: a later run revokes it.
            if record.retiring.is_some()
                && let Some(previous) = record.previous
            {
                stored_ids.push(previous.id);
            }
        }
        let mut names: HashMap<String, usize> = HashMap::new();
        for token in self.server.tokens() {
            *names.entry(token.display_name.clone()).or_default() += 1;
            if !stored_ids.contains(&token.id) && token.active {
                return Err(format!("token {} ({}) is left valid but not stored", token.id, token.display_name));
            }
        }
        if self.backend.creates()
            && let Some((name, n)) = names.iter().find(|(_, n)| **n > 1)
        {
            return Err(format!("{n} tokens named {name}: a duplicate replacement"));
        }
        Ok(())
    }

    async fn check_stored(&self, name: &str) -> Result<(), String> {
        let entry = self
            .inner_store
            .get(name)
            .await
            .map_err(|e| format!("store unreadable: {e}"))?
            .ok_or_else(|| format!("entry {name} is missing"))?;
        let stored = self
            .server
            .token(&entry.record.metadata.id)
            .ok_or_else(|| "the stored token is unknown to the server".to_owned())?;
        if !stored.active {
            return Err(format!("the stored token {} is not active (revoked: {})", stored.id, stored.revoked));
        }
        if !self.direct_provider.check_pat(&entry.secret).await.map_err(|e| e.to_string())? {
            return Err("the stored secret does not authenticate".into());
        }
        if stored.valid_to != entry.record.metadata.valid_to {
            return Err("the stored expiry differs from the server's".into());
        }
        Ok(())
    }
}
