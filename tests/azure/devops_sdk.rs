//! Microsoft's own clients against the emulator: the Location area they discover URLs with
//! (`OPTIONS …/_apis`, `ResourceAreas`), api-version in the `Accept` header, and the real
//! `azure-devops` Python SDK (7.1.0b4) driving Token Admin over loopback.
//!
//! The SDK test needs `python3` with `azure-devops==7.1.0b4` (installed by
//! `scripts/test-services.sh install`). Without it the test prints a notice and passes, unless
//! `PATKIT_REQUIRE_SERVICES=1` (set by `scripts/with-services.sh`), where it fails.
#![cfg(feature = "emulator")]

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use patkit::ManualClock;
use patkit::azure::emulator::{Emulator, SeedPat};
use patkit::transport::HttpTransport;
use serde_json::Value;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

struct Setup {
    emulator: Emulator,
    admin: patkit::azure::emulator::EmulatedUser,
}

fn setup() -> Setup {
    let emulator = Emulator::with_clock(Arc::new(ManualClock::new(start())));
    emulator.add_organization("fabrikam");
    let admin = emulator.add_user("Admin");
    emulator.make_org_admin("fabrikam", admin.id);
    Setup { emulator, admin }
}

async fn send(
    emulator: &Emulator,
    method: &str,
    uri: &str,
    bearer: Option<&str>,
    accept: Option<&str>,
) -> (u16, Value) {
    let mut request = http::Request::builder().method(method).uri(uri);
    if let Some(b) = bearer {
        request = request.header("authorization", format!("Bearer {b}"));
    }
    if let Some(a) = accept {
        request = request.header("accept", a);
    }
    request = request.header("x-tfs-fedauthredirect", "Suppress");
    let response = emulator.send(request.body(Vec::new()).unwrap()).await.unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_slice(response.body()).unwrap_or(Value::Null))
}

#[tokio::test]
async fn options_lists_every_served_location_in_a_collection_wrapper() {
    let s = setup();
    for uri in
        ["https://vssps.dev.azure.com/fabrikam/_apis", "https://vssps.dev.azure.com/fabrikam/_apis?allHostTypes=true"]
    {
        let (status, body) = send(&s.emulator, "OPTIONS", uri, None, Some("application/json")).await;
        assert_eq!(status, 200, "{uri}");
        let value = body["value"].as_array().unwrap();
        assert_eq!(body["count"], value.len(), "VssJsonCollectionWrapper count");
        let find = |id: &str| value.iter().find(|l| l["id"] == id).unwrap_or_else(|| panic!("location {id} missing"));
        // The ids Microsoft's Python SDK asks for (token_admin_client.py, location_client.py)
        // and the PAT API's area id (tokens.json).
        let admin_list = find("af68438b-ed04-4407-9eb6-f1dbae3f922e");
        assert_eq!(admin_list["area"], "TokenAdmin");
        assert_eq!(admin_list["resourceName"], "PersonalAccessTokens");
        assert_eq!(admin_list["routeTemplate"], "_apis/{area}/{resource}/{subjectDescriptor}");
        assert_eq!(admin_list["releasedVersion"], "7.1");
        assert_eq!(find("a9c08b2c-5466-4e22-8626-1ff304ffdf0f")["resourceName"], "Revocations");
        assert_eq!(find("ee4afb16-e7ab-4ed8-9d4b-4ef3e78f97e4")["resourceName"], "RevocationRules");
        let pats = find("55967393-20ef-45c6-a96c-b5d5d5986a9a");
        assert_eq!((pats["area"].as_str(), pats["resourceName"].as_str()), (Some("Tokens"), Some("Pats")));
        assert_eq!(pats["releasedVersion"], "0.0", "the PAT API is preview in every version");
        assert_eq!(find("00d9565f-ed9c-4a06-9a50-00e7896ccab4")["resourceName"], "ConnectionData");
        assert_eq!(find("e81700f7-3be2-46de-8624-2eb35882fcaa")["resourceName"], "ResourceAreas");
        for l in value {
            for field in ["id", "area", "resourceName", "routeTemplate", "minVersion", "maxVersion", "releasedVersion"]
            {
                assert!(l[field].is_string(), "{field} of {l}");
            }
            assert_eq!(l["resourceVersion"], 1);
            assert_eq!(l["maxVersion"], "7.2");
        }
    }
    let (status, body) = send(&s.emulator, "OPTIONS", "https://x/fabrikam/_apis/TokenAdmin", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["count"], 3, "one area's locations");
    let (status, _) = send(&s.emulator, "OPTIONS", "https://x/fabrikam/_apis/NoSuchArea", None, None).await;
    assert_eq!(status, 404);
    let (status, _) = send(&s.emulator, "OPTIONS", "https://x/nosuchorg/_apis", None, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn resource_areas_point_back_at_the_emulator() {
    let s = setup();
    let bearer = s.admin.bearer.expose_secret();
    let accept = Some("application/json;api-version=7.1-preview.1");
    let (status, body) =
        send(&s.emulator, "GET", "http://127.0.0.1:9/fabrikam/_apis/ResourceAreas", Some(bearer), accept).await;
    assert_eq!(status, 200);
    assert_eq!(body["count"], body["value"].as_array().unwrap().len());
    let admin = body["value"].as_array().unwrap().iter().find(|a| a["id"] == "af68438b-ed04-4407-9eb6-f1dbae3f922e");
    assert_eq!(admin.unwrap()["locationUrl"], "http://127.0.0.1:9/fabrikam");
    let (status, one) = send(
        &s.emulator,
        "GET",
        "http://127.0.0.1:9/fabrikam/_apis/resourceareas/55967393-20ef-45c6-a96c-b5d5d5986a9a",
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(one["name"], "Tokens");
    // A credential that is sent must work; a version that is sent must be valid, from either place.
    let (status, _) =
        send(&s.emulator, "GET", "http://127.0.0.1:9/fabrikam/_apis/ResourceAreas", Some("not-a-token"), None).await;
    assert_eq!(status, 401);
    let (status, body) = send(
        &s.emulator,
        "GET",
        "http://h/fabrikam/_apis/ResourceAreas",
        None,
        Some("application/json;api-version=7.1"),
    )
    .await;
    assert_eq!((status, body["typeKey"].as_str()), (400, Some("VssInvalidPreviewVersionException")));
}

/// Every versioned endpoint reads `api-version` from the `Accept` header exactly as from the
/// query: the same successes and the same refusals.
#[tokio::test]
async fn api_version_in_accept_is_the_query_parameter() {
    let s = setup();
    let bearer = s.admin.bearer.expose_secret().to_owned();
    let pats = "https://h/fabrikam/_apis/tokens/pats";
    let admin = format!("https://h/fabrikam/_apis/tokenadmin/personalaccesstokens/{}", s.admin.descriptor);
    let areas = "https://h/fabrikam/_apis/ResourceAreas";
    for (base, version) in [
        (pats, "7.1-preview.1"),
        (pats, "7.2-preview"),
        (pats, "7.1"),
        (pats, "9.0-preview"),
        (pats, "latest"),
        (admin.as_str(), "7.1"),
        (admin.as_str(), "7.1-preview.1"),
        (admin.as_str(), "7.2"),
        (areas, "7.1-preview.1"),
        (areas, "7.1"),
    ] {
        let by_query = send(&s.emulator, "GET", &format!("{base}?api-version={version}"), Some(&bearer), None).await;
        let by_accept =
            send(&s.emulator, "GET", base, Some(&bearer), Some(&format!("application/json;api-version={version}")))
                .await;
        assert_eq!(by_query.0, by_accept.0, "{base} {version}");
        assert_eq!(by_query.1["typeKey"], by_accept.1["typeKey"], "{base} {version}");
    }
    let (status, body) = send(&s.emulator, "GET", pats, Some(&bearer), Some("application/json")).await;
    assert_eq!((status, body["typeKey"].as_str()), (400, Some("VssVersionNotSpecifiedException")));
}

fn require_services() -> bool {
    std::env::var("PATKIT_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// `python3` with the `azure-devops` package, or why not.
async fn python_with_sdk() -> Result<(), String> {
    let probe = tokio::process::Command::new("python3")
        .args(["-c", "import azure.devops, msrest; from azure.devops.v7_1.token_admin import TokenAdminClient"])
        .output()
        .await
        .map_err(|e| format!("python3 could not be run: {e}"))?;
    if probe.status.success() {
        Ok(())
    } else {
        Err(format!(
            "python3 cannot import the azure-devops SDK (pip install azure-devops==7.1.0b4): {}",
            String::from_utf8_lossy(&probe.stderr).lines().last().unwrap_or("")
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn microsofts_python_sdk_lists_revokes_and_creates_a_rule() {
    if let Err(why) = python_with_sdk().await {
        assert!(!require_services(), "PATKIT_REQUIRE_SERVICES=1 but {why}");
        eprintln!("SKIPPED microsofts_python_sdk_lists_revokes_and_creates_a_rule: {why}");
        return;
    }
    let s = setup();
    let alice = s.emulator.add_user("Alice");
    let created = start() - TimeDelta::days(2);
    let mut seeded = Vec::new();
    let fillers: Vec<String> = (1..=16).map(|i| format!("keep-filler-{i:02}")).collect();
    for (name, scope) in fillers.iter().map(|n| (n.as_str(), "vso.work")).chain([
        ("keep-1", "vso.work"),
        ("revoke-1", "vso.code"),
        ("packages-1", "vso.packaging"),
        ("keep-2", "vso.work vso.code"),
        ("revoke-2", "vso.code"),
        ("packages-2", "vso.build vso.packaging"),
        ("revoke-3", "vso.work"),
    ]) {
        let pat = s.emulator.seed_pat("fabrikam", alice.id, SeedPat::new(name, scope).valid_from(created));
        seeded.push((name, pat.id));
    }
    // Someone else's token with the rule's scope in another organization stays untouched.
    s.emulator.add_organization("contoso");
    let elsewhere =
        s.emulator.seed_pat("contoso", alice.id, SeedPat::new("elsewhere", "vso.packaging").valid_from(created));

    let server = s.emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let org_url = format!("{}/fabrikam", server.base_url());
    let cache = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/azure_devops_sdk.py");
    let output = tokio::process::Command::new("python3")
        .arg(&script)
        .env("PATKIT_SDK_ORG_URL", &org_url)
        .env("PATKIT_SDK_BEARER", s.admin.bearer.expose_secret())
        .env("PATKIT_SDK_DESCRIPTOR", &alice.descriptor)
        .env("PATKIT_SDK_PAGE_SIZE", "10")
        .env("PATKIT_SDK_REVOKE", "revoke-")
        .env("PATKIT_SDK_RULE_SCOPES", "vso.packaging")
        // The SDK caches locations on disk; keep it away from the developer's cache.
        .env("AZURE_DEVOPS_CACHE_DIR", cache.path())
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .output()
        .await
        .unwrap();
    server.shutdown().await;
    assert!(
        output.status.success(),
        "the SDK script failed: {}",
        String::from_utf8_lossy(&output.stderr).replace(s.admin.bearer.expose_secret(), "<bearer>")
    );
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();

    // An unknown bearer is a 401 WrappedException the SDK understands, not a sign-in page. (The
    // SDK raises AzureDevOpsServiceError for any error body that is a WrappedException, 401
    // included; its AzureDevOpsAuthenticationError is only for a 401 without one.)
    assert_eq!(result["auth_error"]["type"], "AzureDevOpsServiceError", "{result}");
    assert!(result["auth_error"]["message"].as_str().unwrap().contains("TF400813"), "{result}");
    // It found Token Admin through ResourceAreas (at the emulator, not vssps.dev.azure.com).
    assert_eq!(result["token_admin_url"], org_url);
    // It listed every token of Alice in this organization, across pages, once each.
    let listed: Vec<&str> = result["listed"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let expected: HashSet<&str> = seeded.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(listed.len(), seeded.len(), "{listed:?}");
    assert_eq!(listed.iter().copied().collect::<HashSet<_>>(), expected);
    assert_eq!(result["pages"], 3, "23 tokens at 10 per page");

    // The emulator's state shows what the SDK did.
    let snapshot = s.emulator.snapshot();
    for (name, id) in &seeded {
        let token = snapshot.token(id).unwrap();
        let should_be_revoked = name.starts_with("revoke-") || name.starts_with("packages-");
        assert_eq!(token.revoked, should_be_revoked, "{name}");
    }
    assert_eq!(result["revoked"].as_array().unwrap().len(), 3);
    assert!(!snapshot.token(&elsewhere.id).unwrap().revoked, "the rule is per organization");
    let fabrikam = snapshot.organizations.iter().find(|o| o.name == "fabrikam").unwrap().id;
    assert_eq!(snapshot.revocation_rules.len(), 1);
    assert_eq!(snapshot.revocation_rules[0].scopes, "vso.packaging");
    assert_eq!(snapshot.revocation_rules[0].organization, fabrikam);
}
