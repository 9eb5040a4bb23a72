//! Opening one connection: DNS, TCP, then TLS.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_rustls::TlsConnector;

use super::error::{TransportError, TransportErrorKind};
use super::http1::{Connection, Stream};
use super::pool::Origin;

/// Connects to `origin`, through TLS with `tls` when given (the caller
/// gives it for `https` origins). DNS, TCP and TLS together must finish
/// within `connect_timeout`.
pub(crate) async fn connect(
    origin: &Origin,
    connect_timeout: Duration,
    keepalive: Option<Duration>,
    tls: Option<&Arc<ClientConfig>>,
) -> Result<Connection, TransportError> {
    let deadline = Instant::now() + connect_timeout;
    let timed_out = || {
        TransportError::new(
            TransportErrorKind::ConnectTimeout,
            origin.host(),
            origin.port(),
        )
        .duration(connect_timeout)
    };
    let tcp = match timeout_at(deadline, tcp_connect(origin, deadline, connect_timeout)).await {
        Ok(result) => result?,
        Err(_) => return Err(timed_out()),
    };
    if let Err(e) = configure(&tcp, keepalive) {
        // Not fatal: the connection works without them, only less well.
        tracing::debug!(host = origin.host(), error = %e, "could not set TCP options");
    }
    let Some(tls) = tls else {
        return Ok(Connection::new(Stream::Plain(tcp)));
    };
    let name = server_name(origin)?;
    let tls_stream = match timeout_at(
        deadline,
        TlsConnector::from(Arc::clone(tls)).connect(name, tcp),
    )
    .await
    {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            return Err(
                TransportError::new(TransportErrorKind::Tls, origin.host(), origin.port())
                    .with_source(e),
            );
        }
        Err(_) => return Err(timed_out()),
    };
    Ok(Connection::new(Stream::Tls(Box::new(tls_stream))))
}

/// Resolves the host and tries each address in turn. Each gets an equal share
/// of what is left of the deadline, so one black-holed address cannot use up
/// the whole budget before the next is tried.
async fn tcp_connect(
    origin: &Origin,
    deadline: Instant,
    connect_timeout: Duration,
) -> Result<TcpStream, TransportError> {
    let (host, port) = (origin.host(), origin.port());
    let addrs: Vec<SocketAddr> = match origin.ip() {
        Some(ip) => vec![SocketAddr::new(ip, port)],
        None => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| TransportError::new(TransportErrorKind::Dns, host, port).with_source(e))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(TransportError::new(TransportErrorKind::Dns, host, port)
            .message("the name resolved to no address"));
    }
    let mut last: Option<TransportError> = None;
    let count = addrs.len();
    for (i, addr) in addrs.into_iter().enumerate() {
        let left = deadline.saturating_duration_since(Instant::now());
        let share = left / u32::try_from(count - i).unwrap_or(u32::MAX);
        match tokio::time::timeout(share, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => return Ok(stream),
            Ok(Err(e)) => {
                tracing::debug!(%addr, error = %e, "TCP connect failed");
                last = Some(
                    TransportError::new(TransportErrorKind::Connect, host, port).with_source(e),
                );
            }
            Err(_) => {
                tracing::debug!(%addr, "TCP connect timed out");
                last = Some(
                    TransportError::new(TransportErrorKind::ConnectTimeout, host, port)
                        .duration(connect_timeout),
                );
            }
        }
    }
    Err(last.unwrap_or_else(|| TransportError::new(TransportErrorKind::Connect, host, port)))
}

fn configure(tcp: &TcpStream, keepalive: Option<Duration>) -> io::Result<()> {
    // Requests are written in one piece; Nagle would only delay them.
    tcp.set_nodelay(true)?;
    if let Some(interval) = keepalive {
        let ka = socket2::TcpKeepalive::new()
            .with_time(interval)
            .with_interval(interval);
        socket2::SockRef::from(tcp).set_tcp_keepalive(&ka)?;
    }
    Ok(())
}

fn server_name(origin: &Origin) -> Result<ServerName<'static>, TransportError> {
    if let Some(ip) = origin.ip() {
        return Ok(ServerName::IpAddress(ip.into()));
    }
    ServerName::try_from(origin.host().to_owned()).map_err(|e| {
        TransportError::new(TransportErrorKind::InvalidUri, origin.host(), origin.port())
            .message("the host is not a valid TLS server name")
            .with_source(e)
    })
}

/// Parses an IP literal host (brackets already stripped).
pub(crate) fn parse_ip(host: &str) -> Option<IpAddr> {
    host.parse().ok()
}
