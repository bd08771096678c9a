//! Plain-text tables with aligned columns.

/// Renders `rows` under `header`, columns separated by two spaces. `paint` styles a cell
/// after padding (so colour codes do not break the alignment).
pub(crate) fn render(
    header: &[&str],
    rows: &[Vec<String>],
    paint: impl Fn(usize, &str, String) -> String,
) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| cells.join("  ").trim_end().to_owned();
    let pad = |i: usize, cell: &str| format!("{cell:<width$}", width = widths[i]);
    let mut text = line(header.iter().enumerate().map(|(i, h)| pad(i, h)).collect());
    for row in rows {
        text.push('\n');
        text.push_str(&line(
            row.iter()
                .enumerate()
                .map(|(i, cell)| paint(i, cell, pad(i, cell)))
                .collect(),
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns_columns() {
        let text = super::render(
            &["ID", "STATUS"],
            &[
                vec!["0001_a".into(), "completed".into()],
                vec!["2".into(), "pending".into()],
            ],
            |_, _, padded| padded,
        );
        assert_eq!(text, "ID      STATUS\n0001_a  completed\n2       pending");
    }
}
