//! GitHub App JWTs: RS256 verification against an App's registered public key, with the `iat` /
//! `exp` rules (exp in the future and at most ten minutes ahead, iat not in the future, both with
//! a minute of clock-skew leeway), and a signer for tests (feature `github` brings ring).

use chrono::{DateTime, TimeDelta, Utc};
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use serde_json::Value;

use super::facts::{self, Refusal};
use super::state::AppEntry;
use crate::base64;
use crate::secret::BearerToken;

/// The DER inside a PEM block (any label); `None` when it is not PEM.
pub(crate) fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("-----BEGIN "))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END "))
        .collect();
    let der = base64::decode(body, base64::Alphabet::Standard)?;
    (!der.is_empty()).then_some(der)
}

/// The `RSAPublicKey` (PKCS#1) DER that ring verifies with, from either a `PUBLIC KEY`
/// (`SubjectPublicKeyInfo`, what `openssl rsa -pubout` and GitHub's tooling write) or an
/// `RSA PUBLIC KEY` DER, which is returned as it is. Anything else is returned as it is too, and
/// then verifies nothing.
pub(crate) fn rsa_public_key_der(der: Vec<u8>) -> Vec<u8> {
    /// One DER element: its tag, its content and what follows it.
    fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count {
                return None;
            }
            let (bytes, rest) = rest.split_at(count);
            (bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b)), rest)
        };
        (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
    }
    const SEQUENCE: u8 = 0x30;
    const BIT_STRING: u8 = 0x03;
    let spki = || {
        let (SEQUENCE, info, _) = element(&der)? else { return None };
        let (SEQUENCE, _algorithm, rest) = element(info)? else { return None };
        let (BIT_STRING, bits, _) = element(rest)? else { return None };
        // The first content byte counts the unused bits of the last byte: none for a key.
        let (&0, key) = bits.split_first()? else { return None };
        Some(key.to_vec())
    };
    spki().unwrap_or(der)
}

/// Whether `value` has a JWT's shape (three base64url parts, the first a JSON header).
pub(crate) fn looks_like_jwt(value: &str) -> bool {
    let mut parts = value.split('.');
    let header = parts.next().and_then(|h| base64::decode(h, base64::Alphabet::UrlNoPad));
    parts.count() == 2 && header.is_some_and(|h| h.first() == Some(&b'{'))
}

fn claim_int(payload: &Value, name: &str) -> Option<i64> {
    payload.get(name).and_then(Value::as_i64)
}

/// The App a JWT is from, after checking its signature with that App's key and its times
/// against `now` (`leeway` either way). Every failure is a 401 whose text names no part of the
/// token.
pub(crate) fn verify(
    jwt: &str,
    apps: &std::collections::BTreeMap<u64, AppEntry>,
    now: DateTime<Utc>,
    leeway: TimeDelta,
) -> Result<u64, Refusal> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else { return Err(facts::jwt_undecodable()) };
    let decode_json = |part: &str| -> Option<Value> {
        serde_json::from_slice(&base64::decode(part, base64::Alphabet::UrlNoPad)?).ok()
    };
    let header_json = decode_json(header).ok_or_else(facts::jwt_undecodable)?;
    if header_json.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(facts::jwt_undecodable());
    }
    let claims = decode_json(payload).ok_or_else(facts::jwt_undecodable)?;
    let signature = base64::decode(signature, base64::Alphabet::UrlNoPad).ok_or_else(facts::jwt_undecodable)?;
    // `iss` is the App id, as a number or a numeric string.
    let app_id = match claims.get("iss") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(facts::integration_not_found)?;
    let app = apps.get(&app_id).ok_or_else(facts::integration_not_found)?;
    let signed = format!("{header}.{payload}");
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &app.public_key)
        .verify(signed.as_bytes(), &signature)
        .map_err(|_| facts::jwt_undecodable())?;
    let now_s = now.timestamp();
    let leeway_s = leeway.num_seconds();
    let max_s = i64::try_from(facts::JWT_MAX_LIFETIME.as_secs()).unwrap_or(600);
    let exp = claim_int(&claims, "exp").ok_or_else(facts::jwt_expired)?;
    let iat = claim_int(&claims, "iat").ok_or_else(facts::jwt_bad_iat)?;
    if exp <= now_s - leeway_s {
        return Err(facts::jwt_expired());
    }
    if iat > now_s + leeway_s || iat >= exp {
        return Err(facts::jwt_bad_iat());
    }
    if exp > now_s + max_s + leeway_s {
        return Err(facts::jwt_too_long());
    }
    Ok(app_id)
}

/// An App JWT's claims, for [`sign_app_jwt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwtClaims {
    /// `iss`: the App id.
    pub app_id: u64,
    /// `iat`: issued at.
    pub issued_at: DateTime<Utc>,
    /// `exp`: expires at (GitHub allows at most ten minutes after now).
    pub expires_at: DateTime<Utc>,
}

impl JwtClaims {
    /// The claims GitHub advises: issued a minute before `now` (clock drift), expiring nine
    /// minutes after it.
    pub fn for_app(app_id: u64, now: DateTime<Utc>) -> Self {
        Self { app_id, issued_at: now - TimeDelta::seconds(60), expires_at: now + TimeDelta::minutes(9) }
    }
}

/// Why [`sign_app_jwt`] could not sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningError(&'static str);

impl std::fmt::Display for SigningError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for SigningError {}

/// Signs an App JWT (RS256) with a PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`) PEM
/// private key: a test's stand-in for what a GitHub client does, to drive the emulator. The
/// JWT is a bearer credential, so it comes back as a [`BearerToken`].
///
/// # Errors
///
/// When the PEM is not an RSA private key of 2048 to 4096 bits, or signing fails. The message
/// quotes nothing of the key.
pub fn sign_app_jwt(private_key_pem: &str, claims: JwtClaims) -> Result<BearerToken, SigningError> {
    use ring::rand::SystemRandom;
    use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};

    let der = zeroize::Zeroizing::new(pem_to_der(private_key_pem).ok_or(SigningError("not a PEM private key"))?);
    let key = RsaKeyPair::from_der(&der)
        .or_else(|_| RsaKeyPair::from_pkcs8(&der))
        .map_err(|_| SigningError("not an RSA private key patkit can use"))?;
    let header = base64::encode(br#"{"alg":"RS256","typ":"JWT"}"#, base64::Alphabet::UrlNoPad);
    let payload = base64::encode(
        serde_json::json!({
            "iss": claims.app_id.to_string(),
            "iat": claims.issued_at.timestamp(),
            "exp": claims.expires_at.timestamp(),
        })
        .to_string(),
        base64::Alphabet::UrlNoPad,
    );
    let signed = format!("{header}.{payload}");
    let mut signature = vec![0u8; key.public().modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), signed.as_bytes(), &mut signature)
        .map_err(|_| SigningError("RS256 signing failed"))?;
    Ok(BearerToken::new(format!("{signed}.{}", base64::encode(signature, base64::Alphabet::UrlNoPad))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_key_pem_gives_the_rsa_public_key_of_the_private_key_and_pkcs1_stays_as_it_is() {
        let spki = pem_to_der(include_str!("../../../tests/fixtures/github/app-key.pub.pem")).unwrap();
        let expected = crate::github::app::key::tests::key().public_key_der();
        assert_ne!(spki, expected, "the fixture is a SubjectPublicKeyInfo");
        assert_eq!(rsa_public_key_der(spki), expected);
        assert_eq!(rsa_public_key_der(expected.clone()), expected);
        assert_eq!(rsa_public_key_der(vec![0x30, 0x05, 0x01]), vec![0x30, 0x05, 0x01], "damaged DER is kept");
    }
}
