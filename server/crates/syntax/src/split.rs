//! Splits a YAML stream into its documents with a line scanner, before any parsing.
//!
//! A line that starts with `---` or `...` (followed by a space, a tab or the end of the line) is a
//! document marker wherever it appears, even inside what looks like a block scalar: YAML forbids
//! such lines inside scalars. So splitting by lines is exact, cheap, and lets each document be
//! parsed, cached and re-parsed on its own.

/// How a line starts, as far as document boundaries go.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum LineClass {
    Start,
    End,
    Directive,
    Blank,
    Comment,
    Content,
}

fn is_marker(line: &[u8], mark: u8) -> bool {
    line.len() >= 3
        && line[0] == mark
        && line[1] == mark
        && line[2] == mark
        && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

fn classify(line: &[u8]) -> LineClass {
    if is_marker(line, b'-') {
        return LineClass::Start;
    }
    if is_marker(line, b'.') {
        return LineClass::End;
    }
    if line.first() == Some(&b'%') {
        return LineClass::Directive;
    }
    match line
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    {
        None => LineClass::Blank,
        Some(b'#') => LineClass::Comment,
        Some(_) => LineClass::Content,
    }
}

/// The splitter's state between lines, so that a split can resume where another ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SplitState {
    has_content: bool,
    just_ended: bool,
}

impl SplitState {
    /// Feeds one line (with its terminator); returns whether a new document starts at it.
    pub fn line_starts_document(&mut self, line: &[u8]) -> bool {
        let class = classify(line);
        let mut starts = std::mem::take(&mut self.just_ended);
        if starts {
            self.has_content = false;
        }
        match class {
            LineClass::Start => {
                starts |= self.has_content;
                self.has_content = true;
            }
            LineClass::End => {
                self.just_ended = true;
            }
            LineClass::Content => self.has_content = true,
            LineClass::Directive | LineClass::Blank | LineClass::Comment => {}
        }
        starts
    }
}

/// Byte offsets at which documents start. The first is always 0; together they cover the text.
///
/// Comments, blank lines and directives before a `---` stay with the document that the `---`
/// opens; a `...` closes its document and the next line starts a new one.
pub fn document_starts(text: &str) -> Vec<usize> {
    document_starts_from(text, SplitState::default()).0
}

/// Like [`document_starts`], from a given state; also returns the state after the last line.
pub fn document_starts_from(text: &str, mut state: SplitState) -> (Vec<usize>, SplitState) {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut pos = 0;
    while pos < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i + 1);
        if state.line_starts_document(&bytes[pos..end]) && pos > 0 {
            starts.push(pos);
        }
        pos = end;
    }
    (starts, state)
}

/// The first line of `text`, with its terminator.
pub fn first_line(text: &str) -> &str {
    memchr::memchr(b'\n', text.as_bytes()).map_or(text, |i| &text[..=i])
}

#[cfg(test)]
mod tests {
    use super::document_starts;

    #[test]
    fn single_document() {
        assert_eq!(document_starts(""), vec![0]);
        assert_eq!(document_starts("a: 1\n"), vec![0]);
        assert_eq!(document_starts("---\na: 1\n"), vec![0]);
    }

    #[test]
    fn markers_split() {
        let text = "a: 1\n---\nb: 2\n--- \nc: 3\n---";
        assert_eq!(document_starts(text), vec![0, 5, 14, 24]);
        let text = "a: 1\n---\n---\nb: 1\n";
        assert_eq!(document_starts(text), vec![0, 5, 9]);
    }

    #[test]
    fn leading_comments_join_the_next_document() {
        let text = "# header\n\n---\na: 1\n";
        assert_eq!(document_starts(text), vec![0]);
        let text = "a: 1\n...\n# about b\n%YAML 1.2\n---\nb: 1\n";
        assert_eq!(document_starts(text), vec![0, 9]);
    }

    #[test]
    fn not_markers() {
        assert_eq!(document_starts("a: 1\n----\nb: 2\n"), vec![0]);
        assert_eq!(document_starts("a: |\n  ---\n  x\n"), vec![0]);
        assert_eq!(document_starts("a: 1\n---x\n"), vec![0]);
    }

    #[test]
    fn crlf() {
        assert_eq!(document_starts("a: 1\r\n---\r\nb: 2\r\n"), vec![0, 6]);
    }

    #[test]
    fn marker_at_column_zero_inside_block_scalar_ends_the_document() {
        assert_eq!(document_starts("a: |\n  x\n---\nb: 1\n"), vec![0, 9]);
    }
}
