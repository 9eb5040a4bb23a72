//! # awssts
//!
//! A complete, fast client for the AWS Security Token Service.
//!
//! This first release holds the foundation everything else is built on:
//! [`sigv4`], a pure implementation of AWS Signature Version 4 (signing,
//! presigning and server-side verification) that passes both official AWS
//! test suites byte for byte. The STS client, the credential providers and
//! the credentials cache are built on it next.

#[allow(dead_code, unreachable_pub)] // wired up as the client lands
mod blocking;
#[allow(dead_code, unreachable_pub)]
mod client;
mod datetime;
pub mod metadata;
pub mod model;
pub mod protocol;
mod secret;
pub mod sigv4;

pub use datetime::{DateTime, DateTimeError};
pub use secret::SecretString;

// The README's examples are compiled and run as doctests.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
