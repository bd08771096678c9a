//! Shared helpers of switchy_schema's cross-backend integration tests.

pub mod servers;
