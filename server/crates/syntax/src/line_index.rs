//! Line and column lookup for a text held as one string (the CLI's case; the language server
//! uses its rope).

use text_size::TextSize;

/// Start offsets of every line of a text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<u32>,
    len: u32,
}

/// A 0-based line and a 0-based column counted in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

impl LineIndex {
    /// Lines end at `\n`, `\r\n` or a lone `\r`, as in the Language Server Protocol.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let b = text.as_bytes();
        let mut i = 0;
        while let Some(j) = memchr::memchr2(b'\n', b'\r', &b[i..]) {
            let p = i + j;
            if b[p] == b'\r' && b.get(p + 1) == Some(&b'\n') {
                i = p + 2;
            } else {
                i = p + 1;
            }
            starts.push(i as u32);
        }
        LineIndex {
            starts,
            len: text.len() as u32,
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The line and byte column of `offset` (clamped to the text).
    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let offset = u32::from(offset).min(self.len);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        LineCol {
            line: line as u32,
            col: offset - self.starts[line],
        }
    }

    /// The byte offset where `line` starts, if it exists.
    pub fn line_start(&self, line: u32) -> Option<TextSize> {
        self.starts.get(line as usize).map(|&s| TextSize::new(s))
    }

    /// The byte range of `line` without its terminator.
    pub fn line_range(&self, text: &str, line: u32) -> Option<std::ops::Range<usize>> {
        let start = *self.starts.get(line as usize)? as usize;
        let next = self
            .starts
            .get(line as usize + 1)
            .map_or(text.len(), |&n| n as usize);
        let mut end = next;
        let b = text.as_bytes();
        if end > start && b[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && b[end - 1] == b'\r' {
            end -= 1;
        }
        Some(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "ab\ncd\r\nef\rg";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col(0.into()), LineCol { line: 0, col: 0 });
        assert_eq!(idx.line_col(2.into()), LineCol { line: 0, col: 2 });
        assert_eq!(idx.line_col(3.into()), LineCol { line: 1, col: 0 });
        assert_eq!(idx.line_col(7.into()), LineCol { line: 2, col: 0 });
        assert_eq!(idx.line_col(10.into()), LineCol { line: 3, col: 0 });
        assert_eq!(idx.line_col(99.into()), LineCol { line: 3, col: 1 });
        assert_eq!(idx.line_range(text, 1), Some(3..5));
        assert_eq!(idx.line_range(text, 4), None);
    }
}
