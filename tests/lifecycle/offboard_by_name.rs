//! Offboarding by name across organizations: two Azure DevOps organizations and a GitLab
//! instance served over loopback HTTP, one of them failing without stopping the others; the
//! report's JSON against `schemas/offboarding-by-name-report.v1.json`; no secret in the report,
//! its JSON, its Display or its Debug; and every organization status from the fake directory.
#![cfg(all(feature = "emulator", feature = "reqwest", feature = "testing"))]

use std::net::{Ipv4Addr, SocketAddr};

use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{Emulator as AzureEmulator, EmulatorServer as AzureServer, SeedPat};
use patkit::gitlab::emulator::{
    Emulator as GitLabEmulator, EmulatorServer as GitLabServer, Fault, FaultRule, SeedToken,
};
use patkit::gitlab::{GitLabClient, GitLabCredential, operations as gitlab_op};
use patkit::lifecycle::{OffboardByName, OffboardByNameReport, OrganizationStatus};
use patkit::testing::{FAKE_USER, FakeDirectory, FakeProfile, FakeProvider};
use patkit::transport::{ReqwestTransport, RetryConfig};
use patkit::{CredentialKind, DirectoryUser, Error, OtherCredential, Scopes};
use serde_json::Value;

use crate::report_schema::assert_valid;

const SCHEMA: &str = "offboarding-by-name-report.v1.json";

struct World {
    azure: AzureEmulator,
    _azure_server: AzureServer,
    azure_url: String,
    gitlab: GitLabEmulator,
    _gitlab_server: GitLabServer,
    gitlab_url: String,
    admin_bearer: String,
    gitlab_admin_token: String,
    /// Every secret a leak would show: Bob's tokens everywhere, the admins' credentials.
    secrets: Vec<String>,
}

impl World {
    async fn new() -> Self {
        let azure = AzureEmulator::new();
        let mut secrets = Vec::new();
        for org in ["fabrikam", "contoso"] {
            azure.add_organization(org);
        }
        let admin = azure.add_user("Admin");
        let bob = azure.add_user("Bob");
        azure.set_user_identity(bob.id, "bob@corp.example", Some("bob@corp.example"));
        for org in ["fabrikam", "contoso"] {
            azure.make_org_admin(org, admin.id);
            azure.add_member(org, bob.id);
            for i in 0..2 {
                let seeded = azure.seed_pat(org, bob.id, SeedPat::new(format!("{org} {i}"), "vso.code"));
                secrets.push(seeded.secret.expose_secret().to_owned());
            }
        }
        azure.seed_ssh_key("fabrikam", bob.id, "bob laptop");
        let admin_bearer = admin.bearer.expose_secret().to_owned();
        secrets.push(admin_bearer.clone());
        let azure_server = azure.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
        let azure_url = azure_server.base_url();

        let gitlab = GitLabEmulator::new();
        let root = gitlab.add_admin("root");
        let root_token = gitlab.seed_token(root.id, SeedToken::new("admin", &["api"])).secret;
        let gitlab_bob = gitlab.add_user("bob");
        gitlab.set_user_identity(gitlab_bob.id, "Bob", "bob@corp.example");
        let bobs = gitlab.seed_token(gitlab_bob.id, SeedToken::new("laptop", &["read_api"])).secret;
        gitlab.add_ssh_key(gitlab_bob.id, "bob laptop", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKEYCANARY", None);
        secrets.push(bobs.expose_secret().to_owned());
        let gitlab_admin_token = root_token.expose_secret().to_owned();
        secrets.push(gitlab_admin_token.clone());
        let gitlab_server = gitlab.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
        let gitlab_url = format!("{}/api/v4", gitlab_server.base_url());
        Self {
            azure,
            _azure_server: azure_server,
            azure_url,
            gitlab,
            _gitlab_server: gitlab_server,
            gitlab_url,
            admin_bearer,
            gitlab_admin_token,
            secrets,
        }
    }

    fn azure(&self, org: &str) -> AzureDevOpsClient {
        let credential = patkit::auth::StaticCredential::from(patkit::BearerToken::new(self.admin_bearer.clone()));
        AzureDevOpsClient::builder(org, credential)
            .base_url(&self.azure_url)
            .retry(RetryConfig::none())
            .build()
            .unwrap()
    }

    fn gitlab(&self) -> GitLabClient {
        GitLabClient::builder(GitLabCredential::private_token(self.gitlab_admin_token.clone()))
            .base_url(&self.gitlab_url)
            .transport(ReqwestTransport::new().unwrap())
            .retry(RetryConfig::none())
            .build()
            .unwrap()
    }

    fn flow(&self) -> OffboardByName {
        OffboardByName::new()
            .organization("fabrikam", self.azure("fabrikam").token_admin())
            .organization("contoso", self.azure("contoso").token_admin())
            .organization("gitlab", self.gitlab())
    }

    fn revoked_in_azure(&self) -> usize {
        self.azure.snapshot().tokens.iter().filter(|t| t.revoked).count()
    }

    fn assert_no_secret(&self, report: &OffboardByNameReport) {
        let outputs = [serde_json::to_string(report).unwrap(), report.to_string(), format!("{report:?}")];
        for output in &outputs {
            for secret in &self.secrets {
                assert!(!output.contains(secret.as_str()), "a secret leaked into:\n{output}");
            }
            assert!(!output.contains("KEYCANARY"), "public key material leaked into:\n{output}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_organizations_one_failing_the_others_offboarded() {
    let world = World::new().await;
    world.gitlab.inject(FaultRule::new(gitlab_op::USERS, Fault::ServerError { status: 503 }));

    let report = world.flow().run("bob@corp.example").await.unwrap();
    let labels: Vec<&str> = report.organizations.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(labels, ["fabrikam", "contoso", "gitlab"], "in the order added");
    for org in ["fabrikam", "contoso"] {
        let section = report.organization(org).unwrap();
        assert_eq!(section.status(), OrganizationStatus::Offboarded, "{report}");
        assert_eq!(section.offboarding.as_ref().unwrap().revoked.len(), 2);
    }
    assert_eq!(world.revoked_in_azure(), 4, "both Azure organizations were offboarded");
    let fabrikam = report.organization("fabrikam").unwrap();
    assert_eq!(fabrikam.credentials_untouched.len(), 1);
    assert_eq!(fabrikam.credentials_untouched[0].kind, CredentialKind::SshKey);
    assert!(report.organization("contoso").unwrap().credentials_untouched.is_empty());

    let gitlab = report.organization("gitlab").unwrap();
    assert_eq!(gitlab.status(), OrganizationStatus::Failed);
    assert!(gitlab.lookup.is_none() && gitlab.offboarding.is_none());
    assert!(matches!(gitlab.errors[..], [Error::Api { status: 503, .. }]), "{:?}", gitlab.errors);
    assert!(!report.is_complete());

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["summary"]["tokens_revoked"], 4);
    assert_eq!(json["summary"]["failed"], 1);
    assert_eq!(json["organizations"][2]["status"], "failed");
    assert_valid(SCHEMA, &[json]);
    world.assert_no_secret(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_across_organizations_revokes_nothing_and_reports_keys() {
    let world = World::new().await;
    let report = world.flow().dry_run(true).run("bob@corp.example").await.unwrap();
    assert!(report.organizations.iter().all(|o| o.status() == OrganizationStatus::DryRun), "{report}");
    assert_eq!(world.revoked_in_azure(), 0);
    let gitlab = report.organization("gitlab").unwrap();
    assert_eq!(gitlab.offboarding.as_ref().unwrap().revoked.len(), 1);
    let gitlab_tokens = world.gitlab.snapshot();
    assert!(gitlab_tokens.tokens.iter().all(|t| !t.revoked), "a dry run revokes nothing on GitLab either");
    assert_eq!(gitlab.credentials_untouched.len(), 1);
    assert_eq!(gitlab.credentials_untouched[0].title.as_deref(), Some("bob laptop"));

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["summary"]["tokens_would_revoke"], 5);
    assert_eq!(json["summary"]["tokens_revoked"], 0);
    for section in json["organizations"].as_array().unwrap() {
        assert!(section["tokens"].as_array().unwrap().iter().all(|t| t["action"] == "would_revoke"));
    }
    assert!(report.to_string().matches("would revoke").count() >= 5, "{report}");
    assert_valid(SCHEMA, &[json]);
    world.assert_no_secret(&report);
}

/// Every status, from the fake directory: offboarded, not found with similar users,
/// ambiguous, failed, and incomplete (the credential listing failed after the revocation).
#[tokio::test]
async fn every_status_serializes_to_the_schema() {
    let fake = FakeProvider::new(FakeProfile::CreateUpdate);
    fake.seed("ci", Scopes::default(), None);
    let ada = DirectoryUser::new(FAKE_USER).login("ada").email("ada@example.com").display_name("Ada");
    let key = OtherCredential::new(CredentialKind::GpgKey, "k1").fingerprint("0123456789ABCDEF");
    let found = FakeDirectory::new().user(ada.clone()).credential(FAKE_USER, key);
    let similar = FakeDirectory::new().user(DirectoryUser::new("9").login("adam"));
    let ambiguous =
        FakeDirectory::new().user(DirectoryUser::new("1").login("ada")).user(DirectoryUser::new("2").email("ada"));
    let down = FakeDirectory::new();
    down.set_unreachable(true);

    let report = OffboardByName::new()
        .organization_parts("found", fake.admin(10), found)
        .organization_parts("similar", fake.admin(10), similar)
        .organization_parts("ambiguous", fake.admin(10), ambiguous)
        .organization_parts("down", fake.admin(10), down)
        .run("ada")
        .await
        .unwrap();
    let statuses: Vec<_> = report.organizations.iter().map(|o| o.status()).collect();
    assert_eq!(
        statuses,
        [
            OrganizationStatus::Offboarded,
            OrganizationStatus::NotFound,
            OrganizationStatus::Ambiguous,
            OrganizationStatus::Failed
        ]
    );
    let json = serde_json::to_value(&report).unwrap();
    let organizations = json["organizations"].as_array().unwrap();
    assert_eq!(organizations[0]["matched_by"], "login");
    assert_eq!(organizations[0]["credentials_untouched"][0]["kind"], "gpg_key");
    assert_eq!(organizations[1]["similar"][0]["login"], "adam");
    assert_eq!(organizations[2]["candidates"].as_array().unwrap().len(), 2);
    assert_eq!(organizations[3]["errors"].as_array().unwrap().len(), 1);
    assert_eq!(json["complete"], Value::Bool(false));

    // The credential listing fails after the tokens were revoked: incomplete, and said so.
    let flaky = FakeDirectory::new().user(ada);
    let fresh = FakeProvider::new(FakeProfile::CreateUpdate);
    fresh.seed("ci", Scopes::default(), None);
    let incomplete = OffboardByName::new()
        .organization_parts("flaky", fresh.admin(10), FailingCredentials(flaky))
        .run("ada")
        .await
        .unwrap();
    assert_eq!(incomplete.organizations[0].status(), OrganizationStatus::Incomplete);
    assert_eq!(incomplete.organizations[0].offboarding.as_ref().unwrap().revoked.len(), 1);
    let incomplete_json = serde_json::to_value(&incomplete).unwrap();
    assert_eq!(incomplete_json["organizations"][0]["status"], "incomplete");
    assert_valid(SCHEMA, &[json, incomplete_json]);

    assert!(matches!(OffboardByName::new().run("ada").await, Err(Error::InvalidInput { .. })));
    assert!(matches!(
        OffboardByName::new().organization_parts("x", fake.admin(1), FakeDirectory::new()).run("  ").await,
        Err(Error::InvalidInput { .. })
    ));
}

/// A directory that finds users but cannot list their other credentials.
#[derive(Debug)]
struct FailingCredentials(FakeDirectory);

#[patkit::async_trait]
impl patkit::UserDirectory for FailingCredentials {
    fn provider_name(&self) -> &str {
        "fake"
    }

    async fn find_users(&self, query: &str) -> patkit::Result<Vec<DirectoryUser>> {
        self.0.find_users(query).await
    }

    async fn other_credentials(&self, _: &patkit::UserId) -> patkit::Result<Vec<OtherCredential>> {
        Err(Error::unsupported("fake", "other_credentials"))
    }
}
