//! Checks JSON documents against the report schemas in `schemas/` with `schemas/validate.py`
//! (`python3` with the `jsonschema` package, installed by `scripts/test-services.sh install`).
//! Without them a check prints a notice and passes, unless `PATKIT_REQUIRE_SERVICES=1` (set by
//! `scripts/with-services.sh`), where it fails.
#![allow(dead_code)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

pub fn require_services() -> bool {
    std::env::var("PATKIT_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

pub fn schema_path(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas").join(name)
}

/// Validates `documents` against `schemas/<schema>`: `Ok(true)` valid, `Ok(false)` with the
/// validator's errors, `Err` when python3 with jsonschema is not there.
pub fn validate(schema: &str, documents: &[Value]) -> Result<Result<(), String>, String> {
    let probe = Command::new("python3").args(["-c", "import jsonschema"]).output();
    match probe {
        Ok(out) if out.status.success() => {}
        Ok(_) => return Err("python3 has no jsonschema package".into()),
        Err(e) => return Err(format!("python3 could not be run: {e}")),
    }
    let mut child = Command::new("python3")
        .arg(schema_path("validate.py"))
        .arg(schema_path(schema))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(serde_json::to_string(documents).unwrap().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Ok(if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) })
}

/// Asserts `documents` are valid against `schema` (or skips, see the module docs).
pub fn assert_valid(schema: &str, documents: &[Value]) {
    match validate(schema, documents) {
        Ok(Ok(())) => {}
        Ok(Err(errors)) => panic!("not valid against {schema}:\n{errors}\n{documents:#?}"),
        Err(why) => {
            assert!(!require_services(), "PATKIT_REQUIRE_SERVICES=1 but {why}");
            eprintln!("SKIPPED the {schema} check: {why}");
        }
    }
}
