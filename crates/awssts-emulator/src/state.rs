//! What every request handler shares: who exists, the session codec, the
//! clock and the fault queue. Read-only but for the clock offset and the
//! fault queue, so requests take no lock.

use std::time::Duration;

use crate::clock::Clock;

use crate::authz_message::MessageKey;
use crate::config::Directory;
use crate::faults::Faults;
use crate::session::Codec;

pub(crate) struct Shared {
    pub dir: Directory,
    pub codec: Codec,
    pub clock: Clock,
    pub faults: Faults,
    pub admin: bool,
    /// Signs GetWebIdentityToken's tokens; its keys are the JWKS.
    pub signer: crate::jwt::Signer,
    /// The keys of encoded authorization messages.
    pub authz_key: MessageKey,
    /// How long a stalled body stalls at most.
    pub stall_limit: Duration,
    /// How long a client has to send a request's headers, and then its
    /// body.
    pub read_timeout: Duration,
}

/// Leaves out the keys (session master key, authorization-message key).
impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("dir", &self.dir)
            .field("clock", &self.clock)
            .field("faults", &self.faults)
            .field("admin", &self.admin)
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}
