//! Checks of string formats the API server enforces: quantities, label keys and values, DNS
//! names, port names, base64 and RFC 3339 times. Each returns `Err(reason)` with a short,
//! user-facing reason.

/// A resource quantity (`500m`, `1Gi`, `2`, `1e3`, `0.5`), as `resource.ParseQuantity` reads it.
pub fn quantity(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err("a quantity cannot be empty".to_owned());
    }
    let mut i = 0;
    if matches!(b[0], b'+' | b'-') {
        i += 1;
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - digits_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac;
    }
    if digits == 0 {
        return Err(format!("`{s}` does not start with a number"));
    }
    let suffix = &s[i..];
    const SUFFIXES: &[&str] = &[
        "", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
    ];
    if SUFFIXES.contains(&suffix) {
        return Ok(());
    }
    // Decimal exponent: e3, E-2.
    let sb = suffix.as_bytes();
    if matches!(sb[0], b'e' | b'E') {
        let mut j = 1;
        if j < sb.len() && matches!(sb[j], b'+' | b'-') {
            j += 1;
        }
        if j < sb.len() && sb[j..].iter().all(u8::is_ascii_digit) {
            return Ok(());
        }
    }
    let hint = match suffix.to_ascii_lowercase().as_str() {
        "gb" | "g" => " (use `G` or `Gi`)",
        "mb" | "m" => " (use `M` or `Mi`)",
        "kb" | "k" => " (use `k` or `Ki`)",
        "tb" => " (use `T` or `Ti`)",
        "gib" => " (use `Gi`)",
        "mib" => " (use `Mi`)",
        "kib" => " (use `Ki`)",
        _ => "",
    };
    Err(format!(
        "`{suffix}` is not a quantity suffix{hint}; expected one of m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei"
    ))
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// Lowercase letters, digits and `-`, not empty, at most `max` bytes: the common ground of DNS
/// labels and port names.
fn lower_alnum_dash(s: &str, max: usize) -> Result<(), String> {
    if s.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if s.len() > max {
        return Err(format!(
            "must be at most {max} characters (it has {})",
            s.len()
        ));
    }
    if !s
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    {
        return Err("must consist of lowercase letters, digits and `-`".to_owned());
    }
    Ok(())
}

/// An RFC 1123 DNS label: lowercase alphanumerics and `-`, alphanumeric at both ends, ≤ 63.
pub fn dns_label(s: &str) -> Result<(), String> {
    lower_alnum_dash(s, 63)?;
    let b = s.as_bytes();
    if !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
        return Err("must start and end with a letter or digit".to_owned());
    }
    Ok(())
}

/// An RFC 1035 label (Service names): a DNS label that starts with a letter.
pub fn dns1035_label(s: &str) -> Result<(), String> {
    dns_label(s)?;
    if !s.as_bytes()[0].is_ascii_lowercase() {
        return Err("must start with a lowercase letter".to_owned());
    }
    Ok(())
}

/// An RFC 1123 DNS subdomain: dot-separated DNS labels, ≤ 253 characters.
pub fn dns_subdomain(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if s.len() > 253 {
        return Err(format!(
            "must be at most 253 characters (it has {})",
            s.len()
        ));
    }
    let b = s.as_bytes();
    if !b
        .iter()
        .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
    {
        return Err("must consist of lowercase letters, digits, `-` and `.`".to_owned());
    }
    for part in s.split('.') {
        let p = part.as_bytes();
        if p.is_empty() || !is_alnum(p[0]) || !is_alnum(p[p.len() - 1]) {
            return Err(
                "each `.`-separated part must start and end with a letter or digit".to_owned(),
            );
        }
    }
    Ok(())
}

/// A path segment name (RBAC kinds): anything but `.`, `..`, or text with `/` or `%`.
pub fn path_segment(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if s == "." || s == ".." {
        return Err(format!("may not be `{s}`"));
    }
    if s.contains('/') || s.contains('%') {
        return Err("may not contain `/` or `%`".to_owned());
    }
    Ok(())
}

/// Letters, digits, `-`, `_` and `.`, alphanumeric at both ends, at most 63 characters: the
/// name part of a label key, and a label value. `what` prefixes the reasons.
fn name_chars(s: &str, what: &str) -> Result<(), String> {
    if s.len() > 63 {
        return Err(format!(
            "{what}must be at most 63 characters (it has {})",
            s.len()
        ));
    }
    let b = s.as_bytes();
    if !b
        .iter()
        .all(|&c| is_alnum(c) || matches!(c, b'-' | b'_' | b'.'))
    {
        return Err(format!(
            "{what}must consist of letters, digits, `-`, `_` and `.`"
        ));
    }
    if !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
        return Err(format!("{what}must start and end with a letter or digit"));
    }
    Ok(())
}

fn qualified_name_part(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("the name part must not be empty".to_owned());
    }
    name_chars(s, "the name part ")
}

/// A label or annotation key: `[prefix/]name`, the prefix a DNS subdomain.
pub fn label_key(s: &str) -> Result<(), String> {
    match s.rsplit_once('/') {
        Some((prefix, name)) => {
            dns_subdomain(prefix).map_err(|e| format!("the prefix `{prefix}` {e}"))?;
            qualified_name_part(name)
        }
        None => qualified_name_part(s),
    }
}

/// A label value: empty, or ≤ 63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends.
pub fn label_value(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Ok(());
    }
    name_chars(s, "")
}

/// An IANA service name (named ports): ≤ 15 lowercase letters, digits and `-`, with a letter,
/// no `-` at either end or twice in a row.
pub fn port_name(s: &str) -> Result<(), String> {
    lower_alnum_dash(s, 15)?;
    let b = s.as_bytes();
    if !b.iter().any(u8::is_ascii_lowercase) {
        return Err("must contain at least one letter".to_owned());
    }
    if b[0] == b'-' || b[b.len() - 1] == b'-' || s.contains("--") {
        return Err("must not start or end with `-` or contain `--`".to_owned());
    }
    Ok(())
}

/// Standard base64 as Go's decoder reads it (line breaks ignored).
pub fn base64(s: &str) -> Result<(), String> {
    let chars: Vec<u8> = s.bytes().filter(|c| !matches!(c, b'\r' | b'\n')).collect();
    if !chars.len().is_multiple_of(4) {
        return Err(
            "is not base64 (its length is not a multiple of 4); use `stringData` for plain text"
                .to_owned(),
        );
    }
    let body_end = chars.iter().rposition(|&c| c != b'=').map_or(0, |i| i + 1);
    if chars.len() - body_end > 2 {
        return Err("is not base64 (too much `=` padding)".to_owned());
    }
    if let Some(bad) = chars[..body_end]
        .iter()
        .find(|&&c| !(c.is_ascii_alphanumeric() || c == b'+' || c == b'/'))
    {
        return Err(format!(
            "is not base64 (it contains `{}`); use `stringData` for plain text",
            char::from(*bad).escape_default()
        ));
    }
    Ok(())
}

/// An RFC 3339 date-time (`2024-01-02T03:04:05Z`).
pub fn date_time(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let ok = b.len() >= 20
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && matches!(b[10], b'T' | b't' | b' ')
        && b[11..13].iter().all(u8::is_ascii_digit)
        && b[13] == b':'
        && b[14..16].iter().all(u8::is_ascii_digit)
        && b[16] == b':'
        && b[17..19].iter().all(u8::is_ascii_digit);
    if ok {
        Ok(())
    } else {
        Err("is not an RFC 3339 time like `2024-01-02T03:04:05Z`".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for ok in [
            "1", "500m", "1Gi", "0.5", "1.5Gi", "2e3", "1E-2", "+1", "-1", "100Mi", ".5", "1.",
        ] {
            assert!(quantity(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "1GB-ish", "1GB", "Gi", "1 Gi", "1gi", "abc", "1e", "1.2.3",
        ] {
            assert!(quantity(bad).is_err(), "{bad}");
        }
        assert!(quantity("1GB").unwrap_err().contains("use `G` or `Gi`"));
    }

    #[test]
    fn names_and_labels() {
        assert!(dns_label("web-1").is_ok());
        assert!(dns_label("Web").is_err());
        assert!(dns_label("-a").is_err());
        assert!(dns_label(&"a".repeat(64)).is_err());
        assert!(dns1035_label("1web").is_err());
        assert!(dns_subdomain("my.app-1").is_ok());
        assert!(dns_subdomain("my..app").is_err());
        assert!(label_key("app.kubernetes.io/name").is_ok());
        assert!(label_key("app").is_ok());
        assert!(label_key("Bad_Prefix/x").is_err());
        assert!(label_key("a/").is_err());
        assert!(label_value("").is_ok());
        assert!(label_value("v1.2_3-x").is_ok());
        assert!(label_value("has space").is_err());
        assert!(label_value("-x").is_err());
        assert!(path_segment("system:controller:x").is_ok());
        assert!(path_segment("a/b").is_err());
        assert!(port_name("http").is_ok());
        assert!(port_name("8080").is_err());
        assert!(port_name("http--x").is_err());
        assert!(port_name("a-very-long-port-name").is_err());
    }

    #[test]
    fn base64_and_times() {
        assert!(base64("aGVsbG8=").is_ok());
        assert!(base64("aGVs\nbG8=").is_ok());
        assert!(base64("").is_ok());
        assert!(base64("hello world").is_err());
        assert!(base64("abc").is_err());
        assert!(date_time("2024-01-02T03:04:05Z").is_ok());
        assert!(date_time("2024-01-02").is_err());
    }
}
