//! The transport's one error type: what failed, against which host, and the
//! lower-level cause chained through `source()`.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::Duration;

/// What went wrong while sending a request. The retry layer decides from this
/// whether an attempt may be repeated, so each kind names one precise failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The request URI cannot be sent: not absolute, not http(s), or no host.
    InvalidUri,
    /// The host name did not resolve to any address.
    Dns,
    /// No TCP connection could be made (refused, unreachable, ...).
    Connect,
    /// DNS, TCP connect and TLS handshake together took longer than the
    /// connect timeout.
    ConnectTimeout,
    /// The TLS configuration could not be built, or the handshake failed
    /// (untrusted certificate, wrong name, protocol mismatch).
    Tls,
    /// The server sent nothing for longer than the read timeout, while the
    /// response head or the next piece of the body was awaited.
    ReadTimeout,
    /// The whole attempt (waiting for a pool slot, connecting, the response)
    /// took longer than the attempt timeout.
    AttemptTimeout,
    /// The response body is larger than the configured maximum.
    BodyTooLarge,
    /// The connection was reset or closed before a full response arrived.
    ConnectionClosed,
    /// Another I/O error on an established connection.
    Io,
    /// The server's response is not valid HTTP/1.1.
    Protocol,
}

/// Extra facts a message needs, kept apart so that building an error never
/// formats anything until it is displayed.
#[derive(Debug)]
enum Detail {
    None,
    Duration(Duration),
    Limit(usize),
    Message(&'static str),
    Text(String),
}

/// An error from [`Transport::send`](super::Transport::send) or
/// [`Transport::new`](super::Transport::new).
///
/// It names the kind of failure and the host and port involved, never the
/// request's headers, body or query (they carry signatures and tokens). The
/// underlying I/O, TLS or HTTP error is available through
/// [`source()`](std::error::Error::source).
pub struct TransportError {
    kind: TransportErrorKind,
    host: Box<str>,
    port: u16,
    detail: Detail,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl TransportError {
    pub(crate) fn new(kind: TransportErrorKind, host: &str, port: u16) -> Self {
        TransportError {
            kind,
            host: host.into(),
            port,
            detail: Detail::None,
            source: None,
        }
    }

    /// An error that concerns no particular host (configuration, URI).
    pub(crate) fn general(kind: TransportErrorKind, message: &'static str) -> Self {
        TransportError::new(kind, "", 0).message(message)
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    pub(crate) fn duration(mut self, duration: Duration) -> Self {
        self.detail = Detail::Duration(duration);
        self
    }

    pub(crate) fn limit(mut self, limit: usize) -> Self {
        self.detail = Detail::Limit(limit);
        self
    }

    pub(crate) fn message(mut self, message: &'static str) -> Self {
        self.detail = Detail::Message(message);
        self
    }

    pub(crate) fn text(mut self, text: String) -> Self {
        self.detail = Detail::Text(text);
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The host the request was for; empty when the error concerns no host
    /// (an invalid configuration or URI).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port the request was for; 0 when the error concerns no host.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether this is one of the timeout kinds.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::ConnectTimeout
                | TransportErrorKind::ReadTimeout
                | TransportErrorKind::AttemptTimeout
        )
    }
}

/// Whether an I/O error means the peer went away.
pub(crate) fn classify_io(kind: io::ErrorKind) -> TransportErrorKind {
    match kind {
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof
        | io::ErrorKind::NotConnected => TransportErrorKind::ConnectionClosed,
        _ => TransportErrorKind::Io,
    }
}

/// Formats a duration the way people write timeouts: `20s`, `3.1s`, `250ms`.
pub(crate) struct Secs(pub Duration);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        let millis = d.subsec_millis();
        if d.as_secs() == 0 && millis > 0 {
            return write!(f, "{millis}ms");
        }
        if millis == 0 {
            return write!(f, "{}s", d.as_secs());
        }
        let mut frac = millis;
        let mut width = 3;
        while frac.is_multiple_of(10) {
            frac /= 10;
            width -= 1;
        }
        write!(f, "{}.{:0width$}s", d.as_secs(), frac, width = width)
    }
}

struct Target<'a>(&'a str, u16);

impl fmt::Display for Target<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.0, self.1)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use TransportErrorKind as K;
        let target = Target(&self.host, self.port);
        match (self.kind, &self.detail) {
            (_, Detail::Message(m)) if self.host.is_empty() => f.write_str(m),
            (_, Detail::Text(t)) if self.host.is_empty() => f.write_str(t),
            (K::InvalidUri, _) => f.write_str("invalid request URI"),
            (K::Dns, _) => write!(f, "DNS lookup for {} failed", self.host),
            (K::Connect, _) => write!(f, "connect to {target} failed"),
            (K::ConnectTimeout, Detail::Duration(d)) => {
                write!(f, "connect to {target} timed out after {}", Secs(*d))
            }
            (K::ConnectTimeout, _) => write!(f, "connect to {target} timed out"),
            (K::Tls, _) => write!(f, "TLS handshake with {target} failed"),
            (K::ReadTimeout, Detail::Duration(d)) => write!(
                f,
                "no response data from {target} for {} (read timeout)",
                Secs(*d)
            ),
            (K::ReadTimeout, _) => write!(f, "no response data from {target} (read timeout)"),
            (K::AttemptTimeout, Detail::Duration(d)) => write!(
                f,
                "request to {target} did not complete within {} (attempt timeout)",
                Secs(*d)
            ),
            (K::AttemptTimeout, _) => {
                write!(f, "request to {target} did not complete (attempt timeout)")
            }
            (K::BodyTooLarge, Detail::Limit(n)) => {
                write!(f, "response body from {} exceeds {n} bytes", self.host)
            }
            (K::BodyTooLarge, _) => write!(f, "response body from {} is too large", self.host),
            (K::ConnectionClosed, _) => write!(
                f,
                "connection to {target} closed before a complete response arrived"
            ),
            (K::Io, _) => write!(f, "I/O error on the connection to {target}"),
            (K::Protocol, _) => write!(f, "invalid HTTP response from {target}"),
        }?;
        if !self.host.is_empty() {
            match &self.detail {
                Detail::Message(m) => write!(f, ": {m}")?,
                Detail::Text(t) => write!(f, ": {t}")?,
                _ => {}
            }
        }
        Ok(())
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("message", &format_args!("{self}"))
            .field("source", &self.source)
            .finish()
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(Secs(Duration::from_millis(3100)).to_string(), "3.1s");
        assert_eq!(Secs(Duration::from_secs(20)).to_string(), "20s");
        assert_eq!(Secs(Duration::from_millis(250)).to_string(), "250ms");
        assert_eq!(Secs(Duration::from_millis(1005)).to_string(), "1.005s");
        assert_eq!(Secs(Duration::from_millis(1050)).to_string(), "1.05s");
        assert_eq!(Secs(Duration::ZERO).to_string(), "0s");
    }

    #[test]
    fn messages_tell_the_story() {
        let e = TransportError::new(TransportErrorKind::ConnectTimeout, "127.0.0.1", 443)
            .duration(Duration::from_millis(3100));
        assert_eq!(
            e.to_string(),
            "connect to 127.0.0.1:443 timed out after 3.1s"
        );
        let e = TransportError::new(
            TransportErrorKind::BodyTooLarge,
            "sts.eu-west-1.amazonaws.com",
            443,
        )
        .limit(1_048_576);
        assert_eq!(
            e.to_string(),
            "response body from sts.eu-west-1.amazonaws.com exceeds 1048576 bytes"
        );
        let e = TransportError::new(TransportErrorKind::ReadTimeout, "host", 8443)
            .duration(Duration::from_secs(20));
        assert_eq!(
            e.to_string(),
            "no response data from host:8443 for 20s (read timeout)"
        );
        assert!(e.is_timeout());
    }

    #[test]
    fn error_can_cross_threads_and_box() {
        fn assert_bounds<T: Send + Sync + 'static + StdError>() {}
        assert_bounds::<TransportError>();
    }

    #[test]
    fn source_is_chained() {
        let io = io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        let e = TransportError::new(TransportErrorKind::Connect, "h", 1).with_source(io);
        let src = e.source().map(ToString::to_string);
        assert_eq!(src.as_deref(), Some("refused"));
    }

    #[test]
    fn io_kinds_split_closed_from_other() {
        assert_eq!(
            classify_io(io::ErrorKind::ConnectionReset),
            TransportErrorKind::ConnectionClosed
        );
        assert_eq!(
            classify_io(io::ErrorKind::PermissionDenied),
            TransportErrorKind::Io
        );
    }
}
