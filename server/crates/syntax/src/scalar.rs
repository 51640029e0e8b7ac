//! Scalar resolution the way Kubernetes reads YAML.
//!
//! Kubernetes decodes manifests with `sigs.k8s.io/yaml`, which converts YAML to JSON with a
//! YAML 1.1 resolver (go-yaml v2). So a plain `yes` is the boolean `true`, `0644` is the octal
//! integer 420, `1_000` is 1000 and `~` is null, while any quoted or block scalar is a string.
//! Getting this right is what lets Picket say "`yes` is a boolean here; quote it".

use crate::tree::ScalarStyle;

/// What a scalar means once resolved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScalarValue<'a> {
    Null,
    Bool(bool),
    /// Integers, including the unsigned 64-bit range.
    Int(i128),
    Float(f64),
    Str(&'a str),
}

impl ScalarValue<'_> {
    /// A short name of the value's type, as used in messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ScalarValue::Null => "null",
            ScalarValue::Bool(_) => "boolean",
            ScalarValue::Int(_) => "integer",
            ScalarValue::Float(_) => "number",
            ScalarValue::Str(_) => "string",
        }
    }
}

const TRUE_WORDS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
];
const FALSE_WORDS: &[&str] = &[
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
];

/// Resolves a scalar's content, given its style and explicit tag.
pub fn resolve<'a>(value: &'a str, style: ScalarStyle, tag: Option<&str>) -> ScalarValue<'a> {
    match tag {
        Some("!!str") | Some("!!binary") | Some("tag:yaml.org,2002:str") => {
            return ScalarValue::Str(value);
        }
        Some("!!int") | Some("!!float") | Some("!!bool") | Some("!!null") => {
            return resolve_plain(value);
        }
        Some("!") => return ScalarValue::Str(value),
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return ScalarValue::Str(value);
    }
    resolve_plain(value)
}

/// Resolves an untagged plain scalar.
pub fn resolve_plain(value: &str) -> ScalarValue<'_> {
    let Some(&first) = value.as_bytes().first() else {
        return ScalarValue::Null;
    };
    match first {
        b'~' | b'n' | b'N' if matches!(value, "~" | "null" | "Null" | "NULL") => {
            return ScalarValue::Null;
        }
        _ => {}
    }
    if matches!(
        first,
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O'
    ) {
        if TRUE_WORDS.contains(&value) {
            return ScalarValue::Bool(true);
        }
        if FALSE_WORDS.contains(&value) {
            return ScalarValue::Bool(false);
        }
        return ScalarValue::Str(value);
    }
    if matches!(first, b'0'..=b'9' | b'+' | b'-' | b'.') {
        if let Some(n) = parse_int(value) {
            return ScalarValue::Int(n);
        }
        if let Some(f) = parse_float(value) {
            return ScalarValue::Float(f);
        }
    }
    ScalarValue::Str(value)
}

/// Integers as go-yaml v2 reads them: underscores dropped, then Go's `ParseInt(s, 0, 64)`
/// (decimal, `0x`, `0o`, `0b`, and a leading `0` for octal), falling back to unsigned.
fn parse_int(value: &str) -> Option<i128> {
    let cleaned: std::borrow::Cow<'_, str> = if value.contains('_') {
        value.replace('_', "").into()
    } else {
        value.into()
    };
    let s = cleaned.as_ref();
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) =
        if let Some(rest) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, rest)
        } else if let Some(rest) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, rest)
        } else if let Some(rest) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, rest)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    let n = i128::from(magnitude);
    if neg {
        // Go's ParseInt accepts down to i64::MIN; ParseUint has no sign.
        (n <= i128::from(i64::MAX) + 1).then_some(-n)
    } else {
        Some(n)
    }
}

/// Floats as go-yaml v2 reads them: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
/// plus the `.inf` and `.nan` spellings.
fn parse_float(value: &str) -> Option<f64> {
    match value {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let b = value.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if int_digits == 0 && i == frac_start {
            return None;
        }
    } else if int_digits == 0 {
        return None;
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        i += 1;
        if i < b.len() && matches!(b[i], b'+' | b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    value.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> ScalarValue<'_> {
        resolve(s, ScalarStyle::Plain, None)
    }

    #[test]
    fn yaml_1_1_booleans() {
        for t in [
            "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        ] {
            assert_eq!(plain(t), ScalarValue::Bool(true), "{t}");
        }
        for f in [
            "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        ] {
            assert_eq!(plain(f), ScalarValue::Bool(false), "{f}");
        }
        assert_eq!(plain("yES"), ScalarValue::Str("yES"));
        assert_eq!(plain("tRue"), ScalarValue::Str("tRue"));
        assert_eq!(
            resolve("yes", ScalarStyle::DoubleQuoted, None),
            ScalarValue::Str("yes")
        );
        assert_eq!(
            resolve("on", ScalarStyle::Literal, None),
            ScalarValue::Str("on")
        );
    }

    #[test]
    fn nulls() {
        for n in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(plain(n), ScalarValue::Null, "{n:?}");
        }
        assert_eq!(plain("nULL"), ScalarValue::Str("nULL"));
        assert_eq!(
            resolve("", ScalarStyle::SingleQuoted, None),
            ScalarValue::Str("")
        );
    }

    #[test]
    fn integers() {
        assert_eq!(plain("0"), ScalarValue::Int(0));
        assert_eq!(plain("42"), ScalarValue::Int(42));
        assert_eq!(plain("-17"), ScalarValue::Int(-17));
        assert_eq!(plain("+3"), ScalarValue::Int(3));
        assert_eq!(plain("0644"), ScalarValue::Int(420));
        assert_eq!(plain("0o644"), ScalarValue::Int(420));
        assert_eq!(plain("0x1F"), ScalarValue::Int(31));
        assert_eq!(plain("0b101"), ScalarValue::Int(5));
        assert_eq!(plain("1_000"), ScalarValue::Int(1000));
        assert_eq!(
            plain("18446744073709551615"),
            ScalarValue::Int(18_446_744_073_709_551_615)
        );
        assert_eq!(
            plain("-9223372036854775808"),
            ScalarValue::Int(-9_223_372_036_854_775_808)
        );
    }

    #[test]
    fn not_octal_falls_back_to_float() {
        // Go's ParseInt rejects "08" as octal; the float pattern accepts it.
        assert_eq!(plain("08"), ScalarValue::Float(8.0));
        assert_eq!(plain("0x"), ScalarValue::Str("0x"));
    }

    #[test]
    fn floats() {
        assert_eq!(plain("1.5"), ScalarValue::Float(1.5));
        assert_eq!(plain("-.5"), ScalarValue::Float(-0.5));
        assert_eq!(plain("1e3"), ScalarValue::Float(1000.0));
        assert_eq!(plain("2."), ScalarValue::Float(2.0));
        assert_eq!(plain(".inf"), ScalarValue::Float(f64::INFINITY));
        assert_eq!(plain("-.Inf"), ScalarValue::Float(f64::NEG_INFINITY));
        assert!(matches!(plain(".nan"), ScalarValue::Float(f) if f.is_nan()));
        assert_eq!(plain("."), ScalarValue::Str("."));
        assert_eq!(plain("1e"), ScalarValue::Str("1e"));
        assert_eq!(plain("1.2.3"), ScalarValue::Str("1.2.3"));
    }

    #[test]
    fn strings_that_look_numeric_but_are_not() {
        assert_eq!(plain("500m"), ScalarValue::Str("500m"));
        assert_eq!(plain("1Gi"), ScalarValue::Str("1Gi"));
        assert_eq!(plain("10.0.0.1"), ScalarValue::Str("10.0.0.1"));
        assert_eq!(plain("-"), ScalarValue::Str("-"));
        assert_eq!(plain("v1"), ScalarValue::Str("v1"));
    }

    #[test]
    fn tags_override_resolution() {
        assert_eq!(
            resolve("123", ScalarStyle::Plain, Some("!!str")),
            ScalarValue::Str("123")
        );
        assert_eq!(
            resolve("123", ScalarStyle::DoubleQuoted, Some("!!int")),
            ScalarValue::Int(123)
        );
        assert_eq!(
            resolve("yes", ScalarStyle::Plain, Some("!")),
            ScalarValue::Str("yes")
        );
    }
}
