use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::{StreamExt as _, TryStreamExt as _};

use crate::azure::pats::create;
use crate::azure::{AzureDevOpsClient, validate};
use crate::error::{Error, Result};
use crate::model::{
    CreatedPat, GLOBAL_PAT_RETIREMENT, ListQuery, PatMetadata, PatSpec, SortBy, StatusFilter, chrono_delta,
};
use crate::scope::Scopes;

/// Most list pages (of 100) a create whose outcome is unknown reads while looking for its token,
/// so a service whose listing never ends cannot keep it searching forever.
const RECOVERY_MAX_PAGES: usize = 50;

/// A create request being prepared; from [`AzureDevOpsClient::create`]. Send it with
/// [`CreatePat::send`].
#[derive(Debug)]
#[must_use = "a create does nothing until `.send()` is awaited"]
pub struct CreatePat {
    client: AzureDevOpsClient,
    spec: PatSpec,
    lifetime: Option<Duration>,
}

impl AzureDevOpsClient {
    /// Prepares the creation of a PAT named `display_name` with `scopes`.
    ///
    /// Without an expiry the service picks one (one year, clamped by the tenant's lifespan
    /// policy). The secret is in the result, once: store it before anything else.
    pub fn create(&self, display_name: impl Into<String>, scopes: Scopes) -> CreatePat {
        CreatePat {
            client: self.clone(),
            spec: PatSpec { display_name: display_name.into(), scopes, valid_to: None, all_organizations: false },
            lifetime: None,
        }
    }

    /// Tokens with exactly this display name (any status), e.g. to find the result of a create
    /// whose answer was lost.
    pub async fn find_by_display_name(&self, display_name: &str) -> Result<Vec<PatMetadata>> {
        self.find_in_pages(display_name, usize::MAX).await
    }

    /// [`find_by_display_name`](Self::find_by_display_name) over at most `max_pages` pages.
    async fn find_in_pages(&self, display_name: &str, max_pages: usize) -> Result<Vec<PatMetadata>> {
        let query =
            ListQuery { filter: StatusFilter::All, sort: SortBy::DisplayName, ascending: true, page_size: Some(100) };
        self.list()
            .query(query)
            .pages()
            .take(max_pages)
            .map_ok(|page| futures_util::stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
            .try_filter(|m| std::future::ready(m.display_name == display_name))
            .try_collect()
            .await
    }
}

impl CreatePat {
    /// Expires at `valid_to`. Must be in the future and within the client's maximum lifespan.
    pub fn expires_at(mut self, valid_to: DateTime<Utc>) -> Self {
        self.spec.valid_to = Some(valid_to);
        self.lifetime = None;
        self
    }

    /// Expires `lifetime` after now (by the client's clock).
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// Makes a *global* token, valid in every organization the user can reach
    /// (`allOrgs: true`). Discouraged: Azure DevOps retires global PATs on
    /// [`GLOBAL_PAT_RETIREMENT`](crate::GLOBAL_PAT_RETIREMENT) (2026-12-01), tenants may forbid
    /// them, and Microsoft recommends organization-bound tokens. patkit logs a warning when one is
    /// requested.
    ///
    /// From 2026-12-01 the service refuses the request: `send` fails with
    /// [`Error::PolicyViolation`] of [`Policy::GlobalPatRetired`](crate::Policy::GlobalPatRetired)
    /// (`globalPATCreationBlocked`), and global tokens that already exist stop authenticating. A
    /// tenant policy may refuse it earlier ([`Policy::GlobalPat`](crate::Policy::GlobalPat)).
    /// Rotation never asks for a global token unless told to
    /// ([`GlobalReplacement`](crate::lifecycle::GlobalReplacement)).
    pub fn all_organizations(mut self, global: bool) -> Self {
        self.spec.all_organizations = global;
        self
    }

    /// The provider-neutral description of what will be created.
    pub fn spec(&self) -> &PatSpec {
        &self.spec
    }

    /// Checks the input, then creates the token. Never re-sent: if the request may have reached
    /// the service and the answer was lost, the error is [`Error::CreateOutcomeUnknown`].
    pub async fn send(mut self) -> Result<CreatedPat> {
        let now = self.client.now();
        if let Some(lifetime) = self.lifetime {
            self.spec.valid_to = Some(now + chrono_delta(lifetime));
        }
        self.client.create_from_spec(self.spec).await
    }
}

impl AzureDevOpsClient {
    pub(crate) async fn create_from_spec(&self, spec: PatSpec) -> Result<CreatedPat> {
        let now = self.now();
        validate::display_name(&spec.display_name)?;
        validate::scopes(&spec.scopes)?;
        if let Some(valid_to) = spec.valid_to {
            validate::expiry(valid_to, now, self.inner.max_lifespan)?;
        }
        if spec.all_organizations {
            let retired = now >= GLOBAL_PAT_RETIREMENT;
            tracing::warn!(
                retired,
                "creating a global PAT (allOrgs); Azure DevOps stops accepting global PATs on 2026-12-01"
            );
        }
        let credential = self.credential().await?;
        let request = create::request(&self.inner.ctx, &credential, &spec)?;
        match self.execute(request, create::parse).await {
            Err(e) if self.inner.recover_uncertain_creates && outcome_unknown(&e) => {
                let found = self
                    .find_in_pages(&spec.display_name, RECOVERY_MAX_PAGES)
                    .await
                    .map(|all| all.into_iter().filter(|m| !m.is_expired(now)).collect())
                    .unwrap_or_default();
                Err(Error::CreateOutcomeUnknown { display_name: spec.display_name, found, source: Box::new(e) })
            }
            other => other,
        }
    }
}

/// Whether a failed create may nevertheless have minted a token.
fn outcome_unknown(e: &Error) -> bool {
    match e {
        Error::Transport(t) => !t.is_before_send(),
        Error::Api { status, .. } => *status >= 500,
        _ => false,
    }
}
