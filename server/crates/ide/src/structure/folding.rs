//! Folding ranges: what an editor can collapse.

use picket_syntax::{Document, LineIndex, Node, NodeKind, ParsedFile, TextRange, TextSize};

use super::{spans_lines, trim_end};

/// A range that can fold. Clients fold whole lines: the first line stays visible, the others
/// hide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoldingRange {
    /// From the first character of the first line that folds (a key, a `-`, a `#`, a `---`) to
    /// the last character of the last line.
    pub range: TextRange,
    /// Why it folds.
    pub kind: FoldKind,
}

/// Why a range folds; clients may fold some kinds on their own (all comments, say).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FoldKind {
    /// A multi-line collection or block scalar.
    Block,
    /// Two or more comment lines in a row.
    Comment,
    /// One document of a multi-document file.
    Region,
}

pub(crate) fn folding_ranges(file: &ParsedFile) -> Vec<FoldingRange> {
    let multi = file.documents().len() > 1;
    let mut out = Vec::new();
    for entry in file.documents() {
        let doc = &entry.doc;
        let text = doc.text();
        let start = out.len();
        let mut scalars = Vec::new();
        if let Some(root) = doc.root() {
            collections(doc, root, &mut out, &mut scalars);
        }
        comments(text, &scalars, &mut out);
        if multi {
            let lead = text.len() - text.trim_start().len();
            let range = TextRange::new(TextSize::new(lead as u32), TextSize::of(text));
            let range = trim_end(text, range);
            if spans_lines(text, range) {
                out.push(FoldingRange {
                    range,
                    kind: FoldKind::Region,
                });
            }
        }
        for f in &mut out[start..] {
            f.range += entry.offset;
        }
    }
    // Outer ranges before the ranges they hold.
    out.sort_by_key(|f| (f.range.start(), std::cmp::Reverse(f.range.end())));
    out
}

/// Whether a value folds when it spans lines: collections of either style and block scalars.
fn foldable(node: Node<'_>) -> bool {
    match node.kind() {
        NodeKind::Mapping | NodeKind::Sequence => true,
        NodeKind::Scalar => node.as_scalar().is_some_and(|s| s.style().is_block()),
        NodeKind::Alias => false,
    }
}

/// Folds for every multi-line value: from its key (or its item's `-`) to its last line. Also
/// gathers the ranges of multi-line scalars, whose lines are content even when they start
/// with `#`.
fn collections(
    doc: &Document,
    root: Node<'_>,
    out: &mut Vec<FoldingRange>,
    scalars: &mut Vec<TextRange>,
) {
    let text = doc.text();
    let mut push = |start: TextSize, value: Node<'_>| {
        if !foldable(value) || value.range().end() < start {
            return;
        }
        let range = trim_end(text, TextRange::new(start, value.range().end()));
        if spans_lines(text, range) {
            out.push(FoldingRange {
                range,
                kind: FoldKind::Block,
            });
        }
    };
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.kind() {
            NodeKind::Mapping => {
                for e in node.as_mapping().into_iter().flat_map(|m| m.entries()) {
                    push(e.key.range().start(), e.value);
                    stack.push(e.key);
                    stack.push(e.value);
                }
            }
            NodeKind::Sequence => {
                for item in node.children() {
                    let start = if node.is_flow() {
                        item.range().start()
                    } else {
                        dash_before(text, item).unwrap_or(item.range().start())
                    };
                    push(start, item);
                    stack.push(item);
                }
            }
            NodeKind::Scalar => {
                if spans_lines(text, node.range()) {
                    scalars.push(node.range());
                }
            }
            NodeKind::Alias => {}
        }
    }
    scalars.sort_by_key(|r| r.start());
}

/// The offset of the `-` that introduces a block sequence item, when only white space stands
/// between them (no anchor or tag).
pub(super) fn dash_before(text: &str, item: Node<'_>) -> Option<TextSize> {
    let start = usize::from(item.range().start()).min(text.len());
    let before = text.get(..start)?;
    let trimmed = before.trim_end_matches([' ', '\t', '\r', '\n']);
    trimmed
        .ends_with('-')
        .then(|| TextSize::new((trimmed.len() - 1) as u32))
}

/// Runs of two or more comment lines, outside multi-line scalars (`scalars`, sorted).
fn comments(text: &str, scalars: &[TextRange], out: &mut Vec<FoldingRange>) {
    let inside_scalar = |offset: TextSize| {
        let i = scalars.partition_point(|r| r.start() <= offset);
        i > 0 && scalars[i - 1].contains(offset)
    };
    // (start of the first comment, end of the last comment line, lines so far)
    let mut run: Option<(TextSize, TextSize, usize)> = None;
    let mut flush = |run: &mut Option<(TextSize, TextSize, usize)>| {
        if let Some((start, end, lines)) = run.take()
            && lines >= 2
        {
            out.push(FoldingRange {
                range: TextRange::new(start, end),
                kind: FoldKind::Comment,
            });
        }
    };
    let index = LineIndex::new(text);
    let lines = (0..index.line_count() as u32).filter_map(|l| index.line_range(text, l));
    for range in lines {
        let (line_start, line) = (range.start, &text[range]);
        let body = line.trim_start_matches([' ', '\t']);
        let hash = TextSize::new((line_start + line.len() - body.len()) as u32);
        if body.starts_with('#') && !inside_scalar(hash) {
            let end = TextSize::new((line_start + line.trim_end().len()) as u32);
            run = Some(match run {
                Some((start, _, n)) => (start, end, n + 1),
                None => (hash, end, 1),
            });
        } else {
            flush(&mut run);
        }
    }
    flush(&mut run);
}
