//! The few YAML pieces the generated objects need, written as text.
//!
//! The objects generated here have fixed shapes whose only free text is names and comments, so a
//! YAML serializer would buy little: every free string goes out double-quoted with JSON's escapes
//! (a JSON string is a valid YAML double-quoted scalar), and comments lose the line breaks and
//! control characters that would end them.

/// `s` as a YAML double-quoted scalar.
pub(crate) fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// `s` made safe for the text of a `# ` comment: no line breaks or other control characters.
pub(crate) fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_yaml_special_characters_inert() {
        assert_eq!(quoted("web"), r#""web""#);
        assert_eq!(quoted("a: b # c"), r#""a: b # c""#);
        assert_eq!(quoted("yes"), r#""yes""#);
        assert_eq!(quoted("line\nbreak \"q\""), r#""line\nbreak \"q\"""#);
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment_text("a\nb\r\tc"), "a b  c");
    }
}
