//! Callbacks around each migration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;

type BeforeHook = Arc<dyn Fn(&str) + Send + Sync>;
type AfterHook = Arc<dyn Fn(&str, Duration) + Send + Sync>;
type ErrorHook = Arc<dyn Fn(&str, &Error) + Send + Sync>;

/// Callbacks the runner calls around each migration it applies or rolls back.
/// None are set by default.
///
/// They come in pairs: every `before` is followed by exactly one `after` or `on_error`
/// for the same id. `before` fires only once the runner has claimed the migration, so a
/// migration another process applied (or rolled back) meanwhile fires no hook at all. In
/// a single-transaction run, `after` fires for each migration once the transaction has
/// committed; when the run fails, every migration whose `before` fired gets `on_error`
/// with the run's error, since all of them were rolled back.
#[derive(Clone, Default)]
pub struct MigrationHooks {
    pub(crate) before: Option<BeforeHook>,
    pub(crate) after: Option<AfterHook>,
    pub(crate) on_error: Option<ErrorHook>,
}

impl MigrationHooks {
    /// No hooks.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Called with the id before a migration starts.
    #[must_use]
    pub fn before(mut self, hook: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.before = Some(Arc::new(hook));
        self
    }

    /// Called with the id and duration after a migration committed.
    #[must_use]
    pub fn after(mut self, hook: impl Fn(&str, Duration) + Send + Sync + 'static) -> Self {
        self.after = Some(Arc::new(hook));
        self
    }

    /// Called with the id and the error when a migration fails, before the run returns it.
    #[must_use]
    pub fn on_error(mut self, hook: impl Fn(&str, &Error) + Send + Sync + 'static) -> Self {
        self.on_error = Some(Arc::new(hook));
        self
    }

    pub(crate) fn call_before(&self, id: &str) {
        if let Some(hook) = &self.before {
            hook(id);
        }
    }

    pub(crate) fn call_after(&self, id: &str, duration: Duration) {
        if let Some(hook) = &self.after {
            hook(id, duration);
        }
    }

    pub(crate) fn call_on_error(&self, id: &str, error: &Error) {
        if let Some(hook) = &self.on_error {
            hook(id, error);
        }
    }
}

impl fmt::Debug for MigrationHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MigrationHooks")
            .field("before", &self.before.is_some())
            .field("after", &self.after.is_some())
            .field("on_error", &self.on_error.is_some())
            .finish()
    }
}
