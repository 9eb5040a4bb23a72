//! The HTTP/1.1 server: one task per connection, keep-alive, each request
//! routed to STS, the admin endpoint or the JWKS document.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use awssts::DateTime;
use awssts::sigv4::VerifyRequest;
use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, DATE, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::body::Body;
use crate::error::StsError;
use crate::faults::FaultKind;
use crate::incoming::read_body;
use crate::ops::{self, Ctx};
use crate::request;
use crate::state::Shared;

/// How long connections get to finish their request at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Accepts connections until `shutdown` turns true (or its sender drops).
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut tasks = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a little
                        // instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let read_timeout = shared.read_timeout;
                let shared = Arc::clone(&shared);
                let mut stop = shutdown.clone();
                tasks.spawn(async move {
                    let service = service_fn(move |req| handle(Arc::clone(&shared), req));
                    let conn = http1::Builder::new()
                        .keep_alive(true)
                        // Without a timer hyper never times out a client
                        // that stops halfway through its headers.
                        .timer(TokioTimer::new())
                        .header_read_timeout(read_timeout)
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = stopped(&mut stop) => {
                            conn.as_mut().graceful_shutdown();
                            let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn).await;
                        }
                    }
                });
            }
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            _ = stopped(&mut shutdown) => break,
        }
    }
    drop(listener);
    while tasks.join_next().await.is_some() {}
}

/// Resolves once shutdown is asked for (or its sender is gone).
async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await;
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let path = req.uri().path();
    if path.starts_with("/_awssts/") || path == "/_awssts" {
        return Ok(crate::admin::handle(&shared, req).await);
    }
    if req.method() == Method::GET {
        match path {
            "/.well-known/jwks.json" => return Ok(jwks(&shared).await),
            "/.well-known/openid-configuration" => return Ok(openid_configuration(&shared)),
            _ => {}
        }
    }
    Ok(sts(&shared, req).await)
}

/// The public keys of GetWebIdentityToken's tokens.
async fn jwks(shared: &Shared) -> Response<Body> {
    let doc = match shared.signer.rsa_key_ready().await {
        Ok(()) => shared.signer.jwks(),
        Err(e) => Err(e),
    };
    match doc {
        Ok(doc) => {
            let mut resp = Response::new(Body::full(doc));
            resp.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            resp
        }
        Err(e) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &serde_json::json!({ "error": e.to_string() }),
        ),
    }
}

/// Enough OIDC discovery for verifiers that start from the issuer URL.
fn openid_configuration(shared: &Shared) -> Response<Body> {
    let issuer = shared.signer.issuer();
    json_response(
        StatusCode::OK,
        &serde_json::json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "id_token_signing_alg_values_supported": ["ES384", "RS256"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
        }),
    )
}

/// A JSON response (admin endpoint, JWKS).
pub(crate) fn json_response(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut resp = Response::new(Body::full(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

async fn sts(shared: &Shared, req: Request<Incoming>) -> Response<Body> {
    let request_id = crate::ids::request_id();
    let now = shared.clock.now();
    let (parts, incoming) = req.into_parts();
    let body = match read_body(&parts.headers, incoming, shared.read_timeout).await {
        Ok(b) => b,
        Err(refused) => {
            let error = refused.error(shared.read_timeout);
            let mut resp = error_response(&error, &request_id, now);
            refused.close_if_unread(&mut resp);
            return resp;
        }
    };

    let method = parts.method.as_str();
    let query = parts.uri.query().unwrap_or("");
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let form = match request::parse_form(method, query, content_type, &body) {
        Ok(f) => f,
        Err(e) => return error_response(&e, &request_id, now),
    };
    if let Some(kind) = shared.faults.take(request::action_hint(&form)) {
        return fault_response(shared, kind, request::action_hint(&form), &request_id, now);
    }
    let sts_request = match request::check_form(form) {
        Ok(r) => r,
        Err(e) => return error_response(&e, &request_id, now),
    };
    let (caller, region) = if sts_request.action.signed() {
        let headers: Vec<(&str, &str)> = parts
            .headers
            .iter()
            .filter_map(|(n, v)| v.to_str().ok().map(|v| (n.as_str(), v)))
            .collect();
        let verify = VerifyRequest {
            method,
            path: parts.uri.path(),
            query,
            headers: &headers,
            body: &body,
        };
        let query_token = if query.contains("X-Amz-Security-Token") {
            sts_request.form.get("X-Amz-Security-Token")
        } else {
            None
        };
        match crate::auth::authenticate(&shared.dir, &shared.codec, &verify, query_token, now) {
            Ok((c, region)) => (Some(c), Some(region)),
            Err(e) => return error_response(&e, &request_id, now),
        }
    } else {
        (None, None)
    };
    if sts_request.action == request::Action::GetWebIdentityToken
        && sts_request.form.get("SigningAlgorithm") == Some("RS256")
    {
        // Signing must not make the key on this worker; a failure to make
        // it is reported by the operation, which finds it in the signer.
        let _ = shared.signer.rsa_key_ready().await;
    }
    let ctx = Ctx {
        shared,
        now,
        caller: caller.as_ref(),
        region: region.as_deref(),
    };
    match ops::dispatch(&ctx, sts_request.action, &sts_request.form, &request_id) {
        Ok(xml) => xml_response(StatusCode::OK, xml, &request_id, now),
        Err(e) => error_response(&e, &request_id, now),
    }
}

fn xml_response(
    status: StatusCode,
    body: Vec<u8>,
    request_id: &str,
    now: SystemTime,
) -> Response<Body> {
    let mut resp = Response::new(Body::full(body));
    *resp.status_mut() = status;
    common_headers(&mut resp, request_id, now);
    resp
}

fn common_headers(resp: &mut Response<Body>, request_id: &str, now: SystemTime) {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-requestid", v);
    }
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    // The emulator's clock, so clients that correct their clock from the
    // Date header follow it when a test moves it.
    if let Ok(v) = HeaderValue::from_str(&DateTime::from_system_time(now).to_http_date()) {
        h.insert(DATE, v);
    }
}

/// The response for an STS error.
pub(crate) fn error_response(err: &StsError, request_id: &str, now: SystemTime) -> Response<Body> {
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST);
    xml_response(status, err.to_xml(request_id), request_id, now)
}

fn fault_response(
    shared: &Shared,
    kind: FaultKind,
    action: Option<&str>,
    request_id: &str,
    now: SystemTime,
) -> Response<Body> {
    let error = match kind {
        FaultKind::Throttling => StsError::sender(400, "Throttling", "Rate exceeded"),
        FaultKind::InternalError => StsError::receiver(
            500,
            "InternalFailure",
            "An internal error occurred. Please try again.",
        ),
        FaultKind::ServiceUnavailable => StsError::receiver(
            503,
            "ServiceUnavailable",
            "Service is unavailable. Please try again later.",
        ),
        FaultKind::ExpiredToken => crate::auth::expired_token(),
        FaultKind::RequestTimeTooSkewed => StsError::sender(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        ),
        FaultKind::Stall | FaultKind::TruncatedBody => {
            let name = action
                .and_then(crate::request::Action::from_name)
                .map_or("GetCallerIdentity", crate::request::Action::name);
            let start = format!(
                "<{name}Response xmlns=\"{}\">\n  <{name}Result>\n",
                awssts::protocol::XML_NAMESPACE
            );
            let promised = start.len() + 512;
            let body = if kind == FaultKind::Stall {
                Body::Stall(Box::pin(tokio::time::sleep(shared.stall_limit)))
            } else {
                // The pause lets the partial body reach the client before
                // the connection is dropped.
                Body::Truncated(
                    Some(Bytes::from(start)),
                    Box::pin(tokio::time::sleep(Duration::from_millis(50))),
                )
            };
            let mut resp = Response::new(body);
            common_headers(&mut resp, request_id, now);
            resp.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(promised));
            return resp;
        }
    };
    error_response(&error, request_id, now)
}
