//! Servers the client tests talk to: moto (the Python STS mock, from the
//! repo's venv) and a scripted stub that can misbehave on purpose.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod moto;
pub mod stub;
