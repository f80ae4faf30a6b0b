//! `GET /{org}/_apis/connectionData`: a call made *with* a credential, to check that it works.

use http::StatusCode;
use serde::Serialize;
use uuid::Uuid;

use super::auth::Principal;
use super::format::b64;
use super::setup::Organization;
use super::state::State;
use super::wire::json;
use crate::transport::HttpResponse;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Identity {
    id: Uuid,
    descriptor: String,
    provider_display_name: String,
    is_active: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionData {
    authenticated_user: Identity,
    authorized_user: Identity,
    instance_id: Uuid,
    deployment_type: &'static str,
}

/// Answers 200 with who the credential belongs to. Reaching this function means the gate
/// accepted the credential: a PAT that is not revoked, not expired by the emulator's clock,
/// already valid, and targets this organization (or is global, not yet retired and not blocked here), or an
/// emulator-issued bearer token. The gate answers everything else with 401 (Basic) or the
/// sign-in page / 401 (bearer, anonymous). No `api-version` is needed here.
pub(crate) fn answer(state: &State, principal: Principal, org: &Organization) -> HttpResponse {
    let identity = |id: Uuid| {
        let user = state.user(id);
        Identity {
            id,
            descriptor: user.map_or_else(|| format!("aadsp.{}", b64(&id.to_string())), |u| u.descriptor.clone()),
            provider_display_name: user.map_or_else(|| "service principal".to_owned(), |u| u.display_name.clone()),
            is_active: true,
        }
    };
    let id = match principal {
        Principal::User(id) | Principal::App(id) | Principal::Pat { owner: id, .. } => id,
    };
    json(
        StatusCode::OK,
        &ConnectionData {
            authenticated_user: identity(id),
            authorized_user: identity(id),
            instance_id: org.id,
            deployment_type: "hosted",
        },
    )
}
