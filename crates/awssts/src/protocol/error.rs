//! awsQuery error bodies:
//! `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.

use super::xml::{self, Reader};
use super::{DecodeError, DecodeErrorKind, body_text, decode};

/// An error response as STS sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorResponse {
    /// `Sender` (the caller's fault) or `Receiver` (the service's).
    pub error_type: Option<String>,
    /// The error code, e.g. `ExpiredToken` or `ValidationError`.
    pub code: String,
    /// The service's explanation.
    pub message: Option<String>,
    /// The request id from the body.
    pub request_id: Option<String>,
}

/// Decodes an error body. Besides STS's `<ErrorResponse>`, accepts the
/// `<Response><Errors><Error>…</Error></Errors><RequestID/>` form some AWS
/// front ends send.
pub fn decode_error(body: &[u8]) -> Result<ErrorResponse, DecodeError> {
    decode_error_inner(body).map_err(|kind| DecodeError::new(kind, body))
}

fn decode_error_inner(body: &[u8]) -> Result<ErrorResponse, DecodeErrorKind> {
    let mut r = Reader::new(body_text(body)?);
    let root = r.root()?;
    let mut out = ErrorResponse::default();
    let mut code = None;
    match root {
        "ErrorResponse" => {
            while let Some(name) = r.next_child()? {
                match name {
                    "Error" => read_error(&mut r, &mut out, &mut code)?,
                    "RequestId" | "RequestID" => out.request_id = Some(decode::string(&mut r)?),
                    _ => r.skip_element()?,
                }
            }
        }
        "Response" => {
            while let Some(name) = r.next_child()? {
                match name {
                    "Errors" => {
                        while let Some(name) = r.next_child()? {
                            if name == "Error" && code.is_none() {
                                read_error(&mut r, &mut out, &mut code)?;
                            } else {
                                r.skip_element()?;
                            }
                        }
                    }
                    "RequestId" | "RequestID" => out.request_id = Some(decode::string(&mut r)?),
                    _ => r.skip_element()?,
                }
            }
        }
        other => {
            return Err(DecodeErrorKind::UnexpectedRoot {
                expected: "ErrorResponse",
                found: other.chars().take(64).collect(),
            });
        }
    }
    r.finish()?;
    out.code = decode::required(code, "Error/Code")?;
    Ok(out)
}

fn read_error(
    r: &mut Reader<'_>,
    out: &mut ErrorResponse,
    code: &mut Option<String>,
) -> Result<(), DecodeErrorKind> {
    while let Some(name) = r.next_child()? {
        match name {
            "Type" => out.error_type = Some(decode::string(r)?),
            "Code" => *code = Some(decode::string(r)?.trim().to_owned()),
            "Message" => out.message = Some(decode::string(r)?),
            _ => r.skip_element()?,
        }
    }
    Ok(())
}

/// Writes `err` as STS does.
pub fn encode_error(err: &ErrorResponse, out: &mut Vec<u8>) {
    xml::root_start(out, "ErrorResponse");
    xml::start(out, "Error");
    if let Some(t) = &err.error_type {
        xml::text_element(out, "Type", t);
    }
    xml::text_element(out, "Code", &err.code);
    if let Some(m) = &err.message {
        xml::text_element(out, "Message", m);
    }
    xml::end(out, "Error");
    if let Some(id) = &err.request_id {
        xml::text_element(out, "RequestId", id);
    }
    xml::end(out, "ErrorResponse");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_sts_errors() {
        let body = br#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>ExpiredToken</Code>
    <Message>The security token included in the request is expired</Message>
  </Error>
  <RequestId>a1b2c3</RequestId>
</ErrorResponse>"#;
        let e = decode_error(body).unwrap();
        assert_eq!(e.error_type.as_deref(), Some("Sender"));
        assert_eq!(e.code, "ExpiredToken");
        assert_eq!(
            e.message.as_deref(),
            Some("The security token included in the request is expired")
        );
        assert_eq!(e.request_id.as_deref(), Some("a1b2c3"));
        let mut out = Vec::new();
        encode_error(&e, &mut out);
        assert_eq!(decode_error(&out).unwrap(), e);
    }

    #[test]
    fn decodes_the_response_errors_form() {
        let body = b"<?xml version=\"1.0\"?><Response><Errors><Error><Code>Throttling</Code>\
                     <Message>Rate exceeded</Message></Error></Errors><RequestID>r-1</RequestID></Response>";
        let e = decode_error(body).unwrap();
        assert_eq!(e.code, "Throttling");
        assert_eq!(e.message.as_deref(), Some("Rate exceeded"));
        assert_eq!(e.request_id.as_deref(), Some("r-1"));
        assert_eq!(e.error_type, None);
    }

    #[test]
    fn reports_what_is_wrong() {
        let e = decode_error(b"<ErrorResponse><Error><Message>x</Message></Error></ErrorResponse>")
            .unwrap_err();
        assert_eq!(
            e.kind(),
            &DecodeErrorKind::Missing {
                element: "Error/Code"
            }
        );
        let e = decode_error(b"<Other/>").unwrap_err();
        assert!(matches!(e.kind(), DecodeErrorKind::UnexpectedRoot { .. }));
        let e = decode_error(b"<ErrorResponse><Error><Code>Expi").unwrap_err();
        assert_eq!(e.kind(), &DecodeErrorKind::Truncated);
        let e = decode_error(b"<html><body>Bad Gateway</body></html>").unwrap_err();
        assert_eq!(e.kind(), &DecodeErrorKind::Html);
    }
}
