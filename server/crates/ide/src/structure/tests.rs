//! Tests of the outline, folding, selection ranges and links, on inline texts.

use std::fmt::Write;

use picket_syntax::{LineIndex, TextRange, TextSize};

use super::{DocumentSymbol, FoldKind};
use crate::{Analysis, AnalysisHost, FileId, FileKind, ParsedFile};

fn analysis(text: &str) -> Analysis {
    let mut host = AnalysisHost::new();
    host.set_file(FileId(1), "t.yaml", FileKind::Yaml, ParsedFile::parse(text));
    host.analysis()
}

/// Checks what every outline must hold, then renders it one symbol a line:
/// `name [Kind] (detail) lines a-b sel "selected text"`.
fn outline(text: &str) -> String {
    let symbols = analysis(text).document_symbols(FileId(1)).unwrap();
    let index = LineIndex::new(text);
    let mut out = String::new();
    fn go(
        out: &mut String,
        text: &str,
        index: &LineIndex,
        s: &DocumentSymbol,
        parent: Option<TextRange>,
        depth: usize,
    ) {
        assert!(!s.name.is_empty(), "empty name: {s:?}");
        assert!(
            s.range.contains_range(s.selection_range),
            "selection outside the range: {s:?}"
        );
        if let Some(p) = parent {
            assert!(p.contains_range(s.range), "child outside its parent: {s:?}");
        }
        let _ = write!(
            out,
            "{:indent$}{} [{:?}]",
            "",
            s.name,
            s.kind,
            indent = depth * 2
        );
        if let Some(d) = &s.detail {
            let _ = write!(out, " ({d})");
        }
        let _ = writeln!(
            out,
            " lines {}-{} sel {:?}",
            index.line_col(s.range.start()).line + 1,
            index.line_col(s.range.end()).line + 1,
            &text[s.selection_range]
        );
        for c in &s.children {
            go(out, text, index, c, Some(s.range), depth + 1);
        }
    }
    for s in &symbols {
        go(&mut out, text, &index, s, None, 0);
    }
    out
}

#[track_caller]
fn check_outline(text: &str, expected: &str) {
    let got = outline(text);
    assert_eq!(got.trim(), expected.trim(), "\n{got}");
}

const MULTI: &str = "\
# The app, in one file.
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      initContainers:
      - name: migrate
        image: shop/migrate:2
      containers:
      - name: app
        image: shop/app:1.4
      - image: envoy:1.30
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports:
  - name: http
    port: 80
    targetPort: 8080
    protocol: TCP
  - port: 443
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  LOG_LEVEL: debug
  app.properties: |
    a=1
    b=2
binaryData:
  logo.png: aGVsbG8=
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  versions:
  - name: v1beta1
    served: true
    deprecated: true
  - name: v1
    served: true
    storage: true
---
apiVersion: batch/v1
kind: CronJob
metadata:
  generateName: nightly-
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: run
            image: busybox
";

#[test]
fn outline_of_a_multi_document_file() {
    check_outline(
        MULTI,
        r#"
Namespace shop [Namespace] lines 2-5 sel "shop"
Deployment web [Workload] (shop) lines 7-21 sel "web"
  migrate [Container] (shop/migrate:2 (init)) lines 16-17 sel "migrate"
  app [Container] (shop/app:1.4) lines 19-20 sel "app"
  (no name) [Container] (envoy:1.30) lines 21-21 sel "image: envoy:1.30"
Service web [Network] (shop) lines 23-32 sel "web"
  http [Port] (80 → 8080/TCP) lines 28-31 sel "http"
  443 [Port] (443) lines 32-32 sel "443"
ConfigMap app-config [Config] lines 34-44 sel "app-config"
  LOG_LEVEL [DataKey] (debug) lines 39-39 sel "LOG_LEVEL"
  app.properties [DataKey] (2 lines) lines 40-42 sel "app.properties"
  logo.png [DataKey] (binary) lines 44-44 sel "logo.png"
CustomResourceDefinition widgets.example.com [Definition] lines 46-57 sel "widgets.example.com"
  v1beta1 [Version] (served, deprecated) lines 52-54 sel "v1beta1"
  v1 [Version] (served, storage) lines 55-57 sel "v1"
CronJob nightly-… [Workload] lines 59-70 sel "nightly-"
  run [Container] (busybox) lines 69-70 sel "run"
"#,
    );
}

#[test]
fn half_typed_documents_keep_what_parses() {
    // A name still empty, a line without its colon in the middle, a kind not typed yet.
    check_outline(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name:
spec:
  replicas: 2
  templ
  template:
    spec:
      containers:
      - name: app
        image:
---
apiVersion: v1
kind:
metadata:
  name: half
---
kind: Ser
",
        r#"
Deployment (no name) [Workload] lines 1-12 sel "Deployment"
  app [Container] lines 11-12 sel "app"
(no kind) half [Object] lines 14-17 sel "half"
Ser (no name) [Object] lines 19-19 sel "Ser"
"#,
    );
}

#[test]
fn lists_hold_their_items() {
    check_outline(
        "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
  data: {k: v}
- apiVersion: v1
  kind: Pod
  metadata:
    name: p
  spec:
    containers: [{name: c, image: nginx}]
",
        r#"
List [List] (2 items) lines 1-13 sel "List"
  ConfigMap a [Config] lines 4-7 sel "a"
    k [DataKey] (v) lines 7-7 sel "k"
  Pod p [Workload] lines 8-13 sel "p"
    c [Container] (nginx) lines 13-13 sel "c"
"#,
    );
}

#[test]
fn secret_values_never_show() {
    let text = "\
apiVersion: v1
kind: Secret
metadata:
  name: creds
data:
  password: czNjcjN0
stringData:
  token: hunter2
  multi: |
    line-one-secret
";
    let got = outline(text);
    assert_eq!(
        got.trim(),
        r#"
Secret creds [Config] lines 1-10 sel "creds"
  password [DataKey] lines 6-6 sel "password"
  token [DataKey] lines 8-8 sel "token"
  multi [DataKey] lines 9-10 sel "multi"
"#
        .trim()
    );
    for value in ["czNjcjN0", "hunter2", "line-one-secret", "1 line"] {
        assert!(!got.contains(value), "{value} shown");
    }
}

#[test]
fn other_yaml_lists_its_top_level_keys() {
    check_outline(
        "\
# A values file.
replicaCount: 2
image:
  repository: nginx
description: a very long description that goes on well past forty characters
\"\": empty key
",
        r#"
replicaCount [Key] (2) lines 2-2 sel "replicaCount"
image [Key] lines 3-4 sel "image"
description [Key] (a very long description that goes on wel…) lines 5-5 sel "description"
"" [Key] (empty key) lines 6-6 sel "\"\""
"#,
    );
}

/// Folds rendered one a line: `kind lines a-b: first line of the fold`.
fn folds(text: &str) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for f in analysis(text).folding_ranges(FileId(1)).unwrap() {
        let (a, b) = (
            index.line_col(f.range.start()).line,
            index.line_col(f.range.end()).line,
        );
        assert!(a < b, "a fold on one line: {f:?}");
        let first = text[f.range].lines().next().unwrap_or_default();
        let kind = match f.kind {
            FoldKind::Block => "block",
            FoldKind::Comment => "comment",
            FoldKind::Region => "region",
        };
        let _ = writeln!(out, "{kind} {}-{}: {first}", a + 1, b + 1);
    }
    out
}

#[test]
fn folds_collections_scalars_comments_and_documents() {
    let text = "\
# Header comment,
# two lines.
apiVersion: v1
kind: ConfigMap
metadata:
  name: x
  labels: {a: b}
data:
  script: |
    # not a comment: script text
    # still text
    echo hi

  args: [
    one,
    two
  ]
  single: [a, b]
---
# one comment line
items:
- name: a
  value: 1
- b
-
  deep:
    - 1
    - 2
...
";
    assert_eq!(
        folds(text),
        "\
region 1-18: # Header comment,
comment 1-2: # Header comment,
block 5-7: metadata:
block 8-18: data:
block 9-12: script: |
block 14-17: args: [
region 19-29: ---
block 21-28: items:
block 22-23: - name: a
block 25-28: -
block 26-28: deep:
"
    );
}

#[test]
fn folding_handles_crlf_and_flow_collections() {
    let text = "a:\r\n  b: 1\r\n  c: {x: 1,\r\n    y: 2}\r\n# c1\r\n# c2\r\n";
    assert_eq!(
        folds(text),
        "block 1-4: a:\nblock 3-4: c: {x: 1,\ncomment 5-6: # c1\n"
    );
    // A single document folds no region; a one-line file folds nothing.
    assert_eq!(folds("a: [1, 2]\n"), "");
    assert_eq!(folds(""), "");
}

/// The chain of selections at the `$0` marker, as the selected texts.
fn selections(marked: &str) -> Vec<String> {
    let at = marked.find("$0").unwrap();
    let text = marked.replacen("$0", "", 1);
    let offset = TextSize::new(at as u32);
    let chains = analysis(&text)
        .selection_ranges(FileId(1), &[offset])
        .unwrap();
    let chain = &chains[0];
    let mut prev = TextRange::empty(offset);
    for r in chain {
        assert!(
            r.contains_range(prev) && *r != prev,
            "{r:?} does not strictly contain {prev:?}"
        );
        prev = *r;
    }
    assert_eq!(chain.last(), Some(&TextRange::up_to(TextSize::of(&*text))));
    chain.iter().map(|r| text[*r].to_owned()).collect()
}

#[test]
fn selection_grows_from_the_word_to_the_file() {
    let text = "\
kind: Deployment
spec:
  template:
    spec:
      containers:
      - name: web-server
        image: \"nginx:1.2$05\"
---
kind: Service
";
    let got = selections(text);
    let whole = text.replacen("$0", "", 1);
    let first_doc = &whole[..whole.find("---").unwrap() - 1];
    assert_eq!(
        got,
        [
            "25",
            "nginx:1.25",
            "\"nginx:1.25\"",
            "image: \"nginx:1.25\"",
            "name: web-server\n        image: \"nginx:1.25\"",
            "- name: web-server\n        image: \"nginx:1.25\"",
            "containers:\n      - name: web-server\n        image: \"nginx:1.25\"",
            "spec:\n      containers:\n      - name: web-server\n        image: \"nginx:1.25\"",
            "template:\n    spec:\n      containers:\n      - name: web-server\n        image: \"nginx:1.25\"",
            "spec:\n  template:\n    spec:\n      containers:\n      - name: web-server\n        image: \"nginx:1.25\"",
            first_doc,
            &whole,
        ]
        .map(str::to_owned)
    );
}

#[test]
fn selection_in_keys_comments_and_empty_values() {
    // On a key: the key, its entry, the mapping…
    assert_eq!(
        selections("a:\n  contai$0nerPort: 80\n  b: 2\n"),
        [
            "containerPort",
            "containerPort: 80",
            "containerPort: 80\n  b: 2",
            "a:\n  containerPort: 80\n  b: 2",
            "a:\n  containerPort: 80\n  b: 2\n",
        ]
    );
    // A key with no value yet: the key, then the entry with its colon. After the colon
    // there is no node yet (an empty value sits at its key's end): the document.
    assert_eq!(
        selections("# café\nna$0me:\n"),
        ["name", "name:", "# café\nname:", "# café\nname:\n"]
    );
    assert_eq!(
        selections("# café\nname:$0\n"),
        ["# café\nname:", "# café\nname:\n"]
    );
    // In a comment: the document.
    assert_eq!(
        selections("a: 1\n# no$0te\n---\nb: 2\n"),
        ["a: 1\n# note", "a: 1\n# note\n---\nb: 2\n"]
    );
    // Past the end of the file: the whole file, clamped.
    let chains = analysis("a: 1\n")
        .selection_ranges(FileId(1), &[TextSize::new(99)])
        .unwrap();
    assert_eq!(chains, [vec![TextRange::up_to(TextSize::new(5))]]);
}

/// The links of a text as `(text at the range, target)`.
fn links(text: &str) -> Vec<(String, String)> {
    analysis(text)
        .document_links(FileId(1))
        .unwrap()
        .into_iter()
        .map(|l| (text[l.range].to_owned(), l.target))
        .collect()
}

#[test]
fn links_in_comments_and_scalars() {
    let text = "\
# Docs: https://kubernetes.io/docs/concepts/workloads/.
# (see https://en.wikipedia.org/wiki/Foo_(bar)), and https://example.com/a;
metadata:
  annotations:
    prometheus.io/scrape: \"true\"
    docs: \"https://example.com/q?a=1&b=2\"
    single: 'http://example.org/x'
    café: https://example.com/é # trailing http://c.example/p,
    glued: xhttps://not.a.link under_http://not.either
    bare: https://
spec:
  image: ghcr.io/example/app:1.0
  script: |
    curl -fsS https://example.com/health
";
    let got = links(text);
    let expected = [
        "https://kubernetes.io/docs/concepts/workloads/",
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "https://example.com/a",
        "https://example.com/q?a=1&b=2",
        "http://example.org/x",
        "https://example.com/é",
        "http://c.example/p",
        "https://example.com/health",
    ];
    assert_eq!(
        got,
        expected
            .iter()
            .map(|u| (u.to_string(), u.to_string()))
            .collect::<Vec<_>>()
    );
    // Exact ranges: the `é` before the second link of line 8 is two bytes.
    let all = analysis(text).document_links(FileId(1)).unwrap();
    let comment_link = text.find("http://c.example").unwrap() as u32;
    assert_eq!(
        all[6].range,
        TextRange::at(comment_link.into(), TextSize::of("http://c.example/p"))
    );
}

#[test]
fn links_in_a_multi_document_file_are_in_file_coordinates() {
    let text = "a: 1\n---\nb: https://x.example/1\n---\n# https://y.example/2\n";
    let all = analysis(text).document_links(FileId(1)).unwrap();
    let starts: Vec<usize> = all.iter().map(|l| usize::from(l.range.start())).collect();
    assert_eq!(
        starts,
        [
            text.find("https://x").unwrap(),
            text.find("https://y").unwrap()
        ]
    );
}

/// Every prefix of a realistic file (so every half-typed state), and a few broken variants:
/// no panic, and the promises of each feature hold.
#[test]
fn every_prefix_keeps_the_promises() {
    let full = format!(
        "{MULTI}---\n# é 中文 https://example.com/ü\nkey: {{a: [1,\n  2]}}\nlist:\n- &x a\n- *x\n\tbad: tab\n"
    );
    let mut cases: Vec<String> = full
        .char_indices()
        .map(|(i, _)| full[..i].to_owned())
        .collect();
    cases.push(full.replace('\n', "\r\n"));
    cases.push(full.replace(": ", ":"));
    cases.push(full.replace("  ", " "));
    for text in &cases {
        check_promises(text);
    }
}

#[track_caller]
fn check_promises(text: &str) {
    let a = analysis(text);
    let len = TextSize::of(text);
    let on_boundaries = |r: TextRange| {
        r.end() <= len
            && text.is_char_boundary(r.start().into())
            && text.is_char_boundary(r.end().into())
    };
    fn walk(s: &DocumentSymbol, f: &mut dyn FnMut(&DocumentSymbol)) {
        f(s);
        for c in &s.children {
            assert!(s.range.contains_range(c.range), "{c:?} outside {s:?}");
            walk(c, f);
        }
    }
    for s in a.document_symbols(FileId(1)).unwrap() {
        walk(&s, &mut |s| {
            assert!(!s.name.is_empty());
            assert!(on_boundaries(s.range) && s.range.contains_range(s.selection_range));
        });
    }
    let folds = a.folding_ranges(FileId(1)).unwrap();
    for f in &folds {
        assert!(on_boundaries(f.range), "{f:?} in {text:?}");
        assert!(text[f.range].contains(['\n', '\r']), "{f:?} in {text:?}");
    }
    let offsets: Vec<TextSize> = text
        .char_indices()
        .map(|(i, _)| TextSize::new(i as u32))
        .chain([len])
        .step_by(7)
        .collect();
    let chains = a.selection_ranges(FileId(1), &offsets).unwrap();
    assert_eq!(chains.len(), offsets.len());
    for (offset, chain) in offsets.iter().zip(&chains) {
        let mut prev = TextRange::empty(*offset);
        for r in chain {
            assert!(on_boundaries(*r));
            assert!(
                r.contains_range(prev) && *r != prev,
                "{chain:?} at {offset:?}"
            );
            prev = *r;
        }
        assert_eq!(prev, TextRange::up_to(len));
    }
    for l in a.document_links(FileId(1)).unwrap() {
        assert!(on_boundaries(l.range));
        assert_eq!(text[l.range], l.target);
        assert!(l.target.starts_with("http://") || l.target.starts_with("https://"));
    }
}

#[test]
fn a_huge_configmap_lists_its_first_entries_in_text_order() {
    let mut text = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\nbinaryData: {b: AA==}\ndata:\n",
    );
    for i in 0..2_500 {
        let _ = writeln!(text, "  k{i}: v");
    }
    let symbols = analysis(&text).document_symbols(FileId(1)).unwrap();
    let object = &symbols[0];
    assert_eq!(object.children.len(), 2_000);
    assert_eq!(object.detail.as_deref(), Some("first 2000 of 2501 entries"));
    // `binaryData` comes first in the text, so first in the outline.
    assert_eq!(object.children[0].name, "b");
    assert!(
        object
            .children
            .windows(2)
            .all(|w| w[0].range.start() < w[1].range.start())
    );
}
