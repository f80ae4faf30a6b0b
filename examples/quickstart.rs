//! A guided tour of patkit: the whole life of a few PATs.
//!
//! ```sh
//! cargo run --example quickstart --features emulator
//! ```
//!
//! By default everything runs against patkit's in-process emulator of Azure DevOps: no network,
//! no account. To run the same code against the real service, set `PATKIT_ORGANIZATION` to your
//! organization and either `AZURE_DEVOPS_ENTRA_TOKEN` to a Microsoft Entra *user* access token for
//! resource `499b84ac-1321-427f-aa17-267ca6975798`, or log in with `az login`. Against the real
//! service the tour creates three short-lived PATs and revokes all of them before it ends.
//!
//! Token values are never printed: `PatSecret`'s `Debug` shows `[REDACTED]`.

use std::time::Duration;

use futures_util::{StreamExt as _, TryStreamExt as _};
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::DefaultCredential;
use patkit::azure::emulator::{Emulator, TenantPolicies};
use patkit::azure::scopes;
use patkit::{Error, PatId, PatMetadata, Scopes, StatusFilter};

const DAY: Duration = Duration::from_secs(86_400);

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("quickstart failed: {e}");
        std::process::exit(1);
    }
}

async fn run() -> patkit::Result<()> {
    let (client, emulator) = connect()?;
    println!(
        "== patkit quickstart against {}",
        if emulator.is_some() { "the in-process emulator" } else { "Azure DevOps" }
    );
    println!("   organization: {}\n", client.organization());

    println!("1. Create three PATs with different scopes and lifetimes");
    let mut created = Vec::new();
    for (name, scopes, days) in [
        ("quickstart-read-code", vec![scopes::CODE], 7),
        ("quickstart-packages", vec![scopes::PACKAGING, scopes::PACKAGING_WRITE], 30),
        ("quickstart-builds", vec![scopes::BUILD_EXECUTE], 90),
    ] {
        let pat = client.create(name, Scopes::from_iter(scopes)).expires_in(DAY * days).send().await?;
        println!(
            "   created {:<22} id {}  expires {}  secret {:?}",
            name,
            pat.metadata.id,
            day(pat.metadata.valid_to),
            pat.secret
        );
        created.push(pat.metadata);
    }
    println!("   (the secret is returned once, by create only; store it right away)\n");

    println!("2. List active tokens, two per page (the filters are re-sent with every page)");
    let mut pages = Box::pin(client.list().filter(StatusFilter::Active).page_size(2).pages());
    let mut n = 0;
    while let Some(page) = pages.next().await {
        let page = page?;
        n += 1;
        let names: Vec<&str> = page.items.iter().map(|m| m.display_name.as_str()).collect();
        let next = page.continuation.as_ref().map_or("end".to_owned(), |c| format!("continuation {:?}", c.as_str()));
        println!("   page {n}: {names:?} -> {next}");
    }
    println!();

    println!("3. Extend {} by 14 days", created[0].display_name);
    let extended = client.extend(&created[0].id, DAY * 14).await?;
    println!("   {} -> {}\n", day(created[0].valid_to), day(extended.valid_to));

    println!("4. What expires within 30 days?");
    let now = client.clock().now();
    let soon: Vec<PatMetadata> =
        client.list().items().try_filter(|m| std::future::ready(m.expires_within(now, DAY * 30))).try_collect().await?;
    for m in &soon {
        println!(
            "   {:<22} in {:>2} days  scopes {}",
            m.display_name,
            m.remaining(now).unwrap_or_default().as_secs().div_ceil(86_400),
            m.scopes
        );
    }
    println!();

    println!("5. Revoke {}", created[1].display_name);
    client.revoke(&created[1].id).await?;
    let revoked: Vec<PatMetadata> = client.list().filter(StatusFilter::Revoked).items().try_collect().await?;
    println!("   revoked tokens now listed: {:?}\n", revoked.iter().map(|m| &m.display_name).collect::<Vec<_>>());

    println!("6. A policy violation, as a typed error");
    if let Some(emulator) = &emulator {
        emulator.set_tenant_policies(TenantPolicies { restrict_full_scope_pats: true, ..Default::default() });
        match client.create("quickstart-everything", Scopes::from_iter([scopes::FULL_ACCESS])).send().await {
            Err(e @ Error::PolicyViolation { .. }) => println!("   Error::PolicyViolation: {e}"),
            other => println!("   unexpected: {other:?}"),
        }
    } else {
        println!("   (skipped against the real service: it depends on your tenant's policies)");
    }
    match client.create("", Scopes::from_iter([scopes::CODE])).send().await {
        Err(e @ Error::InvalidInput { .. }) => println!("   Error::InvalidInput (nothing was sent): {e}"),
        other => println!("   unexpected: {other:?}"),
    }
    println!();

    println!("7. An authentication failure, as a typed error");
    let stranger = AzureDevOpsClient::builder(client.organization(), StaticCredential::new("not-a-real-token".into()));
    let stranger = match &emulator {
        Some(emulator) => stranger.transport(emulator.clone()),
        None => stranger,
    }
    .build()?;
    match stranger.list().page(None).await {
        Err(e @ Error::AuthRequired { .. }) => println!("   Error::AuthRequired: {e}"),
        other => println!("   unexpected: {other:?}"),
    }
    println!();

    println!("8. Clean up");
    for id in created.iter().map(|m| &m.id) {
        client.revoke(id).await?;
    }
    let left: Vec<PatId> = client
        .list()
        .items()
        .try_filter(|m| std::future::ready(m.display_name.starts_with("quickstart-")))
        .map_ok(|m| m.id)
        .try_collect()
        .await?;
    println!("   revoked everything the tour created; active quickstart tokens left: {}", left.len());
    Ok(())
}

/// The real service when `PATKIT_ORGANIZATION` is set, else a seeded in-process emulator.
fn connect() -> patkit::Result<(AzureDevOpsClient, Option<Emulator>)> {
    if let Ok(organization) = std::env::var("PATKIT_ORGANIZATION") {
        let client = AzureDevOpsClient::builder(organization, DefaultCredential::new()).build()?;
        return Ok((client, None));
    }
    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let alice = emulator.add_user("Alice");
    let client = AzureDevOpsClient::builder("fabrikam", alice.credential()).transport(emulator.clone()).build()?;
    Ok((client, Some(emulator)))
}

/// An expiry as a day (`never` for a token without one; Azure DevOps tokens always have one).
fn day(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(|| "never".to_owned(), |t| t.format("%Y-%m-%d").to_string())
}
