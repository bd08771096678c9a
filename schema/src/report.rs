//! What a run reports (stub).

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct RunReport {}
