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

/// The tag switchy_schema 0.4's code source hashed in front of raw SQL: its
/// `ChecksumDatabase` fed `EXEC_RAW:` and then the statement text to SHA-256
/// (`packages/switchy/schema/src/checksum_database.rs`, `exec_raw`).
const CODE_SOURCE_TAG: &[u8] = b"EXEC_RAW:";

/// Whether `stored` (read from the tracking table) accepts `text` as unchanged.
///
/// `canonical` is `checksum(text)`, passed in so that the common case (an equal checksum)
/// costs no hashing at all. Otherwise `stored` is compared with every form a checksum of the
/// same text could have been written in, by this crate or by switchy_schema 0.4:
///
/// | text hashed | written by |
/// |---|---|
/// | the file with LF endings | this crate; 0.4's embedded and directory sources for LF files |
/// | the file's raw bytes, or with CRLF endings | 0.4's embedded and directory sources on a CRLF checkout |
/// | `EXEC_RAW:` then the file, in any of those three line-ending forms | 0.4's code source (`CodeMigration` with SQL text, as applications loaded their folders) |
///
/// A missing file was hashed as no bytes by every 0.4 source, which is the canonical
/// checksum of an absent file here too ([`EMPTY_CHECKSUM`]). Any other change of the text
/// is drift.
#[must_use]
pub fn matches(stored: &str, canonical: &str, text: Option<&str>) -> bool {
    if stored.eq_ignore_ascii_case(canonical) {
        return true;
    }
    let Some(text) = text else {
        return false;
    };
    let lf = normalize_line_endings(text);
    let crlf = lf.replace('\n', "\r\n");
    let bodies = [lf.as_bytes(), text.as_bytes(), crlf.as_bytes()];
    let tags: [&[u8]; 2] = [b"", CODE_SOURCE_TAG];
    tags.iter().any(|tag| {
        bodies
            .iter()
            .any(|body| stored.eq_ignore_ascii_case(&sha256_hex(&[*tag, *body].concat())))
    })
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

    /// How switchy_schema 0.4's code source hashed SQL text, written out independently.
    fn code_source_04(text: &str) -> String {
        sha256_hex(format!("EXEC_RAW:{text}").as_bytes())
    }

    #[test]
    fn checksums_of_the_04_code_source_match_the_same_text() {
        let text = "CREATE TABLE t (x INT);\n";
        assert!(matches(&code_source_04(text), &checksum(text), Some(text)));
        // An empty file was still executed, so its tag was hashed.
        assert!(matches(&code_source_04(""), &checksum(""), Some("")));
        // Written on a CRLF checkout, read back with LF endings, and the reverse.
        let crlf = "a;\r\nb;\r\n";
        assert!(matches(
            &code_source_04(crlf),
            &checksum("a;\nb;\n"),
            Some("a;\nb;\n")
        ));
        assert!(matches(
            &code_source_04("a;\nb;\n"),
            &checksum(crlf),
            Some(crlf)
        ));
    }

    #[test]
    fn an_edit_is_drift_in_every_04_form() {
        let before = "CREATE TABLE t (x INT);\n";
        let after = "CREATE TABLE t (x BIGINT);\n";
        for stored in [code_source_04(before), sha256_hex(before.as_bytes())] {
            assert!(!matches(&stored, &checksum(after), Some(after)));
        }
        // The tag alone is not a wildcard: it only matches an empty text.
        assert!(!matches(&code_source_04(""), &checksum(after), Some(after)));
        // Code without text (a closure) accepts nothing but its canonical checksum.
        assert!(!matches(&code_source_04(before), &checksum(before), None));
    }

    #[test]
    fn a_missing_file_hashed_by_any_04_source_is_the_empty_checksum() {
        assert_eq!(sha256_hex(b""), EMPTY_CHECKSUM);
        assert!(matches(EMPTY_CHECKSUM, EMPTY_CHECKSUM, None));
    }
}
