//! Selection ranges: how a selection grows from a cursor, one syntactic step at a time.

use picket_syntax::{NodeKind, ParsedFile, TextRange, TextSize};

use super::folding::dash_before;
use super::trim_end;

/// Ranges that each contain the offset and strictly contain the previous one.
struct Chain {
    ranges: Vec<TextRange>,
    /// The range the next one must contain: the last pushed, at first the bare offset.
    last: TextRange,
}

impl Chain {
    fn push(&mut self, range: TextRange) {
        if range.is_empty() {
            return;
        }
        let range = range.cover(self.last);
        if range != self.last {
            self.ranges.push(range);
            self.last = range;
        }
    }
}

pub(crate) fn selection_ranges(file: &ParsedFile, offset: TextSize) -> Vec<TextRange> {
    let offset = offset.min(file.len());
    let mut chain = Chain {
        ranges: Vec::new(),
        last: TextRange::empty(offset),
    };
    if let Some(entry) = file.document_at(offset) {
        let doc = &entry.doc;
        let text = doc.text();
        let rel = offset - entry.offset.min(offset);
        // Ranges are document-relative until they go into the chain.
        let push = |chain: &mut Chain, r: TextRange| {
            chain.push(trim_end(text, r) + entry.offset);
        };
        if let Some(node) = doc.node_at(rel) {
            if let Some(s) = node.as_scalar() {
                let range = s.range();
                if let Some(word) = word_at(text, range, rel) {
                    push(&mut chain, word);
                }
                if s.style().is_quoted() && range.len() >= TextSize::new(2) {
                    let inner = TextRange::new(
                        range.start() + TextSize::new(1),
                        range.end() - TextSize::new(1),
                    );
                    push(&mut chain, inner);
                }
            }
            push(&mut chain, node.range());
            let mut cur = node;
            while let Some(parent) = cur.parent() {
                match parent.kind() {
                    NodeKind::Mapping => {
                        // Keys and values alternate: find this node's partner.
                        let children: Vec<_> = parent.children().collect();
                        if let Some(i) = children.iter().position(|c| *c == cur) {
                            let (key, value) = if i % 2 == 0 {
                                (cur, children.get(i + 1).copied())
                            } else {
                                (children[i - 1], Some(cur))
                            };
                            let mut end = value.map_or(key.range().end(), |v| v.range().end());
                            // An empty value sits at its key's end: take the colon too.
                            if end == key.range().end() {
                                end = colon_after(text, end).unwrap_or(end);
                            }
                            let start = key.range().start().min(end);
                            push(&mut chain, TextRange::new(start, end));
                        }
                    }
                    NodeKind::Sequence if !parent.is_flow() => {
                        if let Some(dash) = dash_before(text, cur) {
                            push(&mut chain, TextRange::new(dash, cur.range().end()));
                        }
                    }
                    _ => {}
                }
                push(&mut chain, parent.range());
                cur = parent;
            }
        }
        // The document, with its `---` and comments, without the white space around it.
        let lead = text.len() - text.trim_start().len();
        push(
            &mut chain,
            TextRange::new(TextSize::new(lead as u32), TextSize::of(text)),
        );
    }
    chain.push(TextRange::up_to(file.len()));
    chain.ranges
}

/// The end of the `:` that follows `offset` on its line, past spaces and tabs.
fn colon_after(text: &str, offset: TextSize) -> Option<TextSize> {
    let rest = text.get(usize::from(offset)..)?;
    let gap = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    rest[gap..]
        .starts_with(':')
        .then(|| offset + TextSize::new(gap as u32 + 1))
}

/// The word around `offset` inside the scalar at `range`: letters, digits, `_` and `-`.
fn word_at(text: &str, range: TextRange, offset: TextSize) -> Option<TextRange> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let scalar = text.get(usize::from(range.start())..usize::from(range.end()))?;
    let at = usize::from(offset.checked_sub(range.start())?).min(scalar.len());
    if !scalar.is_char_boundary(at) {
        return None;
    }
    let start = scalar[..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = scalar[at..]
        .char_indices()
        .find(|&(_, c)| !is_word(c))
        .map_or(scalar.len(), |(i, _)| at + i);
    (start < end).then(|| {
        TextRange::new(
            range.start() + TextSize::new(start as u32),
            range.start() + TextSize::new(end as u32),
        )
    })
}
