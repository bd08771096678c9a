//! Shared helpers of switchy_schema's cross-backend integration tests.

pub mod harness;
pub mod servers;
pub mod support;
