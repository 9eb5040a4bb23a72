//! From an HTTP request to an STS request: the form (POST body or GET
//! query), its `Action` and `Version`, or the STS-style error a malformed
//! request gets.

use awssts::protocol::{API_VERSION, Form, FormError};

use crate::error::StsError;

/// The largest body accepted (STS's own limit is of this order).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every STS operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// `AssumeRole`.
    AssumeRole,
    /// `AssumeRoleWithSAML`.
    AssumeRoleWithSaml,
    /// `AssumeRoleWithWebIdentity`.
    AssumeRoleWithWebIdentity,
    /// `AssumeRoot`.
    AssumeRoot,
    /// `DecodeAuthorizationMessage`.
    DecodeAuthorizationMessage,
    /// `GetAccessKeyInfo`.
    GetAccessKeyInfo,
    /// `GetCallerIdentity`.
    GetCallerIdentity,
    /// `GetDelegatedAccessToken`.
    GetDelegatedAccessToken,
    /// `GetFederationToken`.
    GetFederationToken,
    /// `GetSessionToken`.
    GetSessionToken,
    /// `GetWebIdentityToken`.
    GetWebIdentityToken,
}

impl Action {
    /// Every operation.
    pub const ALL: [Action; 11] = [
        Action::AssumeRole,
        Action::AssumeRoleWithSaml,
        Action::AssumeRoleWithWebIdentity,
        Action::AssumeRoot,
        Action::DecodeAuthorizationMessage,
        Action::GetAccessKeyInfo,
        Action::GetCallerIdentity,
        Action::GetDelegatedAccessToken,
        Action::GetFederationToken,
        Action::GetSessionToken,
        Action::GetWebIdentityToken,
    ];

    /// The operation named `name` (exact, as STS matches it).
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The operation's name.
    pub fn name(self) -> &'static str {
        match self {
            Action::AssumeRole => "AssumeRole",
            Action::AssumeRoleWithSaml => "AssumeRoleWithSAML",
            Action::AssumeRoleWithWebIdentity => "AssumeRoleWithWebIdentity",
            Action::AssumeRoot => "AssumeRoot",
            Action::DecodeAuthorizationMessage => "DecodeAuthorizationMessage",
            Action::GetAccessKeyInfo => "GetAccessKeyInfo",
            Action::GetCallerIdentity => "GetCallerIdentity",
            Action::GetDelegatedAccessToken => "GetDelegatedAccessToken",
            Action::GetFederationToken => "GetFederationToken",
            Action::GetSessionToken => "GetSessionToken",
            Action::GetWebIdentityToken => "GetWebIdentityToken",
        }
    }

    /// Whether requests must be signed (all but the two federation
    /// operations, which carry their own proof).
    pub fn signed(self) -> bool {
        !matches!(
            self,
            Action::AssumeRoleWithSaml | Action::AssumeRoleWithWebIdentity
        )
    }
}

/// A well-formed STS request.
#[derive(Debug, Clone)]
pub struct StsRequest {
    /// The operation.
    pub action: Action,
    /// Every parameter: the query's, then the body's.
    pub form: Form,
}

/// The `Action` a request names, if it can be found cheaply (for fault
/// filters, before the request is fully parsed).
pub(crate) fn action_hint(form: &Form) -> Option<&str> {
    form.action()
}

/// Parses a request: `method`, the raw `query` (without `?`), the
/// `content_type` header and the `body`. Pure: no I/O, no clock; the fuzz
/// target calls it directly.
pub fn parse_request(
    method: &str,
    query: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<StsRequest, StsError> {
    let form = parse_form(method, query, content_type, body)?;
    check_form(form)
}

/// The parameters of a request, without checking Action or Version.
pub(crate) fn parse_form(
    method: &str,
    query: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Form, StsError> {
    match method {
        "GET" | "POST" => {}
        _ => {
            return Err(StsError::sender(
                405,
                "InvalidHttpRequest",
                format!(
                    "The HTTP method {} is not supported: use POST or GET",
                    clip(method, 16)
                ),
            ));
        }
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(too_large());
    }
    let query_form = Form::parse(query.as_bytes()).map_err(|e| malformed(&e, "query string"))?;
    if method == "GET" || body.is_empty() {
        return Ok(query_form);
    }
    if let Some(ct) = content_type {
        let essence = ct.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(StsError::sender(
                415,
                "UnsupportedMediaType",
                "The request body must be application/x-www-form-urlencoded",
            ));
        }
    }
    let body_form = Form::parse(body).map_err(|e| malformed(&e, "body"))?;
    if query_form.pairs().next().is_none() {
        return Ok(body_form);
    }
    // Both: STS reads the query's parameters and the body's together.
    let mut joined = Vec::with_capacity(query.len() + body.len() + 1);
    joined.extend_from_slice(query.as_bytes());
    joined.push(b'&');
    joined.extend_from_slice(body);
    Form::parse(&joined).map_err(|e| malformed(&e, "request"))
}

/// Checks `Action` and `Version`.
pub(crate) fn check_form(form: Form) -> Result<StsRequest, StsError> {
    let Some(name) = form.action() else {
        return Err(StsError::sender(400, "MissingAction", "Missing Action"));
    };
    let Some(action) = Action::from_name(name) else {
        return Err(StsError::sender(
            400,
            "InvalidAction",
            format!(
                "Could not find operation {} for version {}",
                clip(name, 64),
                clip(form.version().unwrap_or(API_VERSION), 32)
            ),
        ));
    };
    match form.version() {
        None => {
            return Err(StsError::sender(
                400,
                "MissingParameter",
                "The request must contain the parameter Version.",
            ));
        }
        Some(API_VERSION) => {}
        Some(other) => {
            return Err(StsError::sender(
                400,
                "InvalidAction",
                format!(
                    "Could not find operation {} for version {}",
                    action.name(),
                    clip(other, 32)
                ),
            ));
        }
    }
    Ok(StsRequest { action, form })
}

/// The error for an oversized body.
pub(crate) fn too_large() -> StsError {
    StsError::sender(
        413,
        "RequestEntityTooLarge",
        format!("Request body is larger than {MAX_BODY_BYTES} bytes"),
    )
}

/// The error for a body not sent within the read timeout.
pub(crate) fn timed_out(limit: std::time::Duration) -> StsError {
    StsError::sender(
        408,
        "RequestTimeout",
        format!(
            "The request body was not received within {} ms of its headers",
            limit.as_millis()
        ),
    )
}

fn malformed(e: &FormError, part: &str) -> StsError {
    let message = match e {
        FormError::BadEscape { offset } => {
            format!("The {part} has a malformed percent-escape at byte {offset}")
        }
        FormError::NotUtf8 { offset } => {
            format!("The {part} is not valid UTF-8 once decoded (at byte {offset})")
        }
        other => other.to_string(),
    };
    StsError::sender(400, "MalformedQueryString", message)
}

/// At most `n` characters of a value that goes into an error message.
pub(crate) fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).filter(|c| !c.is_control()).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<StsRequest, StsError>) -> (u16, String) {
        let e = r.unwrap_err();
        (e.status, e.code.into_owned())
    }

    #[test]
    fn good_requests() {
        let r = parse_request(
            "POST",
            "",
            Some("application/x-www-form-urlencoded; charset=utf-8"),
            b"Action=GetCallerIdentity&Version=2011-06-15",
        )
        .unwrap();
        assert_eq!(r.action, Action::GetCallerIdentity);
        let r = parse_request(
            "GET",
            "Action=AssumeRole&Version=2011-06-15&RoleArn=x",
            None,
            b"",
        )
        .unwrap();
        assert_eq!(r.action, Action::AssumeRole);
        assert_eq!(r.form.get("RoleArn"), Some("x"));
        let r = parse_request("POST", "Action=AssumeRole", None, b"Version=2011-06-15").unwrap();
        assert_eq!(r.action, Action::AssumeRole);
    }

    #[test]
    fn bad_requests() {
        assert_eq!(
            code(parse_request("POST", "", None, b"Version=2011-06-15")),
            (400, "MissingAction".into())
        );
        assert_eq!(
            code(parse_request(
                "POST",
                "",
                None,
                b"Action=Nope&Version=2011-06-15"
            )),
            (400, "InvalidAction".into())
        );
        assert_eq!(
            code(parse_request("POST", "", None, b"Action=GetCallerIdentity")),
            (400, "MissingParameter".into())
        );
        assert_eq!(
            code(parse_request(
                "POST",
                "",
                None,
                b"Action=GetCallerIdentity&Version=2010-01-01"
            )),
            (400, "InvalidAction".into())
        );
        assert_eq!(
            code(parse_request("POST", "", None, b"Action=%zz")),
            (400, "MalformedQueryString".into())
        );
        assert_eq!(
            code(parse_request("POST", "", None, b"Action=%FF")),
            (400, "MalformedQueryString".into())
        );
        assert_eq!(
            code(parse_request("GET", "a=%", None, b"")),
            (400, "MalformedQueryString".into())
        );
        assert_eq!(
            code(parse_request("PUT", "", None, b"")),
            (405, "InvalidHttpRequest".into())
        );
        let huge = vec![b'a'; MAX_BODY_BYTES + 1];
        assert_eq!(
            code(parse_request("POST", "", None, &huge)),
            (413, "RequestEntityTooLarge".into())
        );
        assert_eq!(
            code(parse_request("POST", "", Some("application/json"), b"{}")),
            (415, "UnsupportedMediaType".into())
        );
    }
}
