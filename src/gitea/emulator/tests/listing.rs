//! `page`/`limit` with `X-Total-Count` and no `Link` (§3.5, §3.11 #9), and the admin user list.

use super::{ALICE_PW, ROOT_PW, basic, call, fixture, token_header};
use crate::gitea::emulator::SeedToken;

fn ids(answer: &super::Answer) -> Vec<u64> {
    answer.body.as_array().unwrap().iter().map(|t| t["id"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn pages_newest_first_with_a_total_count_and_no_link() {
    let f = fixture();
    let mut all = vec![f.alice_pat.id];
    for i in 0..59 {
        all.push(f.emulator.seed_token(f.alice.id, SeedToken::new(&format!("t{i}"), &["read:user"])).id);
    }
    f.emulator.seed_token(f.bob.id, SeedToken::new("bobs", &["all"]));
    all.reverse();
    let login = [basic("alice", ALICE_PW)];
    let get = |query: &'static str| {
        let (emulator, login) = (f.emulator.clone(), login.clone());
        async move { call(&emulator, "GET", &format!("/users/alice/tokens{query}"), &login, None).await }
    };

    let first = get("").await;
    assert_eq!(ids(&first), all[..30], "30 by default, newest first");
    assert_eq!(first.header("x-total-count"), Some("60"));
    assert_eq!(first.header("access-control-expose-headers"), Some("X-Total-Count"));
    assert!(first.header("link").is_none(), "the token list sends no Link");
    assert_eq!(ids(&get("?page=2").await), all[30..]);
    assert_eq!(ids(&get("?limit=100").await), all[..50], "capped at 50");
    assert_eq!(ids(&get("?page=2&limit=50").await), all[50..]);
    assert_eq!(ids(&get("?page=3&limit=25").await), all[50..]);
    assert!(ids(&get("?page=4&limit=25").await).is_empty());
    assert_eq!(get("?page=4&limit=25").await.header("x-total-count"), Some("60"));
    for odd in ["?page=0&limit=0", "?page=-1&limit=-5", "?page=x&limit=y"] {
        assert_eq!(ids(&get(odd).await), all[..30], "{odd}: defaults");
    }
}

#[tokio::test]
async fn the_admin_user_list_is_for_site_admins_and_admin_scoped_tokens() {
    let f = fixture();
    let listed = call(&f.emulator, "GET", "/admin/users?limit=2", &[basic("root", ROOT_PW)], None).await;
    assert_eq!(listed.status, 200);
    assert_eq!(ids(&listed), [f.alice.id, f.bob.id]);
    assert_eq!(listed.header("x-total-count"), Some("3"));
    assert_eq!(listed.body[0]["login"], "alice");
    let page2 = call(&f.emulator, "GET", "/admin/users?limit=2&page=2", &[basic("root", ROOT_PW)], None).await;
    assert_eq!((ids(&page2), page2.body[0]["is_admin"].as_bool()), (vec![f.root.id], Some(true)));

    let not_admin = call(&f.emulator, "GET", "/admin/users", &[basic("alice", ALICE_PW)], None).await;
    assert_eq!((not_admin.status, not_admin.message()), (403, "user should be the site admin"));
    let read_admin = f.emulator.seed_token(f.root.id, SeedToken::new("ra", &["read:admin"]));
    let user_only = f.emulator.seed_token(f.root.id, SeedToken::new("ru", &["read:user"]));
    let by_token =
        call(&f.emulator, "GET", "/admin/users", &[token_header(read_admin.secret.expose_secret())], None).await;
    assert_eq!(by_token.status, 200);
    let refused =
        call(&f.emulator, "GET", "/admin/users", &[token_header(user_only.secret.expose_secret())], None).await;
    assert_eq!(
        (refused.status, refused.message()),
        (403, "token does not have at least one of required scope(s): [read:admin]")
    );
    assert_eq!(call(&f.emulator, "GET", "/admin/users", &[], None).await.status, 401);
}

#[tokio::test]
async fn an_instance_may_configure_smaller_pages() {
    let f = fixture();
    for i in 0..11 {
        f.emulator.seed_token(f.alice.id, SeedToken::new(&format!("t{i}"), &["read:user"]));
    }
    f.emulator.set_page_sizes(5, 10);
    let login = [basic("alice", ALICE_PW)];
    let default = call(&f.emulator, "GET", "/users/alice/tokens", &login, None).await;
    assert_eq!((ids(&default).len(), default.header("x-total-count")), (5, Some("12")));
    // Asking for 50 gets 10: a client that stops at a page shorter than its own limit stops early.
    let asked = call(&f.emulator, "GET", "/users/alice/tokens?limit=50", &login, None).await;
    assert_eq!(ids(&asked).len(), 10);
    let rest = call(&f.emulator, "GET", "/users/alice/tokens?limit=50&page=2", &login, None).await;
    assert_eq!(ids(&rest).len(), 2);
}

#[tokio::test]
async fn newest_first_means_by_creation_time_then_id() {
    let f = fixture();
    let old = f.emulator.seed_token(
        f.alice.id,
        SeedToken::new("old", &["all"]).created_at(super::start() - chrono::TimeDelta::days(9)),
    );
    let newer = f.emulator.seed_token(f.alice.id, SeedToken::new("newer", &["all"]));
    let listed = call(&f.emulator, "GET", "/users/alice/tokens", &[basic("alice", ALICE_PW)], None).await;
    assert_eq!(ids(&listed), [newer.id, f.alice_pat.id, old.id], "same second: higher id first; older last");
}
