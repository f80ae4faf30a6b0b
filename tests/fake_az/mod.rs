//! A fake `az` program for `AzureCliCredential` tests (unix only; included by `mod fake_az;`).
#![allow(dead_code, unreachable_pub)]

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use patkit::auth::{AccessCredential, Credential};
use patkit::azure::AzureCliCredential;
use patkit::{CredentialErrorKind, Error, ManualClock};

pub const RESOURCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";
/// 2026-01-01T00:00:00Z.
pub const BASE: i64 = 1_767_225_600;
pub const CANARY: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOi.CANARY-az-token-51c9.sig";

pub struct FakeAz {
    pub dir: PathBuf,
}

impl FakeAz {
    /// A directory holding an `az` script whose body is `body` (run by `/bin/sh`).
    pub fn new(body: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "patkit-fake-az-{}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let fake = Self { dir };
        if !body.is_empty() {
            let script = fake.dir.join("az");
            let text = format!("#!/bin/sh\nd=\"$(dirname \"$0\")\"\necho \"$*\" >> \"$d/calls\"\n{body}\n");
            std::fs::write(&script, text).unwrap();
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        fake
    }

    /// A fake that prints token `token-N` (N = invocation number) expiring one hour after
    /// `BASE + (N-1) hours`.
    pub fn counting() -> Self {
        Self::new(&format!(
            r#"n=$(wc -l < "$d/calls" | tr -d ' ')
printf '{{"accessToken": "token-%s", "expiresOn": "2000-01-01 00:00:00.000000", "expires_on": %s, "subscription": "s", "tenant": "t", "tokenType": "Bearer"}}\n' "$n" $(({BASE} + n * 3600))"#
        ))
    }

    pub fn credential(&self) -> AzureCliCredential {
        AzureCliCredential::new().env("PATH", format!("{}:/usr/bin:/bin", self.dir.display()))
    }

    pub fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("calls")).unwrap_or_default().lines().map(str::to_owned).collect()
    }
}

impl Drop for FakeAz {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn clock_at(unix: i64) -> ManualClock {
    ManualClock::new(DateTime::from_timestamp(unix, 0).unwrap())
}

pub async fn token(credential: &AzureCliCredential) -> String {
    match credential.credential().await.unwrap() {
        AccessCredential::Bearer(token) => token.expose_secret().to_owned(),
        other => panic!("expected a bearer token, got {other:?}"),
    }
}

pub fn credential_error(result: patkit::Result<AccessCredential>) -> (CredentialErrorKind, String, Error) {
    match result {
        Err(e @ Error::Credential { .. }) => {
            let Error::Credential { kind, message, .. } = &e else { unreachable!() };
            (*kind, message.to_string(), e)
        }
        Err(other) => panic!("expected a credential error, got {other:?}"),
        Ok(c) => panic!("expected an error, got {c:?}"),
    }
}

/// Display, Debug and the whole source chain of an error.
pub fn all_text(e: &Error) -> String {
    let mut text = format!("{e} {e:?}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    text
}
