//! The app's JSON Web Token: RS256, `iat` 60 s in the past (GitHub's advice against clock
//! drift), `exp` 9 minutes ahead (GitHub refuses more than 10), `iss` the app id or client id.

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::AppKey;
use crate::base64;
use crate::error::Result;
use crate::secret::BearerToken;

/// How far `iat` is set in the past.
pub(crate) const BACKDATE_SECS: i64 = 60;
/// How far `exp` is set ahead of now (GitHub allows at most 600 s).
pub(crate) const LIFETIME_SECS: i64 = 540;

/// The signed JWT for `issuer` at `now`.
pub(crate) fn sign(key: &AppKey, issuer: &str, now: DateTime<Utc>) -> Result<BearerToken> {
    let header = base64::encode(br#"{"alg":"RS256","typ":"JWT"}"#, base64::Alphabet::UrlNoPad);
    let claims = serde_json::json!({
        "iat": now.timestamp() - BACKDATE_SECS,
        "exp": now.timestamp() + LIFETIME_SECS,
        "iss": issuer,
    });
    let claims = base64::encode(claims.to_string(), base64::Alphabet::UrlNoPad);
    let mut jwt = Zeroizing::new(format!("{header}.{claims}"));
    let signature = key.sign(jwt.as_bytes())?;
    jwt.push('.');
    jwt.push_str(&base64::encode(signature, base64::Alphabet::UrlNoPad));
    Ok(BearerToken::new(std::mem::take(&mut *jwt)))
}

#[cfg(test)]
mod tests {
    use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

    use super::*;
    use crate::github::app::key::tests::key;

    #[test]
    fn the_jwt_is_rs256_with_the_claims_github_asks_for_and_verifies_with_the_public_key() {
        let key = key();
        let now: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        let jwt = sign(&key, "Iv1.8a61f9b3a7aba766", now).unwrap();
        let parts: Vec<&str> = jwt.expose_secret().split('.').collect();
        assert_eq!(parts.len(), 3);
        let decode = |p: &str| {
            serde_json::from_slice::<serde_json::Value>(&base64::decode(p, base64::Alphabet::UrlNoPad).unwrap())
                .unwrap()
        };
        assert_eq!(decode(parts[0]), serde_json::json!({"alg": "RS256", "typ": "JWT"}));
        let claims = decode(parts[1]);
        assert_eq!(claims["iss"], "Iv1.8a61f9b3a7aba766");
        assert_eq!(claims["iat"], now.timestamp() - 60);
        assert_eq!(claims["exp"], now.timestamp() + 540);
        assert!(claims["exp"].as_i64().unwrap() - now.timestamp() <= 600, "GitHub refuses exp beyond 10 minutes");
        let signature = base64::decode(parts[2], base64::Alphabet::UrlNoPad).unwrap();
        let public = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.public_key_der());
        public.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature).unwrap();
        // A changed claim no longer verifies.
        let forged = base64::encode(br#"{"iss":"other"}"#, base64::Alphabet::UrlNoPad);
        assert!(public.verify(format!("{}.{forged}", parts[0]).as_bytes(), &signature).is_err());
    }
}
