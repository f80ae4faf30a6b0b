//! 16 concurrent clients over real loopback HTTP see one consistent state.
#![cfg(all(feature = "emulator", feature = "reqwest"))]

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::emulator_support::{Harness, Mode};
use http::Method;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_tasks_create_list_and_revoke_consistently() {
    let h = Arc::new(Harness::new(Mode::Loopback).await);
    // 8 users, two tasks each, so tasks of one user race on the same token list.
    let users: Vec<_> = (0..8).map(|i| h.emulator.add_user(&format!("user-{i}"))).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..16 {
        let h = Arc::clone(&h);
        let user = users[task % 8].clone();
        tasks.spawn(async move {
            let mut kept = BTreeSet::new();
            for i in 0..6 {
                let (id, _) = h.create_ok(&user, &format!("t{task}-{i}"), "vso.code").await;
                // Every listing sees at least this task's own live tokens.
                let list = h.pats(Method::GET, "$top=100").bearer(&user.bearer).send().await.json();
                let listed: BTreeSet<String> = list["patTokens"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t["authorizationId"].as_str().unwrap().to_owned())
                    .collect();
                kept.insert(id.clone());
                assert!(kept.is_subset(&listed), "task {task} lost its own tokens");
                if i % 2 == 1 {
                    let r = h.pats(Method::DELETE, &format!("authorizationId={id}")).bearer(&user.bearer).send().await;
                    assert_eq!(r.status, 204);
                    kept.remove(&id);
                }
            }
            (user.id, kept)
        });
    }
    let mut expected: std::collections::BTreeMap<uuid::Uuid, BTreeSet<String>> = Default::default();
    while let Some(result) = tasks.join_next().await {
        let (user, kept) = result.unwrap();
        expected.entry(user).or_default().extend(kept);
    }
    let snap = h.emulator.snapshot();
    assert_eq!(snap.tokens.len(), 16 * 6);
    assert_eq!(snap.tokens.iter().filter(|t| t.revoked).count(), 16 * 3);
    for user in &users {
        let server_side: BTreeSet<String> =
            snap.tokens_of(user.id).filter(|t| !t.revoked).map(|t| t.id.to_string()).collect();
        assert_eq!(server_side, expected[&user.id]);
        let listed = h.pats(Method::GET, "$top=100").bearer(&user.bearer).send().await.json();
        let listed: BTreeSet<String> = listed["patTokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["authorizationId"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(listed, expected[&user.id], "the API agrees with the snapshot");
    }
}
