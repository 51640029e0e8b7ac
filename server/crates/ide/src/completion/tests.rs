//! Completion on half-typed manifests: keys checked against the schema table, inserted text,
//! values, apiVersion/kind, workspace names and labels, and the resource snippets linted.

use std::sync::Arc;

use picket_schema::builtin;
use picket_schema::table::{Shape, TypeDef};

use super::*;
use crate::{AnalysisHost, DiagnosticsConfig, FileKind, ParsedFile};

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            required: [size]\n            properties:\n              size: {type: integer, description: How big.}\n              color: {type: string, enum: [red, blue]}\n              parts:\n                type: array\n                items:\n                  type: object\n                  required: [id]\n                  properties:\n                    id: {type: string}\n                    weight: {type: number}\n";

/// A host with `others` as workspace files (ids 2, 3, …) and the marked text as file 1.
fn host(marked: &str, others: &[&str]) -> (AnalysisHost, TextSize, String) {
    let offset = marked.find("$0").expect("a $0 cursor");
    let text = marked.replace("$0", "");
    let mut host = AnalysisHost::new();
    for (i, t) in others.iter().enumerate() {
        host.set_file(
            FileId(i as u32 + 2),
            &format!("other{i}.yaml"),
            FileKind::Yaml,
            ParsedFile::parse(t),
        );
    }
    host.set_file(
        FileId(1),
        "this.yaml",
        FileKind::Yaml,
        ParsedFile::parse(&text),
    );
    (host, TextSize::new(offset as u32), text)
}

fn complete(marked: &str, others: &[&str]) -> Vec<CompletionItem> {
    let (host, offset, text) = host(marked, others);
    let items = host.analysis().completions(FileId(1), offset);
    for i in &items {
        assert!(
            i.range.start() <= offset && offset <= i.range.end(),
            "{} replaces {:?}, away from the cursor {offset:?}",
            i.label,
            i.range
        );
        assert!(!text[i.range].contains('\n'), "{} spans lines", i.label);
    }
    items
}

fn labels(items: &[CompletionItem]) -> Vec<&str> {
    let mut sorted: Vec<&CompletionItem> = items.iter().collect();
    sorted.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    sorted.iter().map(|i| i.label.as_str()).collect()
}

fn find<'a>(items: &'a [CompletionItem], label: &str) -> &'a CompletionItem {
    items
        .iter()
        .find(|i| i.label == label)
        .unwrap_or_else(|| panic!("no `{label}` in {:?}", labels(items)))
}

// ---------------------------------------------------------------------------------------------
// The schema table, read directly (independently of the walker under test).

fn type_of(shape: &Shape) -> Option<&'static TypeDef> {
    match shape {
        Shape::Ref { to } => Some(builtin().type_def(*to)),
        _ => None,
    }
}

/// The property names of the object at `path` (keys and `[]`) below a kind's root type.
fn table_props(api: &str, kind: &str, path: &[&str]) -> Vec<String> {
    let b = builtin();
    let mut shape: &Shape = &b.type_def(b.kind(api, kind).unwrap().ty).shape;
    for seg in path {
        while let Some(t) = type_of(shape) {
            shape = &t.shape;
        }
        shape = match (shape, *seg) {
            (Shape::Array { items, .. }, "[]") => items,
            (Shape::Object(o), k) => &o.prop(k).unwrap_or_else(|| panic!("{kind}: no {k}")).shape,
            _ => panic!("{kind}: cannot step into {seg}"),
        };
    }
    while let Some(t) = type_of(shape) {
        shape = &t.shape;
    }
    match shape {
        Shape::Object(o) => o.props.iter().map(|p| p.name.clone()).collect(),
        _ => panic!("{kind} {path:?} is not an object"),
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Builds a document with the cursor in the mapping at `path`, holding `present` keys, and
/// checks the keys offered are the schema's minus those (and the header at the root).
#[track_caller]
fn check_keys_at(api: &str, kind: &str, path: &[&str], present: &[&str]) {
    let text = picket_test_utils::document_with_cursor(api, kind, path, present);
    let items = complete(&text, &[]);
    let mut expected = table_props(api, kind, path);
    // The header written above is present at the root.
    let header: &[&str] = if path.is_empty() {
        &["apiVersion", "kind"]
    } else {
        &[]
    };
    expected.retain(|p| !present.contains(&p.as_str()) && !header.contains(&p.as_str()));
    let got: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    assert_eq!(sorted(got), sorted(expected), "{kind} {path:?} in\n{text}");
}

#[test]
fn keys_offered_are_exactly_the_schemas_minus_present_ones() {
    check_keys_at("v1", "Pod", &[], &["metadata"]);
    check_keys_at("v1", "Pod", &["spec"], &["containers"]);
    check_keys_at(
        "v1",
        "Pod",
        &["spec", "containers", "[]"],
        &["name", "image"],
    );
    check_keys_at(
        "v1",
        "Pod",
        &["spec", "containers", "[]", "securityContext"],
        &[],
    );
    check_keys_at("v1", "Pod", &["metadata"], &["name", "labels"]);
    check_keys_at("apps/v1", "Deployment", &["spec"], &["replicas"]);
    check_keys_at("apps/v1", "Deployment", &["spec", "template", "spec"], &[]);
    check_keys_at(
        "apps/v1",
        "Deployment",
        &["spec", "strategy", "rollingUpdate"],
        &["maxSurge"],
    );
    check_keys_at(
        "apps/v1",
        "Deployment",
        &["spec", "template", "spec", "containers", "[]", "resources"],
        &["limits"],
    );
    check_keys_at("batch/v1", "CronJob", &["spec"], &["schedule"]);
    check_keys_at("batch/v1", "CronJob", &["spec", "jobTemplate", "spec"], &[]);
    check_keys_at(
        "batch/v1",
        "CronJob",
        &[
            "spec",
            "jobTemplate",
            "spec",
            "template",
            "spec",
            "containers",
            "[]",
        ],
        &["name"],
    );
    check_keys_at("v1", "Service", &["spec"], &["selector", "type"]);
    check_keys_at("v1", "Service", &["spec", "ports", "[]"], &["port"]);
    check_keys_at("networking.k8s.io/v1", "Ingress", &["spec"], &[]);
    check_keys_at(
        "networking.k8s.io/v1",
        "Ingress",
        &["spec", "rules", "[]", "http", "paths", "[]"],
        &["path"],
    );
    check_keys_at(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        &["spec"],
        &["podSelector"],
    );
    check_keys_at(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        &["spec", "ingress", "[]", "from", "[]"],
        &[],
    );
}

#[test]
fn custom_resource_keys_come_from_the_crd() {
    let items = complete(
        "apiVersion: example.com/v1\nkind: Widget\nspec:\n  color: red\n  $0\n",
        &[CRD],
    );
    assert_eq!(labels(&items), ["size", "parts"], "required first");
    assert_eq!(
        find(&items, "size").documentation.as_deref(),
        Some("How big.")
    );
    let items = complete(
        "apiVersion: example.com/v1\nkind: Widget\nspec: {}\n$0\n",
        &[CRD],
    );
    assert_eq!(
        sorted(labels(&items).iter().map(|s| s.to_string()).collect()),
        ["metadata"]
    );
    let items = complete(
        "apiVersion: example.com/v1\nkind: Widget\nspec:\n  parts:\n  - $0\n",
        &[CRD],
    );
    assert_eq!(labels(&items), ["id", "weight"]);
    let items = complete(
        "apiVersion: example.com/v1\nkind: Widget\nspec:\n  color: $0\n",
        &[CRD],
    );
    assert_eq!(labels(&items), ["red", "blue"]);
    // Without the CRD: nothing known, nothing offered.
    assert!(
        complete(
            "apiVersion: example.com/v1\nkind: Widget\nspec:\n  $0\n",
            &[]
        )
        .is_empty()
    );
}

#[test]
fn half_typed_keys_and_what_they_insert() {
    let items = complete(
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web\n    im$0",
        &[],
    );
    let image = find(&items, "image");
    assert_eq!(
        (image.insert_text.as_str(), image.is_snippet),
        ("image: ", false)
    );
    assert!(!labels(&items).contains(&"name"));
    let policy = find(&items, "imagePullPolicy");
    assert_eq!(
        policy.insert_text,
        "imagePullPolicy: ${1|Always,IfNotPresent,Never|}"
    );
    assert_eq!(policy.plain_text(), "imagePullPolicy: ");
    let sc = find(&items, "securityContext");
    assert_eq!(sc.insert_text, "securityContext:\n      $0");
    assert_eq!(sc.detail.as_deref(), Some("object (SecurityContext)"));
    let ports = find(&items, "ports");
    assert_eq!(ports.insert_text, "ports:\n    - containerPort: ${1}");
    let tty = find(&items, "tty");
    assert_eq!(tty.insert_text, "tty: ${1|true,false|}");
    let args = find(&items, "args");
    assert_eq!(args.insert_text, "args:\n    - $0");
    // The replaced range is the half-typed key.
    let (_, offset, _) = host("x\n$0", &[]);
    let _ = offset;
    assert_eq!(usize::from(image.range.len()), 2);

    // A list of containers: `name` and `image` to fill, compact like the document.
    let items = complete("apiVersion: v1\nkind: Pod\nspec:\n  $0\n", &[]);
    let containers = find(&items, "containers");
    assert_eq!(
        containers.insert_text,
        "containers:\n  - name: ${1}\n    image: ${2}"
    );
    assert_eq!(
        containers.detail.as_deref(),
        Some("list of Container · required")
    );
    assert_eq!(labels(&items)[0], "containers", "required first");
    // In a document whose lists are indented, indented.
    let items = complete(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  finalizers:\n    - a\nspec:\n  $0\n",
        &[],
    );
    assert_eq!(
        find(&items, "containers").insert_text,
        "containers:\n    - name: ${1}\n      image: ${2}"
    );
    // Four-space indentation is kept.
    let items = complete("apiVersion: v1\nkind: Pod\nspec:\n    $0\n", &[]);
    assert_eq!(
        find(&items, "securityContext").insert_text,
        "securityContext:\n        $0"
    );
    // On an existing key, only the key is replaced.
    let items = complete(
        "apiVersion: v1\nkind: Pod\nspec:\n  host$0Network: true\n",
        &[],
    );
    assert_eq!(find(&items, "hostPID").insert_text, "hostPID");
    // Right after a dash: a space first.
    let items = complete(
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  -$0\n",
        &[],
    );
    assert_eq!(find(&items, "name").insert_text, " name: ");
    // In a flow mapping: one line.
    let items = complete("apiVersion: v1\nkind: Pod\nmetadata: {name: x, $0}\n", &[]);
    assert_eq!(find(&items, "labels").insert_text, "labels: ");
    assert!(!labels(&items).contains(&"name"));
}

#[test]
fn values_from_the_schema() {
    let items = complete(
        "apiVersion: v1\nkind: Pod\nspec:\n  restartPolicy: $0\n",
        &[],
    );
    assert_eq!(labels(&items), ["Always", "OnFailure", "Never"]);
    let items = complete("apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork:$0\n", &[]);
    assert_eq!(labels(&items), ["true", "false"]);
    assert_eq!(find(&items, "false").insert_text, " false");
    let items = complete("apiVersion: v1\nkind: Service\nspec:\n  type: No$0\n", &[]);
    assert!(labels(&items).contains(&"NodePort"));
    assert_eq!(usize::from(find(&items, "NodePort").range.len()), 2);
    // Strings with no enum: nothing.
    assert!(complete("apiVersion: v1\nkind: Pod\nmetadata:\n  name: $0\n", &[]).is_empty());
    // A scalar list item.
    let items = complete(
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: x\n    ports:\n    - containerPort: 80\n      protocol: $0\n",
        &[],
    );
    assert_eq!(labels(&items), ["TCP", "UDP", "SCTP"]);
}

#[test]
fn api_versions_and_kinds_fit_each_other() {
    let items = complete("apiVersion: apps/v1\nkind: $0\n", &[]);
    let got = labels(&items);
    assert!(
        got.contains(&"Deployment") && got.contains(&"StatefulSet"),
        "{got:?}"
    );
    assert!(!got.contains(&"Pod"), "{got:?}");
    let items = complete("kind: CronJob\napiVersion: $0\n", &[]);
    assert_eq!(labels(&items), ["batch/v1"]);
    let items = complete("kind: Widget\napiVersion: $0\n", &[CRD]);
    assert_eq!(labels(&items), ["example.com/v1"]);
    let items = complete("apiVersion: example.com/v1\nkind: W$0\n", &[CRD]);
    assert_eq!(labels(&items), ["Widget"]);
    // Nothing written: everything, stable versions first.
    let items = complete("apiVersion: $0\n", &[]);
    assert_eq!(labels(&items)[0], "admissionregistration.k8s.io/v1");
    assert!(labels(&items).len() > 20);
}

#[test]
fn empty_documents_get_pairs_and_resources() {
    let items = complete("# a new file\n$0\n", &[CRD]);
    let deployment = find(&items, "Deployment");
    assert_eq!(deployment.kind, CompletionKind::Kind);
    assert_eq!(
        deployment.insert_text,
        "apiVersion: apps/v1\nkind: Deployment\n$0"
    );
    assert_eq!(
        find(&items, "Widget").detail.as_deref(),
        Some("example.com/v1 · CRD widgets.example.com")
    );
    let snippet = find(&items, "Deployment manifest");
    assert!(snippet.is_snippet && snippet.insert_text.contains("runAsNonRoot: true"));
    assert_eq!(find(&items, "apiVersion").insert_text, "apiVersion: ");
    // A document that has content: no whole resources, still pairs.
    let items = complete("metadata:\n  name: x\n$0\n", &[]);
    assert!(!labels(&items).contains(&"Deployment manifest"));
    assert!(labels(&items).contains(&"Deployment"));
    // Half of the pair written: only the other key.
    let items = complete("apiVersion: v1\n$0\n", &[]);
    assert_eq!(labels(&items), ["kind"]);
    // Some other YAML: nothing.
    assert!(complete("on: push\njobs: {}\n$0\n", &[]).is_empty());
    // The second document of a file is empty too.
    let items = complete("kind: Pod\n---\n$0", &[]);
    assert!(labels(&items).contains(&"Service manifest"));
}

#[test]
fn list_items_complete_as_their_own_kind() {
    let items = complete(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  spec:\n    $0\n",
        &[],
    );
    assert!(labels(&items).contains(&"selector"));
    let items = complete(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: $0\n",
        &[],
    );
    assert!(labels(&items).contains(&"Deployment"));
    assert!(!labels(&items).contains(&"Pod"));
    let items = complete("apiVersion: v1\nkind: ConfigMapList\nitems:\n- $0\n", &[]);
    assert!(labels(&items).contains(&"data"));
    let items = complete("apiVersion: v1\nkind: List\n$0\n", &[]);
    assert_eq!(labels(&items), ["items", "metadata"]);
}

const WORKSPACE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  labels: {app.kubernetes.io/name: web, tier: frontend}\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web, track: stable}\n    spec:\n      containers: [{name: web, image: nginx}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: shop}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: audit-config, namespace: ops}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: web-tls, namespace: shop}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: shop}\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: critical}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: n1, labels: {disk: ssd}}\n";

#[test]
fn names_known_in_the_workspace() {
    let pod = |field: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\nspec:\n{field}"
        )
    };
    let items = complete(
        &pod("  containers:\n  - name: x\n    envFrom:\n    - configMapRef:\n        name: $0\n"),
        &[WORKSPACE],
    );
    assert_eq!(
        labels(&items),
        ["web-config", "audit-config"],
        "same namespace first"
    );
    assert_eq!(
        find(&items, "audit-config").detail.as_deref(),
        Some("ConfigMap in namespace ops")
    );
    let items = complete(
        &pod(
            "  containers:\n  - name: x\n    env:\n    - name: A\n      valueFrom:\n        secretKeyRef:\n          name: w$0\n",
        ),
        &[WORKSPACE],
    );
    assert_eq!(labels(&items), ["web-tls"]);
    let items = complete(
        &pod("  volumes:\n  - name: v\n    configMap:\n      name: $0\n"),
        &[WORKSPACE],
    );
    assert_eq!(labels(&items), ["web-config", "audit-config"]);
    let items = complete(
        &pod("  volumes:\n  - name: v\n    secret:\n      secretName: $0\n"),
        &[WORKSPACE],
    );
    assert_eq!(labels(&items), ["web-tls"]);
    let items = complete(&pod("  imagePullSecrets:\n  - name: $0\n"), &[WORKSPACE]);
    assert_eq!(labels(&items), ["web-tls"]);
    let items = complete(&pod("  serviceAccountName: $0\n"), &[WORKSPACE]);
    assert_eq!(labels(&items), ["web"]);
    let items = complete(
        &pod("  volumes:\n  - name: v\n    persistentVolumeClaim:\n      claimName: $0\n"),
        &[WORKSPACE],
    );
    assert_eq!(labels(&items), ["data"]);
    let items = complete(&pod("  priorityClassName: $0\n"), &[WORKSPACE]);
    assert_eq!(labels(&items), ["critical"]);
    // A `name` elsewhere is not a reference.
    let items = complete(&pod("  containers:\n  - name: $0\n"), &[WORKSPACE]);
    assert!(items.is_empty());
}

#[test]
fn a_list_item_ranks_names_by_its_own_namespace() {
    // Found by review: the List's own namespace was used.
    let list = "apiVersion: v1\nkind: List\nmetadata: {namespace: shop}\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, namespace: ops}\n  spec:\n    volumes:\n    - name: v\n      configMap:\n        name: $0\n";
    assert_eq!(
        labels(&complete(list, &[WORKSPACE])),
        ["audit-config", "web-config"]
    );
}

#[test]
fn labels_known_in_the_workspace() {
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  selector:\n    $0\n";
    let items = complete(svc, &[WORKSPACE]);
    assert_eq!(
        labels(&items),
        ["app", "track"],
        "pod labels for a selector"
    );
    assert_eq!(find(&items, "app").insert_text, "app: ");
    let items = complete(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  selector:\n    app: $0\n",
        &[WORKSPACE],
    );
    assert_eq!(labels(&items), ["web"]);
    let items = complete(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n    matchLabels:\n      app: web\n      $0\n",
        &[WORKSPACE],
    );
    assert_eq!(labels(&items), ["track"]);
    let items = complete(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    $0\n",
        &[WORKSPACE],
    );
    let got = labels(&items);
    assert!(
        got.contains(&"tier") && got.contains(&"app") && got.contains(&"app.kubernetes.io/part-of"),
        "{got:?}"
    );
    let items = complete(
        "apiVersion: v1\nkind: Pod\nspec:\n  nodeSelector:\n    $0\n",
        &[WORKSPACE],
    );
    let got = labels(&items);
    assert!(
        got.contains(&"disk") && got.contains(&"kubernetes.io/arch"),
        "{got:?}"
    );
    assert!(!got.contains(&"app"), "{got:?}");
    let items = complete(
        "apiVersion: v1\nkind: Pod\nspec:\n  nodeSelector:\n    kubernetes.io/os: $0\n",
        &[],
    );
    assert_eq!(labels(&items), ["linux", "windows"]);
    // Annotations are not labels.
    assert!(
        complete(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    $0\n",
            &[WORKSPACE]
        )
        .is_empty()
    );
}

#[test]
fn nothing_in_comments_block_scalars_or_templates() {
    assert!(complete("apiVersion: v1\nkind: Pod\nspec:\n  # hostN$0\n", &[]).is_empty());
    assert!(
        complete(
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  run.sh: |\n    echo\n    $0\n",
            &[]
        )
        .is_empty()
    );
    assert!(
        complete(
            "apiVersion: v1\nkind: Pod\nspec: {{ .Values.spec }}\n$0",
            &[]
        )
        .is_empty()
    );
}

#[test]
fn the_line_after_a_block_scalar_completes() {
    // Found by review: a block scalar's range runs over the blank lines after it.
    let script = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    args:\n    - |\n      echo hi\n";
    for (after, expect) in [
        ("    im$0\n", "image"),
        ("    $0\n", "image"),
        ("  $0\n", "volumes"),
    ] {
        let items = complete(&format!("{script}{after}"), &[]);
        assert!(
            labels(&items).contains(&expect),
            "{after:?}: {:?}",
            labels(&items)
        );
    }
    // Still nothing inside the scalar, deeper than its content starts.
    assert!(complete(&format!("{script}      $0\n"), &[]).is_empty());
    let data = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  script: |\n    echo\n\n$0\n";
    assert!(labels(&complete(data, &[])).contains(&"binaryData"));
}

#[test]
fn multi_document_files_use_the_cursors_document() {
    let marked = "apiVersion: v1\nkind: Service\nspec:\n  type: ClusterIP\n---\napiVersion: v1\nkind: Pod\nspec:\n  $0\n---\napiVersion: v1\nkind: ConfigMap\n";
    let items = complete(marked, &[]);
    assert!(labels(&items).contains(&"containers"));
    let (_, offset, _) = host(marked, &[]);
    let item = find(&items, "containers");
    assert_eq!(item.range, TextRange::empty(offset), "file coordinates");
}

#[test]
fn snippet_syntax_to_plain_text() {
    assert_eq!(
        snippet_to_plain("a: ${1:web}\nb: ${2}\n$0"),
        "a: web\nb: \n"
    );
    assert_eq!(
        snippet_to_plain("x: ${1|A,B|} \\$HOME ${1:${2:deep}}"),
        "x:  $HOME deep"
    );
    assert_eq!(snippet_to_plain("${1:a\\}b}"), "a}b");
    assert_eq!(snippet_to_plain("unterminated ${1:x"), "unterminated x");
    assert_eq!(yaml_scalar("web"), "web");
    assert_eq!(yaml_scalar("true"), "\"true\"");
    assert_eq!(yaml_scalar("1.0"), "\"1.0\"");
    assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
    assert_eq!(yaml_scalar(""), "\"\"");
    assert_eq!(yaml_scalar("*x"), "\"*x\"");
}

/// The findings of Picket's default rules and the schema on a file made of `docs`.
fn findings(docs: &[&str]) -> Vec<(&'static str, String)> {
    let text = docs.join("---\n");
    let mut host = AnalysisHost::new();
    host.set_file(
        FileId(1),
        "bundle.yaml",
        FileKind::Yaml,
        ParsedFile::parse(&text),
    );
    let config = DiagnosticsConfig {
        schema: true,
        rules: Some(Arc::new(picket_lint::Config::default())),
        fixes: false,
    };
    host.analysis()
        .diagnostics(FileId(1), &config)
        .unwrap()
        .into_iter()
        .map(|d| (d.code, d.message))
        .collect()
}

fn snippet(kind: &str) -> String {
    let s = RESOURCE_SNIPPETS.iter().find(|s| s.kind == kind).unwrap();
    let mut body = snippet_to_plain(s.body);
    body.push('\n');
    body
}

#[test]
fn resource_snippets_raise_no_finding_once_filled() {
    // The check sees what the rules report.
    let privileged = snippet("Pod").replace("allowPrivilegeEscalation: false", "privileged: true");
    let codes: Vec<&str> = findings(&[&privileged]).iter().map(|(c, _)| *c).collect();
    assert!(codes.contains(&"privileged-container"), "{codes:?}");
    // Every snippet is valid for its kind.
    for s in RESOURCE_SNIPPETS {
        let body = snippet(s.kind);
        assert!(body.starts_with(&format!(
            "apiVersion: {}\nkind: {}\n",
            s.api_version, s.kind
        )));
        let schema_only: Vec<_> = findings(&[&body])
            .into_iter()
            .filter(|(code, _)| {
                picket_schema::CODES.iter().any(|(c, _)| c == code) || *code == "yaml-syntax"
            })
            .collect();
        assert!(schema_only.is_empty(), "{}: {schema_only:?}", s.kind);
    }
    // An application: each object alongside the ones it refers to, as the placeholders say.
    let app = [
        snippet("Deployment"),
        snippet("Service"),
        snippet("Ingress"),
        snippet("NetworkPolicy"),
        snippet("PodDisruptionBudget"),
        snippet("ConfigMap"),
        snippet("Secret"),
        snippet("ServiceAccount"),
        snippet("PersistentVolumeClaim"),
        snippet("Namespace"),
    ];
    let app: Vec<&str> = app.iter().map(String::as_str).collect();
    assert_eq!(findings(&app), []);
    // Batch workloads with a NetworkPolicy selecting their pods.
    for (kind, name) in [("CronJob", "report"), ("Job", "migrate")] {
        let policy = snippet("NetworkPolicy").replace("web", name);
        assert_eq!(findings(&[&snippet(kind), &policy]), [], "{kind}");
    }
    // A bare Pod is the one thing a Pod cannot help.
    let got = findings(&[&snippet("Pod"), &snippet("NetworkPolicy")]);
    let codes: Vec<&str> = got.iter().map(|(c, _)| *c).collect();
    assert_eq!(codes, ["naked-pod"], "{got:?}");
}

#[test]
fn any_offset_of_real_manifests_is_safe() {
    let files = picket_test_utils::yaml_files(&picket_test_utils::fixtures_dir());
    assert!(!files.is_empty());
    let mut host = AnalysisHost::new();
    let mut texts = Vec::new();
    for (i, path) in files.iter().enumerate().step_by(9) {
        let text = std::fs::read_to_string(path).unwrap();
        host.set_file(
            FileId(i as u32),
            &path.display().to_string(),
            FileKind::Yaml,
            ParsedFile::parse(&text),
        );
        texts.push((FileId(i as u32), text));
    }
    let analysis = host.analysis();
    for (id, text) in &texts {
        for offset in (0..=text.len())
            .step_by(5)
            .filter(|&o| text.is_char_boundary(o))
        {
            let at = TextSize::new(offset as u32);
            for item in analysis.completions(*id, at) {
                assert!(item.range.start() <= at && at <= item.range.end());
            }
            if let Some(h) = analysis.hover(*id, at) {
                assert!(h.range.start() <= at && at <= h.range.end());
                assert!(!h.markdown.is_empty());
            }
        }
    }
}
