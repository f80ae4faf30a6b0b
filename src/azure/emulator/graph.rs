//! Graph users (`vssps.dev.azure.com/{org}/_apis/graph/users`): who is in an organization, with
//! the subject descriptor Token Admin takes.

use http::{HeaderName, HeaderValue, StatusCode};
use serde::Serialize;
use uuid::Uuid;

use super::setup::Organization;
use super::state::{GRAPH_PAGE_SIZE, GraphCursor, State, UserEntry};
use super::wire::{Incoming, json, wrapped};
use crate::transport::HttpResponse;

/// A `GraphUser` (the fields of the Graph REST reference; `domain` and `originId` are the
/// emulator's tenant and user ids).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GraphUserJson<'a> {
    subject_kind: &'static str,
    meta_type: &'static str,
    directory_alias: Option<&'a str>,
    domain: &'static str,
    principal_name: &'a str,
    mail_address: Option<&'a str>,
    origin: &'static str,
    origin_id: Uuid,
    display_name: &'a str,
    url: String,
    descriptor: &'a str,
}

/// The emulator's one tenant id (the `domain` of its users).
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// `GET /{org}/_apis/graph/users[?subjectTypes=aad,msa][&continuationToken=…]`: the members of
/// the organization, in the order they were added, [`GRAPH_PAGE_SIZE`] per page (or the page
/// size set). `{"count": n, "value": [...]}`; when more follow, the continuation is the
/// `X-MS-ContinuationToken` response header (not in the body), and the client sends it back as
/// `continuationToken`. An unknown continuation is a 400. `subjectTypes` without `aad` lists
/// nobody (every emulated user is an Entra user).
pub(crate) fn list_users(state: &mut State, org: &Organization, request: &Incoming) -> HttpResponse {
    let offset = match request.query("continuationToken").map(str::trim).filter(|t| !t.is_empty()) {
        None => 0,
        Some(token) => match state.graph_cursors.get(token) {
            Some(c) if c.org == org.id => c.offset,
            _ => {
                return wrapped(
                    StatusCode::BAD_REQUEST,
                    "InvalidContinuationTokenException",
                    "The continuation token is not valid.",
                    0,
                );
            }
        },
    };
    let aad = request
        .query("subjectTypes")
        .is_none_or(|types| types.split(',').any(|t| t.trim().eq_ignore_ascii_case("aad")));
    let members: Vec<&UserEntry> =
        if aad { state.users.iter().filter(|u| u.is_member(org.id)).collect() } else { Vec::new() };
    let size = state.graph_page_size.unwrap_or(GRAPH_PAGE_SIZE);
    let end = offset.saturating_add(size).min(members.len());
    let base = format!("https://vssps.dev.azure.com/{}/_apis/Graph/Users/", org.name);
    let value: Vec<GraphUserJson<'_>> = members
        .get(offset.min(end)..end)
        .unwrap_or(&[])
        .iter()
        .map(|u| GraphUserJson {
            subject_kind: "user",
            meta_type: "member",
            directory_alias: u.principal_name.split('@').next(),
            domain: TENANT,
            principal_name: &u.principal_name,
            mail_address: u.mail.as_deref(),
            origin: "aad",
            origin_id: u.id,
            display_name: &u.display_name,
            url: format!("{base}{}", u.descriptor),
            descriptor: &u.descriptor,
        })
        .collect();
    let body = serde_json::json!({ "count": value.len(), "value": value });
    let more = end < members.len();
    let mut response = json(StatusCode::OK, &body);
    if more {
        // Opaque to clients; the real service's token is base64-looking text.
        let token = format!("{}{}", Uuid::new_v4().simple(), end);
        state.graph_cursors.insert(token.clone(), GraphCursor { org: org.id, offset: end });
        if let Ok(value) = HeaderValue::from_str(&token) {
            response.headers_mut().insert(HeaderName::from_static("x-ms-continuationtoken"), value);
        }
    }
    response
}
