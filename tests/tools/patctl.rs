//! `patctl` (`src/bin/patctl/`, the `cli` feature), run as a process: every subcommand against
//! `--emulator` (output shape as a table and as JSON, exit codes), and against the emulator
//! served over loopback HTTP (`--base-url`) where the test must see the server's state after
//! the process ends, or script faults and policies.

#![cfg(all(unix, feature = "emulator", feature = "reqwest"))]

use std::path::Path;
use std::process::{Command, Output};

use crate::report_schema::assert_valid;
use crate::tools_support::interpose::{Interposer, only_token};
use crate::tools_support::patctl_binary;
use chrono::{DateTime, TimeDelta, Utc};
use patkit::azure::emulator::{EmulatedUser, Emulator, Fault, FaultRule, SeedPat, TenantPolicies};
use patkit::azure::operations as op;
use patkit::azure::{AzureDevOpsClient, PROVIDER_NAME};
use patkit::store::FileTokenStore;
use patkit::{PatId, PatRecord, StoredPat, TokenStore};
use serde_json::Value;

/// The result of one patctl run.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }

    fn ok(self) -> Self {
        assert_eq!(self.code, 0, "patctl failed: {}", self.stderr);
        self
    }

    /// Table lines, header first.
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

fn patctl_in(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(patctl_binary());
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    let Output { status, stdout, stderr } = command.output().expect("run patctl");
    Run {
        code: status.code().expect("patctl exited normally"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

fn patctl(args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    patctl_in(home.path(), args, &[])
}

/// Before the global-PAT retirement (2026-12-01): where `emulated` runs unless told otherwise,
/// so no run depends on the day it runs or straddles a midnight.
const BEFORE_RETIREMENT: &str = "2026-11-30T12:00:00Z";
/// After the global-PAT retirement.
const AFTER_RETIREMENT: &str = "2026-12-02T12:00:00Z";

/// patctl `--emulator` with the emulator's and patctl's clock pinned before the retirement.
fn emulated(args: &[&str]) -> Run {
    emulated_at(BEFORE_RETIREMENT, args)
}

/// patctl `--emulator` with the clock pinned at `now` (hidden `PATCTL_EMULATOR_NOW`).
fn emulated_at(now: &str, args: &[&str]) -> Run {
    let mut all = vec!["--emulator"];
    all.extend_from_slice(args);
    let home = tempfile::tempdir().unwrap();
    patctl_in(home.path(), &all, &[("PATCTL_EMULATOR_NOW", now)])
}

/// Any run of 52+ base62/base32 characters: what a PAT looks like. Ids are UUIDs (with dashes).
fn has_pat_shaped_run(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w.len() >= 52)
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

// ---------- list ----------

#[test]
fn list_table_and_json_show_the_active_sample_tokens() {
    let table = emulated(&["list"]).ok();
    let lines = table.lines();
    assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["ID", "NAME", "STATUS", "EXPIRES", "SCOPES"]);
    assert_eq!(lines.len(), 1 + 5, "five active sample tokens: {}", table.stdout);
    assert!(table.stdout.contains("everything (global)"));
    assert!(!table.stdout.contains("leaked token"), "revoked tokens are not active");
    assert!(table.stderr.is_empty(), "no progress bar when stderr is not a terminal: {}", table.stderr);

    let json = emulated(&["list", "--json"]).ok().json();
    let tokens = json.as_array().unwrap();
    assert_eq!(tokens.len(), 5);
    for t in tokens {
        for key in ["id", "display_name", "status", "scopes", "valid_from", "valid_to", "global", "organizations"] {
            assert!(t.get(key).is_some(), "{key} missing in {t}");
        }
        assert_eq!(t["status"], "active");
    }
    let names: Vec<&str> = tokens.iter().map(|t| t["display_name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted by name by default");
}

#[test]
fn list_filters_statuses_sort_and_limit() {
    let all = emulated(&["list", "--status", "all", "--json"]).ok().json();
    let status_of = |name: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|t| t["display_name"] == name)
            .map(|t| t["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status_of("leaked token").as_deref(), Some("revoked"));
    assert_eq!(status_of("old script").as_deref(), Some("expired"));
    assert_eq!(status_of("laptop git").as_deref(), Some("active"));

    let soon = emulated(&["list", "--expiring-within", "5d", "--json"]).ok().json();
    assert_eq!(soon.as_array().unwrap().len(), 1);
    assert_eq!(soon[0]["display_name"], "nuget feed (CI)");

    let named = emulated(&["list", "--name", "LAPTOP", "--json"]).ok().json();
    assert_eq!(named.as_array().unwrap().len(), 1);

    let global = emulated(&["list", "--global", "--json"]).ok().json();
    assert_eq!(global.as_array().unwrap().len(), 1);
    assert_eq!(global[0]["global"], true);
    assert_eq!(global[0]["organizations"], Value::Null);

    let desc = emulated(&["list", "--desc", "--limit", "2", "--json"]).ok().json();
    let names: Vec<&str> = desc.as_array().unwrap().iter().map(|t| t["display_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["release pipeline", "nuget feed (CI)"]);
}

#[test]
fn list_pages_through_a_long_listing() {
    let json = emulated(&["--emulator-extra", "250", "list", "--page-size", "100", "--json"]).ok().json();
    assert_eq!(json.as_array().unwrap().len(), 255, "three pages of 100");
}

#[test]
fn list_refuses_a_bad_page_size_with_usage_status() {
    let run = emulated(&["list", "--page-size", "0"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--page-size"));
}

// ---------- get ----------

#[test]
fn get_unknown_id_is_not_found_with_a_hint() {
    // Ids are random per process; a successful `get` is checked over loopback below.
    let run = emulated(&["get", "6f1d1c9e-0000-4000-8000-000000000000"]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(run.stderr.contains("not found"), "{}", run.stderr);
    assert!(run.stderr.contains("patctl list --status all"), "{}", run.stderr);
}

// ---------- create ----------

#[test]
fn create_redacts_the_secret_by_default() {
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("store");
    let store = store.to_str().unwrap();
    let args = ["--emulator", "--store", store, "create", "ci token", "--scopes", "vso.code", "--lifetime", "7d"];
    let table = patctl_in(home.path(), &[&args[..], &["--store-as", "ci/a"]].concat(), &[]).ok();
    assert!(table.stdout.contains("[hidden; --show-secret prints it]"), "{}", table.stdout);
    assert!(!has_pat_shaped_run(&table.stdout) && !has_pat_shaped_run(&table.stderr));

    let json = patctl_in(home.path(), &[&args[..], &["--store-as", "ci/b", "--json"]].concat(), &[]).ok().json();
    assert_eq!(json["secret"], Value::Null);
    assert_eq!(json["stored_as"], "ci/b");
    assert_eq!(json["display_name"], "ci token");
    let lifetime = time(&json["valid_to"]) - time(&json["valid_from"]);
    assert!((lifetime - TimeDelta::days(7)).num_seconds().abs() < 60, "{lifetime}");
}

#[test]
fn create_with_nowhere_for_the_secret_is_refused_before_anything_is_sent() {
    let s = Served::new();
    for extra in [&[][..], &["--json"]] {
        let run = s.run(&[&["create", "ci token", "--scopes", "vso.code"][..], extra].concat());
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("--show-secret") && run.stderr.contains("--store-as"), "{}", run.stderr);
        assert!(run.stderr.contains("nothing was created"), "{}", run.stderr);
    }
    assert_eq!(s.emulator.requests_seen(op::CREATE), 0);
    assert!(s.emulator.snapshot().tokens.is_empty(), "a token no one holds was created");
}

#[test]
fn create_shows_the_secret_only_when_asked() {
    let json = emulated(&["create", "ci", "--scopes", "vso.code", "--show-secret", "--json"]).ok().json();
    assert_eq!(json["secret"].as_str().unwrap().len(), 84);
    let table = emulated(&["create", "ci", "--scopes", "vso.code", "--show-secret"]).ok();
    assert!(has_pat_shaped_run(&table.stdout));
    assert!(!table.stderr.contains("neither shown nor stored"));
}

#[test]
fn create_store_as_keeps_the_secret_in_the_store() {
    let home = tempfile::tempdir().unwrap();
    let store_dir = home.path().join("store");
    let store_arg = store_dir.to_str().unwrap();
    let run = patctl_in(
        home.path(),
        &[
            "--emulator",
            "--store",
            store_arg,
            "create",
            "feed",
            "--scopes",
            "vso.packaging",
            "--store-as",
            "ci/feed",
            "--json",
        ],
        &[],
    )
    .ok();
    let json = run.json();
    assert_eq!(json["stored_as"], "ci/feed");
    assert_eq!(json["secret"], Value::Null);
    assert!(!has_pat_shaped_run(&run.stdout) && !has_pat_shaped_run(&run.stderr));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let entry = runtime
        .block_on(async { FileTokenStore::open(&store_dir).await.unwrap().get("ci/feed").await.unwrap().unwrap() });
    assert_eq!(entry.record.metadata.id.as_str(), json["id"].as_str().unwrap());
    assert_eq!(entry.secret.expose_secret().len(), 84);

    // A second create under the same entry is refused before anything is created.
    let again = patctl_in(
        home.path(),
        &["--emulator", "--store", store_arg, "create", "feed", "--scopes", "vso.packaging", "--store-as", "ci/feed"],
        &[],
    );
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already has an entry `ci/feed`"), "{}", again.stderr);
}

#[test]
fn create_with_a_bad_scope_is_a_usage_error() {
    let run = emulated(&["create", "x", "--scopes", "not a scope!"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.starts_with("patctl: invalid"), "{}", run.stderr);
}

// ---------- extend / expire / revoke (in process) ----------

#[test]
fn extend_expire_and_revoke_refuse_unknown_ids() {
    let unknown = "6f1d1c9e-0000-4000-8000-000000000000";
    assert_eq!(emulated(&["extend", unknown, "--by", "30d"]).code, 5);
    assert_eq!(emulated(&["--yes", "expire", unknown, "--in", "1h"]).code, 5);
    let revoke = emulated(&["--yes", "revoke", unknown, "--json"]).ok().json();
    assert_eq!(revoke[0]["id"], unknown, "revoke is idempotent: unknown ids are already gone");
    assert_eq!(revoke[0]["revoked"], true);
}

#[test]
fn expire_in_the_past_is_refused_before_sending() {
    let run = emulated(&["--yes", "expire", "6f1d1c9e-0000-4000-8000-000000000000", "--at", "2000-01-01T00:00:00Z"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = emulated(&["expire", "6f1d1c9e-0000-4000-8000-000000000000"]);
    assert_eq!(run.code, 2, "clap requires --at or --in");
}

// ---------- scan / rotate / offboard (in process) ----------

#[test]
fn scan_reports_what_needs_attention() {
    let json = emulated(&["scan", "--within", "14d", "--json"]).ok().json();
    assert_eq!(json["window_secs"], 14 * 86_400);
    assert_valid("scan-report.v1.json", std::slice::from_ref(&json));
    let findings = json["findings"].as_array().unwrap();
    let kind_of = |entry: &str| {
        findings.iter().find(|f| f["entry"] == entry).map(|f| f["kind"]["kind"].as_str().unwrap().to_owned())
    };
    assert_eq!(kind_of("ci/nuget-feed").as_deref(), Some("expiring_soon"));
    assert_eq!(kind_of("deploy/release").as_deref(), Some("expiring_soon"));
    assert_eq!(kind_of("tools/old-script").as_deref(), Some("expired"));
    assert_eq!(kind_of("ci/build-agent"), None, "fine entries only with --all");
    assert!(findings.iter().any(|f| f["kind"]["kind"] == "not_stored" && f["token"]["display_name"] == "laptop git"));
    for f in findings {
        assert!(f["kind"]["message"].is_string() && f["view"].is_string() && f["token"]["id"].is_string());
    }

    let all = emulated(&["scan", "--all", "--json"]).ok().json();
    assert!(all["findings"].as_array().unwrap().iter().any(|f| f["kind"]["kind"] == "fine"));
    assert_valid("scan-report.v1.json", std::slice::from_ref(&all));
    let store_only = emulated(&["scan", "--store-only", "--json"]).ok().json();
    assert!(store_only["findings"].as_array().unwrap().iter().all(|f| f["view"] == "store"));

    let table = emulated(&["scan"]).ok();
    assert_eq!(
        table.lines()[0].split_whitespace().collect::<Vec<_>>(),
        ["FINDING", "ENTRY", "ID", "NAME", "VIEW", "DETAIL"]
    );
    assert!(table.stdout.lines().any(|l| l.split_whitespace().take(2).eq(["expiring_soon", "ci/nuget-feed"])));
}

/// The global sample token gets a finding of its own: retiring before 2026-12-01, retired after,
/// on a clock pinned on either side of the date (never the day the test runs).
#[test]
fn scan_reports_the_global_token_retiring_then_retired() {
    for (now, kind, status) in [(BEFORE_RETIREMENT, "retiring", "active"), (AFTER_RETIREMENT, "retired", "retired")] {
        let json = emulated_at(now, &["scan", "--json"]).ok().json();
        assert_eq!(time(&json["now"]), time(&Value::from(now)), "the pinned clock is patctl's clock");
        let global: Vec<_> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["token"]["display_name"] == "everything")
            .collect();
        let kinds: Vec<_> = global.iter().map(|f| f["kind"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["not_stored", kind], "{now}: {global:?}");
        let finding = global[1];
        assert_eq!(finding["token"]["global"], true);
        assert_eq!(finding["token"]["status"], status, "{now}: {finding}");
        let day = patkit::azure::GLOBAL_PAT_RETIREMENT.format("%Y-%m-%d").to_string();
        assert!(finding["kind"]["message"].as_str().unwrap().contains(&day), "{finding}");
        assert_valid("scan-report.v1.json", std::slice::from_ref(&json));
        let table = emulated_at(now, &["scan"]).ok();
        assert!(table.stdout.lines().any(|l| l.starts_with(kind) && l.contains("everything")), "{}", table.stdout);
    }
    let help = patctl(&["--help"]).ok();
    assert!(help.stdout.contains("global tokens"), "scan's help names the global findings: {}", help.stdout);
    assert!(!help.stdout.contains("EMULATOR_NOW") && !help.stdout.contains("emulator-now"), "{}", help.stdout);
}

/// `list` shows a global token as `retired` once Azure DevOps has retired global tokens (the
/// service lists it but no longer accepts it), and `active` before.
#[test]
fn list_shows_a_global_token_retired_after_the_date() {
    for (now, status) in [(BEFORE_RETIREMENT, "active"), (AFTER_RETIREMENT, "retired")] {
        let json = emulated_at(now, &["list", "--json"]).ok().json();
        let tokens = json.as_array().unwrap();
        let global = tokens.iter().find(|t| t["display_name"] == "everything").unwrap();
        assert_eq!(global["status"], status, "{now}: {global}");
        assert!(tokens.iter().filter(|t| t["global"] == false).all(|t| t["status"] == "active"), "{now}: {json}");
        let all = emulated_at(now, &["list", "--status", "all", "--json"]).ok().json();
        let global = all.as_array().unwrap().iter().find(|t| t["display_name"] == "everything").unwrap();
        assert_eq!(global["status"], status, "{now}: --status all");
        let table = emulated_at(now, &["list", "--global"]).ok();
        let row = table.lines().into_iter().find(|l| l.contains("everything")).unwrap().to_owned();
        assert!(row.split_whitespace().any(|w| w == status), "{now}: {row}");
    }
}

#[test]
fn rotate_dry_run_plans_and_changes_nothing() {
    let json = emulated(&["rotate", "--dry-run", "--json"]).ok().json();
    let plan = json.as_array().unwrap();
    assert_eq!(plan.len(), 4);
    let action = |e: &str| plan.iter().find(|p| p["entry"] == e).unwrap()["action"].as_str().unwrap().to_owned();
    assert_eq!(action("ci/nuget-feed"), "rotate");
    assert_eq!(action("tools/old-script"), "rotate");
    assert_eq!(action("ci/build-agent"), "skip");
    assert!(plan.iter().all(|p| p["dry_run"] == true));

    let table = emulated(&["rotate", "--dry-run", "ci/nuget-feed"]).ok();
    assert_eq!(table.lines().len(), 2);
    assert!(table.stdout.contains("would rotate"));
    assert!(table.stderr.contains("dry run"));

    let missing = emulated(&["rotate", "--dry-run", "no/such"]);
    assert_eq!(missing.code, 5);
}

#[test]
fn rotate_replaces_due_entries() {
    let json = emulated(&["rotate", "--yes", "--within", "14d", "--json"]).ok().json();
    assert_valid("rotation-report.v1.json", std::slice::from_ref(&json));
    assert_eq!(json["format"], "patkit.rotation-report");
    assert_eq!(json["summary"]["rotated"], 3, "{json}");
    let results = json["entries"].as_array().unwrap();
    let result = |e: &str| results.iter().find(|r| r["name"] == e).unwrap();
    for entry in ["ci/nuget-feed", "deploy/release", "tools/old-script"] {
        let r = &result(entry)["outcome"];
        assert_eq!(r["kind"], "rotated", "{r}");
        let (old, new) = (&r["rotation"]["old"], &r["rotation"]["new"]);
        assert_ne!(old["id"], new["id"]);
        assert_eq!(old["scopes"], new["scopes"]);
        assert_eq!(old["status"], "revoked");
    }
    let skipped = &result("ci/build-agent")["outcome"];
    assert_eq!((&skipped["kind"], &skipped["reason"]["kind"]), (&Value::from("skipped"), &Value::from("not_due")));

    let table = emulated(&["rotate", "--force", "--yes"]).ok();
    assert_eq!(table.lines()[0].split_whitespace().take(3).collect::<Vec<_>>(), ["ENTRY", "RESULT", "OLD"]);
    assert_eq!(table.stdout.matches(" rotated ").count(), 4, "{}", table.stdout);

    assert_eq!(emulated(&["rotate", "no/such", "--yes"]).code, 5);
}

#[test]
fn offboard_revokes_every_token_of_the_user() {
    let dry = emulated(&["offboard", "Bob", "--dry-run", "--json"]).ok().json();
    assert_eq!(dry["dry_run"], true);
    assert_valid("offboarding-report.v1.json", std::slice::from_ref(&dry));
    assert_eq!(dry["format"], "patkit.offboarding-report");
    assert_eq!(dry["found"].as_array().unwrap().len(), 3);
    assert_eq!(dry["revoked"].as_array().unwrap().len(), 3, "a dry run lists what it would revoke");
    assert!(dry["user"].as_str().unwrap().starts_with("aad."));
    let real = emulated(&["offboard", "Bob", "--yes", "--json"]).ok().json();
    assert_valid("offboarding-report.v1.json", std::slice::from_ref(&real));
    assert_eq!((&real["dry_run"], real["revoked"].as_array().unwrap().len()), (&Value::from(false), 3), "{real}");
    assert!(real["still_valid"].as_array().unwrap().is_empty() && real["error"].is_null(), "{real}");

    let table = emulated(&["offboard", "bob", "--yes"]).ok();
    assert_eq!(table.lines()[0].split_whitespace().collect::<Vec<_>>(), ["ID", "NAME", "ACTION"]);
    assert_eq!(table.stdout.matches("revoked").count(), 3, "{}", table.stdout);
    assert!(table.stdout.contains("bob laptop"));

    let nobody = emulated(&["offboard", "Carol", "--yes"]);
    assert_eq!(nobody.code, 5);
}

#[test]
fn offboard_by_email_across_organizations() {
    let dry = emulated(&["offboard", "--user", "BOB@fabrikam.example", "--dry-run", "--json"]).ok().json();
    assert_valid("offboarding-by-name-report.v1.json", std::slice::from_ref(&dry));
    assert_eq!(dry["format"], "patkit.offboarding-by-name-report");
    let fabrikam = &dry["organizations"][0];
    assert_eq!((&fabrikam["status"], &fabrikam["matched_by"]), (&Value::from("dry_run"), &Value::from("email")));
    let actions: Vec<&str> =
        fabrikam["tokens"].as_array().unwrap().iter().map(|t| t["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["would_revoke"; 3]);
    assert_eq!(fabrikam["credentials_untouched"][0]["kind"], "ssh_key");

    // A second organization the sample does not have fails on its own; fabrikam is offboarded.
    let run = emulated(&["offboard", "--user", "bob@fabrikam.example", "--also-org", "contoso", "--yes"]);
    assert_eq!(run.code, 11, "{}", run.stderr);
    let fabrikam_rows: Vec<&str> = run.lines().into_iter().filter(|l| l.starts_with("fabrikam")).collect();
    assert_eq!(fabrikam_rows.iter().filter(|l| l.ends_with("revoked")).count(), 3, "{}", run.stdout);
    assert!(fabrikam_rows.iter().any(|l| l.contains("SSH key") && l.ends_with("seen, not touched")), "{}", run.stdout);
    assert!(run.stdout.lines().any(|l| l.starts_with("contoso") && l.contains("error")), "{}", run.stdout);

    // "bob" only resembles Bob's principal name: nobody is offboarded.
    let fuzzy = emulated(&["offboard", "--user", "bob", "--yes"]);
    assert_eq!(fuzzy.code, 5, "{}", fuzzy.stderr);
    // The old form still works, and the two forms do not mix.
    emulated(&["offboard", "Bob", "--dry-run"]).ok();
    assert_eq!(emulated(&["offboard", "Bob", "--user", "bob@fabrikam.example"]).code, 2);
}

// ---------- usage, help, credentials ----------

#[test]
fn help_documents_the_exit_codes() {
    let run = patctl(&["--help"]).ok();
    for line in ["3   authentication", "5   not found", "11  bulk work"] {
        assert!(run.stdout.contains(line), "{line} missing from --help");
    }
}

#[test]
fn without_an_organization_it_says_what_to_pass() {
    let run = patctl(&["list"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--org") && run.stderr.contains("AZURE_DEVOPS_ORG"), "{}", run.stderr);
}

#[test]
fn without_a_credential_it_says_how_to_get_one() {
    let run = patctl(&["--org", "fabrikam", "--credential", "env", "list"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("AZURE_DEVOPS_ENTRA_TOKEN"), "{}", run.stderr);
}

// ---------- against the emulator over loopback HTTP ----------

struct Served {
    runtime: tokio::runtime::Runtime,
    emulator: Emulator,
    server: Interposer,
    alice: EmulatedUser,
    home: tempfile::TempDir,
}

impl Served {
    fn new() -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let emulator = Emulator::new();
        emulator.add_organization("fabrikam");
        let alice = emulator.add_user("Alice");
        let server = runtime.block_on(Interposer::start(emulator.clone()));
        Self { runtime, emulator, server, alice, home: tempfile::tempdir().unwrap() }
    }

    fn run_as(&self, token: &str, args: &[&str]) -> Run {
        let base = self.server.base_url();
        let mut all = vec!["--org", "fabrikam", "--base-url", base.as_str()];
        all.extend_from_slice(args);
        patctl_in(self.home.path(), &all, &[("AZURE_DEVOPS_ENTRA_TOKEN", token)])
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_as(self.alice.bearer.expose_secret(), args)
    }

    fn seed(&self, name: &str, days: i64) -> PatId {
        let now = self.emulator.now();
        self.emulator
            .seed_pat(
                "fabrikam",
                self.alice.id,
                SeedPat::new(name, "vso.code")
                    .valid_from(now - TimeDelta::days(30))
                    .valid_to(now + TimeDelta::days(days)),
            )
            .id
    }
}

#[test]
fn get_extend_expire_revoke_change_the_server() {
    let s = Served::new();
    let id = s.seed("feed", 10);
    let before = s.emulator.token(&id).unwrap().valid_to;

    let got = s.run(&["get", id.as_str(), "--json"]).ok().json();
    assert_eq!(got["id"], id.as_str());
    assert_eq!(got["display_name"], "feed");
    assert_eq!(time(&got["valid_to"]).timestamp(), before.timestamp());
    let table = s.run(&["get", id.as_str()]).ok();
    assert!(table.stdout.starts_with("id "), "{}", table.stdout);
    assert!(table.stdout.contains("valid to"));

    let extended = s.run(&["extend", id.as_str(), "--by", "30d", "--json"]).ok().json();
    let after = s.emulator.token(&id).unwrap().valid_to;
    assert!(((after - before).num_seconds() - 30 * 86_400).abs() <= 1, "{}", after - before);
    assert_eq!(time(&extended["valid_to"]).timestamp(), after.timestamp());

    s.run(&["expire", id.as_str(), "--in", "1h", "--yes"]).ok();
    let left = s.emulator.token(&id).unwrap().valid_to - s.emulator.now();
    assert!(left <= TimeDelta::hours(1) && left > TimeDelta::minutes(55), "{left}");

    let other = s.seed("other", 10);
    let revoked = s.run(&["revoke", id.as_str(), other.as_str(), "--yes"]).ok();
    assert_eq!(revoked.lines()[0].split_whitespace().collect::<Vec<_>>(), ["ID", "RESULT"]);
    assert_eq!(revoked.stdout.matches("revoked").count(), 2);
    assert!(s.emulator.token(&id).unwrap().revoked && s.emulator.token(&other).unwrap().revoked);
}

#[test]
fn a_refused_bearer_token_exits_3_and_says_to_sign_in_as_a_user() {
    let s = Served::new();
    let expired = s.emulator.issue_user_token(s.alice.id, Some(Utc::now() - TimeDelta::hours(1)));
    let run = s.run_as(expired.expose_secret(), &["list"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("Microsoft Entra *user* token"), "{}", run.stderr);
    assert!(run.stderr.contains("az login"), "{}", run.stderr);
    assert!(!run.stderr.contains(expired.expose_secret()));
}

#[test]
fn a_service_principal_is_forbidden_exit_4() {
    let s = Served::new();
    let app = s.emulator.issue_app_token(None);
    let run = s.run_as(app.expose_secret(), &["list"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stderr.contains("forbidden"), "{}", run.stderr);
    assert!(run.stderr.contains("sign in"), "{}", run.stderr);
}

#[test]
fn a_policy_refusal_exits_6() {
    let s = Served::new();
    s.emulator.set_tenant_policies(TenantPolicies {
        max_lifespan: Some(TimeDelta::days(7)),
        reject_over_lifespan: true,
        ..TenantPolicies::default()
    });
    let run = s.run(&["create", "long", "--scopes", "vso.code", "--lifetime", "30d", "--show-secret"]);
    assert_eq!(run.code, 6, "{}", run.stderr);
    assert!(run.stderr.contains("policy"), "{}", run.stderr);
    assert!(s.emulator.snapshot().tokens.is_empty());
}

#[test]
fn an_uncertain_create_exits_10() {
    let s = Served::new();
    s.emulator.inject(FaultRule::new(op::CREATE, Fault::CommitThenDrop).times(1));
    let run = s.run(&["create", "lost", "--scopes", "vso.code", "--show-secret"]);
    assert_eq!(run.code, 10, "{}", run.stderr);
    let id = s.emulator.snapshot().tokens[0].id.clone();
    assert!(run.stderr.contains(&format!("patctl revoke {id}")), "{}", run.stderr);
}

#[test]
fn an_uncertain_create_names_only_the_token_it_may_have_made() {
    let s = Served::new();
    let older = s.seed("lost", 10); // someone's working token with the same name
    s.emulator.inject(FaultRule::new(op::CREATE, Fault::CommitThenDrop).times(1));
    let run = s.run(&["create", "lost", "--scopes", "vso.code", "--show-secret"]);
    assert_eq!(run.code, 10, "{}", run.stderr);
    let new = s.emulator.snapshot().tokens.into_iter().find(|t| t.id != older).unwrap().id;
    let revoke_line = run.stderr.lines().find(|l| l.contains("patctl revoke")).expect("a revoke hint");
    let command = revoke_line.split("`patctl revoke ").nth(1).and_then(|rest| rest.split('`').next()).unwrap();
    assert_eq!(command, new.as_str(), "told to revoke a token it did not make: {}", run.stderr);
    assert!(run.stderr.contains(&format!("older tokens with the same name ({older}) predate")), "{}", run.stderr);
}

#[test]
fn offboard_by_a_non_admin_exits_3_and_names_the_role() {
    let s = Served::new();
    let bob = s.emulator.add_user("Bob");
    let run = s.run(&["offboard", &bob.descriptor, "--yes"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("organization administrator"), "{}", run.stderr);
}

fn store_entry(s: &Served, store_dir: &Path, entry: &str, id: &PatId, secret: patkit::PatSecret) {
    let base = s.server.base_url();
    s.runtime.block_on(async {
        let client = AzureDevOpsClient::builder("fabrikam", s.alice.credential()).base_url(base).build().unwrap();
        let metadata = client.get(id).await.unwrap();
        let store = FileTokenStore::open(store_dir).await.unwrap();
        let record = PatRecord::new(entry, PROVIDER_NAME, "fabrikam", metadata, Utc::now());
        store.put(StoredPat { record, secret }).await.unwrap();
    });
}

#[test]
fn rotate_over_http_revokes_the_old_token_and_stores_the_new() {
    let s = Served::new();
    let store_dir = s.home.path().join("store");
    let now = s.emulator.now();
    let seeded = s.emulator.seed_pat(
        "fabrikam",
        s.alice.id,
        SeedPat::new("feed", "vso.packaging").valid_from(now - TimeDelta::days(30)).valid_to(now + TimeDelta::days(2)),
    );
    store_entry(&s, &store_dir, "ci/feed", &seeded.id, seeded.secret);

    let json = s.run(&["--store", store_dir.to_str().unwrap(), "rotate", "--json", "--yes"]).ok().json();
    assert_valid("rotation-report.v1.json", std::slice::from_ref(&json));
    assert_eq!(json["entries"][0]["outcome"]["kind"], "rotated", "{json}");
    assert!(s.emulator.token(&seeded.id).unwrap().revoked);
    let stored = s
        .runtime
        .block_on(async { FileTokenStore::open(&store_dir).await.unwrap().get("ci/feed").await.unwrap().unwrap() });
    assert_eq!(
        stored.record.metadata.id.as_str(),
        json["entries"][0]["outcome"]["rotation"]["new"]["id"].as_str().unwrap()
    );
    let secret = stored.secret.expose_secret();
    assert!(!secret.is_empty() && !json.to_string().contains(secret), "the --json report shows the new secret");
    assert!(!s.emulator.token(&stored.record.metadata.id).unwrap().revoked);
}

#[test]
fn rotate_with_a_failing_create_exits_11_and_keeps_the_old_token() {
    let s = Served::new();
    let store_dir = s.home.path().join("store");
    let now = s.emulator.now();
    let seeded = s.emulator.seed_pat(
        "fabrikam",
        s.alice.id,
        SeedPat::new("feed", "vso.packaging").valid_from(now - TimeDelta::days(30)).valid_to(now + TimeDelta::days(2)),
    );
    store_entry(&s, &store_dir, "ci/feed", &seeded.id, seeded.secret);
    s.emulator.inject(FaultRule::new(op::CREATE, Fault::ServerError { status: 503 }).always());

    let run = s.run(&["--store", store_dir.to_str().unwrap(), "rotate", "--yes"]);
    assert_eq!(run.code, 11, "{}", run.stderr);
    assert!(run.stdout.contains("failed"), "{}", run.stdout);
    assert!(run.stderr.contains("1 of 1 entries failed"), "{}", run.stderr);
    assert!(!s.emulator.token(&seeded.id).unwrap().revoked, "the old token still works");

    let json = s.run(&["--store", store_dir.to_str().unwrap(), "rotate", "--yes", "--json"]);
    assert_eq!(json.code, 11, "{}", json.stderr);
    let json = json.json();
    assert_valid("rotation-report.v1.json", std::slice::from_ref(&json));
    let outcome = &json["entries"][0]["outcome"];
    assert_eq!(
        (&outcome["kind"], &outcome["failure"]["step"]),
        (&Value::from("failed"), &Value::from("create")),
        "{json}"
    );
    assert_eq!(json["summary"]["failed"], 1);
}

// ---------- every token create makes ends stored, shown, or revoked ----------

impl Served {
    fn store_dir(&self) -> std::path::PathBuf {
        self.home.path().join("store")
    }

    /// Breaks the `--store` directory right after the emulator committed a create.
    fn break_store_after_create(&self) {
        self.server.break_store_after_create(self.store_dir());
    }

    fn only_token(&self) -> patkit::azure::emulator::TokenSnapshot {
        only_token(&self.emulator)
    }

    fn pat_works(&self, secret: &str) -> bool {
        let client = AzureDevOpsClient::builder("fabrikam", self.alice.credential())
            .base_url(self.server.base_url())
            .build()
            .unwrap();
        self.runtime.block_on(client.check_pat(&patkit::PatSecret::new(secret.to_owned()))).unwrap()
    }
}

#[test]
fn create_that_cannot_be_stored_is_revoked() {
    let s = Served::new();
    s.break_store_after_create();
    let store = s.store_dir();
    let run =
        s.run(&["--store", store.to_str().unwrap(), "create", "feed", "--scopes", "vso.code", "--store-as", "ci/feed"]);
    assert_eq!(run.code, 9, "{}", run.stderr);
    let token = s.only_token();
    assert!(token.revoked, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("created token {} but could not store it", token.id)), "{}", run.stderr);
    assert!(run.stderr.contains("so it was revoked"), "{}", run.stderr);
}

#[test]
fn create_that_can_be_neither_stored_nor_revoked_says_so_and_shows_the_secret_when_asked() {
    let s = Served::new();
    s.break_store_after_create();
    s.emulator.inject(FaultRule::new(op::REVOKE, Fault::ServerError { status: 501 }).always());
    let store = s.store_dir();
    let store = store.to_str().unwrap();

    let run = s.run(&[
        "--store",
        store,
        "create",
        "feed",
        "--scopes",
        "vso.code",
        "--store-as",
        "ci/a",
        "--show-secret",
        "--json",
    ]);
    assert_eq!(run.code, 9, "{}", run.stderr);
    let token = s.only_token();
    assert!(!token.revoked);
    assert!(!run.stderr.contains("was revoked"), "a false claim: {}", run.stderr);
    assert!(run.stderr.contains("could not revoke it") && run.stderr.contains("still works"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("patctl revoke {}", token.id)), "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["id"], token.id.as_str());
    assert!(s.pat_works(json["secret"].as_str().expect("the secret, as --show-secret asked")));

    // Without --show-secret the secret stays unprinted, and the message names the live token.
    let entries = s.store_dir().join("entries"); // repaired, to be broken again
    std::fs::remove_file(&entries).unwrap();
    std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700).create(&entries).unwrap();
    let run = s.run(&["--store", store, "create", "feed", "--scopes", "vso.code", "--store-as", "ci/b"]);
    assert_eq!(run.code, 9, "{}", run.stderr);
    assert!(!has_pat_shaped_run(&run.stdout) && !has_pat_shaped_run(&run.stderr));
    let second = s.emulator.snapshot().tokens.into_iter().find(|t| t.id != token.id).unwrap();
    assert!(run.stderr.contains(&format!("patctl revoke {}", second.id)), "{}", run.stderr);
    assert!(!run.stderr.contains("was revoked"), "{}", run.stderr);
}

#[test]
fn create_whose_secret_cannot_be_printed_is_revoked() {
    let s = Served::new();
    // stdout is a pipe whose reading end is closed: every write to it fails.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let base = s.server.base_url();
    let output = Command::new(patctl_binary())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", s.home.path())
        .env("AZURE_DEVOPS_ENTRA_TOKEN", s.alice.bearer.expose_secret())
        .args(["--org", "fabrikam", "--base-url", &base, "create", "shown", "--scopes", "vso.code", "--show-secret"])
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    let token = s.only_token();
    assert!(token.revoked, "a token whose secret reached no one is left valid: {stderr}");
    assert!(stderr.contains("could not print its secret") && stderr.contains("so it was revoked"), "{stderr}");
}

// ---------- conventions: confirmation, --verbose, escaped names ----------

/// Every operation that changes a token at the service.
const WRITES: [patkit::transport::Operation; 5] =
    [op::CREATE, op::UPDATE, op::REVOKE, op::ADMIN_REVOKE, op::ADMIN_CREATE_REVOCATION_RULE];

#[test]
fn destructive_commands_without_a_terminal_or_yes_change_nothing_and_say_why() {
    let s = Served::new();
    s.emulator.make_org_admin("fabrikam", s.alice.id);
    let bob = s.emulator.add_user("Bob");
    let now = s.emulator.now();
    s.emulator.seed_pat("fabrikam", bob.id, SeedPat::new("bob laptop", "vso.code").valid_to(now + TimeDelta::days(9)));
    let due = s.seed("feed", 2);
    let other = s.seed("other", 90);
    let store_dir = s.store_dir();
    let seeded_secret = {
        // The store holds the due token, so `rotate` has work to do.
        let seeded = s.emulator.seed_pat(
            "fabrikam",
            s.alice.id,
            SeedPat::new("stored", "vso.code").valid_from(now - TimeDelta::days(30)).valid_to(now + TimeDelta::days(1)),
        );
        let text = seeded.secret.expose_secret().to_owned();
        store_entry(&s, &store_dir, "ci/feed", &seeded.id, seeded.secret);
        (seeded.id, text)
    };
    let tokens_before = s.emulator.snapshot().tokens;
    let store = store_dir.to_str().unwrap();

    let commands: [&[&str]; 5] = [
        &["revoke", due.as_str(), other.as_str()],
        &["expire", due.as_str(), "--in", "1h"],
        &["--store", store, "rotate"],
        &["--store", store, "rotate", "ci/feed", "--force", "--json"],
        &["offboard", &bob.descriptor],
    ];
    for args in commands {
        let run = s.run(args); // stdin is not a terminal (Command::output gives it none)
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("stdin is not a terminal"), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("nothing was changed"), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("pass --yes"), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
    assert_eq!(s.emulator.snapshot().tokens, tokens_before, "a token changed at the service");
    for write in WRITES {
        assert_eq!(s.emulator.requests_seen(write), 0, "{} was sent", write.name());
    }
    let stored = s
        .runtime
        .block_on(async { FileTokenStore::open(&store_dir).await.unwrap().get("ci/feed").await.unwrap().unwrap() });
    assert_eq!(stored.record.metadata.id, seeded_secret.0, "the stored token was replaced");
    assert_eq!(stored.secret.expose_secret(), seeded_secret.1);

    // What the message says names what would have happened.
    let run = s.run(&["revoke", due.as_str()]);
    assert!(run.stderr.contains(&format!("this would revoke 1 token in fabrikam ({due})")), "{}", run.stderr);
    // --dry-run needs no confirmation, and --yes goes ahead.
    s.run(&["offboard", &bob.descriptor, "--dry-run"]).ok();
    s.run(&["revoke", due.as_str(), "--yes"]).ok();
    assert!(s.emulator.token(&due).unwrap().revoked);
}

/// A terminal on stdin (a pseudo-terminal from `script`): patctl asks, and only `y` goes ahead.
#[test]
fn on_a_terminal_patctl_asks_and_only_yes_goes_ahead() {
    if Command::new("script").arg("--version").output().is_err() {
        panic!("this test needs util-linux `script` for a pseudo-terminal");
    }
    let s = Served::new();
    let id = s.seed("feed", 10);
    let base = s.server.base_url();
    let command = format!(
        "{} --org fabrikam --base-url {base} revoke {id}",
        crate::tools_support::shell_quote(patctl_binary().to_str().unwrap())
    );
    let on_a_terminal = |answer: &str| {
        let mut child = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("AZURE_DEVOPS_ENTRA_TOKEN", s.alice.bearer.expose_secret())
            .env("HOME", s.home.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(answer.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        (output.status.code(), String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let (code, screen) = on_a_terminal("n\n");
    assert_eq!(code, Some(2), "{screen}");
    assert!(screen.contains(&format!("revoke 1 token in fabrikam ({id})? [y/N]")), "{screen}");
    assert!(screen.contains("not confirmed; nothing was changed"), "{screen}");
    assert!(!s.emulator.token(&id).unwrap().revoked);
    assert_eq!(s.emulator.requests_seen(op::REVOKE), 0);

    let (code, screen) = on_a_terminal("y\n");
    assert_eq!(code, Some(0), "{screen}");
    assert!(s.emulator.token(&id).unwrap().revoked, "{screen}");
}

#[test]
fn verbose_diagnostics_go_to_stderr_and_never_carry_a_secret() {
    let s = Served::new();
    let store = s.store_dir();
    let store = store.to_str().unwrap();
    let bearer = s.alice.bearer.expose_secret().to_owned();

    let created = s
        .run(&[
            "--verbose",
            "--store",
            store,
            "create",
            "feed",
            "--scopes",
            "vso.code",
            "--store-as",
            "ci/feed",
            "--json",
        ])
        .ok();
    let rotated = s.run(&["-v", "--yes", "--store", store, "rotate", "--force", "--json"]).ok();
    let quiet = s.run(&["--store", store, "scan", "--json"]).ok();
    assert!(quiet.stderr.is_empty(), "diagnostics only with --verbose: {}", quiet.stderr);

    let stored = s
        .runtime
        .block_on(async { FileTokenStore::open(s.store_dir()).await.unwrap().get("ci/feed").await.unwrap().unwrap() });
    let old_id = created.json()["id"].as_str().unwrap().to_owned();
    assert_ne!(stored.record.metadata.id.as_str(), old_id, "rotated");
    for run in [&created, &rotated] {
        // It said something useful: the settings and each request, with its operation.
        assert!(run.stderr.contains("patctl: settings"), "{}", run.stderr);
        assert!(run.stderr.contains("patkit.request") && run.stderr.contains("operation"), "{}", run.stderr);
        assert!(run.stderr.contains("status=200"), "{}", run.stderr);
        assert!(!run.stderr.contains(&bearer), "the Entra token on stderr");
        assert!(!run.stderr.contains(stored.secret.expose_secret()), "a PAT on stderr");
        assert!(!has_pat_shaped_run(&run.stderr), "{}", run.stderr);
        assert!(!run.stderr.contains('\x1b'), "no colour: {}", run.stderr);
        assert!(!run.stderr.contains("connecting to"), "only patkit's and patctl's own lines: {}", run.stderr);
    }
    assert!(created.stderr.contains(r#"operation="create""#), "{}", created.stderr);
    assert!(rotated.stderr.contains(r#"operation="revoke""#), "{}", rotated.stderr);
    assert!(rotated.stderr.contains("file store"), "{}", rotated.stderr);
}

#[test]
fn display_names_from_the_server_are_printed_with_control_characters_escaped() {
    let s = Served::new();
    let name = "evil\x1b]0;owned\x07\x1b[2J\nforged  row\u{202e}\u{9b}";
    let now = s.emulator.now();
    let id = s
        .emulator
        .seed_pat("fabrikam", s.alice.id, SeedPat::new(name, "vso.code").valid_to(now + TimeDelta::days(3)))
        .id;
    let escaped = r"evil\u{1b}]0;owned\u{7}\u{1b}[2J\nforged  row\u{202e}\u{9b}";
    for args in [&["list"][..], &["get", id.as_str()], &["scan", "--server-only"]] {
        let run = s.run(args).ok();
        assert!(
            !run.stdout.contains(['\x1b', '\x07', '\u{202e}', '\u{9b}']),
            "{args:?}: a control character reached the terminal: {:?}",
            run.stdout
        );
        assert!(run.stdout.contains(escaped), "{args:?}: {}", run.stdout);
        assert!(!run.stdout.lines().any(|l| l.starts_with("forged")), "{args:?}: a forged line: {}", run.stdout);
    }
    let list = s.run(&["list"]).ok();
    assert_eq!(list.lines().len(), 2, "one header and one row: {}", list.stdout);
    // JSON escapes them too, and a program reading it gets the name exactly.
    let json = s.run(&["list", "--json"]).ok();
    assert!(!json.stdout.contains(['\x1b', '\x07', '\u{9b}', '\u{202e}']), "{:?}", json.stdout);
    assert_eq!(json.json()[0]["display_name"], name);
}

#[test]
fn a_profile_supplies_organization_api_url_credential_source_and_store() {
    let s = Served::new();
    let id = s.seed("feed", 10);
    let store = s.store_dir();
    let config_dir = s.home.path().join(".config/patkit");
    std::fs::create_dir_all(&config_dir).unwrap();
    let config = format!(
        "default = served\n\n[served]\nprovider = azure-devops\norganization = fabrikam\nbase-url = {}\n\
         credential = env\ntoken-var = MY_ENTRA_TOKEN\nstore = {}\n",
        s.server.base_url(),
        store.display()
    );
    std::fs::write(config_dir.join("patctl.conf"), &config).unwrap();
    let bearer = s.alice.bearer.expose_secret().to_owned();
    let env = [("MY_ENTRA_TOKEN", bearer.as_str())];

    // No --org, --base-url or --store: all from the default profile, the token from its variable.
    let listed = patctl_in(s.home.path(), &["list", "--json"], &env).ok().json();
    assert_eq!(listed[0]["id"], id.as_str(), "{listed}");
    patctl_in(s.home.path(), &["create", "ci", "--scopes", "vso.code", "--store-as", "ci/x"], &env).ok();
    let stored = s.runtime.block_on(async { FileTokenStore::open(&store).await.unwrap().get("ci/x").await.unwrap() });
    assert!(stored.is_some(), "the profile's store was not used");

    // An option on the command line wins over the profile: this variable is not set.
    let run = patctl_in(s.home.path(), &["--token-var", "UNSET_TOKEN", "list"], &env);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("UNSET_TOKEN"), "{}", run.stderr);
    // Unknown profiles and bad files are usage errors.
    let run = patctl_in(s.home.path(), &["--profile", "missing", "list"], &env);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no profile `missing`"), "{}", run.stderr);
    std::fs::write(config_dir.join("patctl.conf"), format!("{config}token = {bearer}\n")).unwrap();
    let run = patctl_in(s.home.path(), &["list"], &env);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("never the credential itself"), "{}", run.stderr);
    assert!(!run.stderr.contains(&bearer), "the token in the file was quoted back");
}

#[test]
fn completions_complete_subcommands_and_options_in_bash() {
    let home = tempfile::tempdir().unwrap();
    let bash = patctl(&["completions", "bash"]).ok();
    let script = home.path().join("patctl.bash");
    std::fs::write(&script, &bash.stdout).unwrap();
    // What bash offers for `patctl ro<TAB>` and `patctl rotate --dr<TAB>`.
    let complete = |words: &str, current: usize| {
        let program = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD={current}; COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; \
             _patctl patctl \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; echo \"${{COMPREPLY[@]}}\"",
            crate::tools_support::shell_quote(script.to_str().unwrap())
        );
        let output = Command::new("bash").args(["--norc", "-c", &program]).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(complete("patctl ro", 1).split_whitespace().collect::<Vec<_>>(), ["rotate"]);
    assert!(complete("patctl rotate --dr", 2).split_whitespace().any(|w| w == "--dry-run"));
    assert!(complete("patctl revoke --y", 2).split_whitespace().any(|w| w == "--yes"));

    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let run = patctl(&["completions", shell]).ok();
        assert!(run.stdout.contains("offboard") && run.stdout.contains("dry-run"), "{shell}: {}", run.stdout);
    }
    assert_eq!(patctl(&["completions", "tcsh"]).code, 2);
}

#[test]
fn a_bad_duration_is_refused_by_the_library_parser_before_anything_is_sent() {
    let base = ["--emulator", "create", "x", "--scopes", "vso.code", "--show-secret", "--lifetime"];
    let run = patctl(&[&base[..], &["30"]].concat());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("invalid duration: `30`") && run.stderr.contains("s, m, h, d or w"), "{}", run.stderr);
    let run = patctl(&[&base[..], &["99999999999999999999w"]].concat());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("too long"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}
