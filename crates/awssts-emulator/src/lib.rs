//! A local STS endpoint that verifies SigV4 signatures with
//! [`awssts::sigv4::verify`](https://docs.rs/awssts) and answers every STS
//! operation.

pub mod access_key;
pub mod authz_message;
pub mod jwt;
pub mod saml;
