//! Routing: which endpoint a request is for, which operation (by name) that is, and the
//! `api-version` rules.

use http::{Method, StatusCode};

use super::facts::op;
use super::wire::{Incoming, wrapped};
use crate::transport::HttpResponse;

/// The endpoints the emulator serves. Paths match case-insensitively, except the subject
/// descriptor (base64 is case-sensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// `/{org}/_apis/tokens/pats`
    Pats { org: String },
    /// `/{org}/_apis/tokenadmin/personalaccesstokens/{subjectDescriptor}`
    AdminList { org: String, descriptor: String },
    /// `/{org}/_apis/tokenadmin/revocations`
    AdminRevocations { org: String },
    /// `/{org}/_apis/tokenadmin/revocationrules`
    AdminRules { org: String },
    /// `/{org}/_apis/graph/users`
    GraphUsers { org: String },
    /// `/{org}/_apis/connectionData`
    ConnectionData { org: String },
    /// `/{org}/_apis` or `/{org}/_apis/{area}`: the Location area's `OPTIONS`.
    Apis { org: String, area: Option<String> },
    /// `/{org}/_apis/ResourceAreas[/{areaId}]`
    ResourceAreas { org: String, area_id: Option<String> },
    /// Anything else.
    Unknown,
}

impl Route {
    pub(crate) fn classify(path: &str) -> Self {
        let segments: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
        let is = |i: usize, want: &str| segments.get(i).is_some_and(|s| s.eq_ignore_ascii_case(want));
        let org = || segments[0].to_owned();
        if segments.len() < 2 || !is(1, "_apis") {
            return Self::Unknown;
        }
        match segments.len() {
            2 => Self::Apis { org: org(), area: None },
            3 if is(2, "connectionData") => Self::ConnectionData { org: org() },
            3 if is(2, "resourceAreas") => Self::ResourceAreas { org: org(), area_id: None },
            3 => Self::Apis { org: org(), area: Some(segments[2].to_owned()) },
            4 if is(2, "resourceAreas") => Self::ResourceAreas { org: org(), area_id: Some(segments[3].to_owned()) },
            4 if is(2, "tokens") && is(3, "pats") => Self::Pats { org: org() },
            4 if is(2, "graph") && is(3, "users") => Self::GraphUsers { org: org() },
            4 if is(2, "tokenadmin") && is(3, "revocations") => Self::AdminRevocations { org: org() },
            4 if is(2, "tokenadmin") && is(3, "revocationrules") => Self::AdminRules { org: org() },
            5 if is(2, "tokenadmin") && is(3, "personalaccesstokens") => {
                Self::AdminList { org: org(), descriptor: percent_decode(segments[4]) }
            }
            _ => Self::Unknown,
        }
    }

    pub(crate) fn org(&self) -> Option<&str> {
        match self {
            Self::Pats { org }
            | Self::AdminList { org, .. }
            | Self::AdminRevocations { org }
            | Self::AdminRules { org }
            | Self::GraphUsers { org }
            | Self::ConnectionData { org }
            | Self::Apis { org, .. }
            | Self::ResourceAreas { org, .. } => Some(org),
            Self::Unknown => None,
        }
    }

    /// The operation `method` on this route performs; `None` for unknown routes and methods the
    /// route does not serve.
    pub(crate) fn operation(&self, request: &Incoming) -> Option<&'static str> {
        let m = &request.method;
        match self {
            Self::Pats { .. } => match *m {
                Method::POST => Some(op::CREATE),
                Method::GET if request.query("authorizationId").is_some() => Some(op::GET),
                Method::GET => Some(op::LIST),
                Method::PUT => Some(op::UPDATE),
                Method::DELETE => Some(op::REVOKE),
                _ => None,
            },
            Self::AdminList { .. } if *m == Method::GET => Some(op::ADMIN_LIST_PATS),
            Self::AdminRevocations { .. } if *m == Method::POST => Some(op::ADMIN_REVOKE),
            Self::AdminRules { .. } if *m == Method::POST => Some(op::ADMIN_CREATE_REVOCATION_RULE),
            Self::ConnectionData { .. } if *m == Method::GET => Some(op::CHECK_TOKEN),
            Self::GraphUsers { .. } if *m == Method::GET => Some(op::GRAPH_LIST_USERS),
            _ => None,
        }
    }

    fn api(&self) -> Option<Api> {
        match self {
            Self::Pats { .. } => Some(Api::Tokens),
            Self::AdminList { .. } | Self::AdminRevocations { .. } | Self::AdminRules { .. } => Some(Api::TokenAdmin),
            Self::ResourceAreas { .. } => Some(Api::Location),
            Self::GraphUsers { .. } => Some(Api::Graph),
            Self::ConnectionData { .. } | Self::Apis { .. } | Self::Unknown => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Tokens,
    TokenAdmin,
    /// Graph: `7.1-preview.1` (any preview version from 4.0 is accepted).
    Graph,
    /// `ResourceAreas`: the version is optional, checked when given (3.2–7.2, preview only).
    Location,
}

/// A path segment with its `%XX` escapes decoded (clients escape a subject descriptor's `+`, `/`
/// and `=`). Invalid escapes and non-UTF-8 results are kept as sent.
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b)))
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'%'));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| segment.to_owned())
}

/// A parsed `api-version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ApiVersion {
    pub(crate) major: u32,
    pub(crate) minor: u32,
    pub(crate) preview: bool,
}

impl ApiVersion {
    /// Whether responses carry `patTokenErrorMessage` (added in 7.2).
    pub(crate) fn has_error_message(self) -> bool {
        (self.major, self.minor) >= (7, 2)
    }

    fn parse(raw: &str) -> Option<Self> {
        let (number, stage) = match raw.split_once('-') {
            Some((n, s)) => (n, Some(s)),
            None => (raw, None),
        };
        let (major, minor) = number.split_once('.')?;
        let preview = match stage {
            None => false,
            Some(s) => {
                let (name, resource) = s.split_once('.').map_or((s, None), |(n, r)| (n, Some(r)));
                if !name.eq_ignore_ascii_case("preview") || resource.is_some_and(|r| r.parse::<u32>().is_err()) {
                    return None;
                }
                true
            }
        };
        Some(Self { major: major.parse().ok()?, minor: minor.parse().ok()?, preview })
    }
}

/// The `api-version` of a request: the query parameter, else the `Accept` header's
/// `api-version=` parameter.
fn raw_version(request: &Incoming) -> Option<String> {
    if let Some(v) = request.query("api-version") {
        return Some(v.trim().to_owned());
    }
    let accept = request.header("accept")?;
    accept.split([',', ';']).find_map(|part| {
        let (k, v) = part.split_once('=')?;
        k.trim().eq_ignore_ascii_case("api-version").then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Checks the `api-version` of a request for `route` (§1.1).
///
/// - Missing: 400 `VssVersionNotSpecifiedException`.
/// - Unparseable: 400 `ArgumentException` (the emulator's choice; the sheet has no case).
/// - Outside 6.1–7.2 (PAT API) or 5.0–7.2 (Token Admin): 400 `VssVersionOutOfRangeException`.
/// - Released number where only a preview exists: 400 `VssInvalidPreviewVersionException`. The
///   PAT API is preview in every version; Token Admin is released at 7.0 and 7.1.
///
/// - `ResourceAreas` (Location): a version is optional; when given it follows the same rules
///   (3.2–7.2, preview only, as its location entry says).
///
/// The version is read from the `api-version` query parameter or, the same way, from the
/// `Accept` header's `api-version=` parameter (how Microsoft's clients send it).
/// `connectionData` and `OPTIONS …/_apis` need no version; unknown routes are not checked.
pub(crate) fn check_version(route: &Route, request: &Incoming) -> Result<Option<ApiVersion>, HttpResponse> {
    let Some(api) = route.api() else {
        return Ok(None);
    };
    let Some(raw) = raw_version(request) else {
        if api == Api::Location {
            return Ok(None);
        }
        return Err(wrapped(
            StatusCode::BAD_REQUEST,
            "VssVersionNotSpecifiedException",
            &format!("No api-version was supplied for the \"{}\" request.", request.method),
            0,
        ));
    };
    let shown: String = raw.chars().take(40).collect();
    let Some(version) = ApiVersion::parse(&raw) else {
        return Err(wrapped(
            StatusCode::BAD_REQUEST,
            "ArgumentException",
            &format!("The api-version \"{shown}\" is not in the format {{major}}.{{minor}}[-preview[.{{n}}]]."),
            0,
        ));
    };
    let n = (version.major, version.minor);
    let lowest = match api {
        Api::Tokens => (6, 1),
        Api::TokenAdmin => (5, 0),
        Api::Location => (3, 2),
        Api::Graph => (4, 0),
    };
    if n < lowest || n > (7, 2) {
        return Err(wrapped(
            StatusCode::BAD_REQUEST,
            "VssVersionOutOfRangeException",
            &format!(
                "The requested REST API version of {}.{} is out of range for this server. The latest REST API version this server supports is 7.2.",
                version.major, version.minor
            ),
            0,
        ));
    }
    let released = api == Api::TokenAdmin && (n == (7, 0) || n == (7, 1));
    if !version.preview && !released {
        let number = format!("{}.{}", version.major, version.minor);
        return Err(wrapped(
            StatusCode::BAD_REQUEST,
            "VssInvalidPreviewVersionException",
            &format!(
                "The requested version \"{number}\" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: \"{number}-preview\""
            ),
            0,
        ));
    }
    Ok(Some(version))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(method: Method, uri: &str, accept: Option<&str>) -> Incoming {
        let mut b = http::Request::builder().method(method).uri(uri);
        if let Some(a) = accept {
            b = b.header("accept", a);
        }
        Incoming::new(b.body(Vec::new()).unwrap())
    }

    #[test]
    fn classify_is_case_insensitive_but_keeps_the_descriptor() {
        assert_eq!(Route::classify("/fabrikam/_apis/Tokens/Pats"), Route::Pats { org: "fabrikam".into() });
        assert_eq!(
            Route::classify("/F/_APIS/TokenAdmin/PersonalAccessTokens/aad.AbC"),
            Route::AdminList { org: "F".into(), descriptor: "aad.AbC".into() }
        );
        assert_eq!(Route::classify("/f/_apis/connectiondata"), Route::ConnectionData { org: "f".into() });
        assert_eq!(Route::classify("/f/_apis/Graph/Users"), Route::GraphUsers { org: "f".into() });
        assert_eq!(Route::classify("/f/_apis/tokens/pats/extra"), Route::Unknown);
        assert_eq!(Route::classify("/_apis/tokens/pats"), Route::Unknown);
        assert_eq!(Route::classify("/f/_apis"), Route::Apis { org: "f".into(), area: None });
        assert_eq!(
            Route::classify("/f/_apis/TokenAdmin"),
            Route::Apis { org: "f".into(), area: Some("TokenAdmin".into()) }
        );
        assert_eq!(Route::classify("/f/_apis/resourceareas"), Route::ResourceAreas { org: "f".into(), area_id: None });
        assert_eq!(
            Route::classify("/f/_apis/tokenadmin/personalaccesstokens/aad.a%2Bb%2Fc"),
            Route::AdminList { org: "f".into(), descriptor: "aad.a+b/c".into() }
        );
    }

    #[test]
    fn get_dispatches_on_authorization_id() {
        let route = Route::classify("/f/_apis/tokens/pats");
        let get = incoming(Method::GET, "/f/_apis/tokens/pats?AuthorizationId=x", None);
        assert_eq!(route.operation(&get), Some(op::GET));
        let list = incoming(Method::GET, "/f/_apis/tokens/pats", None);
        assert_eq!(route.operation(&list), Some(op::LIST));
        let patch = incoming(Method::PATCH, "/f/_apis/tokens/pats", None);
        assert_eq!(route.operation(&patch), None);
    }

    #[test]
    fn version_rules() {
        let pats = Route::classify("/f/_apis/tokens/pats");
        let admin = Route::classify("/f/_apis/tokenadmin/revocations");
        let key = |r: Result<Option<ApiVersion>, HttpResponse>| {
            let body = r.unwrap_err().into_body();
            serde_json::from_slice::<serde_json::Value>(&body).unwrap()["typeKey"].as_str().unwrap().to_owned()
        };
        let req = |q: &str| incoming(Method::GET, &format!("/f/_apis/tokens/pats{q}"), None);
        assert!(check_version(&pats, &req("?api-version=7.1-preview.1")).unwrap().is_some());
        assert!(check_version(&pats, &req("?api-version=7.1-preview")).is_ok());
        assert_eq!(key(check_version(&pats, &req(""))), "VssVersionNotSpecifiedException");
        assert_eq!(key(check_version(&pats, &req("?api-version=7.1"))), "VssInvalidPreviewVersionException");
        assert_eq!(key(check_version(&pats, &req("?api-version=9.0-preview"))), "VssVersionOutOfRangeException");
        assert_eq!(key(check_version(&pats, &req("?api-version=latest"))), "ArgumentException");
        assert!(check_version(&admin, &req("?api-version=7.1")).is_ok());
        assert_eq!(key(check_version(&admin, &req("?api-version=7.2"))), "VssInvalidPreviewVersionException");
        let accept = incoming(Method::GET, "/f/_apis/tokens/pats", Some("application/json;api-version=7.2-preview.1"));
        let v = check_version(&pats, &accept).unwrap().unwrap();
        assert!(v.has_error_message());
    }
}
