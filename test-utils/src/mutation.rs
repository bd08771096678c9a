//! Mutations: data changes run right after a named migration by
//! [`verify_migrations_with_mutations`](crate::verify_migrations_with_mutations).

use std::collections::BTreeMap;

use switchy_schema::Database;
use switchy_schema::code::{BoxFuture, Executable, FnExecutable};

use crate::error::BoxError;
use crate::step::{FnStep, LocalBoxFuture, Step};

/// Something run against the database after a migration: raw SQL (`&str`, `String`),
/// an [`Executable`] (a [`from_fn`](switchy_schema::code::from_fn) closure, or any `dyn Executable`), or an async closure
/// wrapped by [`mutation_fn`]. References, `Box`es and `Arc`s of mutations are mutations,
/// so mixed kinds fit in one list as `Box<dyn Mutation>`.
///
/// A type of yours that implements [`Executable`] is a mutation as `&dyn Executable` or
/// `Box<dyn Executable>`.
pub trait Mutation {
    /// Runs it.
    fn run<'a>(&'a self, db: &'a dyn Database) -> LocalBoxFuture<'a, Result<(), BoxError>>;
}

impl Mutation for str {
    fn run<'a>(&'a self, db: &'a dyn Database) -> LocalBoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move {
            if !self.trim().is_empty() {
                db.exec_raw(self).await?;
            }
            Ok(())
        })
    }
}

impl Mutation for String {
    fn run<'a>(&'a self, db: &'a dyn Database) -> LocalBoxFuture<'a, Result<(), BoxError>> {
        self.as_str().run(db)
    }
}

impl Mutation for dyn Executable + '_ {
    fn run<'a>(&'a self, db: &'a dyn Database) -> LocalBoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move { self.execute(db).await.map_err(BoxError::from) })
    }
}

impl<F> Mutation for FnExecutable<F>
where
    F: for<'x> Fn(&'x dyn Database) -> BoxFuture<'x, switchy_schema::Result<()>> + Send + Sync,
{
    fn run<'a>(&'a self, db: &'a dyn Database) -> LocalBoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move { self.execute(db).await.map_err(BoxError::from) })
    }
}

impl<M: Mutation + ?Sized> Mutation for &M {
    fn run<'a>(&'a self, db: &'a dyn Database) -> LocalBoxFuture<'a, Result<(), BoxError>> {
        (**self).run(db)
    }
}

impl<M: Mutation + ?Sized> Mutation for Box<M> {
    fn run<'a>(&'a self, db: &'a dyn Database) -> LocalBoxFuture<'a, Result<(), BoxError>> {
        (**self).run(db)
    }
}

impl<M: Mutation + ?Sized> Mutation for std::sync::Arc<M> {
    fn run<'a>(&'a self, db: &'a dyn Database) -> LocalBoxFuture<'a, Result<(), BoxError>> {
        (**self).run(db)
    }
}

/// An async closure as a [`Mutation`]; see [`mutation_fn`].
pub struct FnMutation<F>(FnStep<F>);

impl<F> Mutation for FnMutation<F>
where
    F: AsyncFn(&dyn Database) -> Result<(), BoxError>,
{
    fn run<'a>(&'a self, db: &'a dyn Database) -> LocalBoxFuture<'a, Result<(), BoxError>> {
        self.0.call(db)
    }
}

/// Wraps an async closure as a [`Mutation`], for maps and lists of one closure type; the
/// [`Mutations`] builder takes closures directly.
///
/// ```
/// use switchy_schema_test_utils::{mutation_fn, Mutation};
///
/// let mutation = mutation_fn(async |db| {
///     db.execute("INSERT INTO users (name) VALUES (?)", &["ada".into()]).await?;
///     Ok(())
/// });
/// # fn is_mutation(_: &impl Mutation) {}
/// # is_mutation(&mutation);
/// ```
pub fn mutation_fn<F>(f: F) -> FnMutation<F>
where
    F: AsyncFn(&dyn Database) -> Result<(), BoxError>,
{
    FnMutation(FnStep(f))
}

/// Which mutations run after which migration.
///
/// Implemented for `BTreeMap<String, M>` (one mutation per migration), `Vec<(String, M)>`
/// (several per migration, in list order) and the [`Mutations`] builder (mixed kinds),
/// where `M` is any [`Mutation`]: `&str`, `String`, a [`from_fn`](switchy_schema::code::from_fn) executable,
/// `Box<dyn Mutation>`, ...
pub trait MutationProvider {
    /// The mutations to run right after migration `id`, in order.
    fn mutations_after(&self, id: &str) -> Vec<&dyn Mutation>;

    /// Every migration id this provider names, so that an unknown one can be reported
    /// before anything runs.
    fn migration_ids(&self) -> Vec<&str>;
}

impl<M: Mutation> MutationProvider for BTreeMap<String, M> {
    fn mutations_after(&self, id: &str) -> Vec<&dyn Mutation> {
        self.get(id)
            .map(|mutation| vec![mutation as &dyn Mutation])
            .unwrap_or_default()
    }
    fn migration_ids(&self) -> Vec<&str> {
        self.keys().map(String::as_str).collect()
    }
}

impl<M: Mutation> MutationProvider for Vec<(String, M)> {
    fn mutations_after(&self, id: &str) -> Vec<&dyn Mutation> {
        self.iter()
            .filter(|(after, _)| after == id)
            .map(|(_, mutation)| mutation as &dyn Mutation)
            .collect()
    }
    fn migration_ids(&self) -> Vec<&str> {
        self.iter().map(|(id, _)| id.as_str()).collect()
    }
}

impl<P: MutationProvider + ?Sized> MutationProvider for &P {
    fn mutations_after(&self, id: &str) -> Vec<&dyn Mutation> {
        (**self).mutations_after(id)
    }
    fn migration_ids(&self) -> Vec<&str> {
        (**self).migration_ids()
    }
}

/// A [`MutationProvider`] built step by step, mixing SQL, [`Executable`]s and async
/// closures.
///
/// ```
/// use switchy_schema_test_utils::Mutations;
///
/// let mutations = Mutations::new()
///     .sql("0001_users", "INSERT INTO users (name) VALUES ('ada')")
///     .with("0002_posts", String::from("INSERT INTO posts (user_id) VALUES (1)"))
///     .with_fn("0002_posts", async |db| {
///         db.execute("UPDATE users SET name = ? WHERE id = 1", &["grace".into()]).await?;
///         Ok(())
///     });
/// # let _ = mutations;
/// ```
/// Closures may borrow from the test (the builder's lifetime `'a`).
#[derive(Default)]
pub struct Mutations<'a> {
    entries: Vec<(String, Box<dyn Mutation + 'a>)>,
}

impl<'a> Mutations<'a> {
    /// No mutations.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `sql` after migration `id`.
    #[must_use]
    pub fn sql(self, id: impl Into<String>, sql: impl Into<String>) -> Self {
        self.with(id, sql.into())
    }

    /// Runs `mutation` (any [`Mutation`], such as an [`Executable`]) after migration `id`.
    #[must_use]
    pub fn with(mut self, id: impl Into<String>, mutation: impl Mutation + 'a) -> Self {
        self.entries.push((id.into(), Box::new(mutation)));
        self
    }

    /// Runs the async closure `f` after migration `id`.
    #[must_use]
    pub fn with_fn<F>(self, id: impl Into<String>, f: F) -> Self
    where
        F: AsyncFn(&dyn Database) -> Result<(), BoxError> + 'a,
    {
        self.with(id, mutation_fn(f))
    }
}

impl MutationProvider for Mutations<'_> {
    fn mutations_after(&self, id: &str) -> Vec<&dyn Mutation> {
        self.entries
            .iter()
            .filter(|(after, _)| after == id)
            .map(|(_, mutation)| &**mutation)
            .collect()
    }
    fn migration_ids(&self) -> Vec<&str> {
        self.entries.iter().map(|(id, _)| id.as_str()).collect()
    }
}

impl std::fmt::Debug for Mutations<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|(id, _)| id))
            .finish()
    }
}
