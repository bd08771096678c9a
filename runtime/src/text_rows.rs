//! [`TextRows`]: a result whose values are all text, kept in one buffer.

use std::fmt;

use crate::database::{Database, Row};
use crate::error::DatabaseError;
use crate::text_sink::{TextSink, send_rows};

/// Every row of a [`Database::query_once`](crate::Database::query_once) read: every value as
/// text (or `NULL`), all of them in one buffer. It is the [`TextSink`] that keeps what it is
/// given.
///
/// A thousand rows of three columns cost a few growing buffers, not three thousand
/// `String`s: this is what keeps the runner's start-up read, with every migration applied,
/// close to the driver's own cost.
///
/// Values are pushed row by row, column by column, with [`push`](Self::push); a row is
/// complete once it holds one value per column.
///
/// ```
/// use switchy_schema::TextRows;
///
/// let mut rows = TextRows::new(vec!["id".to_owned(), "status".to_owned()]);
/// rows.push(Some("001_init"));
/// rows.push(Some("completed"));
/// rows.push(Some("002_users"));
/// rows.push(None);
///
/// assert_eq!(rows.len(), 2);
/// assert_eq!(rows.row(0).unwrap().get(1), Some("completed"));
/// assert_eq!(rows.row(1).unwrap().get(1), None); // NULL
/// assert_eq!(rows.iter().map(|row| row.get(0).unwrap()).collect::<Vec<_>>(), ["001_init", "002_users"]);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TextRows {
    columns: Vec<String>,
    text: String,
    cells: Vec<Cell>,
}

/// Where one value ends in the buffer; it starts where the previous one ended.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Cell {
    end: usize,
    is_null: bool,
}

impl TextRows {
    /// An empty result with these column names, in select order. A driver that learns the
    /// names from the first row passes none when there is no row.
    #[must_use]
    pub fn new(columns: Vec<String>) -> Self {
        Self {
            columns,
            text: String::new(),
            cells: Vec::new(),
        }
    }

    /// Appends the next value (`None` for `NULL`): the next column of the current row, or
    /// the first column of a new row when the current one is complete.
    pub fn push(&mut self, value: Option<&str>) {
        if let Some(text) = value {
            self.text.push_str(text);
        }
        self.end_value(value.is_none());
    }

    /// Closes the value whose text (if any) was just written to the buffer.
    fn end_value(&mut self, is_null: bool) {
        self.cells.push(Cell {
            end: self.text.len(),
            is_null,
        });
    }

    /// Runs `sql` with [`Database::query_once`] on `db` and keeps every row it read.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use switchy_schema::TextRows;
    ///
    /// let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
    /// let rows = TextRows::query_once(&pool, "SELECT 1 AS one UNION ALL SELECT 2").await?;
    /// assert_eq!(rows.iter().map(|row| row.get(0)).collect::<Vec<_>>(), [Some("1"), Some("2")]);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// [`Database::query_once`]: crate::Database::query_once
    ///
    /// # Errors
    /// The read's.
    pub async fn query_once(db: &dyn Database, sql: &str) -> Result<Self, DatabaseError> {
        let mut rows = Self::default();
        db.query_once(sql, &mut rows).await?;
        Ok(rows)
    }

    /// Copies `rows` (all under the same columns). [`Value::Text`] stays as it is,
    /// [`Value::Null`] is `NULL`, numbers and booleans become their decimal text
    /// (`true`/`false` for booleans), and bytes are read as UTF-8.
    ///
    /// [`Value::Text`]: crate::Value::Text
    /// [`Value::Null`]: crate::Value::Null
    ///
    /// # Errors
    /// [`DatabaseErrorKind::Decode`](crate::DatabaseErrorKind::Decode) when bytes are not
    /// UTF-8.
    pub fn from_rows(rows: &[Row]) -> Result<Self, DatabaseError> {
        let mut result = Self::default();
        send_rows(rows, &mut result)?;
        Ok(result)
    }

    /// The column names, in select order.
    #[must_use]
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The number of complete rows (`0` when there are no columns).
    #[must_use]
    pub fn len(&self) -> usize {
        self.cells
            .len()
            .checked_div(self.columns.len())
            .unwrap_or(0)
    }

    /// Whether there is no complete row.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row at `index`, if there is one.
    #[must_use]
    pub fn row(&self, index: usize) -> Option<TextRow<'_>> {
        (index < self.len()).then(|| self.row_at(index))
    }

    /// Row `index`, which the caller knows is complete.
    fn row_at(&self, index: usize) -> TextRow<'_> {
        TextRow {
            rows: self,
            first: index * self.columns.len(),
        }
    }

    /// Every complete row, in order.
    #[must_use]
    pub fn iter(&self) -> TextRowsIter<'_> {
        TextRowsIter {
            rows: self,
            next: 0..self.len(),
        }
    }

    fn value(&self, cell: usize) -> Option<&str> {
        let Cell { end, is_null } = *self.cells.get(cell)?;
        if is_null {
            return None;
        }
        let start = cell
            .checked_sub(1)
            .map_or(0, |previous| self.cells[previous].end);
        self.text.get(start..end)
    }
}

/// Keeps every row: [`start`](TextSink::start) takes the column names and forgets the rows
/// read before, [`push`](TextSink::push) is [`TextRows::push`].
impl TextSink for TextRows {
    fn start(&mut self, columns: &mut dyn Iterator<Item = &str>) {
        self.columns.clear();
        self.columns.extend(columns.map(str::to_owned));
        self.text.clear();
        self.cells.clear();
    }

    fn push(&mut self, value: Option<&str>) {
        TextRows::push(self, value);
    }
}

impl<'a> IntoIterator for &'a TextRows {
    type Item = TextRow<'a>;
    type IntoIter = TextRowsIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The rows of [`TextRows`], in order (see [`TextRows::iter`]).
#[derive(Debug, Clone)]
pub struct TextRowsIter<'a> {
    rows: &'a TextRows,
    next: std::ops::Range<usize>,
}

impl<'a> Iterator for TextRowsIter<'a> {
    type Item = TextRow<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next.next().map(|index| self.rows.row_at(index))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.next.size_hint()
    }
}

impl ExactSizeIterator for TextRowsIter<'_> {}

impl fmt::Debug for TextRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The rows as values rather than the buffer and its offsets.
        f.debug_struct("TextRows")
            .field("columns", &self.columns)
            .field("rows", &self.iter().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// One row of [`TextRows`].
#[derive(Clone, Copy)]
pub struct TextRow<'a> {
    rows: &'a TextRows,
    first: usize,
}

impl<'a> TextRow<'a> {
    /// The value in column `index`; `None` when it is `NULL` or there is no such column.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<&'a str> {
        if index >= self.rows.columns.len() {
            return None;
        }
        self.rows.value(self.first + index)
    }

    /// Every value, in select order (`None` for `NULL`).
    pub fn values(&self) -> impl ExactSizeIterator<Item = Option<&'a str>> + 'a {
        let (rows, first) = (self.rows, self.first);
        (0..rows.columns.len()).map(move |index| rows.value(first + index))
    }
}

impl fmt::Debug for TextRow<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.values()).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::database::Value;
    use crate::error::DatabaseErrorKind;

    #[test]
    fn values_keep_their_boundaries_empty_texts_and_nulls() {
        let mut rows = TextRows::new(vec!["a".into(), "b".into()]);
        for value in [Some("x"), Some(""), None, Some("yz")] {
            rows.push(value);
        }
        rows.push(Some("incomplete"));
        assert_eq!(rows.len(), 2);
        let values: Vec<Vec<Option<&str>>> =
            rows.iter().map(|row| row.values().collect()).collect();
        assert_eq!(values, [vec![Some("x"), Some("")], vec![None, Some("yz")]]);
        assert_eq!(rows.row(1).unwrap().get(2), None);
        assert!(rows.row(2).is_none());
        assert_eq!((&rows).into_iter().len(), 2);
    }

    #[test]
    fn no_columns_means_no_rows() {
        let mut rows = TextRows::new(Vec::new());
        rows.push(Some("stray"));
        assert!(rows.is_empty());
        assert_eq!(rows.iter().count(), 0);
    }

    #[test]
    fn starting_again_forgets_the_rows_read_before() {
        let mut rows = TextRows::default();
        TextSink::start(&mut rows, &mut ["a"].into_iter());
        TextSink::push(&mut rows, Some("first try"));
        TextSink::start(&mut rows, &mut ["a", "b"].into_iter());
        TextSink::push(&mut rows, Some("x"));
        TextSink::push(&mut rows, None);
        assert_eq!(rows.columns(), ["a", "b"]);
        let values: Vec<Vec<Option<&str>>> =
            rows.iter().map(|row| row.values().collect()).collect();
        assert_eq!(values, [vec![Some("x"), None]]);
    }

    #[test]
    fn from_rows_writes_every_value_as_text() {
        let columns: Arc<[String]> = vec!["n".to_owned(), "t".to_owned(), "b".to_owned()].into();
        let typed = vec![
            Row::new(
                Arc::clone(&columns),
                vec![Value::Int(-3), Value::Text("é".into()), Value::Bool(true)],
            ),
            Row::new(
                Arc::clone(&columns),
                vec![Value::Real(1.5), Value::Null, Value::Bytes(b"ok".to_vec())],
            ),
        ];
        let rows = TextRows::from_rows(&typed).unwrap();
        assert_eq!(rows.columns(), ["n", "t", "b"]);
        let values: Vec<Vec<Option<&str>>> =
            rows.iter().map(|row| row.values().collect()).collect();
        assert_eq!(
            values,
            [
                vec![Some("-3"), Some("é"), Some("true")],
                vec![Some("1.5"), None, Some("ok")]
            ]
        );
    }

    #[test]
    fn from_rows_refuses_bytes_that_are_not_utf8() {
        let columns: Arc<[String]> = vec!["payload".to_owned()].into();
        let error =
            TextRows::from_rows(&[Row::new(columns, vec![Value::Bytes(vec![0xff])])]).unwrap_err();
        assert_eq!(error.kind(), DatabaseErrorKind::Decode);
        assert!(error.message().contains("`payload`"), "{}", error.message());
    }
}
