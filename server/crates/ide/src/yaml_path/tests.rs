//! The cursor's path on hand-written cases, and against the parser's tree on every key and
//! value of real manifests, whole and truncated in the middle of a key.

use std::path::{Path, PathBuf};

use picket_syntax::{Document, Node, NodeKind, ParsedFile, ScalarStyle};

use super::*;

fn key(k: &str) -> Segment {
    Segment::Key(k.to_owned())
}

/// Parses a one-document text with a `$0` cursor; the context there.
#[track_caller]
fn at(marked: &str) -> Option<CursorContext> {
    let offset = marked.find("$0").expect("a $0 cursor");
    let text = marked.replace("$0", "");
    let file = ParsedFile::parse(&text);
    let entry = file.document_at(TextSize::new(offset as u32)).unwrap();
    let rel = offset - usize::from(entry.offset);
    cursor_context(&entry.doc, rel)
}

#[track_caller]
fn ctx(marked: &str) -> (CursorContext, String) {
    let cx = at(marked).unwrap_or_else(|| panic!("no context in {marked:?}"));
    let text = marked.replace("$0", "");
    let offset = marked.find("$0").unwrap();
    let file = ParsedFile::parse(&text);
    let entry = file.document_at(TextSize::new(offset as u32)).unwrap();
    let token = entry.doc.text()[cx.token].to_owned();
    (cx, token)
}

fn path(segs: &[&str]) -> Vec<Segment> {
    segs.iter()
        .map(|s| if *s == "[]" { Segment::Item } else { key(s) })
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn half_typed_key_in_a_list_item() {
    let (cx, token) = ctx("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: x\n    im$0");
    assert_eq!(cx.path, path(&["spec", "containers", "[]"]));
    assert_eq!(cx.slot, Slot::Key);
    assert_eq!(token, "im");
    assert_eq!(cx.present, ["name"]);
    assert_eq!(cx.column, 4);
    assert!(!cx.has_colon);
}

#[test]
fn indented_and_compact_lists() {
    let compact =
        "spec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n    $0\n  volumes: []\n";
    let (cx, _) = ctx(compact);
    assert_eq!(cx.path, path(&["spec", "containers", "[]"]));
    assert_eq!(cx.present, ["name"], "only the second item's keys");
    let indented = "spec:\n  containers:\n    - name: a\n      image: x\n    - name: b\n      $0\n      ports: []\n  volumes: []\n";
    let (cx, _) = ctx(indented);
    assert_eq!(cx.path, path(&["spec", "containers", "[]"]));
    assert_eq!(sorted(cx.present), ["name", "ports"]);
    assert_eq!(cx.column, 6);
    // At the list's own level: keys of `spec`.
    let (cx, _) = ctx("spec:\n  containers:\n  - name: a\n  $0\n  volumes: []\n");
    assert_eq!(cx.path, path(&["spec"]));
    assert_eq!(sorted(cx.present), ["containers", "volumes"]);
}

#[test]
fn a_dash_starts_an_item() {
    let (cx, token) = ctx("spec:\n  containers:\n  - $0\n");
    assert_eq!(cx.path, path(&["spec", "containers", "[]"]));
    assert_eq!(token, "");
    assert!(!cx.needs_space);
    assert_eq!(cx.column, 4);
    // Right after the dash: the text needs a space first.
    let (cx, _) = ctx("spec:\n  containers:\n  -$0\n");
    assert_eq!(cx.path, path(&["spec", "containers", "[]"]));
    assert!(cx.needs_space);
    assert_eq!(cx.column, 4);
    // Nested dashes.
    let (cx, token) = ctx("a:\n- - b: 1\n    c$0\n");
    assert_eq!(cx.path, path(&["a", "[]", "[]"]));
    assert_eq!(token, "c");
    assert_eq!(cx.present, ["b"]);
    // A dash with a half-typed key after it.
    let (cx, token) = ctx("spec:\n  containers:\n  - na$0\n");
    assert_eq!(cx.path, path(&["spec", "containers", "[]"]));
    assert_eq!(token, "na");
    assert_eq!(cx.items.len(), 1);
}

#[test]
fn values() {
    let (cx, token) =
        ctx("spec:\n  containers:\n  - name: x\n    imagePullPolicy: Al$0 # comment\n");
    assert_eq!(
        cx.path,
        path(&["spec", "containers", "[]", "imagePullPolicy"])
    );
    assert_eq!(cx.slot, Slot::Value);
    assert_eq!(token, "Al");
    // Right after the colon.
    let (cx, token) = ctx("kind:$0\n");
    assert_eq!(
        (cx.slot, token.as_str(), cx.needs_space),
        (Slot::Value, "", true)
    );
    let (cx, _) = ctx("kind: $0\n");
    assert_eq!((cx.slot, cx.needs_space), (Slot::Value, false));
    assert_eq!(cx.path, path(&["kind"]));
    // Quoted.
    let (cx, token) = ctx("metadata:\n  labels:\n    app: \"we$0b\"\n");
    assert_eq!(cx.path, path(&["metadata", "labels", "app"]));
    assert_eq!(token, "\"web\"");
    // A scalar item of a list.
    let (cx, token) = ctx("securityContext:\n  capabilities:\n    drop:\n    - AL$0\n");
    assert_eq!(
        cx.path,
        path(&["securityContext", "capabilities", "drop", "[]"])
    );
    assert_eq!((cx.slot, token.as_str()), (Slot::Key, "AL"));
    // Past the value: nothing.
    assert!(at("kind: Pod $0\n").is_none());
    // In the spaces before a value: nothing either.
    assert!(at("kind: $0 Pod\n").is_none());
}

#[test]
fn inside_an_existing_key() {
    let (cx, token) = ctx("spec:\n  contai$0ners:\n  - name: x\n");
    assert_eq!(cx.path, path(&["spec"]));
    assert_eq!(token, "containers");
    assert!(cx.has_colon);
    let (cx, token) = ctx("metadata:\n  \"quo$0ted\": 1\n");
    assert_eq!(token, "\"quoted\"");
    assert_eq!(cx.path, path(&["metadata"]));
    // At the start of the key.
    let (cx, token) = ctx("spec:\n  $0replicas: 1\n");
    assert_eq!(token, "replicas");
    assert_eq!(cx.slot, Slot::Key);
    // In the indentation before it: nothing.
    assert!(at("spec:\n $0 replicas: 1\n").is_none());
}

#[test]
fn present_keys_on_both_sides() {
    let (cx, _) = ctx(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n$0\nspec:\n  ports: []\nstatus: {}\n",
    );
    assert_eq!(cx.path, Vec::<Segment>::new());
    assert_eq!(
        sorted(cx.present),
        ["apiVersion", "kind", "metadata", "spec", "status"]
    );
    // Children and deeper lines are not siblings.
    let (cx, _) = ctx("spec:\n  template:\n    spec:\n      $0\n    metadata: {}\n  replicas: 2\n");
    assert_eq!(cx.path, path(&["spec", "template", "spec"]));
    assert!(cx.present.is_empty());
}

#[test]
fn flow_collections_on_the_cursor_line() {
    let (cx, token) = ctx("metadata: {name: x, la$0}\n");
    assert_eq!(cx.path, path(&["metadata"]));
    assert_eq!((cx.slot, token.as_str(), cx.flow), (Slot::Key, "la", true));
    assert_eq!(cx.present, ["name"]);
    let (cx, token) = ctx("metadata: {labels: {app: w$0}, name: x}\n");
    assert_eq!(cx.path, path(&["metadata", "labels", "app"]));
    assert_eq!((cx.slot, token.as_str()), (Slot::Value, "w"));
    let (cx, _) = ctx("spec:\n  containers: [{name: x, $0, image: y}]\n");
    assert_eq!(cx.path, path(&["spec", "containers", "[]"]));
    assert_eq!(sorted(cx.present), ["image", "name"]);
    let (cx, _) = ctx("drop: [NET_RAW, $0]\n");
    assert_eq!(cx.path, path(&["drop", "[]"]));
    let (cx, _) = ctx("a: {b:$0}\n");
    assert_eq!((cx.slot, cx.needs_space), (Slot::Value, true));
    // After the collection closed, or in a quoted key: no crash.
    assert!(at("metadata: {name: x} $0\n").is_none());
    let _ = at("metadata: {\"na$0me\": x}\n");
    let _ = at("a: [{b: [c, {d: $0");
    let _ = at("a: [}$0]");
    let _ = at("- {$0");
    let _ = at("{a: b, $0}");
}

#[test]
fn comments_block_scalars_and_markers_get_nothing() {
    assert!(at("# a comment $0\nkind: Pod\n").is_none());
    assert!(at("kind: Pod # a comment $0\n").is_none());
    assert!(at("spec:\n  args: |\n    foo: bar\n    ba$0\n").is_none());
    assert!(at("spec:\n  args: |\n    foo\n      deeper$0\n").is_none());
    assert!(at("spec:\n  args: >-\n    a\n\n    b$0\n").is_none());
    // A blank line inside a literal block, at column 0: the tree says where it is.
    assert!(at("data:\n  script: |\n    one\n$0\n    two\nkind: ConfigMap\n").is_none());
    assert!(at("---$0\nkind: Pod\n").is_none());
    // A `#` inside quotes or a word is not a comment.
    let (cx, _) = ctx("metadata:\n  annotations:\n    a: \"x # y\"\n    b$0\n");
    assert_eq!(cx.path, path(&["metadata", "annotations"]));
    // After a block scalar ends, its key's siblings.
    let (cx, _) = ctx("spec:\n  args: |\n    foo: bar\n  $0\n");
    assert_eq!(cx.path, path(&["spec"]));
    assert_eq!(cx.present, ["args"]);
}

#[test]
fn multi_document_files_and_odd_text() {
    let (cx, token) = ctx("kind: Pod\nspec: {}\n---\nkind: Service\nspec:\n  ty$0\n");
    assert_eq!(cx.path, path(&["spec"]));
    assert_eq!(token, "ty");
    let (cx, _) = ctx("kind: Pod\n---\n$0\n");
    assert!(cx.path.is_empty());
    assert!(
        cx.present.is_empty(),
        "the other document's keys are not siblings"
    );
    // CRLF line breaks.
    let (cx, token) = ctx("spec:\r\n  containers:\r\n  - name: x\r\n    im$0\r\n");
    assert_eq!(cx.path, path(&["spec", "containers", "[]"]));
    assert_eq!(
        (token.as_str(), cx.present.as_slice()),
        ("im", &["name".to_owned()][..])
    );
    // Non-ASCII before the cursor.
    let (cx, token) = ctx("metadata:\n  annotations:\n    note: caf\u{e9} \u{1f600} s$0\n");
    assert_eq!(cx.path, path(&["metadata", "annotations", "note"]));
    assert_eq!(token, "caf\u{e9} \u{1f600} s");
    // Tabs, anchors, tags, aliases: no crash, sensible paths.
    let _ = at("spec:\n\tcontainers:\n\t- name: x\n\t  $0\n");
    let (cx, _) = ctx("base: &b\n  x: 1\nspec: !!map\n  <<: *b\n  $0\n");
    assert_eq!(cx.path, path(&["spec"]));
    assert_eq!(cx.present, ["<<"]);
    let (cx, _) = ctx("items:\n- &one\n  kind: Pod\n  $0\n");
    assert_eq!(cx.path, path(&["items", "[]"]));
    // The empty text and the end of the text.
    let (cx, _) = ctx("$0");
    assert!(cx.path.is_empty() && cx.present.is_empty());
}

#[test]
fn badly_indented_lines_find_a_sensible_parent() {
    // Deeper than a scalar-valued key: taken as its sibling.
    let (cx, _) = ctx("spec:\n  containers:\n  - name: x\n      im$0\n");
    assert_eq!(cx.path, path(&["spec", "containers", "[]"]));
    assert_eq!(cx.present, ["name"]);
    assert_eq!(cx.column, 4);
    // Between two levels.
    let (cx, _) = ctx("spec:\n  template:\n    spec: {}\n   $0\n");
    assert_eq!(cx.path, path(&["spec", "template"]));
}

#[test]
fn headers() {
    let text =
        "apiVersion: apps/v1 # the group\nkind: \"Deployment\"\nmetadata:\n  name: x\n  kind: no\n";
    assert_eq!(
        document_header(text),
        Header {
            api_version: Some("apps/v1".into()),
            kind: Some("Deployment".into())
        }
    );
    // The tree folds `im` into the kind's value; the lines do not.
    let text = "kind: Pod\n  im\napiVersion: v1\n";
    assert_eq!(document_header(text).kind.as_deref(), Some("Pod"));
    assert_eq!(document_header("spec: {}\n"), Header::default());
    // A List item's own header.
    let marked = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  spec:\n    $0\n- kind: Service\n  apiVersion: v1\n";
    let (cx, _) = ctx(marked);
    assert_eq!(cx.path, path(&["items", "[]", "spec"]));
    let text = marked.replace("$0", "");
    let (line, col) = cx.items[0];
    let h = item_header(&text, line, col);
    assert_eq!(h.kind.as_deref(), Some("Deployment"));
    assert_eq!(h.api_version.as_deref(), Some("apps/v1"));
    let second = text.find("- kind: Service").unwrap();
    let h = item_header(&text, second, 0);
    assert_eq!(
        (h.api_version.as_deref(), h.kind.as_deref()),
        (Some("v1"), Some("Service"))
    );
    // An item whose keys start on the next line.
    let text = "items:\n-\n  kind: Pod\n";
    assert_eq!(item_header(text, 7, 0).kind.as_deref(), Some("Pod"));
}

#[test]
fn list_style() {
    assert!(compact_lists("a:\n- b\n"));
    assert!(!compact_lists("a:\n  - b\n"));
    assert!(compact_lists("a: 1\n"));
}

// ---------------------------------------------------------------------------------------------
// Against the tree

/// The path of `node` in the tree: keys and items from the root.
fn tree_path(node: Node<'_>) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut cur = node;
    while let Some(parent) = cur.parent() {
        match parent.kind() {
            NodeKind::Sequence => out.push(Segment::Item),
            NodeKind::Mapping => {
                let m = parent.as_mapping().unwrap();
                let e = m
                    .entries()
                    .find(|e| e.value == cur || e.key == cur)
                    .unwrap();
                if e.value == cur {
                    out.push(Segment::Key(e.key_str().unwrap_or("?").to_owned()));
                }
            }
            _ => {}
        }
        cur = parent;
    }
    out.reverse();
    out
}

/// Block-mapping keys (plain, one line, starting their line's content) with their mapping.
fn block_keys(doc: &Document) -> Vec<(Node<'_>, Node<'_>)> {
    let mut out = Vec::new();
    let Some(root) = doc.root() else {
        return out;
    };
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        stack.extend(n.children());
        let Some(m) = n.as_mapping() else { continue };
        if n.is_flow() {
            continue;
        }
        for e in m.entries() {
            let Some(s) = e.key.as_scalar() else { continue };
            if s.style() != ScalarStyle::Plain || s.raw().is_empty() || s.raw().contains('\n') {
                continue;
            }
            out.push((e.key, n));
        }
    }
    out
}

fn manifests() -> Vec<(PathBuf, String)> {
    picket_test_utils::yaml_files(&picket_test_utils::fixtures_dir())
        .into_iter()
        .filter(|p| !p.to_string_lossy().contains("helm-chart"))
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect()
}

/// Documents worth comparing: parsed cleanly, no tabs, no aliases or merges to confuse paths.
fn clean(doc: &Document) -> bool {
    let t = doc.text();
    doc.errors().is_empty()
        && !doc.is_partial()
        && !t.contains('\t')
        && !t.contains("<<")
        && !t.contains("? ")
}

/// Checks every block key of a document against the tree: with the cursor in the middle of
/// the key in the whole text, and at the end of the text cut after the key's first `cuts`
/// letters (as while typing it). Returns how many keys were checked.
fn check_keys(path: &Path, doc: &Document, cuts: usize) -> usize {
    let mut checked = 0;
    let t = doc.text();
    for (k, mapping) in block_keys(doc) {
        // A key that starts with `-` reads as a dash until its second letter.
        if k.text().starts_with('-') {
            continue;
        }
        let start = usize::from(k.range().start());
        let end = usize::from(k.range().end());
        let expected = tree_path(mapping);
        let entries: Vec<_> = mapping.as_mapping().unwrap().entries().collect();
        let others: Vec<String> = entries
            .iter()
            .filter(|e| e.key != k)
            .filter_map(|e| e.key_str().map(str::to_owned))
            .collect();
        let mid = start + (end - start) / 2;
        if !t.is_char_boundary(mid) {
            continue;
        }
        let why = format!("{}: key `{}` at {start}", path.display(), &t[start..end]);
        let cx = cursor_context(doc, mid).unwrap_or_else(|| panic!("{why}: no context"));
        assert_eq!(cx.slot, Slot::Key, "{why}");
        assert_eq!(cx.path, expected, "{why}");
        assert_eq!(&t[cx.token], &t[start..end], "{why}");
        assert!(cx.has_colon, "{why}");
        assert_eq!(sorted(cx.present.clone()), sorted(others), "{why}");
        for n in 1..=cuts.min(end - start) {
            if !t.is_char_boundary(start + n) {
                continue;
            }
            let cut = &t[..start + n];
            let cut_doc = picket_syntax::parse_document(cut, &Default::default());
            let cx = cursor_context(&cut_doc, cut.len())
                .unwrap_or_else(|| panic!("{why}: no context when cut after {n} letters"));
            assert_eq!(cx.slot, Slot::Key, "{why}, cut after {n}");
            assert_eq!(cx.path, expected, "{why}, cut after {n}");
            assert_eq!(&cut[cx.token], &t[start..start + n], "{why}, cut after {n}");
            let before: Vec<String> = entries
                .iter()
                .filter(|e| e.key.range().start() < k.range().start())
                .filter_map(|e| e.key_str().map(str::to_owned))
                .collect();
            assert_eq!(sorted(cx.present), sorted(before), "{why}, cut after {n}");
        }
        checked += 1;
    }
    checked
}

/// Checks every plain scalar value written on its key's line: the cursor at its end is on
/// that value, with the tree's path. Returns how many were checked.
fn check_values(path: &Path, doc: &Document) -> usize {
    let mut checked = 0;
    let t = doc.text();
    for (k, mapping) in block_keys(doc) {
        let m = mapping.as_mapping().unwrap();
        let e = m.entries().find(|e| e.key == k).unwrap();
        let Some(v) = e.value.as_scalar() else {
            continue;
        };
        let r = v.range();
        if v.style() != ScalarStyle::Plain
            || r.is_empty()
            || t[usize::from(k.range().end())..usize::from(r.end())].contains('\n')
        {
            continue;
        }
        let cx = cursor_context(doc, usize::from(r.end())).unwrap();
        let why = format!("{}: value `{}`", path.display(), v.raw());
        assert_eq!(cx.slot, Slot::Value, "{why}");
        assert_eq!(cx.path, tree_path(e.value), "{why}");
        assert_eq!(cx.token, r, "{why}");
        checked += 1;
    }
    checked
}

#[test]
fn every_key_and_value_of_the_fixtures_agrees_with_the_tree() {
    let files = manifests();
    assert!(files.len() > 100, "the repository's fixtures are there");
    let (mut keys, mut values) = (0, 0);
    for (path, text) in &files {
        for d in ParsedFile::parse(text).documents() {
            if clean(&d.doc) {
                keys += check_keys(path, &d.doc, 2);
                values += check_values(path, &d.doc);
            }
        }
    }
    assert!(keys > 2_000, "checked {keys} keys");
    assert!(values > 2_000, "checked {values} values");
}

#[test]
fn every_key_and_value_of_the_corpus_agrees_with_the_tree() {
    let Some(dir) = picket_test_utils::corpus_dir() else {
        picket_test_utils::skip_without_corpus();
        return;
    };
    let (mut keys, mut values) = (0, 0);
    for path in picket_test_utils::yaml_files(&dir) {
        // Big bundles cost more to parse (in a debug build) than they add here.
        let small = std::fs::metadata(&path).is_ok_and(|m| m.len() < 100_000);
        let Some(text) = small.then(|| std::fs::read_to_string(&path).ok()).flatten() else {
            continue;
        };
        for d in ParsedFile::parse(&text).documents() {
            // Cutting re-parses the text before each key: keep that quadratic part small.
            let cuts = usize::from(d.doc.text().len() < 3_000);
            if clean(&d.doc) && d.doc.text().len() < 30_000 {
                keys += check_keys(&path, &d.doc, cuts);
                values += check_values(&path, &d.doc);
            }
        }
    }
    assert!(keys > 10_000, "checked {keys} keys");
    assert!(values > 10_000, "checked {values} values");
}

#[test]
fn no_offset_of_the_fixtures_panics() {
    for (_, text) in manifests().iter().take(80) {
        let parsed = ParsedFile::parse(text);
        for d in parsed.documents() {
            let t = d.doc.text();
            for i in 0..=t.len() {
                let _ = cursor_context(&d.doc, i);
            }
            // And every prefix, as if typed from the start.
            for i in (0..=t.len()).step_by(7) {
                if t.is_char_boundary(i) {
                    let cut = picket_syntax::parse_document(&t[..i], &Default::default());
                    let _ = cursor_context(&cut, i);
                }
            }
        }
    }
}

#[test]
fn lines_holding_only_an_anchor_or_a_tag_do_not_panic() {
    // Found by review: `skip_props` consumed the whole line, then the first byte was read.
    let texts = [
        "apiVersion: v1\nkind: Pod\nspec:\n  &a",
        "apiVersion: v1\nkind: Pod\nspec:\n  &a \n  containers:\n  - &x\n    name: c\n",
        "apiVersion: v1\nkind: Pod\nspec:\n  - !!map \n  &aselector:\n",
        "a: &b\n  - !t\n  - &c !d\n",
    ];
    for text in texts {
        let doc = picket_syntax::parse_document(text, &Default::default());
        for i in 0..=text.len() {
            let _ = cursor_context(&doc, i);
        }
    }
    // Every line of the fixtures with an anchor, then a tag, put in front of its content.
    for (_, text) in manifests().iter().take(20) {
        for prop in ["&p ", "!t ", "&p"] {
            let mutated: String = text
                .lines()
                .map(|l| {
                    let indent = l.len() - l.trim_start().len();
                    format!("{}{prop}{}\n", &l[..indent], &l[indent..])
                })
                .collect();
            let doc = picket_syntax::parse_document(&mutated, &Default::default());
            for i in 0..=mutated.len() {
                let _ = cursor_context(&doc, i);
            }
        }
    }
    let doc = picket_syntax::parse_document("spec:\n  &a", &Default::default());
    assert!(cursor_context(&doc, 10).is_none());
}
