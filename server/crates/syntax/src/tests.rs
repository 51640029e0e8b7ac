//! Tests of the tree builder: ranges, styles, anchors, errors, recovery and limits.

use crate::{Limits, NodeKind, ScalarStyle, ScalarValue, parse_document};

fn tree(text: &str) -> String {
    parse_document(text, &Limits::default()).debug_tree()
}

#[test]
fn mapping_scalars_and_ranges() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web, 'tier': \"front\"}\n";
    let doc = parse_document(text, &Limits::default());
    assert!(doc.errors().is_empty());
    let root = doc.root().unwrap().as_mapping().unwrap();
    assert_eq!(root.len(), 3);
    let kind = root.get("kind").unwrap();
    assert_eq!(kind.text(), "Pod");
    let labels = root
        .get("metadata")
        .unwrap()
        .as_mapping()
        .unwrap()
        .get("labels")
        .unwrap();
    assert!(labels.is_flow());
    assert_eq!(labels.text(), "{app: web, 'tier': \"front\"}");
    let tier = labels.as_mapping().unwrap().entry("tier").unwrap();
    assert_eq!(tier.key.text(), "'tier'");
    assert_eq!(
        tier.value.as_scalar().unwrap().style(),
        ScalarStyle::DoubleQuoted
    );
    assert_eq!(tier.value.as_scalar().unwrap().value(), "front");
    let meta = root.get("metadata").unwrap();
    assert_eq!(
        meta.text(),
        "name: web\n  labels: {app: web, 'tier': \"front\"}"
    );
}

#[test]
fn sequences_and_nesting() {
    let text = "spec:\n  containers:\n  - name: a\n    args: [x, 'y']\n  - name: b\n";
    let doc = parse_document(text, &Limits::default());
    let containers = doc
        .root()
        .unwrap()
        .as_mapping()
        .unwrap()
        .get("spec")
        .unwrap();
    let seq = containers
        .as_mapping()
        .unwrap()
        .get("containers")
        .unwrap()
        .as_sequence()
        .unwrap();
    assert_eq!(seq.len(), 2);
    let names: Vec<_> = seq
        .items()
        .map(|i| i.as_mapping().unwrap().get("name").unwrap().text())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(
        seq.node().text(),
        "- name: a\n    args: [x, 'y']\n  - name: b"
    );
    let b = seq.items().nth(1).unwrap();
    assert_eq!(b.parent(), Some(seq.node()));
    assert_eq!(b.depth(), 3);
}

#[test]
fn scalar_styles_and_values() {
    let text = "a: 'it''s'\nb: \"tab\\tx\"\nc: |\n  line1\n  line2\n\nd: >-\n  folded\n  text\n# after\ne: plain\n  continued\nf:\n";
    let doc = parse_document(text, &Limits::default());
    let m = doc.root().unwrap().as_mapping().unwrap();
    let get = |k: &str| m.get(k).unwrap().as_scalar().unwrap();
    assert_eq!(get("a").value(), "it's");
    assert_eq!(get("a").raw(), "'it''s'");
    assert_eq!(get("b").value(), "tab\tx");
    assert_eq!(get("c").style(), ScalarStyle::Literal);
    assert_eq!(get("c").value(), "line1\nline2\n");
    assert_eq!(get("c").raw(), "|\n  line1\n  line2");
    assert_eq!(get("d").value(), "folded text");
    assert_eq!(get("d").raw(), ">-\n  folded\n  text");
    assert_eq!(get("e").value(), "plain continued");
    assert_eq!(get("f").resolved(), ScalarValue::Null);
    assert_eq!(get("f").range().len(), 0.into());
}

#[test]
fn kubernetes_resolution_through_the_tree() {
    let text = "a: yes\nb: '3'\nc: 0644\nd: ~\ne: 1.5\nf: !!str 12\n";
    let doc = parse_document(text, &Limits::default());
    let m = doc.root().unwrap().as_mapping().unwrap();
    let get = |k: &str| m.get(k).unwrap().as_scalar().unwrap().resolved();
    assert_eq!(get("a"), ScalarValue::Bool(true));
    assert_eq!(get("b"), ScalarValue::Str("3"));
    assert_eq!(get("c"), ScalarValue::Int(420));
    assert_eq!(get("d"), ScalarValue::Null);
    assert_eq!(get("e"), ScalarValue::Float(1.5));
    assert_eq!(get("f"), ScalarValue::Str("12"));
    assert_eq!(m.get("f").unwrap().tag(), Some("!!str"));
    assert_eq!(m.get("f").unwrap().text(), "12");
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let text = "base: &base\n  cpu: 1\n  memory: 2\nname: &n web\nother: *n\nres:\n  <<: *base\n  cpu: 4\n";
    let doc = parse_document(text, &Limits::default());
    assert!(doc.errors().is_empty(), "{:?}", doc.errors());
    let m = doc.root().unwrap().as_mapping().unwrap();
    assert_eq!(m.get("base").unwrap().anchor(), Some("base"));
    assert_eq!(m.get("name").unwrap().anchor(), Some("n"));
    assert_eq!(m.get("name").unwrap().text(), "web");
    let other = m.get("other").unwrap();
    assert_eq!(other.kind(), NodeKind::Alias);
    assert_eq!(other.resolve().text(), "web");
    let res = m.get("res").unwrap().as_mapping().unwrap();
    assert_eq!(res.get("cpu").unwrap().text(), "4");
    assert_eq!(res.get("memory").unwrap().text(), "2");
    let mut budget = crate::MergeBudget::default();
    let keys: Vec<_> = res
        .effective_entries(&mut budget)
        .iter()
        .map(|e| e.key_str().unwrap())
        .collect();
    assert_eq!(keys, ["cpu", "memory"]);
}

#[test]
fn alias_bomb_is_not_expanded() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        text.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], refs));
    }
    let doc = parse_document(&text, &Limits::default());
    assert!(doc.errors().is_empty());
    // 9 lines of at most 10 nodes each, not 9^9.
    assert!(doc.node_count() < 200, "{}", doc.node_count());
}

#[test]
fn recursive_alias_is_an_error() {
    let out = tree("- &a [*a]\n");
    assert!(out.contains("error[recursive-alias] 6..8"), "{out}");
}

#[test]
fn duplicate_keys() {
    let out = tree("a: 1\nb: 2\na: 3\n'b': 4\n");
    assert!(
        out.contains("error[duplicate-key] 10..11: Duplicate key `a`"),
        "{out}"
    );
    assert!(
        out.contains("error[duplicate-key] 15..18: Duplicate key `b`"),
        "{out}"
    );
    let doc = parse_document("a: 1\nb: 2\na: 3\n", &Limits::default());
    assert_eq!(
        doc.errors()[0].related.as_ref().unwrap().0,
        text_size::TextRange::new(0.into(), 1.into())
    );
    // Many keys take the hashing path.
    let mut many: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    many.push_str("k7: again\n");
    let doc = parse_document(&many, &Limits::default());
    assert_eq!(doc.errors().len(), 1);
    assert_eq!(doc.errors()[0].message, "Duplicate key `k7`");
}

#[test]
fn recovery_from_a_key_without_colon() {
    let text = "a: 1\nspec:\n  contai\n  x: 1\n";
    let doc = parse_document(text, &Limits::default());
    assert_eq!(doc.errors().len(), 1);
    let e = &doc.errors()[0];
    assert_eq!(&text[e.range], "contai");
    assert!(e.message.contains("`key: value`"), "{}", e.message);
    assert!(doc.is_partial());
    let spec = doc
        .root()
        .unwrap()
        .as_mapping()
        .unwrap()
        .get("spec")
        .unwrap();
    assert_eq!(spec.as_mapping().unwrap().get("x").unwrap().text(), "1");
}

#[test]
fn recovery_from_bad_indentation_keeps_later_keys() {
    let text = "a: 1\nspec:\n  x: 1\n   y: 2\nz: 3\n";
    let doc = parse_document(text, &Limits::default());
    assert_eq!(doc.errors().len(), 1);
    assert_eq!(doc.errors()[0].range.start(), 22.into());
    let m = doc.root().unwrap().as_mapping().unwrap();
    assert_eq!(m.get("z").unwrap().text(), "3");
}

#[test]
fn recovery_from_unclosed_quote_and_flow() {
    let doc = parse_document("a: 1\nb: \"unclosed\nc: 3\n", &Limits::default());
    assert_eq!(doc.errors().len(), 1);
    assert_eq!(
        doc.root()
            .unwrap()
            .as_mapping()
            .unwrap()
            .get("c")
            .unwrap()
            .text(),
        "3"
    );
    let doc = parse_document("a: [1, 2\nb: 3\nc: 4\n", &Limits::default());
    assert_eq!(doc.errors().len(), 1);
    assert!(doc.is_partial());
    assert!(doc.root().is_some());
}

#[test]
fn tabs_are_reported() {
    let doc = parse_document("a:\n\t- x\nb: 1\n", &Limits::default());
    assert_eq!(
        doc.errors()[0].message,
        "Tabs cannot indent YAML; use spaces"
    );
    assert_eq!(
        doc.root()
            .unwrap()
            .as_mapping()
            .unwrap()
            .get("b")
            .unwrap()
            .text(),
        "1"
    );
}

#[test]
fn non_ascii_offsets_are_bytes() {
    let text = "é: ünïcode\n🦀: \"crab 🦀\"\nz: last\n";
    let doc = parse_document(text, &Limits::default());
    let m = doc.root().unwrap().as_mapping().unwrap();
    assert_eq!(m.get("é").unwrap().text(), "ünïcode");
    assert_eq!(m.get("🦀").unwrap().text(), "\"crab 🦀\"");
    assert_eq!(m.get("z").unwrap().text(), "last");
    let doc = parse_document("\u{feff}a: 1\n", &Limits::default());
    assert_eq!(
        doc.root()
            .unwrap()
            .as_mapping()
            .unwrap()
            .get("a")
            .unwrap()
            .text(),
        "1"
    );
}

#[test]
fn crlf_text() {
    let text = "a: 1\r\nb:\r\n  - x\r\n  - y\r\nc: |\r\n  t\r\n";
    let doc = parse_document(text, &Limits::default());
    assert!(doc.errors().is_empty());
    let m = doc.root().unwrap().as_mapping().unwrap();
    assert_eq!(m.get("b").unwrap().text(), "- x\r\n  - y");
    assert_eq!(m.get("c").unwrap().as_scalar().unwrap().raw(), "|\r\n  t");
}

#[test]
fn depth_limit() {
    let text = format!("a: {}{}\n", "[".repeat(300), "]".repeat(300));
    let doc = parse_document(&text, &Limits::default());
    assert!(
        doc.errors()
            .iter()
            .any(|e| e.kind.code() == "nesting-too-deep"),
        "{:?}",
        doc.errors()
    );
    assert!(doc.is_partial());
    let mut block = String::new();
    for i in 0..1000 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    let doc = parse_document(&block, &Limits::default());
    assert!(
        doc.errors()
            .iter()
            .any(|e| e.kind.code() == "nesting-too-deep"),
        "{:?}",
        doc.errors()
    );
}

#[test]
fn node_limit() {
    let text: String = (0..100).map(|i| format!("k{i}: v\n")).collect();
    let limits = Limits {
        max_nodes: 50,
        ..Limits::default()
    };
    let doc = parse_document(&text, &limits);
    assert!(
        doc.errors()
            .iter()
            .any(|e| e.kind.code() == "document-too-large")
    );
    assert!(doc.is_partial());
    assert!(doc.node_count() <= 51);
}

#[test]
fn comments_and_empty_documents() {
    let doc = parse_document("# only a comment\n", &Limits::default());
    assert!(doc.root().is_none());
    assert!(doc.errors().is_empty());
    let doc = parse_document("---\n", &Limits::default());
    assert!(doc.errors().is_empty());
}

#[test]
fn node_at_finds_the_innermost_node() {
    let text = "spec:\n  containers:\n  - name: web\n";
    let doc = parse_document(text, &Limits::default());
    let n = doc.node_at(31.into()).unwrap();
    assert_eq!(n.text(), "web");
}

#[test]
fn garbage_never_panics() {
    let mut seed: u64 = 42;
    let alphabet = b"ab:- \n\t[]{},'\"|>&*!#%@`?~0\r.\\";
    for _ in 0..3000 {
        let mut s = Vec::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 60) as usize;
        for i in 0..len {
            let r = seed.rotate_left(i as u32 * 7) ^ (i as u64).wrapping_mul(0x9E37_79B9);
            s.push(alphabet[(r % alphabet.len() as u64) as usize]);
        }
        let text = String::from_utf8(s).unwrap();
        let doc = parse_document(&text, &Limits::default());
        for e in doc.errors() {
            assert!(u32::from(e.range.end()) as usize <= text.len(), "{text:?}");
        }
        if let Some(root) = doc.root() {
            fn walk(n: crate::Node<'_>, len: usize) {
                assert!(u32::from(n.range().end()) as usize <= len);
                let _ = n.text();
                for c in n.children() {
                    walk(c, len);
                }
            }
            walk(root, text.len());
        }
    }
}

#[test]
fn flow_indentation_is_lenient_like_kubernetes() {
    // libyaml (and so kubectl) accepts a closing bracket under the key; the spec does not.
    let text = "spec:\n  args: [\n      \"-a\", # first\n      b,\n  ]\n  env: []\n";
    let doc = parse_document(text, &Limits::default());
    assert!(doc.errors().is_empty(), "{:?}", doc.errors());
    assert!(!doc.is_partial());
    let spec = doc
        .root()
        .unwrap()
        .as_mapping()
        .unwrap()
        .get("spec")
        .unwrap()
        .as_mapping()
        .unwrap();
    let args = spec.get("args").unwrap();
    assert_eq!(args.text(), "[\n      \"-a\", # first\n      b,\n  ]");
    let items: Vec<_> = args
        .children()
        .map(|c| c.as_scalar().unwrap().value())
        .collect();
    assert_eq!(items, ["-a", "b"]);
    assert_eq!(spec.get("env").unwrap().text(), "[]");
    let text = "a:\n  b: [\n  x,\n  y\n  ]\n";
    let doc = parse_document(text, &Limits::default());
    assert!(doc.errors().is_empty(), "{:?}", doc.errors());
}

#[test]
fn recovery_from_a_key_without_colon_before_a_comment() {
    let text = "spec:\n  image\n  # comment\n  ports: []\n";
    let doc = parse_document(text, &Limits::default());
    assert_eq!(doc.errors().len(), 1, "{:?}", doc.errors());
    assert_eq!(&text[doc.errors()[0].range], "image");
    let spec = doc
        .root()
        .unwrap()
        .as_mapping()
        .unwrap()
        .get("spec")
        .unwrap();
    assert_eq!(
        spec.as_mapping().unwrap().get("ports").unwrap().text(),
        "[]"
    );
}

#[test]
fn recovery_keeps_a_block_scalar_with_a_broken_header() {
    let text = "a:\n  description: |-x\n    Some text: with a colon\n    more\n  b: 1\n";
    let doc = parse_document(text, &Limits::default());
    assert_eq!(doc.errors().len(), 1, "{:?}", doc.errors());
    let a = doc
        .root()
        .unwrap()
        .as_mapping()
        .unwrap()
        .get("a")
        .unwrap()
        .as_mapping()
        .unwrap();
    assert_eq!(
        a.get("description").unwrap().as_scalar().unwrap().value(),
        "Some text: with a colon\nmore"
    );
    assert_eq!(a.get("b").unwrap().text(), "1");
}
