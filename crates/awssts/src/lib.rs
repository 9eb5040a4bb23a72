//! # awssts
//!
//! A complete, fast client for the AWS Security Token Service.
//!
//! - [`Client`] (and its blocking twin [`blocking::Client`]) calls every STS
//!   operation with builders: `client.assume_role().role_arn(..).send().await`.
//!   Inputs are checked against the STS model before anything is sent;
//!   failures are one [`Error`] whose one-line `Display` names the operation,
//!   the service's code and message, the request id and the attempts made.
//! - [`model`] holds every operation's input and output, generated from the
//!   STS model; [`protocol`] encodes and decodes them (awsQuery forms, XML).
//! - [`endpoint`] implements STS's endpoint rules (regional, legacy global,
//!   FIPS, dual-stack, every partition, custom endpoints).
//! - [`transport`] is the pooled HTTP/1.1 client (its own, over rustls) with a
//!   connection recycling policy; [`retry`] the AWS standard and adaptive
//!   retry modes, with clock-skew correction.
//! - [`credentials`] finds credentials the way the AWS CLI does (environment,
//!   profiles with role chains and MFA, `credential_process`, web identity,
//!   container, IMDS), caches them with static stability, and shares
//!   assumed-role sessions across processes through the AWS CLI's disk cache.
//! - [`sigv4`] signs, presigns and verifies AWS Signature Version 4, byte for
//!   byte as both official AWS test suites require.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use awssts::credentials::Credentials;
//!
//! // Without `.credentials(..)`, the AWS CLI's default chain is used.
//! let client = awssts::Client::builder()
//!     .region("eu-west-1")
//!     .credentials(Credentials::from_keys("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
//!     .build()?;
//! let out = client
//!     .assume_role()
//!     .role_arn("arn:aws:iam::123456789012:role/demo")
//!     .role_session_name("demo")
//!     .send()
//!     .await?;
//! if let Some(creds) = out.credentials {
//!     println!("{} expires at {}", creds.access_key_id, creds.expiration);
//! }
//! # Ok(())
//! # }
//! ```

pub mod blocking;
mod client;
pub mod credentials;
mod datetime;
pub mod endpoint;
pub mod env;
pub mod metadata;
pub mod model;
pub mod protocol;
pub mod retry;
mod secret;
pub mod sigv4;
pub mod transport;

pub use client::{
    Client, ClientBuilder, ConfigError, DEFAULT_PRESIGN_EXPIRY, Error, ErrorKind, PresignOptions,
    PresignedUrl, RequestBuilder, ServiceError,
};
pub use datetime::{DateTime, DateTimeError};
pub use secret::SecretString;

// The README's examples are compiled and run as doctests.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
