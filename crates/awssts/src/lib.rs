//! # awssts
//!
//! A complete, fast client for the AWS Security Token Service.
//!
//! This first release holds the foundation everything else is built on:
//! [`sigv4`], a pure implementation of AWS Signature Version 4 (signing,
//! presigning and server-side verification) that passes both official AWS
//! test suites byte for byte. The STS client, the credential providers and
//! the credentials cache are built on it next. [`transport`] is the pooled
//! HTTP/1.1 client (hyper and rustls) they send requests through.

#[allow(dead_code, unreachable_pub)] // wired up as the client lands
mod blocking;
#[allow(dead_code, unreachable_pub)]
mod client;
pub mod credentials;
pub mod endpoint;
pub mod env;
pub mod metadata;
pub mod retry;
pub mod sigv4;
pub mod transport;

// The README's examples are compiled and run as doctests.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
