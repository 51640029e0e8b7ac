//! Validation tests: each fixture carries its expected findings as annotations.

use std::sync::Arc;

use picket_model::{DocumentClass, classify};
use picket_syntax::ParsedFile;
use picket_test_utils::assert_annotations;

use crate::{CrdRegistry, read_crd, validate_document};

#[track_caller]
fn check(text: &str) {
    let file = ParsedFile::parse(text);
    let mut crds = CrdRegistry::new();
    for d in file.documents() {
        if let DocumentClass::Object(o) = classify(&d.doc)
            && let Some(def) = read_crd(o, "test.yaml")
        {
            crds.insert(Arc::new(def));
        }
    }
    let mut found = Vec::new();
    for d in file.documents() {
        for f in validate_document(&d.doc, &crds) {
            let r = d.to_file(f.range);
            found.push((
                usize::from(r.start()),
                usize::from(r.end()),
                "error".to_owned(),
                f.code.to_owned(),
                f.message,
            ));
        }
    }
    assert_annotations(text, &found);
}

#[test]
fn misspelt_field_with_suggestion() {
    check(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
#^^^ error[missing-required-field]: Missing required field `containers` in PodSpec
  contaienrs:
# ^^^^^^^^^^ error[unknown-field]: Unknown field `contaienrs` in PodSpec; did you mean `containers`?
  - name: web
    image: nginx
"#,
    );
}

#[test]
fn pod_without_containers_is_missing_a_required_field() {
    check(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
#^^^ error[missing-required-field]: Missing required field `containers` in PodSpec
  hostNetwork: true
"#,
    );
}

#[test]
fn replicas_as_a_string() {
    check(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: "three"
#           ^^^^^^^ error[wrong-type]: `replicas` must be an integer, but `"three"` is a quoted string
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
"#,
    );
}

#[test]
fn quoted_number_gets_a_hint() {
    check(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: "3"
#           ^^^ error[wrong-type]: `replicas` must be an integer, but `"3"` is a quoted string; remove the quotes
  selector:
    matchLabels: {app: web}
  template:
    spec:
      containers: [{name: web, image: nginx}]
"#,
    );
}

#[test]
fn deployment_missing_selector() {
    check(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
#^^^ error[missing-required-field]: Missing required field `selector` in DeploymentSpec
  replicas: 2
  template:
    spec:
      containers: [{name: web, image: nginx}]
"#,
    );
}

#[test]
fn bad_image_pull_policy() {
    check(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx
    imagePullPolicy: always
#                    ^^^^^^ error[bad-enum-value]: `imagePullPolicy` must be one of `Always`, `IfNotPresent`, `Never`, not `always`; did you mean `Always`?
"#,
    );
}

#[test]
fn bad_memory_quantity() {
    check(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx
    resources:
      limits:
        memory: 1GB-ish
#               ^^^^^^^ error[invalid-quantity]: Invalid quantity `1GB-ish` for `memory`: `GB-ish` is not a quantity suffix…
        cpu: 500m
      requests:
        memory: 1GB
#               ^^^ error[invalid-quantity]: Invalid quantity `1GB` for `memory`: `GB` is not a quantity suffix (use `G` or `Gi`)…
        cpu: 0.5
"#,
    );
}

#[test]
fn unknown_kind_and_api_version() {
    check(
        r#"
apiVersion: apps/v1
kind: Deploymnet
#     ^^^^^^^^^^ error[unknown-kind]: Unknown kind `Deploymnet` in `apps/v1`; did you mean `Deployment`?
metadata:
  name: web
---
apiVersion: extensions/v1beta1
#           ^^^^^^^^^^^^^^^^^^ error[unknown-api-version]: `extensions/v1beta1` does not serve `Deployment`; use `apps/v1`
kind: Deployment
metadata:
  name: web
---
apiVersion: app/v1
#           ^^^^^^ error[unknown-api-version]: `app/v1` does not serve `Deployment`; use `apps/v1`
kind: Deployment
metadata:
  name: web
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: no-crd-in-sight-so-nothing-to-say
spec:
  anything: goes
"#,
    );
}

#[test]
fn custom_resource_against_its_crd() {
    check(
        r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1}
              color: {type: string, enum: [red, green]}
              labels:
                type: object
                additionalProperties: {type: string}
              free:
                type: object
                x-kubernetes-preserve-unknown-fields: true
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w1
spec:
  size: big
#       ^^^ error[wrong-type]: `size` must be an integer, but `big` is a string
  color: blue
#        ^^^^ error[bad-enum-value]: `color` must be one of `red`, `green`, not `blue`
  colour: red
# ^^^^^^ error[unknown-field]: Unknown field `colour` in Widget; did you mean `color`?
  labels: {a: b}
  free: {whatever: [1, 2]}
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w2
spec:
  size: 0
#       ^ error[invalid-value]: `size` must be at least 1
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w3
spec:
  size: 3
---
apiVersion: example.com/v2
#           ^^^^^^^^^^^^^^ error[unknown-api-version]: `example.com/v2` is not a served version of `Widget` (CRD `widgets.example.com` serves `example.com/v1`)
kind: Widget
metadata:
  name: w4
"#,
    );
}

#[test]
fn yaml_1_1_booleans_are_not_strings() {
    check(
        r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: flags
data:
  enabled: yes
#          ^^^ error[wrong-type]: `enabled` must be a string, but `yes` is a boolean in Kubernetes YAML; quote it: `"yes"`
  port: 8080
#       ^^^^ error[wrong-type]: `port` must be a string, but `8080` is an integer; quote it: `"8080"`
  ok: "yes"
"#,
    );
}

#[test]
fn names_labels_and_lists() {
    check(
        r#"
apiVersion: v1
kind: Service
metadata:
  name: 9web
#       ^^^^ error[invalid-name]: Invalid name `9web` for `name`: must start with a lowercase letter
  labels:
    "bad key": x
#   ^^^^^^^^^ error[invalid-label]: Invalid key `bad key` in `labels`: the name part must consist of letters, digits, `-`, `_` and `.`
    app: "has space"
#        ^^^^^^^^^^^ error[invalid-label]: Invalid label value `has space` for `app`: must consist of letters, digits, `-`, `_` and `.`
spec:
  ports:
    port: 80
#   ^^^^^^^^ error[wrong-type]: `ports` must be a list, but it is an object; start each item with `- `
"#,
    );
}

#[test]
fn merge_keys_and_aliases_validate_like_written_values() {
    check(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - &base
    name: web
    image: nginx
    imagePullPolicy: Sometimes
#                    ^^^^^^^^^ error[bad-enum-value]: `imagePullPolicy` must be one of `Always`, `IfNotPresent`, `Never`, not `Sometimes`
  - <<: *base
    name: sidecar
  - *base
"#,
    );
}

#[test]
fn secret_data_must_be_base64_and_objects_need_names() {
    check(
        r#"
apiVersion: v1
kind: Secret
metadata:
#^^^^^^^ error[missing-required-field]: Missing required field `name` in `metadata`
  labels: {a: b}
data:
  password: hunter2!
#           ^^^^^^^^ error[invalid-value]: Invalid value `hunter2!` for `password`: is not base64…
stringData:
  plain: hunter2!
"#,
    );
}

#[test]
fn typed_lists_and_moved_kinds() {
    check(
        r#"
apiVersion: v1
kind: ConfigMapList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
  data: {k: v}
- metadata: {name: b}
  dta: {}
# ^^^ error[unknown-field]: Unknown field `dta` in ConfigMap; did you mean `data`?
---
apiVersion: v1
#           ^^ error[unknown-api-version]: `v1` does not serve `PodDisruptionBudget`; use `policy/v1`
kind: PodDisruptionBudget
metadata: {name: pdb}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  serviceAccountName: ""
  containers: [{name: c, image: x}]
"#,
    );
}

#[test]
fn list_items_are_validated() {
    check(
        r#"
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
  dat: {}
# ^^^ error[unknown-field]: Unknown field `dat` in ConfigMap; did you mean `data`?
"#,
    );
}

#[test]
fn missing_api_version_or_kind() {
    check(
        r#"
kind: Pod
#^^^ error[missing-required-field]: Missing required field `apiVersion`
metadata:
  name: x
---
apiVersion: v1
#^^^^^^^^^ error[missing-required-field]: Missing required field `kind`
metadata: {name: x}
---
just: some other yaml
---
apiVersion: v2
name: a-helm-chart
version: 1.0.0
"#,
    );
}

/// A "billion laughs" inside a CRD schema: every level refers ten times to the level below.
fn alias_bomb_crd() -> String {
    let mut text = String::from(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: bombs.example.com\nspec:\n  group: example.com\n  names: {kind: Bomb, plural: bombs}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          l0: &l0 {type: object, properties: {x: {type: string}}}\n",
    );
    for level in 1..10 {
        let refs: Vec<String> = (0..10).map(|i| format!("p{i}: *l{}", level - 1)).collect();
        text.push_str(&format!(
            "          l{level}: &l{level} {{type: object, properties: {{{}}}}}\n",
            refs.join(", ")
        ));
    }
    text
}

#[test]
fn alias_bomb_is_bounded() {
    let text = alias_bomb_crd();
    let file = ParsedFile::parse(&text);
    let doc = &file.documents()[0].doc;
    assert!(doc.node_count() < 1000);
    // Validating the CRD itself walks its schema through the aliases.
    let findings = validate_document(doc, &CrdRegistry::new());
    let codes: Vec<_> = findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["excessive-aliasing"]);
    // Reading the CRD's schema is bounded too (10^9 nodes if expanded).
    let obj = picket_model::Object::from_document(doc).unwrap();
    let def = read_crd(obj, "bomb.yaml").unwrap();
    assert_eq!(def.versions.len(), 1);
}

#[test]
fn every_code_is_listed() {
    let listed: Vec<_> = crate::CODES.iter().map(|(c, _)| *c).collect();
    let source = include_str!("validate.rs");
    for code in &listed {
        assert!(
            source.matches(&format!("\"{code}\"")).count() >= 2,
            "code {code} is listed but never produced"
        );
    }
}

#[test]
fn crd_properties_keep_their_descriptions() {
    let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  versions:\n  - name: v1\n    served: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            description: What the widget should be.\n            properties:\n              size: {type: integer, description: \"How big, in cm.\"}\n              color: {type: string}\n";
    let file = ParsedFile::parse(text);
    let obj = picket_model::Object::from_document(&file.documents()[0].doc).unwrap();
    let def = read_crd(obj, "crd.yaml").unwrap();
    let Some(crate::table::Shape::Object(root)) = &def.versions[0].schema else {
        panic!("an object schema");
    };
    let spec = root.prop("spec").unwrap();
    assert_eq!(spec.description, "What the widget should be.");
    let crate::table::Shape::Object(spec_obj) = &spec.shape else {
        panic!("spec is an object");
    };
    assert_eq!(
        spec_obj.prop("size").unwrap().description,
        "How big, in cm."
    );
    assert_eq!(spec_obj.prop("color").unwrap().description, "");
    // The generated table never carries descriptions inline: they live in the docs file.
    let json = serde_json::to_string(spec_obj.prop("color").unwrap()).unwrap();
    assert!(!json.contains("description"), "{json}");
}
