//! What every request handler shares: who exists, the session codec, the
//! clock and the fault queue. Read-only but for the clock offset and the
//! fault queue, so requests take no lock.

use std::time::Duration;

use crate::clock::Clock;
use zeroize::Zeroizing;

use crate::config::Directory;
use crate::faults::Faults;
use crate::session::Codec;

#[derive(Debug)]
pub(crate) struct Shared {
    pub dir: Directory,
    pub codec: Codec,
    pub clock: Clock,
    pub faults: Faults,
    pub admin: bool,
    /// Signs GetWebIdentityToken's tokens; its keys are the JWKS.
    pub signer: crate::jwt::Signer,
    /// The key of encoded authorization messages.
    pub authz_key: Zeroizing<[u8; 32]>,
    /// How long a stalled body stalls at most.
    pub stall_limit: Duration,
}
