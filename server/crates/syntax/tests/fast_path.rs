//! The fast parser must build exactly the tree the saphyr path builds, whenever it does not
//! decline. Checked on hand-written cases, on every document of the shared corpus, and on
//! random mutations of corpus documents (which are mostly invalid YAML: the fast path must
//! then decline, or agree).

#![allow(clippy::print_stderr)]

use picket_syntax::split::document_starts;
use picket_syntax::{Limits, parse_document_fast, parse_with_saphyr};
use picket_test_utils::{corpus_dir, skip_without_corpus, yaml_files};

/// `Some(true)`: the fast path took the document and agreed; `Some(false)`: it declined.
#[track_caller]
fn compare(text: &str) -> bool {
    let limits = Limits::default();
    let Some(fast) = parse_document_fast(text, &limits) else {
        return false;
    };
    let slow = parse_with_saphyr(text, &limits);
    let (f, s) = (fast.debug_tree(), slow.debug_tree());
    if f != s {
        let first = f
            .lines()
            .zip(s.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        let show = |t: &str| {
            t.lines()
                .skip(first.saturating_sub(2))
                .take(6)
                .collect::<Vec<_>>()
                .join("\n")
        };
        let excerpt: String = text.chars().take(1500).collect();
        let _ = std::fs::write(
            std::env::temp_dir().join("picket-fast-path-disagreement.yaml"),
            text,
        );
        panic!(
            "fast and saphyr paths disagree on:\n{excerpt}\n--- fast:\n{}\n--- saphyr:\n{}",
            show(&f),
            show(&s)
        );
    }
    true
}

fn chunks(text: &str) -> Vec<&str> {
    let starts = document_starts(text);
    starts
        .iter()
        .enumerate()
        .map(|(i, &s)| &text[s..starts.get(i + 1).copied().unwrap_or(text.len())])
        .collect()
}

const CASES: &[&str] = &[
    "",
    "# only a comment\n",
    "---\n",
    "---\n# c\n",
    "a: 1\n",
    "a:\nb: 1\n",
    "- \n- x\n-\n",
    "a: &x\nb: 1\n",
    "a: !!null\nb:   # c\n",
    "{a: , b: 1}\n",
    "- a:\n  b: 1\n",
    "k: [a, b]\n",
    "a: |+\n  x\n\n\nb: >\n  f1\n  f2\n\n  f3\n   more\n  f4\n",
    "&m a: 1\n",
    "a: &m\n  b: 1\n",
    "- &s\n  - x\n",
    "a:\n- x\n- y\nb: 2\n",
    "x: \"a\\\n  b\"\n",
    "x: 'a\n\n  b'\n",
    "a: b # c\n",
    "- - a\n  - b\n- c\n",
    "a: >-\n\n  x\n  y\n",
    "a: [\n]\n",
    "\"k\": v\n",
    "t: !foo\n  a: 1\n",
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web, 'tier': \"front\"}\n",
    "a: plain\n  continued\n\n  after blank\nb: 2\n",
    "a: 'it''s'\nb: \"tab\\tx \\u263A \\x41\"\nc: \"\"\n",
    "key with spaces: value with: colon\nurl: http://x:80/y\n",
    "a: |\n  line1\n\n  line3\n\nb: 1\n",
    "a: |-\n  x\n",
    "a: >\n  x\n\n\n",
    "a: |\n",
    "- |\n  in a sequence\n- >-\n  folded\n  item\n",
    "list:\n  - a\n  -   b\n  - [c, {d: e}]\n",
    "é: ünïcode\n🦀: \"crab 🦀\"\n",
    "a: 1\r\nb:\r\n  - x\r\n  - y\r\nc: |\r\n  t\r\n",
    "spec:\n  args: [\n      \"-a\", # c\n      b,\n  ]\n",
    "x: {\"json\": [1, 2.5, true, null], \"k\":\"v\"}\n",
    "anchors: &a {x: 1}\nuse: *a\nmerge:\n  <<: *a\n  y: 2\n",
    "a: \"multi\n  line\n\n  quoted \"\n",
    "empty_flow: []\nempty_map: {}\n",
    "- key: value\n  other: value\n- key2: v\n",
    "a:\n  b:\n    c:\n      d: deep\n",
    "---\na: 1\n...\n",
    "- -1\n- -x\n- :x\n- ?x\n",
    "a: ~\nb: null\nc: 0x1F\n",
    "a: 'x' # comment\n",
    "k: v\t\n",
    "a:   \n  b\n",
    "? complex\n: key\n",
    "%YAML 1.2\n---\na: 1\n",
    "a: - b\n",
    "a: *undefined\n",
    "a:\n\tb: 1\n",
    "a: [b, c\n",
    "key: value: other\n",
];

#[test]
fn hand_written_cases() {
    let mut taken = 0;
    for case in CASES {
        for chunk in chunks(case) {
            taken += usize::from(compare(chunk));
        }
    }
    assert!(taken > 40, "the fast path took only {taken} cases");
}

#[test]
fn corpus_documents_and_mutations() {
    let Some(corpus) = corpus_dir() else {
        skip_without_corpus();
        return;
    };
    let (mut docs, mut taken, mut bytes, mut fast_bytes) = (0usize, 0usize, 0usize, 0usize);
    let mut mutated = 0usize;
    let mut mutated_taken = 0usize;
    // More rounds on demand: `PICKET_MUTATION_ROUNDS=50 cargo test --release …`.
    let rounds: usize = std::env::var("PICKET_MUTATION_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let mut seed: u64 = std::env::var("PICKET_MUTATION_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet: &[&str] = &[
        " ", "  ", "\n", ":", ": ", "- ", "-", "#", " #", "[", "]", "{", "}", ",", "'", "\"", "|",
        ">", "&a", "*a", "!t", "\t", "é", "x", "\\", "\r\n",
    ];
    for file in yaml_files(&corpus) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for chunk in chunks(&text) {
            docs += 1;
            bytes += chunk.len();
            if compare(chunk) {
                taken += 1;
                fast_bytes += chunk.len();
            }
            // Mutations of small documents.
            if chunk.len() < 4000 && !chunk.is_empty() {
                for _ in 0..rounds {
                    let mut m = chunk.to_owned();
                    for _ in 0..(1 + rand() % 3) {
                        let at = (rand() as usize) % (m.len() + 1);
                        let at = (0..=at).rev().find(|&i| m.is_char_boundary(i)).unwrap_or(0);
                        match rand() % 3 {
                            0 => {
                                let ins = alphabet[(rand() as usize) % alphabet.len()];
                                m.insert_str(at, ins);
                            }
                            1 => {
                                let len = 1 + (rand() as usize) % 4;
                                let end = (at + len).min(m.len());
                                let end = (end..=m.len())
                                    .find(|&i| m.is_char_boundary(i))
                                    .unwrap_or(m.len());
                                m.replace_range(at..end, "");
                            }
                            _ => {
                                // Duplicate a line.
                                let ls = m[..at].rfind('\n').map_or(0, |i| i + 1);
                                let le = m[at..].find('\n').map_or(m.len(), |i| at + i + 1);
                                let line = m[ls..le].to_owned();
                                m.insert_str(ls, &line);
                            }
                        }
                    }
                    for c in chunks(&m) {
                        mutated += 1;
                        mutated_taken += usize::from(compare(c));
                    }
                }
            }
        }
    }
    eprintln!(
        "fast path: {taken} of {docs} documents ({:.1}% of {:.1} MB); of {mutated} mutated documents it took {mutated_taken} and agreed",
        100.0 * fast_bytes as f64 / bytes as f64,
        bytes as f64 / 1e6
    );
    // The fast path must carry the bulk of real manifests, or it is not worth having.
    assert!(
        fast_bytes * 10 >= bytes * 9,
        "the fast path took only {fast_bytes} of {bytes} bytes"
    );
}
