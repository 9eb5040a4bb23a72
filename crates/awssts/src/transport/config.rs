//! Transport settings and their documented defaults.

use std::fmt;
use std::time::Duration;

/// Where the TLS trust anchors come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RootSource {
    /// The operating system's certificate store (`rustls-native-certs`), as
    /// the official AWS SDKs use: a corporate CA or an inspecting proxy's
    /// certificate installed on the host is trusted. Read on the first HTTPS
    /// connection; `SSL_CERT_FILE` and `SSL_CERT_DIR` override where from.
    #[default]
    Native,
    /// The Mozilla root program, bundled at build time (`webpki-roots`): the
    /// same trust everywhere, no dependency on the host's certificate store.
    /// Only with the crate's `webpki-roots` feature.
    #[cfg(feature = "webpki-roots")]
    WebPki,
    /// No built-in roots: only the extra certificates are trusted.
    None,
}

/// The certificates a TLS server must chain to.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsRoots {
    source: RootSource,
    extra_der: Vec<Vec<u8>>,
}

impl TlsRoots {
    /// The bundled Mozilla roots (feature `webpki-roots`).
    #[cfg(feature = "webpki-roots")]
    pub fn webpki() -> Self {
        TlsRoots::from_source(RootSource::WebPki)
    }

    /// The operating system's certificate store (the default).
    pub fn native() -> Self {
        TlsRoots::from_source(RootSource::Native)
    }

    /// Only the certificates added with [`with_extra_der`](Self::with_extra_der).
    pub fn only_extra() -> Self {
        TlsRoots::from_source(RootSource::None)
    }

    /// Roots from `source`, with no extra certificates.
    pub fn from_source(source: RootSource) -> Self {
        TlsRoots {
            source,
            extra_der: Vec::new(),
        }
    }

    /// Also trusts this DER-encoded root certificate (a private CA, or a
    /// test server's self-signed certificate).
    pub fn with_extra_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_der.push(der.into());
        self
    }

    /// Where the base roots come from.
    pub fn source(&self) -> RootSource {
        self.source
    }

    /// The extra DER certificates, in the order they were added.
    pub fn extra_der(&self) -> &[Vec<u8>] {
        &self.extra_der
    }
}

impl fmt::Debug for TlsRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsRoots")
            .field("source", &self.source)
            .field("extra_certificates", &self.extra_der.len())
            .finish()
    }
}

/// How the [`Transport`](super::Transport) connects, times out, pools and
/// recycles connections.
///
/// `TransportConfig::default()` holds the documented defaults; each setter
/// replaces one value and returns the config:
///
/// ```
/// use std::time::Duration;
/// use awssts::transport::TransportConfig;
///
/// let config = TransportConfig::default()
///     .connect_timeout(Duration::from_secs(1))
///     .max_connections_per_host(8);
/// assert_eq!(config.max_idle_per_host, 64);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransportConfig {
    /// Bound on DNS lookup, TCP connect and TLS handshake together. Default
    /// 3.1 s, as the AWS SDKs.
    pub connect_timeout: Duration,
    /// Longest wait for any byte of the response: for its head, and between
    /// pieces of its body. `None` waits forever. Default 20 s.
    pub read_timeout: Option<Duration>,
    /// Bound on the whole attempt: waiting for a pool slot, connecting,
    /// sending and reading the full response. Default `None`.
    pub attempt_timeout: Option<Duration>,
    /// Most requests in flight to one (scheme, host, port) at once; more
    /// sends wait for a slot. Since an idle connection is always reused
    /// before a new one is opened, this also bounds the open connections.
    /// Default 64; 0 is taken as 1.
    pub max_connections_per_host: usize,
    /// Most idle connections kept per host; the longest-idle one is closed
    /// beyond that. Default 64.
    pub max_idle_per_host: usize,
    /// An idle connection older than this is closed rather than reused.
    /// Default 20 s, below the idle limits of common servers and load
    /// balancers (60 s for an AWS ALB, 30 s for some), so that we close first.
    pub idle_timeout: Duration,
    /// TCP keep-alive probe interval; `None` turns keep-alive off.
    /// Default 30 s.
    pub tcp_keepalive: Option<Duration>,
    /// A connection that answered this many error responses (5xx or 429) in a
    /// row is closed instead of reused: a bad backend behind a load balancer
    /// is then left behind. A success resets the count. Default 3; 0 is
    /// taken as 1.
    pub max_consecutive_errors: u32,
    /// A connection older than this is closed rather than reused, so DNS and
    /// load-balancer changes are picked up. Default 5 min.
    pub max_connection_age: Option<Duration>,
    /// A connection is closed after serving this many requests. Default 1000.
    pub max_requests_per_connection: Option<u32>,
    /// Responses whose body is larger are refused with
    /// [`BodyTooLarge`](super::TransportErrorKind::BodyTooLarge).
    /// Default 1 MiB (STS responses are a few KiB).
    pub max_response_bytes: usize,
    /// The trust anchors for HTTPS. Default: the operating system's
    /// certificate store.
    pub tls_roots: TlsRoots,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_millis(3100),
            read_timeout: Some(Duration::from_secs(20)),
            attempt_timeout: None,
            max_connections_per_host: 64,
            max_idle_per_host: 64,
            idle_timeout: Duration::from_secs(20),
            tcp_keepalive: Some(Duration::from_secs(30)),
            max_consecutive_errors: 3,
            max_connection_age: Some(Duration::from_secs(300)),
            max_requests_per_connection: Some(1000),
            max_response_bytes: 1024 * 1024,
            tls_roots: TlsRoots::default(),
        }
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty;)*) => {
        impl TransportConfig {
            $(
                $(#[$doc])*
                pub fn $name(mut self, value: $ty) -> Self {
                    self.$name = value;
                    self
                }
            )*
        }
    };
}

setters! {
    /// Sets [`connect_timeout`](Self::connect_timeout).
    connect_timeout: Duration;
    /// Sets [`read_timeout`](Self::read_timeout).
    read_timeout: Option<Duration>;
    /// Sets [`attempt_timeout`](Self::attempt_timeout).
    attempt_timeout: Option<Duration>;
    /// Sets [`max_connections_per_host`](Self::max_connections_per_host).
    max_connections_per_host: usize;
    /// Sets [`max_idle_per_host`](Self::max_idle_per_host).
    max_idle_per_host: usize;
    /// Sets [`idle_timeout`](Self::idle_timeout).
    idle_timeout: Duration;
    /// Sets [`tcp_keepalive`](Self::tcp_keepalive).
    tcp_keepalive: Option<Duration>;
    /// Sets [`max_consecutive_errors`](Self::max_consecutive_errors).
    max_consecutive_errors: u32;
    /// Sets [`max_connection_age`](Self::max_connection_age).
    max_connection_age: Option<Duration>;
    /// Sets [`max_requests_per_connection`](Self::max_requests_per_connection).
    max_requests_per_connection: Option<u32>;
    /// Sets [`max_response_bytes`](Self::max_response_bytes).
    max_response_bytes: usize;
    /// Sets [`tls_roots`](Self::tls_roots).
    tls_roots: TlsRoots;
}
