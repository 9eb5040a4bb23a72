//! The connection pool: one [`HostPool`] per (scheme, host, port), each with
//! a LIFO list of idle connections, a semaphore bounding concurrent use, and
//! the recycling policy deciding when a connection is closed instead of
//! reused.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use http::HeaderValue;
use tokio::sync::Semaphore;

use super::config::TransportConfig;
use super::connect::parse_ip;
use super::http1::Connection;

/// Where connections go: scheme, host and port, plus what is derived from
/// them once per host rather than once per request.
#[derive(Debug)]
pub(crate) struct Origin {
    tls: bool,
    /// As written in the URI (IPv6 literals keep their brackets).
    host: Box<str>,
    ip: Option<IpAddr>,
    port: u16,
    host_header: HeaderValue,
}

impl Origin {
    pub(crate) fn new(tls: bool, host: &str, port: u16) -> Option<Origin> {
        let default_port = if tls { 443 } else { 80 };
        let host_header = if port == default_port {
            HeaderValue::from_str(host).ok()?
        } else {
            HeaderValue::from_str(&format!("{host}:{port}")).ok()?
        };
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        Some(Origin {
            tls,
            host: host.into(),
            ip: parse_ip(bare),
            port,
            host_header,
        })
    }

    fn is(&self, tls: bool, host: &str, port: u16) -> bool {
        self.tls == tls && self.port == port && self.host.eq_ignore_ascii_case(host)
    }

    pub(crate) fn is_tls(&self) -> bool {
        self.tls
    }

    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    pub(crate) fn ip(&self) -> Option<IpAddr> {
        self.ip
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The `Host` header value: the port only when it is not the default.
    pub(crate) fn host_header(&self) -> &HeaderValue {
        &self.host_header
    }
}

/// What the policy knows of a connection: plain data, so the recycling rules
/// are tested without sockets or clocks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConnState {
    pub(crate) opened: Instant,
    pub(crate) last_used: Instant,
    pub(crate) requests: u32,
    pub(crate) consecutive_errors: u32,
}

impl ConnState {
    pub(crate) fn new(now: Instant) -> Self {
        ConnState {
            opened: now,
            last_used: now,
            requests: 0,
            consecutive_errors: 0,
        }
    }

    /// Records a response: an error status (5xx or 429) extends the run of
    /// errors, anything else ends it.
    pub(crate) fn record(&mut self, status: u16, now: Instant) {
        if status >= 500 || status == 429 {
            self.consecutive_errors = self.consecutive_errors.saturating_add(1);
        } else {
            self.consecutive_errors = 0;
        }
        self.last_used = now;
    }
}

/// A live connection and its history.
pub(crate) struct Conn {
    pub(crate) connection: Connection,
    pub(crate) state: ConnState,
}

/// Why a connection is not (or no longer) fit for reuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Keep,
    /// The connection is already closed (the server closed it, or it failed).
    Closed,
    IdleTooLong,
    TooOld,
    RequestLimit,
    ErrorLimit,
}

/// The recycling rules, from the config.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Policy {
    idle_timeout: Duration,
    max_age: Option<Duration>,
    max_requests: Option<u32>,
    max_errors: u32,
    max_idle: usize,
}

impl Policy {
    pub(crate) fn new(config: &TransportConfig) -> Self {
        Policy {
            idle_timeout: config.idle_timeout,
            max_age: config.max_connection_age,
            max_requests: config.max_requests_per_connection,
            max_errors: config.max_consecutive_errors.max(1),
            max_idle: config.max_idle_per_host,
        }
    }

    /// Whether an idle connection may carry the next request.
    pub(crate) fn on_checkout(&self, s: &ConnState, closed: bool, now: Instant) -> Verdict {
        if closed {
            Verdict::Closed
        } else if now.saturating_duration_since(s.last_used) > self.idle_timeout {
            Verdict::IdleTooLong
        } else {
            self.worn_out(s, now)
        }
    }

    /// Whether a connection that just completed a response goes back to the
    /// pool.
    pub(crate) fn on_checkin(&self, s: &ConnState, closed: bool, now: Instant) -> Verdict {
        if closed {
            Verdict::Closed
        } else if s.consecutive_errors >= self.max_errors {
            Verdict::ErrorLimit
        } else {
            self.worn_out(s, now)
        }
    }

    fn worn_out(&self, s: &ConnState, now: Instant) -> Verdict {
        if self.max_requests.is_some_and(|max| s.requests >= max) {
            Verdict::RequestLimit
        } else if self
            .max_age
            .is_some_and(|max| now.saturating_duration_since(s.opened) >= max)
        {
            Verdict::TooOld
        } else {
            Verdict::Keep
        }
    }
}

/// Live counters behind [`PoolStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) connections_opened: AtomicU64,
    pub(crate) reused: AtomicU64,
    pub(crate) retired_errors: AtomicU64,
    pub(crate) retired_age: AtomicU64,
    pub(crate) retired_requests: AtomicU64,
    pub(crate) evicted_idle: AtomicU64,
    pub(crate) closed_idle: AtomicU64,
    pub(crate) closed_by_server: AtomicU64,
    pub(crate) discarded_over_idle_limit: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) stale_retries: AtomicU64,
}

impl Counters {
    /// Counts a connection dropped for `verdict`.
    pub(crate) fn retired(&self, verdict: Verdict) {
        let counter = match verdict {
            Verdict::Keep => return,
            Verdict::Closed => &self.closed_idle,
            Verdict::IdleTooLong => &self.evicted_idle,
            Verdict::TooOld => &self.retired_age,
            Verdict::RequestLimit => &self.retired_requests,
            Verdict::ErrorLimit => &self.retired_errors,
        };
        counter.fetch_add(1, Relaxed);
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }
}

/// A snapshot of the pool's counters since the transport was created, for
/// tests, benchmarks and `--debug` output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolStats {
    /// New connections established (TCP, and TLS for https).
    pub connections_opened: u64,
    /// Requests sent on a connection taken from the idle pool.
    pub reused: u64,
    /// Connections closed after `max_consecutive_errors` error responses in a row.
    pub retired_errors: u64,
    /// Connections closed for being older than `max_connection_age`.
    pub retired_age: u64,
    /// Connections closed after `max_requests_per_connection` requests.
    pub retired_requests: u64,
    /// Idle connections closed for being idle longer than `idle_timeout`.
    pub evicted_idle: u64,
    /// Idle connections found closed (the server hung up) when about to be reused.
    pub closed_idle: u64,
    /// Connections not reused because the response did not allow keep-alive.
    pub closed_by_server: u64,
    /// Idle connections closed because the host already had `max_idle_per_host`.
    pub discarded_over_idle_limit: u64,
    /// Connections dropped after a failure the transport saw (read timeout,
    /// reset, oversized body). A connection abandoned because the attempt
    /// timed out or the caller dropped the `send` future is closed too, but
    /// not counted here.
    pub failed: u64,
    /// Requests repeated on a fresh connection because a reused one turned
    /// out to be closed before any response arrived.
    pub stale_retries: u64,
    /// Connections idle in the pool right now.
    pub idle: u64,
}

impl Counters {
    pub(crate) fn snapshot(&self, idle: u64) -> PoolStats {
        PoolStats {
            connections_opened: self.connections_opened.load(Relaxed),
            reused: self.reused.load(Relaxed),
            retired_errors: self.retired_errors.load(Relaxed),
            retired_age: self.retired_age.load(Relaxed),
            retired_requests: self.retired_requests.load(Relaxed),
            evicted_idle: self.evicted_idle.load(Relaxed),
            closed_idle: self.closed_idle.load(Relaxed),
            closed_by_server: self.closed_by_server.load(Relaxed),
            discarded_over_idle_limit: self.discarded_over_idle_limit.load(Relaxed),
            failed: self.failed.load(Relaxed),
            stale_retries: self.stale_retries.load(Relaxed),
            idle,
        }
    }
}

/// The connections to one origin.
pub(crate) struct HostPool {
    pub(crate) origin: Origin,
    /// One permit per request in flight to this origin.
    pub(crate) slots: Semaphore,
    /// Idle connections, most recently used at the back (LIFO reuse keeps
    /// few connections warm and lets the rest age out).
    idle: Mutex<VecDeque<Conn>>,
}

impl HostPool {
    pub(crate) fn new(origin: Origin, max_in_flight: usize) -> Self {
        HostPool {
            origin,
            slots: Semaphore::new(max_in_flight.clamp(1, Semaphore::MAX_PERMITS)),
            idle: Mutex::new(VecDeque::new()),
        }
    }

    pub(crate) fn is(&self, tls: bool, host: &str, port: u16) -> bool {
        self.origin.is(tls, host, port)
    }

    /// Takes the most recently used idle connection that passes the policy,
    /// closing (and counting) the ones that do not.
    pub(crate) fn checkout(
        &self,
        policy: &Policy,
        counters: &Counters,
        now: Instant,
    ) -> Option<Conn> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        // The oldest idle connections sit at the front; shed the expired ones
        // so they do not linger when the newest is always the one reused.
        while let Some(front) = idle.front()
            && now.saturating_duration_since(front.state.last_used) > policy.idle_timeout
        {
            idle.pop_front();
            counters.retired(Verdict::IdleTooLong);
        }
        while let Some(conn) = idle.pop_back() {
            match policy.on_checkout(&conn.state, conn.connection.is_closed(), now) {
                Verdict::Keep => return Some(conn),
                verdict => counters.retired(verdict),
            }
        }
        None
    }

    /// Returns a connection after a complete response, unless the policy
    /// retires it.
    pub(crate) fn checkin(&self, conn: Conn, policy: &Policy, counters: &Counters, now: Instant) {
        let verdict = policy.on_checkin(&conn.state, conn.connection.is_closed(), now);
        if verdict != Verdict::Keep {
            if verdict == Verdict::Closed {
                Counters::bump(&counters.closed_by_server);
            } else {
                counters.retired(verdict);
            }
            return;
        }
        if policy.max_idle == 0 {
            Counters::bump(&counters.discarded_over_idle_limit);
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        idle.push_back(conn);
        while idle.len() > policy.max_idle {
            idle.pop_front();
            Counters::bump(&counters.discarded_over_idle_limit);
        }
    }

    pub(crate) fn idle_count(&self) -> usize {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::new(
            &TransportConfig::default()
                .idle_timeout(Duration::from_secs(20))
                .max_connection_age(Some(Duration::from_secs(300)))
                .max_requests_per_connection(Some(3))
                .max_consecutive_errors(2),
        )
    }

    #[test]
    fn fresh_connection_is_kept() {
        let now = Instant::now();
        let s = ConnState::new(now);
        assert_eq!(policy().on_checkout(&s, false, now), Verdict::Keep);
        assert_eq!(policy().on_checkin(&s, false, now), Verdict::Keep);
    }

    #[test]
    fn closed_wins() {
        let now = Instant::now();
        let s = ConnState::new(now);
        assert_eq!(policy().on_checkout(&s, true, now), Verdict::Closed);
        assert_eq!(policy().on_checkin(&s, true, now), Verdict::Closed);
    }

    #[test]
    fn idle_too_long_only_matters_at_checkout() {
        let start = Instant::now();
        let s = ConnState::new(start);
        let later = start + Duration::from_secs(21);
        assert_eq!(policy().on_checkout(&s, false, later), Verdict::IdleTooLong);
        assert_eq!(policy().on_checkin(&s, false, later), Verdict::Keep);
    }

    #[test]
    fn age_limit() {
        let start = Instant::now();
        let mut s = ConnState::new(start);
        let later = start + Duration::from_secs(300);
        s.last_used = later;
        assert_eq!(policy().on_checkout(&s, false, later), Verdict::TooOld);
        assert_eq!(policy().on_checkin(&s, false, later), Verdict::TooOld);
        let unlimited = Policy::new(&TransportConfig::default().max_connection_age(None));
        assert_eq!(unlimited.on_checkin(&s, false, later), Verdict::Keep);
    }

    #[test]
    fn request_limit() {
        let now = Instant::now();
        let mut s = ConnState::new(now);
        s.requests = 2;
        assert_eq!(policy().on_checkin(&s, false, now), Verdict::Keep);
        s.requests = 3;
        assert_eq!(policy().on_checkin(&s, false, now), Verdict::RequestLimit);
    }

    #[test]
    fn consecutive_errors_retire_and_success_resets() {
        let now = Instant::now();
        let mut s = ConnState::new(now);
        s.record(503, now);
        assert_eq!(policy().on_checkin(&s, false, now), Verdict::Keep);
        s.record(200, now);
        s.record(429, now);
        assert_eq!(policy().on_checkin(&s, false, now), Verdict::Keep);
        s.record(500, now);
        assert_eq!(policy().on_checkin(&s, false, now), Verdict::ErrorLimit);
    }

    #[test]
    fn client_errors_are_not_connection_errors() {
        let now = Instant::now();
        let mut s = ConnState::new(now);
        for _ in 0..5 {
            s.record(403, now);
        }
        assert_eq!(s.consecutive_errors, 0);
    }

    #[test]
    fn zero_error_limit_means_one() {
        let now = Instant::now();
        let p = Policy::new(&TransportConfig::default().max_consecutive_errors(0));
        let mut s = ConnState::new(now);
        assert_eq!(p.on_checkin(&s, false, now), Verdict::Keep);
        s.record(502, now);
        assert_eq!(p.on_checkin(&s, false, now), Verdict::ErrorLimit);
    }

    #[test]
    fn host_header_has_port_only_when_not_default() {
        let o = Origin::new(true, "sts.amazonaws.com", 443).unwrap();
        assert_eq!(o.host_header(), "sts.amazonaws.com");
        let o = Origin::new(false, "127.0.0.1", 8080).unwrap();
        assert_eq!(o.host_header(), "127.0.0.1:8080");
        let o = Origin::new(false, "[::1]", 80).unwrap();
        assert_eq!(o.host_header(), "[::1]");
        assert_eq!(o.ip(), Some(IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])));
        assert!(o.is(false, "[::1]", 80));
        assert!(!o.is(true, "[::1]", 80));
    }
}
