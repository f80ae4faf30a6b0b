//! Decoding a JSON answer into the provider's wire type, with an error that names the failing
//! field and never quotes what a sensitive answer holds.

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::quote::cap;
use crate::transport::Operation;

/// Decodes `body`, naming the failing field in [`Error::Decode`]. For a sensitive operation (one
/// whose answer may hold a secret, e.g. a create) the error keeps only where and what kind of
/// failure, never a fragment of the body: not even a key, unless it is one of `schema_fields`,
/// the field names of the provider's schema. Any other error text is capped like every service
/// text.
pub(crate) fn json<T: DeserializeOwned>(body: &[u8], op: Operation, schema_fields: &[&str]) -> Result<T> {
    // Fast path: plain serde_json. Tracking the path costs about a third of the parse of a page,
    // and only an error needs it, so a body that fails is parsed again with tracking. The body
    // is checked as UTF-8 once, as a whole: parsed from a `&str`, serde_json does not check
    // every string again.
    if let Ok(text) = std::str::from_utf8(body)
        && let Ok(value) = serde_json::from_str(text)
    {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        // Keys in the path and serde's message (`invalid type: string "…"`) quote the body: a
        // sensitive body never, any other capped like every service text.
        let path = if op.is_sensitive() { schema_path(e.path(), schema_fields) } else { cap(e.path().to_string()) };
        let inner = e.into_inner();
        let source: Box<dyn std::error::Error + Send + Sync> = if op.is_sensitive() {
            format!("{:?} error at line {} column {}", inner.classify(), inner.line(), inner.column()).into()
        } else {
            cap(inner.to_string()).into()
        };
        Error::Decode { path, source }
    })
}

/// `path` as `serde_path_to_error` shows it, with every key that is not one of `schema_fields`
/// shown as `?`.
fn schema_path(path: &serde_path_to_error::Path, schema_fields: &[&str]) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path {
        let name = match segment {
            Segment::Seq { index } => {
                out.push_str(&format!("[{index}]"));
                continue;
            }
            Segment::Map { key } | Segment::Enum { variant: key } if schema_fields.contains(&key.as_str()) => {
                key.as_str()
            }
            _ => "?",
        };
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(name);
    }
    if out.is_empty() { ".".to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // read by Debug only
    struct Wire {
        token: u32,
    }

    #[test]
    fn a_sensitive_error_names_schema_fields_only_and_quotes_nothing() {
        let sensitive = Operation::not_idempotent("mint").sensitive();
        let body = br#"{"token": "CANARY-decode-1"}"#;
        let err = json::<Wire>(body, sensitive, &["token"]).unwrap_err();
        let shown = format!("{err} {err:?} {}", std::error::Error::source(&err).unwrap());
        assert!(matches!(&err, Error::Decode { path, .. } if path == "token"), "{shown}");
        assert!(!shown.contains("CANARY"), "{shown}");
        let err = json::<Wire>(br#"{"token": "CANARY-decode-2"}"#, sensitive, &[]).unwrap_err();
        assert!(matches!(&err, Error::Decode { path, .. } if path == "?"), "{err:?}");
    }

    #[test]
    fn any_other_error_is_capped() {
        let plain = Operation::idempotent("read");
        let long = "x".repeat(10_000);
        let body = format!(r#"{{"token": "{long}"}}"#);
        let err = json::<Wire>(body.as_bytes(), plain, &[]).unwrap_err();
        let source = std::error::Error::source(&err).unwrap().to_string();
        assert!(source.len() < crate::quote::MAX_QUOTED + 100, "{}", source.len());
    }
}
