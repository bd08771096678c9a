//! The checksum rule: what the runner stores for a file, computed the same way by
//! `embed_migrations!` at compile time and by the runtime for folders read at run time.
//!
//! The checksum of a file is the lowercase hex SHA-256 of its bytes with every `\r\n`
//! turned into `\n`. For a file with LF endings this is exactly the SHA-256 of the raw
//! bytes, as switchy_schema 0.4 wrote it.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of `bytes`.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `text` with every `\r\n` replaced by `\n`; borrowed when there is none.
#[must_use]
pub fn normalize_line_endings(text: &str) -> Cow<'_, str> {
    if text.contains("\r\n") {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The checksum the runner stores for a file with content `text`.
#[must_use]
pub fn checksum(text: &str) -> String {
    sha256_hex(normalize_line_endings(text).as_bytes())
}

/// The checksum stored for an absent file (the SHA-256 of no bytes).
pub const EMPTY_CHECKSUM: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_checksum_is_sha256_of_nothing() {
        assert_eq!(sha256_hex(b""), EMPTY_CHECKSUM);
        assert_eq!(checksum(""), EMPTY_CHECKSUM);
    }

    #[test]
    fn known_digest() {
        // `printf 'SELECT 1;\n' | sha256sum`
        assert_eq!(
            checksum("SELECT 1;\n"),
            "b4e0497804e46e0a0b0b8c31975b062152d551bac49c3c2e80932567b4085dcd"
        );
    }

    #[test]
    fn crlf_and_lf_have_the_same_checksum() {
        assert_eq!(checksum("a;\r\nb;\r\n"), checksum("a;\nb;\n"));
        assert_ne!(checksum("a;\nb;\n"), checksum("a;\nc;\n"));
        // A lone `\r` is not a line ending.
        assert_ne!(checksum("a;\rb;"), checksum("a;\nb;"));
    }

    #[test]
    fn normalizing_borrows_when_there_is_nothing_to_change() {
        assert!(matches!(
            normalize_line_endings("a\nb"),
            Cow::Borrowed("a\nb")
        ));
        assert_eq!(normalize_line_endings("a\r\nb\r\n"), "a\nb\n");
    }
}
