//! Step 3: does the replacement work?

use std::time::Duration;

use crate::error::{AuthFailure, Error, Result};
use crate::provider::PatProvider;
use crate::secret::PatSecret;

use super::VerifyOptions;

/// Tries `secret` up to `options.attempts` times (a new token may take a moment to be accepted
/// everywhere), sleeping with doubling backoff in between (tokio time, so paused test time skips
/// it). `Ok(())` once it works; otherwise the last error, where a refusal by the provider is
/// [`Error::AuthRequired`].
pub(crate) async fn verify(provider: &dyn PatProvider, secret: &PatSecret, options: &VerifyOptions) -> Result<()> {
    let attempts = options.attempts.max(1);
    let mut backoff = options.backoff;
    let mut last = None;
    for attempt in 1..=attempts {
        match provider.check_pat(secret).await {
            Ok(true) => return Ok(()),
            Ok(false) => last = Some(refused()),
            Err(e) => last = Some(e),
        }
        if attempt < attempts {
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2).min(Duration::from_secs(60));
        }
    }
    Err(last.unwrap_or_else(refused))
}

fn refused() -> Error {
    Error::AuthRequired {
        reason: AuthFailure::Unauthorized,
        message: Some("the provider refused the new token when it was tried out".to_owned()),
        hint: None,
    }
}
