//! What goes over the wire: the incoming request as the handlers see it, JSON bodies in the
//! service's field names, WrappedException errors and the HTML sign-in page.

use http::{HeaderMap, Method, StatusCode, header};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::format::format_date;
use super::state::PatEntry;
use crate::transport::HttpResponse;

/// A request, taken apart once.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) method: Method,
    pub(crate) path: String,
    /// The URI's scheme, when the request carries an absolute URI (in process).
    pub(crate) scheme: Option<String>,
    /// The URI's authority, when the request carries an absolute URI (in process).
    pub(crate) authority: Option<String>,
    query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Incoming {
    pub(crate) fn new(request: http::Request<Vec<u8>>) -> Self {
        let (parts, body) = request.into_parts();
        let path = parts.uri.path().to_owned();
        let query = parts.uri.query().map(|q| crate::http_url::parse_pairs(q.as_bytes()).collect()).unwrap_or_default();
        let scheme = parts.uri.scheme_str().map(str::to_owned);
        let authority = parts.uri.authority().map(|a| a.as_str().to_owned());
        Self { method: parts.method, path, scheme, authority, query, headers: parts.headers, body }
    }

    /// A query parameter, matched case-insensitively like ASP.NET model binding does.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as a JSON value, or the 400 the service sends for an unreadable body.
    pub(crate) fn json(&self, what: &str) -> Result<Value, HttpResponse> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(wrapped(
                StatusCode::BAD_REQUEST,
                "ArgumentNullException",
                &format!("Value cannot be null.\r\nParameter name: {what}"),
                0,
            ));
        }
        serde_json::from_slice(&self.body).map_err(|_| {
            wrapped(
                StatusCode::BAD_REQUEST,
                "JsonReaderException",
                &format!("TF400898: An Internal Error Occurred. Activity Id: {}.", Uuid::new_v4()),
                0,
            )
        })
    }
}

/// A property of a JSON object, matched case-insensitively (the service's JSON reader is).
pub(crate) fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v).filter(|v| !v.is_null())
}

/// The `PatToken` JSON object, in the field order of the service's examples.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PatTokenJson<'a> {
    display_name: &'a str,
    valid_to: String,
    scope: &'a str,
    target_accounts: Option<Vec<String>>,
    valid_from: String,
    authorization_id: String,
    /// The secret: only ever `Some` in a create response.
    token: Option<&'a str>,
}

impl<'a> PatTokenJson<'a> {
    pub(crate) fn new(pat: &'a PatEntry, token: Option<&'a str>) -> Self {
        Self {
            display_name: &pat.display_name,
            valid_to: format_date(pat.valid_to),
            scope: &pat.scope,
            target_accounts: pat.targets.as_ref().map(|t| t.iter().map(Uuid::to_string).collect()),
            valid_from: format_date(pat.valid_from),
            authorization_id: pat.id.to_string(),
            token,
        }
    }
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, body: &impl Serialize) -> HttpResponse {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    response(status, "application/json; charset=utf-8", bytes)
}

/// An empty response (204, 201).
pub(crate) fn empty(status: StatusCode) -> HttpResponse {
    let mut r = http::Response::new(Vec::new());
    *r.status_mut() = status;
    r
}

pub(crate) fn response(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> HttpResponse {
    let mut r = http::Response::new(body);
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, http::HeaderValue::from_static(content_type));
    r
}

/// The .NET type a `typeKey` names, for `typeName`.
fn type_name(type_key: &str) -> String {
    const TFS: &str = "Microsoft.TeamFoundation.Framework.Server";
    const WEBAPI: &str = "Microsoft.VisualStudio.Services.WebApi";
    let (namespace, assembly) = match type_key {
        "InvalidAccessException" | "UnauthorizedRequestException" => (TFS, TFS),
        k if k.starts_with("Argument") => ("System", "mscorlib"),
        "JsonReaderException" => ("Newtonsoft.Json", "Newtonsoft.Json"),
        k if k.starts_with("Vss") => (WEBAPI, WEBAPI),
        _ => ("Microsoft.VisualStudio.Services.Common", "Microsoft.VisualStudio.Services.Common"),
    };
    format!("{namespace}.{type_key}, {assembly}")
}

/// A WrappedException error body (§6.1).
pub(crate) fn wrapped(status: StatusCode, type_key: &str, message: &str, event_id: u32) -> HttpResponse {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct WrappedException<'a> {
        #[serde(rename = "$id")]
        id: &'a str,
        inner_exception: Option<()>,
        message: &'a str,
        type_name: String,
        type_key: &'a str,
        error_code: u32,
        event_id: u32,
    }
    json(
        status,
        &WrappedException {
            id: "1",
            inner_exception: None,
            message,
            type_name: type_name(type_key),
            type_key,
            error_code: 0,
            event_id,
        },
    )
}

/// The 203 "sign in" page the service answers unauthenticated non-browser requests with when
/// `X-TFS-FedAuthRedirect: Suppress` is absent (§5.3).
pub(crate) fn sign_in_page() -> HttpResponse {
    let body = "<!DOCTYPE html>\n<html><head><title>Azure DevOps Services | Sign In</title></head>\n\
                <body><p>Sign in to continue to Azure DevOps.</p>\
                <a href=\"/_signin?realm=vssps.dev.azure.com\">Sign in</a></body></html>\n";
    response(StatusCode::NON_AUTHORITATIVE_INFORMATION, "text/html; charset=utf-8", body.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_exception_has_the_service_shape() {
        let r =
            wrapped(StatusCode::FORBIDDEN, "InvalidAccessException", "The requested operation is not allowed.", 3000);
        assert_eq!(r.status(), 403);
        let v: Value = serde_json::from_slice(r.body()).unwrap();
        assert_eq!(v["$id"], "1");
        assert_eq!(v["innerException"], Value::Null);
        assert_eq!(v["typeKey"], "InvalidAccessException");
        assert_eq!(
            v["typeName"],
            "Microsoft.TeamFoundation.Framework.Server.InvalidAccessException, Microsoft.TeamFoundation.Framework.Server"
        );
        assert_eq!(v["errorCode"], 0);
        assert_eq!(v["eventId"], 3000);
    }

    #[test]
    fn fields_match_case_insensitively_and_skip_nulls() {
        let v: Value = serde_json::from_str(r#"{"DisplayName":"x","scope":null}"#).unwrap();
        let o = v.as_object().unwrap();
        assert_eq!(field(o, "displayName").unwrap(), "x");
        assert!(field(o, "scope").is_none());
    }
}
