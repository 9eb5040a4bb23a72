//! A local STS endpoint that verifies SigV4 signatures with
//! [`awssts::sigv4::verify`](https://docs.rs/awssts) and answers every STS
//! operation.
//!
//! Nothing is implemented yet: this crate exists so the workspace has its
//! final shape. It must not be mistaken for a working emulator.
