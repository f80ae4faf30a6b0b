//! What the GitHub emulator logs, shows in Debug and answers in errors: never an App JWT, an
//! installation token or a PAT (the emulator is public and runs inside people's test suites,
//! whose logs are kept).
#![cfg(all(feature = "emulator", feature = "github", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};

use patkit::github::emulator::{Emulator, JwtClaims, SeedGrant, SeedPat, sign_app_jwt};
use patkit::transport::{HttpTransport, ReqwestTransport};
use serde_json::{Value, json};

use crate::trace_capture::TraceCapture;

const PUBLIC_KEY: &str = include_str!("../fixtures/github/app-key.pub.pem");
const PRIVATE_KEY: &str = include_str!("../fixtures/github/app-key.pem");

/// A current-thread runtime: the server's tasks and the client run on the capturing thread.
#[tokio::test(flavor = "current_thread")]
async fn no_jwt_installation_token_or_pat_reaches_a_log_line_debug_or_error() {
    let (capture, _guard) = TraceCapture::start();
    let emulator = Emulator::new();
    let app = emulator.register_app(PUBLIC_KEY);
    emulator.add_org("acme");
    let installation = emulator.install_app(app, "acme", &[("personal_access_tokens", "write")]);
    let pat = emulator.seed_pat(SeedPat::fine_grained("octocat", "laptop"));
    emulator.seed_grant("acme", SeedGrant::new(pat.token_id));
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let base = server.base_url();
    let http = ReqwestTransport::new().unwrap();
    let send = |method: &str, path: &str, token: Option<&str>, body: Option<Value>| {
        let mut request = http::Request::builder().method(method).uri(format!("{base}{path}"));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = request.body(body.map(|b| b.to_string().into_bytes()).unwrap_or_default()).unwrap();
        let http = http.clone();
        async move { http.send(request).await.unwrap() }
    };

    let jwt = sign_app_jwt(PRIVATE_KEY, JwtClaims::for_app(app, emulator.now())).unwrap();
    let minted =
        send("POST", &format!("/app/installations/{installation}/access_tokens"), Some(jwt.expose_secret()), None)
            .await;
    assert_eq!(minted.status(), 201);
    let token = serde_json::from_slice::<Value>(minted.body()).unwrap()["token"].as_str().unwrap().to_owned();
    let mut refusals = Vec::new();
    for (method, path, credential) in [
        ("GET", "/orgs/acme/personal-access-tokens", Some(token.as_str())),
        ("GET", "/orgs/acme/personal-access-tokens", Some(jwt.expose_secret())),
        ("GET", "/orgs/acme/personal-access-tokens", Some(pat.secret.expose_secret())),
        ("GET", "/user", Some(pat.secret.expose_secret())),
        ("POST", "/app/installations/999/access_tokens", Some(jwt.expose_secret())),
    ] {
        let answer = send(method, path, credential, None).await;
        refusals.push(String::from_utf8_lossy(answer.body()).into_owned());
    }
    let leaked = json!({"credentials": [pat.secret.expose_secret(), "ghs_not_revocable"]});
    let refused = send("POST", "/credentials/revoke", None, Some(leaked)).await;
    assert_eq!(refused.status(), 422);
    refusals.push(String::from_utf8_lossy(refused.body()).into_owned());
    server.shutdown().await;

    let logged = capture.contents();
    assert!(logged.contains("patkit github emulator"), "the emulator's events were captured: {logged}");
    assert!(logged.contains("github_installation_token") && logged.contains("github_credentials_revoke"), "{logged}");
    let debug = format!("{emulator:?} {:?} {pat:?} {jwt:?}", emulator.snapshot());
    for canary in [jwt.expose_secret(), token.as_str(), pat.secret.expose_secret()] {
        assert!(!logged.contains(canary), "a secret reached the log");
        assert!(!debug.contains(canary), "a secret reached Debug");
        assert!(refusals.iter().all(|body| !body.contains(canary)), "a secret reached an error body");
    }
}
