//! The admin endpoint under `/_awssts/` (JSON, off unless enabled): faults,
//! the clock, trade-in tokens, and the emulator's state.
//!
//! | method and path | body | does |
//! | --- | --- | --- |
//! | `GET /_awssts/state` | | clock offset, emulator time, queued faults |
//! | `GET /_awssts/faults` | | the queued faults |
//! | `POST /_awssts/faults` | a fault or a list of faults | queues them |
//! | `DELETE /_awssts/faults` | | clears the queue |
//! | `POST /_awssts/clock/advance` | `{"seconds": N}` | moves the clock forward (400 past 100 years; the total offset stops at 100 years) |
//! | `POST /_awssts/authorization-message` | `{"decoded_message": "..."}` or `{"principal_arn", "action", "resource", "explicit_deny"}` | an encoded message for DecodeAuthorizationMessage |
//! | `POST /_awssts/trade-in-token` | `{"principal_arn": "...", "valid_for_seconds": N}` | a token for GetDelegatedAccessToken |
//!
//! A fault is `{"kind": "throttling", "count": 2, "operation": "AssumeRole"}`
//! (`count` defaults to 1, `operation` to any); kinds are `throttling`,
//! `internal_error`, `service_unavailable`, `stall`, `truncated_body`,
//! `expired_token` and `request_time_too_skewed`.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::faults::Fault;
use crate::outgoing::Body;
use crate::server::json_response;
use crate::state::Shared;

#[derive(Deserialize)]
#[serde(untagged)]
enum Faults {
    One(Fault),
    Many(Vec<Fault>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TradeIn {
    principal_arn: String,
    #[serde(default = "default_trade_in_validity")]
    valid_for_seconds: u64,
}

#[derive(Deserialize)]
#[serde(untagged, deny_unknown_fields)]
enum AuthzMessage {
    Decoded {
        decoded_message: String,
    },
    Denied {
        principal_arn: String,
        action: String,
        #[serde(default = "any_resource")]
        resource: String,
        #[serde(default)]
        explicit_deny: bool,
    },
}

fn any_resource() -> String {
    "*".to_owned()
}

fn default_trade_in_validity() -> u64 {
    300
}

/// A refused admin request: status and explanation.
type Refusal = (StatusCode, String);

/// An admin error: `{"error": message}` with `status`.
pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Response<Body> {
    json_response(status, &json!({ "error": message.into() }))
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    (status, message.into())
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    serde_json::from_slice(body).map_err(|e| {
        refuse(
            StatusCode::BAD_REQUEST,
            format!("the request body is not the JSON expected: {e}"),
        )
    })
}

pub(crate) fn handle(shared: &Shared, req: Request<Bytes>) -> Response<Body> {
    if !shared.admin {
        return error(
            StatusCode::NOT_FOUND,
            "the admin endpoint is off: set admin = true in the config file (or call Emulator::admin(true))",
        );
    }
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().trim_end_matches('/');
    match route(shared, &parts.method, path, &body) {
        Ok(value) => json_response(StatusCode::OK, &value),
        Err((status, message)) => error(status, message),
    }
}

fn state(shared: &Shared) -> Value {
    json!({
        "clock_offset_seconds": shared.clock.offset().as_secs(),
        "now": awssts::DateTime::from_system_time(shared.clock.now()).to_string(),
        "faults": shared.faults.list(),
    })
}

fn route(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> Result<Value, Refusal> {
    let ok = Ok;
    match (method.as_str(), path) {
        ("GET", "/_awssts/state") => ok(state(shared)),
        ("GET", "/_awssts/faults") => ok(json!(shared.faults.list())),
        ("POST", "/_awssts/faults") => {
            let faults = match parse::<Faults>(body)? {
                Faults::One(f) => vec![f],
                Faults::Many(v) => v,
            };
            if faults.iter().any(|f| f.count == 0) {
                return Err(refuse(StatusCode::BAD_REQUEST, "count must be 1 or more"));
            }
            if let Some(problem) = faults.iter().find_map(Fault::unknown_operation) {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    format!("operation: {problem}"),
                ));
            }
            for f in faults {
                shared.faults.push(f);
            }
            ok(json!(shared.faults.list()))
        }
        ("DELETE", "/_awssts/faults") => {
            shared.faults.clear();
            ok(json!([]))
        }
        ("POST", "/_awssts/clock/advance") => {
            let a: Advance = parse(body)?;
            let max = crate::Clock::MAX_OFFSET.as_secs();
            if a.seconds > max {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "seconds is {}, more than the clock's largest offset ({max} s, 100 years): advance by less",
                        a.seconds
                    ),
                ));
            }
            shared.clock.advance(Duration::from_secs(a.seconds));
            ok(state(shared))
        }
        ("POST", "/_awssts/authorization-message") => {
            let decoded = match parse::<AuthzMessage>(body)? {
                AuthzMessage::Decoded { decoded_message } => decoded_message,
                AuthzMessage::Denied {
                    principal_arn,
                    action,
                    resource,
                    explicit_deny,
                } => crate::authz_message::denied_message(&crate::authz_message::DeniedAction {
                    principal_id: &principal_arn,
                    principal_name: principal_arn.rsplit('/').next(),
                    principal_arn: &principal_arn,
                    action: &action,
                    resource: &resource,
                    conditions: &[],
                    explicit_deny,
                }),
            };
            let encoded = shared
                .authz_key
                .encode(&decoded)
                .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            ok(json!({ "encoded_message": encoded }))
        }
        ("POST", "/_awssts/trade-in-token") => {
            let t: TradeIn = parse(body)?;
            let token = crate::ops::issue_trade_in_token(
                &shared.codec,
                &t.principal_arn,
                shared.clock.unix_now(),
                Duration::from_secs(t.valid_for_seconds),
            )
            .map_err(|e| refuse(StatusCode::BAD_REQUEST, e))?;
            ok(json!({ "trade_in_token": token }))
        }
        (
            _,
            "/_awssts/state"
            | "/_awssts/faults"
            | "/_awssts/clock/advance"
            | "/_awssts/authorization-message"
            | "/_awssts/trade-in-token",
        ) => Err(refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not allowed on {path}"),
        )),
        _ => Err(refuse(
            StatusCode::NOT_FOUND,
            format!("no admin route {path}: see the awssts-emulator README for the routes"),
        )),
    }
}
