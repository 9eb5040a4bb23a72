//! The blocking twin of the client: the same builders, `send()` waits.
//! (Under construction: not yet exported.)

/// The blocking STS client.
#[derive(Clone, Debug, Default)]
pub struct Client {
    _private: (),
}
