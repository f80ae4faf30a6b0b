//! Serves the Azure DevOps PAT service emulator on 127.0.0.1 and prints how to point a client
//! at it.
//!
//! ```text
//! cargo run --example emulator --features emulator                  # until Ctrl-C, ephemeral port
//! cargo run --example emulator --features emulator -- --port 8080   # or PATKIT_EMULATOR_PORT=8080
//! cargo run --example emulator --features emulator -- --once        # start, print, stop (CI)
//! cargo run --example emulator --features emulator -- --for 30      # serve for 30 seconds
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use patkit::azure::emulator::Emulator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut port: u16 = std::env::var("PATKIT_EMULATOR_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(0);
    let mut run_for: Option<Duration> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().ok_or("--port needs a number")?.parse()?,
            "--once" => run_for = Some(Duration::ZERO),
            "--for" => run_for = Some(Duration::from_secs(args.next().ok_or("--for needs seconds")?.parse()?)),
            "--help" | "-h" => {
                println!("usage: emulator [--port N] [--once | --for SECONDS]");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?} (try --help)").into()),
        }
    }

    let emulator = Emulator::new();
    let org = emulator.add_organization("fabrikam");
    let user = emulator.add_user("Emulated User");
    emulator.make_org_admin(&org.name, user.id);
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;

    println!("Azure DevOps PAT emulator listening");
    println!("  base URL:      {}", server.base_url());
    println!("  organization:  {} (id {})", org.name, org.id);
    println!("  PAT API:       {}/{}/_apis/tokens/pats?api-version=7.1-preview.1", server.base_url(), org.name);
    // This bearer token was issued by this emulator process for testing: it is worthless
    // anywhere else and dies with the process, so printing it is the point.
    println!("  bearer token:  {}", user.bearer.expose_secret());
    println!("  user:          {} (id {}, descriptor {}, org admin)", user.display_name, user.id, user.descriptor);
    println!();
    println!(
        "  try: curl -s -H 'Authorization: Bearer <token>' -H 'X-TFS-FedAuthRedirect: Suppress' '{}/{}/_apis/tokens/pats?api-version=7.1-preview.1'",
        server.base_url(),
        org.name
    );

    match run_for {
        Some(d) if d.is_zero() => {}
        Some(d) => {
            println!("serving for {}s", d.as_secs());
            tokio::time::sleep(d).await;
        }
        None => {
            println!("serving until Ctrl-C");
            tokio::signal::ctrl_c().await?;
        }
    }
    server.shutdown().await;
    println!("stopped; {} token(s) were created", emulator.snapshot().tokens.len());
    Ok(())
}
