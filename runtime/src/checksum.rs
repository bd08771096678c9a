//! SHA-256 checksums of migration files, and the line-ending rule for drift.
//!
//! The checksum written for a file is the lowercase hex SHA-256 of its bytes with every
//! `\r\n` turned into `\n`. For a file with LF endings this is exactly the SHA-256 of the raw
//! bytes, as switchy_schema 0.4 wrote it. A stored checksum matches a file when it equals the
//! checksum of the file with LF endings, of the raw bytes, or of the file with CRLF endings,
//! so a checkout that only changed line endings is never reported as drift.

pub use switchy_schema_grammar::checksum::{
    EMPTY_CHECKSUM, checksum, normalize_line_endings, sha256_hex,
};

/// Whether `stored` (read from the tracking table) accepts `text` as unchanged.
///
/// `canonical` is `checksum(text)`, passed in so that the common case (an equal checksum)
/// costs no hashing at all.
#[must_use]
pub fn matches(stored: &str, canonical: &str, text: Option<&str>) -> bool {
    if stored.eq_ignore_ascii_case(canonical) {
        return true;
    }
    let Some(text) = text else {
        return false;
    };
    let normalized = normalize_line_endings(text);
    let raw = sha256_hex(text.as_bytes());
    let crlf = sha256_hex(normalized.replace('\n', "\r\n").as_bytes());
    stored.eq_ignore_ascii_case(&raw) || stored.eq_ignore_ascii_case(&crlf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_checksum_is_sha256_of_nothing() {
        assert_eq!(sha256_hex(b""), EMPTY_CHECKSUM);
    }

    #[test]
    fn crlf_and_lf_have_the_same_checksum() {
        assert_eq!(checksum("a;\r\nb;\r\n"), checksum("a;\nb;\n"));
        assert_ne!(checksum("a;\nb;\n"), checksum("a;\nc;\n"));
    }

    #[test]
    fn lf_checksum_equals_raw_sha256() {
        assert_eq!(
            checksum("create table t(x int);\n"),
            sha256_hex(b"create table t(x int);\n")
        );
    }

    #[test]
    fn raw_crlf_checksum_from_an_old_row_still_matches() {
        let stored = sha256_hex(b"a;\r\nb;\r\n");
        let now = "a;\nb;\n";
        assert!(matches(&stored, &checksum(now), Some(now)));
        assert!(!matches(&stored, &checksum("a;\nc;\n"), Some("a;\nc;\n")));
    }

    #[test]
    fn a_real_edit_does_not_match() {
        let stored = checksum("a;\n");
        assert!(!matches(&stored, &checksum("b;\n"), Some("b;\n")));
    }
}
