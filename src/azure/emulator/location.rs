//! The Location area: where each resource lives, for clients that never hard-code a URL
//! (Microsoft's Python, .NET and Node clients).
//!
//! - `OPTIONS /{org}/_apis` (with or without `allHostTypes`; the emulator has one host type, the
//!   organization) and `OPTIONS /{org}/_apis/{area}`: the `ApiResourceLocation` entries of every
//!   area the emulator serves (or of that one area), in the service's `VssJsonCollectionWrapper`
//!   shape `{"count": n, "value": [...]}`.
//! - `GET /{org}/_apis/ResourceAreas[/{areaId}]`: `ResourceAreaInfo` entries (`id`, `name`,
//!   `locationUrl`) whose `locationUrl` is the emulator's own organization URL, so a client that
//!   would go to `vssps.dev.azure.com` stays on the emulator.
//!
//! Where the values come from (each entry's doc says which applies):
//!
//! - location ids: the `location_id=` arguments of Microsoft's `azure-devops` Python package
//!   7.1.0b4 (`v7_1/token_admin/token_admin_client.py`, `v7_1/location/location_client.py`;
//!   fact sheet [PY]) and, for the PAT Lifecycle API, the spec's `x-ms-vss-resource-area-id`
//!   (fact sheet §1, [SPEC-T71], the Go client [GO] uses the same GUID);
//! - area and resource names: the URLs of the spec examples (`/_apis/Tokens/Pats`,
//!   `/_apis/TokenAdmin/PersonalAccessTokens/…`, `/_apis/TokenAdmin/Revocations`,
//!   `/_apis/TokenAdmin/RevocationRules`; [EX-T], [EX-TA]) and, for the Location area, the
//!   `LocationResourceIds` constants of Microsoft's client SDKs (`ConnectionData`, `ResourceAreas`);
//! - route templates: the spec paths with the area and resource replaced by `{area}` and
//!   `{resource}`; for the Location area `_apis/{resource}` and `_apis/{resource}/{areaId}`, the
//!   templates the service publishes (as recorded in `azure-devops-node-api` users' test
//!   fixtures; unverified against the live service);
//! - versions: the spec versions that exist for the area ([SPEC-T61/T70/T71/T72],
//!   [SPEC-TA71/TA72], [SPEC-TADM]: the lowest is `minVersion`, 7.2 is `maxVersion`) and whether
//!   any version is released ([SPEC-TA71]: Token Admin is GA at 7.1; the PAT API is preview in
//!   every version, `releasedVersion: "0.0"`). The Location area's `minVersion` values are those
//!   of the same fixtures (unverified). `resourceVersion` is 1 everywhere: every spec and client
//!   sends `-preview.1`.
//!
//! The version fields are strings (`"7.2"`), as the service serializes a .NET `Version`.
//!
//! Both answer anonymous callers (the emulator's choice; the fact sheet is silent): clients ask
//! before they call anything, and Microsoft's send their credential anyway. A credential that is
//! sent must work (401 otherwise, as everywhere).

use http::StatusCode;
use serde::Serialize;

use super::wire::{Incoming, json, wrapped};
use crate::transport::HttpResponse;

/// One `ApiResourceLocation`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApiResourceLocation {
    pub(crate) id: &'static str,
    pub(crate) area: &'static str,
    pub(crate) resource_name: &'static str,
    pub(crate) route_template: &'static str,
    pub(crate) resource_version: u32,
    pub(crate) min_version: &'static str,
    pub(crate) max_version: &'static str,
    pub(crate) released_version: &'static str,
}

/// The PAT Lifecycle API area id (= its location id): [SPEC-T71] `x-ms-vss-resource-area-id`.
pub(crate) const TOKENS_AREA_ID: &str = "55967393-20ef-45c6-a96c-b5d5d5986a9a";
/// The Token Admin area id: `TokenAdminClient.resource_area_identifier` in [PY].
pub(crate) const TOKEN_ADMIN_AREA_ID: &str = "af68438b-ed04-4407-9eb6-f1dbae3f922e";

/// Every location the emulator serves.
pub(crate) const LOCATIONS: [ApiResourceLocation; 6] = [
    // PAT Lifecycle API: id from [SPEC-T71]/[GO]; name from [EX-T]; specs 6.1–7.2, all preview.
    ApiResourceLocation {
        id: TOKENS_AREA_ID,
        area: "Tokens",
        resource_name: "Pats",
        route_template: "_apis/{area}/{resource}",
        resource_version: 1,
        min_version: "6.1",
        max_version: "7.2",
        released_version: "0.0",
    },
    // Token Admin: ids from [PY] `list_personal_access_tokens`, `revoke_authorizations`,
    // `create_revocation_rule`; names from [EX-TA]; specs 5.0–7.2, released at 7.1 ([SPEC-TA71]).
    ApiResourceLocation {
        id: "af68438b-ed04-4407-9eb6-f1dbae3f922e",
        area: "TokenAdmin",
        resource_name: "PersonalAccessTokens",
        route_template: "_apis/{area}/{resource}/{subjectDescriptor}",
        resource_version: 1,
        min_version: "5.0",
        max_version: "7.2",
        released_version: "7.1",
    },
    ApiResourceLocation {
        id: "a9c08b2c-5466-4e22-8626-1ff304ffdf0f",
        area: "TokenAdmin",
        resource_name: "Revocations",
        route_template: "_apis/{area}/{resource}",
        resource_version: 1,
        min_version: "5.0",
        max_version: "7.2",
        released_version: "7.1",
    },
    ApiResourceLocation {
        id: "ee4afb16-e7ab-4ed8-9d4b-4ef3e78f97e4",
        area: "TokenAdmin",
        resource_name: "RevocationRules",
        route_template: "_apis/{area}/{resource}",
        resource_version: 1,
        min_version: "5.0",
        max_version: "7.2",
        released_version: "7.1",
    },
    // Location: ids from [PY] `get_connection_data` and `get_resource_areas`.
    ApiResourceLocation {
        id: "00d9565f-ed9c-4a06-9a50-00e7896ccab4",
        area: "Location",
        resource_name: "ConnectionData",
        route_template: "_apis/{resource}",
        resource_version: 1,
        min_version: "1.0",
        max_version: "7.2",
        released_version: "0.0",
    },
    ApiResourceLocation {
        id: "e81700f7-3be2-46de-8624-2eb35882fcaa",
        area: "Location",
        resource_name: "ResourceAreas",
        route_template: "_apis/{resource}/{areaId}",
        resource_version: 1,
        min_version: "3.2",
        max_version: "7.2",
        released_version: "0.0",
    },
];

/// The resource areas `GET …/_apis/ResourceAreas` lists: those with a published area id. (The
/// Location area itself is reached at the organization URL by every client, so it is not
/// listed.)
const AREAS: [(&str, &str); 2] = [(TOKEN_ADMIN_AREA_ID, "TokenAdmin"), (TOKENS_AREA_ID, "Tokens")];

#[derive(Serialize)]
struct Collection<T: Serialize> {
    count: usize,
    value: Vec<T>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceAreaInfo<'a> {
    id: &'a str,
    name: &'a str,
    location_url: &'a str,
}

/// `OPTIONS /{org}/_apis[/{area}]`: every location, or those of `area` (case-insensitive). An
/// area the emulator does not serve is a 404.
pub(crate) fn options(area: Option<&str>) -> HttpResponse {
    let value: Vec<ApiResourceLocation> =
        LOCATIONS.iter().filter(|l| area.is_none_or(|a| l.area.eq_ignore_ascii_case(a))).copied().collect();
    if value.is_empty() {
        return not_found();
    }
    json(StatusCode::OK, &Collection { count: value.len(), value })
}

/// `GET /{org}/_apis/ResourceAreas[/{areaId}]`, each area located at `org_url`.
pub(crate) fn resource_areas(org_url: &str, area_id: Option<&str>) -> HttpResponse {
    let info = |(id, name): &(&'static str, &'static str)| ResourceAreaInfo { id, name, location_url: org_url };
    match area_id {
        None => {
            let value: Vec<_> = AREAS.iter().map(info).collect();
            json(StatusCode::OK, &Collection { count: value.len(), value })
        }
        Some(wanted) => match AREAS.iter().find(|(id, _)| id.eq_ignore_ascii_case(wanted.trim())) {
            Some(area) => json(StatusCode::OK, &info(area)),
            None => not_found(),
        },
    }
}

/// The organization's URL as the client reached it: the request's scheme and authority (or, on a
/// server, its `Host` header and `http`) and `/{org}`.
pub(crate) fn org_url(request: &Incoming, org: &str) -> String {
    let host = request.authority.clone().or_else(|| request.header("host").map(str::to_owned));
    match host {
        Some(host) => format!("{}://{host}/{org}", request.scheme.as_deref().unwrap_or("http")),
        None => format!("https://vssps.dev.azure.com/{org}"),
    }
}

fn not_found() -> HttpResponse {
    wrapped(StatusCode::NOT_FOUND, "VssResourceNotFoundException", "The requested resource was not found.", 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_location_id_is_a_guid_and_unique() {
        let mut ids: Vec<_> = LOCATIONS.iter().map(|l| uuid::Uuid::parse_str(l.id).unwrap()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), LOCATIONS.len());
    }

    #[test]
    fn options_filters_by_area() {
        let body: serde_json::Value = serde_json::from_slice(options(Some("tokenadmin")).body()).unwrap();
        assert_eq!(body["count"], 3);
        assert!(body["value"].as_array().unwrap().iter().all(|l| l["area"] == "TokenAdmin"));
        assert_eq!(options(Some("git")).status(), 404);
    }
}
