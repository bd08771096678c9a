//! [`TextSink`]: where [`Database::query_once`](crate::Database::query_once) delivers what it
//! reads, one value at a time.

use std::fmt;

use crate::database::{Row, Value};
use crate::error::{DatabaseError, DatabaseErrorKind};

/// Receives the result of a [`Database::query_once`](crate::Database::query_once) read as
/// it arrives: the column names, then every value as text (`None` for `NULL`), row by row,
/// column by column.
///
/// A row is complete once it holds one value per column. Nothing has to be kept: the
/// runner's start-up check compares each value with the embedded migrations and drops it,
/// so reading a thousand applied migrations holds one row at a time. [`TextRows`] is the
/// sink that keeps every row.
///
/// [`TextRows`]: crate::TextRows
///
/// ```
/// use switchy_schema::TextSink;
///
/// /// Counts the rows whose second column is `NULL`.
/// #[derive(Default)]
/// struct NullsInSecond {
///     width: usize,
///     column: usize,
///     nulls: usize,
/// }
///
/// impl TextSink for NullsInSecond {
///     fn start(&mut self, columns: &mut dyn Iterator<Item = &str>) {
///         *self = Self { width: columns.count(), ..Self::default() };
///     }
///     fn push(&mut self, value: Option<&str>) {
///         if self.column == 1 && value.is_none() {
///             self.nulls += 1;
///         }
///         self.column = (self.column + 1) % self.width.max(1);
///     }
/// }
///
/// let mut sink = NullsInSecond::default();
/// sink.start(&mut ["id", "status"].into_iter());
/// for value in [Some("001"), None, Some("002"), Some("completed")] {
///     sink.push(value);
/// }
/// assert_eq!(sink.nulls, 1);
/// ```
pub trait TextSink: Send {
    /// Starts (or starts again) the result, with its column names in select order.
    ///
    /// A driver calls it once before the first value. A driver that learns the names from
    /// the first row calls it with no name when there is no row. A driver that sends the
    /// query a second time (see [`query_once`](crate::Database::query_once)) calls it again
    /// before the second answer: the sink forgets every value it was given before.
    fn start(&mut self, columns: &mut dyn Iterator<Item = &str>);

    /// The next value: the next column of the current row, or the first column of a new
    /// row when the current one is complete. `None` is `NULL`.
    fn push(&mut self, value: Option<&str>);
}

/// Delivers `rows` (all under the same columns) to `sink`, every value as text: numbers and
/// booleans as their decimal text (`true` / `false`), bytes read as UTF-8. What the default
/// [`query_once`](crate::Database::query_once) sends.
///
/// # Errors
/// [`DatabaseErrorKind::Decode`] when bytes are not UTF-8, naming the column.
pub(crate) fn send_rows(rows: &[Row], sink: &mut dyn TextSink) -> Result<(), DatabaseError> {
    let columns = rows.first().map_or(&[][..], Row::columns);
    sink.start(&mut columns.iter().map(String::as_str));
    let mut scratch = String::new();
    for row in rows {
        for (value, name) in row.values().iter().zip(columns) {
            match value {
                Value::Null => sink.push(None),
                Value::Text(text) => sink.push(Some(text)),
                Value::Bool(value) => push_display(sink, &mut scratch, value),
                Value::Int(value) => push_display(sink, &mut scratch, value),
                Value::Real(value) => push_display(sink, &mut scratch, value),
                Value::Bytes(bytes) => sink.push(Some(utf8(bytes, name)?)),
            }
        }
    }
    Ok(())
}

/// Pushes `value` as its text, written into `scratch` (which a driver keeps for the whole
/// read, so that numbers cost no allocation each).
pub(crate) fn push_display(
    sink: &mut dyn TextSink,
    scratch: &mut String,
    value: impl fmt::Display,
) {
    use fmt::Write as _;
    scratch.clear();
    let _ = write!(scratch, "{value}");
    sink.push(Some(scratch));
}

/// `bytes` as text; the error names `column`.
pub(crate) fn utf8<'a>(bytes: &'a [u8], column: &str) -> Result<&'a str, DatabaseError> {
    std::str::from_utf8(bytes).map_err(|error| not_text(column, error))
}

/// The error for a value of `column` that cannot be read as text, and why.
pub(crate) fn not_text(column: &str, reason: impl fmt::Display) -> DatabaseError {
    DatabaseError::new(
        DatabaseErrorKind::Decode,
        format!("cannot read column `{column}` as text: {reason}"),
    )
}
