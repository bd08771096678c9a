//! A delegating `Database` that counts every statement switchy_schema sends.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use switchy_schema::{Database, DatabaseError, DatabaseTransaction, Dialect, Row, TextSink, Value};

/// Delegates to the wrapped handle and counts every statement sent (a `BEGIN`, a
/// `COMMIT` and a `ROLLBACK` count as one each).
pub(crate) struct Counting<'a> {
    pub(crate) inner: Box<dyn Database + 'a>,
    pub(crate) count: &'a AtomicUsize,
}

impl Counting<'_> {
    fn tick(&self) {
        self.count.fetch_add(1, Ordering::Relaxed);
    }
}

#[async_trait]
impl Database for Counting<'_> {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }
    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        self.tick();
        self.inner.exec_raw(sql).await
    }
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        self.tick();
        self.inner.execute(sql, params).await
    }
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        self.tick();
        self.inner.query(sql, params).await
    }
    async fn query_once(&self, sql: &str, sink: &mut dyn TextSink) -> Result<(), DatabaseError> {
        self.tick();
        self.inner.query_once(sql, sink).await
    }
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        self.tick();
        let tx = self.inner.begin_transaction().await?;
        Ok(Box::new(CountingTx {
            inner: tx,
            count: self.count,
        }))
    }
    async fn pinned(&self) -> Result<Box<dyn Database + '_>, DatabaseError> {
        let pinned = self.inner.pinned().await?;
        Ok(Box::new(Counting {
            inner: pinned,
            count: self.count,
        }))
    }
    fn queue_cleanup(&self, sql: &str) -> bool {
        self.inner.queue_cleanup(sql)
    }
    fn may_have_other_connections(&self) -> bool {
        self.inner.may_have_other_connections()
    }
}

struct CountingTx<'a> {
    inner: Box<dyn DatabaseTransaction + 'a>,
    count: &'a AtomicUsize,
}

#[async_trait]
impl Database for CountingTx<'_> {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }
    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.exec_raw(sql).await
    }
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.execute(sql, params).await
    }
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.query(sql, params).await
    }
    async fn query_once(&self, sql: &str, sink: &mut dyn TextSink) -> Result<(), DatabaseError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.query_once(sql, sink).await
    }
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        self.inner.begin_transaction().await
    }
    fn queue_cleanup(&self, sql: &str) -> bool {
        self.inner.queue_cleanup(sql)
    }
}

#[async_trait]
impl DatabaseTransaction for CountingTx<'_> {
    async fn commit(self: Box<Self>) -> Result<(), DatabaseError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.commit().await
    }
    async fn rollback(self: Box<Self>) -> Result<(), DatabaseError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.rollback().await
    }
}
