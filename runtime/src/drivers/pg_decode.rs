//! The one rule by which both PostgreSQL drivers (`sqlx-postgres` and `tokio-postgres`)
//! turn a column value into a [`Value`], so that the same row reads the same through
//! either.
//!
//! Each driver only finds the column's [`PgKind`] (unwrapping domains to their base type,
//! and mapping enums and `citext` to [`PgKind::Text`]) and hands over the value's bytes;
//! everything else is here:
//!
//! | PostgreSQL type                                        | [`Value`]                                   |
//! |--------------------------------------------------------|---------------------------------------------|
//! | `BOOL`                                                 | `Bool`                                      |
//! | `INT2`, `INT4`, `INT8`, `OID`                          | `Int`                                       |
//! | `FLOAT8`                                               | `Real`                                      |
//! | `FLOAT4`                                               | `Real` of the shortest decimal of the `f32` (`1.1::float4` reads `1.1`, as PostgreSQL prints it, not `1.100000023841858`) |
//! | `NUMERIC`                                              | `Text`, exact, as PostgreSQL prints it (`-12345678901234567890.000100`, `NaN`, `Infinity`): no precision is lost |
//! | `TEXT`, `VARCHAR`, `BPCHAR`, `NAME`, `"char"`, `JSON`, enums, `citext` | `Text`                     |
//! | `JSONB`                                                | `Text` of the JSON as PostgreSQL prints it  |
//! | `UUID`                                                 | `Text`, lowercase and hyphenated            |
//! | `BYTEA`                                                | `Bytes`                                     |
//! | `TIMESTAMP`, `TIMESTAMPTZ`                             | `Text` `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC for `TIMESTAMPTZ`, trailing zeros of the fraction dropped; `infinity` / `-infinity` |
//! | `DATE`                                                 | `Text` `YYYY-MM-DD`; `infinity` / `-infinity` |
//! | `TIME`                                                 | `Text` `HH:MM:SS[.ffffff]`                  |
//! | `VOID`                                                 | `Null`                                      |
//! | anything else (arrays, `TIMETZ`, `INTERVAL`, ranges, ...) | an error: cast it in SQL, to `text` for example |
//!
//! Values arrive in PostgreSQL's binary format (both drivers ask for it). For a value in
//! text format, which the sqlx driver may receive, [`decode_text`] reads numbers, booleans
//! and bytes, and keeps every other type's text as PostgreSQL sent it.

use std::fmt::Write as _;

use crate::database::Value;

/// Days from 1970-01-01 (the Unix epoch) to 2000-01-01 (the PostgreSQL epoch).
const PG_EPOCH_DAYS: i64 = 10_957;

/// The message for a type without a [`Value`].
pub(crate) const UNSUPPORTED: &str = "unsupported type: cast it in SQL, for example to `text`";

/// How a column's type is read: one kind per decoding rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PgKind {
    Bool,
    Int2,
    Int4,
    Int8,
    Oid,
    Float4,
    Float8,
    Numeric,
    /// Types whose binary format is their UTF-8 text.
    Text,
    /// `"char"`: one byte.
    Char,
    Jsonb,
    Uuid,
    Bytea,
    Timestamp,
    Timestamptz,
    Date,
    Time,
    Void,
    Unsupported,
}

impl PgKind {
    /// The kind of the built-in type with this OID; [`PgKind::Unsupported`] for any other.
    /// (Enums, `citext` and domains have OIDs of their own: the drivers recognize them.)
    pub(crate) const fn of_oid(oid: u32) -> PgKind {
        match oid {
            16 => PgKind::Bool,
            17 => PgKind::Bytea,
            18 => PgKind::Char,
            // name, text, json, unknown, bpchar, varchar
            19 | 25 | 114 | 705 | 1042 | 1043 => PgKind::Text,
            20 => PgKind::Int8,
            21 => PgKind::Int2,
            23 => PgKind::Int4,
            26 => PgKind::Oid,
            700 => PgKind::Float4,
            701 => PgKind::Float8,
            1082 => PgKind::Date,
            1083 => PgKind::Time,
            1114 => PgKind::Timestamp,
            1184 => PgKind::Timestamptz,
            1700 => PgKind::Numeric,
            2278 => PgKind::Void,
            2950 => PgKind::Uuid,
            3802 => PgKind::Jsonb,
            _ => PgKind::Unsupported,
        }
    }
}

/// Reads a non-`NULL` value of `kind` in PostgreSQL's binary format.
pub(crate) fn decode_binary(kind: PgKind, raw: &[u8]) -> Result<Value, String> {
    let value = match kind {
        PgKind::Bool => match raw {
            [byte] => Value::Bool(*byte != 0),
            _ => return Err(wrong_length("bool", 1, raw)),
        },
        PgKind::Int2 => Value::Int(i16::from_be_bytes(fixed(raw, "int2")?).into()),
        PgKind::Int4 => Value::Int(i32::from_be_bytes(fixed(raw, "int4")?).into()),
        PgKind::Int8 => Value::Int(i64::from_be_bytes(fixed(raw, "int8")?)),
        PgKind::Oid => Value::Int(u32::from_be_bytes(fixed(raw, "oid")?).into()),
        PgKind::Float4 => Value::Real(widen(f32::from_be_bytes(fixed(raw, "float4")?))),
        PgKind::Float8 => Value::Real(f64::from_be_bytes(fixed(raw, "float8")?)),
        PgKind::Numeric => Value::Text(numeric_text(raw)?),
        PgKind::Text => Value::Text(utf8(raw)?),
        PgKind::Char => Value::Text(String::from_utf8_lossy(raw).into_owned()),
        PgKind::Jsonb => match raw.split_first() {
            Some((1, json)) => Value::Text(utf8(json)?),
            _ => return Err("unsupported jsonb format version".to_owned()),
        },
        PgKind::Uuid => Value::Text(uuid_text(raw)?),
        PgKind::Bytea => Value::Bytes(raw.to_vec()),
        PgKind::Timestamp | PgKind::Timestamptz => {
            Value::Text(timestamp_text(i64::from_be_bytes(fixed(raw, "timestamp")?)))
        }
        PgKind::Date => Value::Text(date_text(i32::from_be_bytes(fixed(raw, "date")?))),
        PgKind::Time => Value::Text(time_text(i64::from_be_bytes(fixed(raw, "time")?))?),
        PgKind::Void => Value::Null,
        PgKind::Unsupported => return Err(UNSUPPORTED.to_owned()),
    };
    Ok(value)
}

/// Reads a non-`NULL` value of `kind` in PostgreSQL's text format: booleans, integers,
/// floats and `BYTEA` (hex format) are parsed as in [`decode_binary`]; other types keep
/// PostgreSQL's text.
#[cfg_attr(not(feature = "sqlx-postgres"), allow(dead_code))] // read by the sqlx driver only
pub(crate) fn decode_text(kind: PgKind, raw: &[u8]) -> Result<Value, String> {
    let text = utf8(raw)?;
    let parse_error = |error: &dyn std::fmt::Display| format!("invalid value {text:?}: {error}");
    let value = match kind {
        PgKind::Bool => match text.as_str() {
            "t" => Value::Bool(true),
            "f" => Value::Bool(false),
            _ => return Err(parse_error(&"not `t` or `f`")),
        },
        PgKind::Int2 | PgKind::Int4 | PgKind::Int8 | PgKind::Oid => {
            Value::Int(text.parse().map_err(|e| parse_error(&e))?)
        }
        PgKind::Float4 | PgKind::Float8 => {
            Value::Real(parse_float(&text).map_err(|e| parse_error(&e))?)
        }
        PgKind::Bytea => {
            Value::Bytes(hex_bytes(&text).ok_or_else(|| parse_error(&"not hex bytea"))?)
        }
        PgKind::Void => Value::Null,
        PgKind::Unsupported => return Err(UNSUPPORTED.to_owned()),
        PgKind::Numeric
        | PgKind::Text
        | PgKind::Char
        | PgKind::Jsonb
        | PgKind::Uuid
        | PgKind::Timestamp
        | PgKind::Timestamptz
        | PgKind::Date
        | PgKind::Time => Value::Text(text),
    };
    Ok(value)
}

fn utf8(raw: &[u8]) -> Result<String, String> {
    std::str::from_utf8(raw)
        .map(str::to_owned)
        .map_err(|error| error.to_string())
}

fn wrong_length(type_name: &str, expected: usize, raw: &[u8]) -> String {
    format!(
        "a binary {type_name} has {expected} bytes, not {}",
        raw.len()
    )
}

/// `raw` as an array of exactly `N` bytes.
fn fixed<const N: usize>(raw: &[u8], type_name: &str) -> Result<[u8; N], String> {
    raw.try_into().map_err(|_| wrong_length(type_name, N, raw))
}

/// An `f32` as the `f64` of its shortest decimal text.
fn widen(value: f32) -> f64 {
    if value.is_finite() {
        value.to_string().parse().unwrap_or(f64::from(value))
    } else {
        f64::from(value)
    }
}

/// PostgreSQL's text of a float (`NaN`, `Infinity`, `-Infinity` included).
#[cfg_attr(not(feature = "sqlx-postgres"), allow(dead_code))] // read by the sqlx driver only
fn parse_float(text: &str) -> Result<f64, std::num::ParseFloatError> {
    match text {
        "NaN" => Ok(f64::NAN),
        "Infinity" => Ok(f64::INFINITY),
        "-Infinity" => Ok(f64::NEG_INFINITY),
        _ => text.parse(),
    }
}

/// The bytes of a `BYTEA` in hex text format (`\x0aff`).
#[cfg_attr(not(feature = "sqlx-postgres"), allow(dead_code))] // read by the sqlx driver only
fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    let hex = text.strip_prefix("\\x")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(hex.get(index..index + 2)?, 16).ok())
        .collect()
}

/// The hyphenated lowercase text of a binary UUID.
fn uuid_text(raw: &[u8]) -> Result<String, String> {
    if raw.len() != 16 {
        return Err(wrong_length("uuid", 16, raw));
    }
    let mut text = String::with_capacity(36);
    for (index, byte) in raw.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        let _ = write!(text, "{byte:02x}");
    }
    Ok(text)
}

/// The exact decimal text of a binary `NUMERIC`, as PostgreSQL prints it.
///
/// The binary format is four big-endian 16-bit fields (number of digits, weight of the
/// first digit, sign, display scale) followed by the digits in base 10 000, most
/// significant first; the first digit is worth `10000^weight`.
fn numeric_text(raw: &[u8]) -> Result<String, String> {
    let field = |index: usize| -> Result<u16, String> {
        raw.get(index * 2..index * 2 + 2)
            .map(|bytes| u16::from_be_bytes([bytes[0], bytes[1]]))
            .ok_or_else(|| "truncated numeric value".to_owned())
    };
    let count = usize::from(field(0)?);
    let weight = i32::from(field(1)?.cast_signed());
    let sign = field(2)?;
    let scale = usize::from(field(3)?);
    let negative = match sign {
        0x0000 => false,
        0x4000 => true,
        0xC000 => return Ok("NaN".to_owned()),
        0xD000 => return Ok("Infinity".to_owned()),
        0xF000 => return Ok("-Infinity".to_owned()),
        _ => return Err(format!("invalid numeric sign {sign:#06x}")),
    };
    let digits = (0..count)
        .map(|index| field(4 + index))
        .collect::<Result<Vec<_>, _>>()?;
    if digits.iter().any(|&digit| digit >= 10_000) {
        return Err("invalid numeric digit".to_owned());
    }
    // The digit worth 10000^(weight - index), or 0 outside the stored digits.
    let digit = |index: i32| {
        usize::try_from(index)
            .ok()
            .and_then(|index| digits.get(index))
            .copied()
            .unwrap_or(0)
    };

    let mut text = String::new();
    if negative {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        let _ = write!(text, "{}", digit(0));
        for index in 1..=weight {
            let _ = write!(text, "{:04}", digit(index));
        }
    }
    if scale > 0 {
        text.push('.');
        let fraction_start = text.len();
        let mut index = weight + 1;
        while text.len() - fraction_start < scale {
            let _ = write!(text, "{:04}", digit(index));
            index += 1;
        }
        text.truncate(fraction_start + scale);
    }
    Ok(text)
}

/// A binary `TIMESTAMP` (microseconds since 2000-01-01) as `YYYY-MM-DD HH:MM:SS[.ffffff]`.
fn timestamp_text(micros: i64) -> String {
    if micros == i64::MAX || micros == i64::MIN {
        return infinity(micros > 0);
    }
    let seconds = micros.div_euclid(1_000_000);
    let Some(date) = civil_date(seconds.div_euclid(86_400)) else {
        return infinity(micros > 0);
    };
    let time = clock_text(seconds.rem_euclid(86_400), micros.rem_euclid(1_000_000));
    format!("{date} {time}")
}

/// A binary `DATE` (days since 2000-01-01) as `YYYY-MM-DD`.
fn date_text(days: i32) -> String {
    if days == i32::MAX || days == i32::MIN {
        return infinity(days > 0);
    }
    civil_date(i64::from(days)).unwrap_or_else(|| infinity(days > 0))
}

/// A binary `TIME` (microseconds since midnight) as `HH:MM:SS[.ffffff]`.
fn time_text(micros: i64) -> Result<String, String> {
    if !(0..=86_400_000_000).contains(&micros) {
        return Err(format!("invalid time {micros}"));
    }
    Ok(clock_text(micros / 1_000_000, micros % 1_000_000))
}

/// `HH:MM:SS`, then `.` and the microseconds without trailing zeros when not zero.
fn clock_text(seconds: i64, micros: i64) -> String {
    let mut text = format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    if micros != 0 {
        let digits = format!("{micros:06}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text
}

/// Days since 2000-01-01 as `YYYY-MM-DD` (proleptic Gregorian calendar); `None` for the
/// `infinity` / `-infinity` sentinels.
fn civil_date(days: i64) -> Option<String> {
    if days == i64::from(i32::MAX) || days == i64::from(i32::MIN) {
        return None;
    }
    // Civil date from a day count, with 400-year eras starting on March 1st.
    let days = days + PG_EPOCH_DAYS + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

fn infinity(positive: bool) -> String {
    if positive { "infinity" } else { "-infinity" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A binary `NUMERIC` from its fields and base-10000 digits.
    fn numeric(weight: i16, sign: u16, scale: u16, digits: &[u16]) -> Vec<u8> {
        let count = u16::try_from(digits.len()).expect("few digits");
        [count, weight.cast_unsigned(), sign, scale]
            .iter()
            .chain(digits)
            .flat_map(|field| field.to_be_bytes())
            .collect()
    }

    fn text(kind: PgKind, raw: &[u8]) -> String {
        match decode_binary(kind, raw) {
            Ok(Value::Text(text)) => text,
            other => panic!("{kind:?}: {other:?}"),
        }
    }

    #[test]
    fn numeric_values_print_like_postgres() {
        let cases: &[(i16, u16, u16, &[u16], &str)] = &[
            (0, 0, 0, &[], "0"),
            (0, 0, 2, &[], "0.00"),
            (0, 0, 0, &[1], "1"),
            (0, 0, 2, &[1, 5000], "1.50"),
            (0, 0x4000, 3, &[12, 3400], "-12.340"),
            (-1, 0x4000, 3, &[10], "-0.001"),
            (-2, 0, 6, &[1200], "0.000012"),
            (-2, 0, 8, &[12], "0.00000012"),
            (-1, 0, 7, &[1, 2340], "0.0001234"),
            (1, 0, 1, &[1234, 5678, 9000], "12345678.9"),
            (5, 0, 0, &[1], "100000000000000000000"),
            (
                4,
                0x4000,
                6,
                &[1234, 5678, 9012, 3456, 7890, 1],
                "-12345678901234567890.000100",
            ),
            (1, 0, 0, &[1], "10000"),
            (0, 0, 1, &[7, 1234], "7.1"),
            (0, 0xC000, 0, &[], "NaN"),
            (0, 0xD000, 0, &[], "Infinity"),
            (0, 0xF000, 0, &[], "-Infinity"),
        ];
        for &(weight, sign, scale, digits, expected) in cases {
            assert_eq!(
                text(PgKind::Numeric, &numeric(weight, sign, scale, digits)),
                expected
            );
        }
        assert!(decode_binary(PgKind::Numeric, &[0, 1]).is_err());
        assert!(decode_binary(PgKind::Numeric, &numeric(0, 0x1234, 0, &[])).is_err());
        assert!(decode_binary(PgKind::Numeric, &numeric(0, 0, 0, &[10_000])).is_err());
        // A digit count larger than the data.
        let mut truncated = numeric(0, 0, 0, &[1, 2]);
        truncated.truncate(10);
        assert!(decode_binary(PgKind::Numeric, &truncated).is_err());
    }

    #[test]
    fn uuids_print_hyphenated() {
        let raw: Vec<u8> = (0u8..16).collect();
        assert_eq!(
            text(PgKind::Uuid, &raw),
            "00010203-0405-0607-0809-0a0b0c0d0e0f"
        );
        assert!(decode_binary(PgKind::Uuid, &raw[..15]).is_err());
    }

    #[test]
    fn timestamps_dates_and_times() {
        let micros = |days: i64, seconds: i64, micros: i64| {
            ((days * 86_400 + seconds) * 1_000_000 + micros).to_be_bytes()
        };
        assert_eq!(
            text(PgKind::Timestamp, &micros(0, 0, 0)),
            "2000-01-01 00:00:00"
        );
        assert_eq!(
            text(PgKind::Timestamptz, &micros(8_766, 3_723, 450_000)),
            "2024-01-01 01:02:03.45"
        );
        assert_eq!(
            text(PgKind::Timestamp, &micros(-1, 86_399, 1)),
            "1999-12-31 23:59:59.000001"
        );
        assert_eq!(text(PgKind::Timestamp, &i64::MAX.to_be_bytes()), "infinity");
        assert_eq!(
            text(PgKind::Timestamp, &i64::MIN.to_be_bytes()),
            "-infinity"
        );
        assert_eq!(text(PgKind::Date, &0i32.to_be_bytes()), "2000-01-01");
        assert_eq!(
            text(PgKind::Date, &(-10_957i32).to_be_bytes()),
            "1970-01-01"
        );
        assert_eq!(text(PgKind::Date, &60i32.to_be_bytes()), "2000-03-01");
        assert_eq!(text(PgKind::Date, &i32::MAX.to_be_bytes()), "infinity");
        assert_eq!(text(PgKind::Date, &i32::MIN.to_be_bytes()), "-infinity");
        assert_eq!(text(PgKind::Time, &0i64.to_be_bytes()), "00:00:00");
        assert_eq!(
            text(PgKind::Time, &(45_296_789_000i64).to_be_bytes()),
            "12:34:56.789"
        );
        assert_eq!(
            text(PgKind::Time, &86_400_000_000i64.to_be_bytes()),
            "24:00:00"
        );
        assert!(decode_binary(PgKind::Time, &(-1i64).to_be_bytes()).is_err());
        assert!(decode_binary(PgKind::Timestamp, &[0; 4]).is_err());
    }

    #[test]
    fn scalars() {
        assert_eq!(decode_binary(PgKind::Bool, &[1]), Ok(Value::Bool(true)));
        assert_eq!(decode_binary(PgKind::Bool, &[0]), Ok(Value::Bool(false)));
        assert_eq!(
            decode_binary(PgKind::Int2, &(-2i16).to_be_bytes()),
            Ok(Value::Int(-2))
        );
        assert_eq!(
            decode_binary(PgKind::Int4, &(-4i32).to_be_bytes()),
            Ok(Value::Int(-4))
        );
        assert_eq!(
            decode_binary(PgKind::Int8, &i64::MIN.to_be_bytes()),
            Ok(Value::Int(i64::MIN))
        );
        assert_eq!(
            decode_binary(PgKind::Oid, &u32::MAX.to_be_bytes()),
            Ok(Value::Int(u32::MAX.into()))
        );
        assert_eq!(
            decode_binary(PgKind::Float4, &1.1f32.to_be_bytes()),
            Ok(Value::Real(1.1))
        );
        assert_eq!(
            decode_binary(PgKind::Float8, &1.1f64.to_be_bytes()),
            Ok(Value::Real(1.1))
        );
        assert!(matches!(
            decode_binary(PgKind::Float4, &f32::NAN.to_be_bytes()),
            Ok(Value::Real(value)) if value.is_nan()
        ));
        assert_eq!(
            decode_binary(PgKind::Float4, &f32::NEG_INFINITY.to_be_bytes()),
            Ok(Value::Real(f64::NEG_INFINITY))
        );
        assert!(decode_binary(PgKind::Int4, &[0, 1]).is_err());
        assert!(decode_binary(PgKind::Bool, &[]).is_err());
        assert_eq!(text(PgKind::Text, "héllo".as_bytes()), "héllo");
        assert!(decode_binary(PgKind::Text, &[0xff]).is_err());
        assert_eq!(text(PgKind::Char, b"x"), "x");
        assert_eq!(text(PgKind::Jsonb, b"\x01{\"a\": 1}"), "{\"a\": 1}");
        assert!(decode_binary(PgKind::Jsonb, b"\x02{}").is_err());
        assert_eq!(
            text(
                PgKind::Uuid,
                &[
                    0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd,
                    0x38, 0x0a, 0x11
                ]
            ),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
        );
        assert!(decode_binary(PgKind::Uuid, &[0; 15]).is_err());
        assert_eq!(
            decode_binary(PgKind::Bytea, &[0, 255]),
            Ok(Value::Bytes(vec![0, 255]))
        );
        assert_eq!(decode_binary(PgKind::Void, &[]), Ok(Value::Null));
        assert_eq!(
            decode_binary(PgKind::Unsupported, &[]),
            Err(UNSUPPORTED.to_owned())
        );
    }

    #[test]
    fn text_format_values() {
        assert_eq!(decode_text(PgKind::Bool, b"t"), Ok(Value::Bool(true)));
        assert_eq!(decode_text(PgKind::Int4, b"-7"), Ok(Value::Int(-7)));
        assert_eq!(decode_text(PgKind::Float8, b"1.5"), Ok(Value::Real(1.5)));
        assert_eq!(
            decode_text(PgKind::Float8, b"-Infinity"),
            Ok(Value::Real(f64::NEG_INFINITY))
        );
        assert_eq!(
            decode_text(PgKind::Bytea, b"\\x00ff"),
            Ok(Value::Bytes(vec![0, 255]))
        );
        assert!(decode_text(PgKind::Bytea, b"\\x0").is_err());
        assert_eq!(
            decode_text(PgKind::Numeric, b"1.50"),
            Ok(Value::Text("1.50".to_owned()))
        );
        assert!(decode_text(PgKind::Bool, b"x").is_err());
        assert_eq!(
            decode_text(PgKind::Unsupported, b"{1,2}"),
            Err(UNSUPPORTED.to_owned())
        );
    }

    #[test]
    fn built_in_oids() {
        assert_eq!(PgKind::of_oid(1700), PgKind::Numeric);
        assert_eq!(PgKind::of_oid(2950), PgKind::Uuid);
        assert_eq!(PgKind::of_oid(3802), PgKind::Jsonb);
        assert_eq!(PgKind::of_oid(114), PgKind::Text);
        assert_eq!(PgKind::of_oid(1007), PgKind::Unsupported); // int4[]
    }
}
