//! Applying a suggestion's field changes to a manifest's YAML text, keeping its formatting and
//! comments: each change is made one small edit at a time with `picket-lint`'s edit helpers
//! (new keys at their siblings' indentation, flow collections kept flow), re-reading the
//! document after every edit, until the document says what the change asks.

use picket_lint::edit::{self, Edit, Value as Yaml};
use picket_model::Field;
use picket_policy::{Change, PathSegment};
use picket_syntax::{
    Document, Entry, ErrorKind, Limits, Mapping, Node, NodeKind, ScalarStyle, ScalarValue,
    parse_document,
};
use serde_json::Value;

use super::workloads::{ObjectAt, object_at};

/// More edits than this for one change means something does not converge.
const MAX_EDITS_PER_CHANGE: usize = 64;

/// `changes` applied to the object at `at` of one document's text (paths from its pod
/// template). An error says why, and the text is then left as it was.
pub fn apply(doc_text: &str, at: ObjectAt, changes: &[&Change]) -> Result<String, String> {
    let mut text = doc_text.to_owned();
    for change in changes {
        let (path, op) = match change {
            Change::Set { path, value, .. } => (path, Op::Set(value)),
            Change::Append { path, items } => (path, Op::Append(items)),
            Change::CreateFile { .. } => continue,
        };
        let mut done = false;
        for _ in 0..MAX_EDITS_PER_CHANGE {
            let doc = parse_document(&text, &Limits::default());
            let root = object_at(&doc, at)
                .and_then(|o| o.pod_template_root())
                .ok_or("the workload has no pod template")?;
            match step(&doc, root, &path.0, op).map_err(|e| format!("`{path}`: {e}"))? {
                Step::Done => {
                    done = true;
                    break;
                }
                Step::Edit(e) => {
                    text = edit::apply(&text, &[e]).ok_or("overlapping edits")?;
                    let after = parse_document(&text, &Limits::default());
                    if after.errors().iter().any(|e| e.kind == ErrorKind::Syntax) {
                        return Err(format!("`{path}`: the edit would leave invalid YAML"));
                    }
                }
            }
        }
        if !done {
            return Err(format!("`{path}`: the edits do not converge"));
        }
    }
    Ok(text)
}

#[derive(Clone, Copy)]
enum Op<'v> {
    /// The field must hold this value.
    Set(&'v Value),
    /// The list must hold these items (by `name` for mappings).
    Append(&'v [Value]),
}

impl Op<'_> {
    /// The value to write where the field is absent.
    fn fresh(self) -> Yaml {
        match self {
            Op::Set(v) => yaml(v),
            Op::Append(items) => Yaml::Seq(items.iter().map(yaml).collect()),
        }
    }
}

/// The next edit towards what `op` asks, or done.
enum Step {
    Done,
    Edit(Edit),
}

type StepResult = Result<Step, String>;

fn cannot() -> String {
    "the YAML there cannot be edited safely (an alias or an unusual layout)".to_owned()
}

fn some_edit(e: Option<Edit>) -> StepResult {
    e.map(Step::Edit).ok_or_else(cannot)
}

/// Walks `path` down from `mapping` and returns the first edit still needed.
fn step(doc: &Document, mapping: Mapping<'_>, path: &[PathSegment], op: Op<'_>) -> StepResult {
    let Some((PathSegment::Key(key), rest)) = path.split_first() else {
        return Err("a path must continue with a key".to_owned());
    };
    let Some(entry) = mapping.entry(key) else {
        if mapping.get_entry(key).is_some() {
            return Err(format!("`{key}` comes from a merge key (`<<`)"));
        }
        return create(doc, mapping, key, rest, op);
    };
    let value = entry.value;
    if value.kind() == NodeKind::Alias || value.anchor().is_some() {
        return Err(format!("`{key}` is an alias or an anchor"));
    }
    match rest.split_first() {
        None => leaf(doc, mapping, entry, op),
        Some((PathSegment::Named(name), rest)) => {
            let seq = value
                .as_sequence()
                .ok_or_else(|| format!("`{key}` is not a list"))?;
            let item = seq
                .items()
                .find(|n| name_of(*n) == Some(name.as_str()))
                .ok_or_else(|| format!("no entry named `{name}` in `{key}`"))?;
            let m = item
                .as_mapping()
                .ok_or_else(|| format!("the entry `{name}` is not a mapping"))?;
            step(doc, m, rest, op)
        }
        Some((PathSegment::Key(_), _)) if value.is_null() => create(doc, mapping, key, rest, op),
        Some((PathSegment::Key(_), _)) => {
            let m = value
                .as_mapping()
                .ok_or_else(|| format!("`{key}` is not a mapping"))?;
            step(doc, m, rest, op)
        }
    }
}

/// Creates `key` and the keys of `rest` below `mapping`, holding what `op` asks.
fn create(
    doc: &Document,
    mapping: Mapping<'_>,
    key: &str,
    rest: &[PathSegment],
    op: Op<'_>,
) -> StepResult {
    let mut keys = vec![key];
    for segment in rest {
        match segment {
            PathSegment::Key(k) => keys.push(k),
            PathSegment::Named(name) => {
                return Err(format!("no `{key}` holding an entry named `{name}`"));
            }
        }
    }
    some_edit(edit::ensure_path(doc, mapping, &keys, op.fresh()))
}

/// The next edit for the field `entry` of `parent`, which `op` is about.
fn leaf(doc: &Document, parent: Mapping<'_>, entry: Entry<'_>, op: Op<'_>) -> StepResult {
    let value = entry.value;
    let key = entry.key_str().unwrap_or_default();
    if value.is_null() {
        return some_edit(edit::ensure_path(doc, parent, &[key], op.fresh()));
    }
    match op {
        Op::Set(target) => set(doc, entry, target),
        Op::Append(items) => {
            if value.as_sequence().is_none() {
                return Err(format!("`{key}` is not a list"));
            }
            let field = Field::new(entry);
            let missing = items.iter().find(|item| !holds(value, item));
            match missing {
                None => Ok(Step::Done),
                Some(item) => some_edit(edit::append_item(doc, field, &yaml(item))),
            }
        }
    }
}

/// The next edit to make the (non-null) field `entry` hold `target`.
fn set(doc: &Document, entry: Entry<'_>, target: &Value) -> StepResult {
    let value = entry.value;
    let key = entry.key_str().unwrap_or_default();
    match target {
        Value::Object(fields) => {
            let m = value
                .as_mapping()
                .ok_or_else(|| format!("`{key}` is not a mapping"))?;
            for (k, v) in fields {
                let Some(sub) = m.entry(k) else {
                    if m.get_entry(k).is_some() {
                        return Err(format!("`{k}` comes from a merge key (`<<`)"));
                    }
                    return some_edit(edit::insert_entry(doc, m, k, &yaml(v)));
                };
                if sub.value.kind() == NodeKind::Alias || sub.value.anchor().is_some() {
                    return Err(format!("`{k}` is an alias or an anchor"));
                }
                if sub.value.is_null() {
                    return some_edit(edit::ensure_path(doc, m, &[k], yaml(v)));
                }
                if let next @ Step::Edit(_) = set(doc, sub, v)? {
                    return Ok(next);
                }
            }
            // Keys the value does not have go.
            for sub in m.entries() {
                if sub.is_merge() {
                    return Err(format!("`{key}` has a merge key (`<<`)"));
                }
                let name = sub.key_str().unwrap_or_default();
                if !fields.contains_key(name) {
                    return some_edit(edit::remove_entry(doc, m, Field::new(sub)));
                }
            }
            Ok(Step::Done)
        }
        Value::Array(items) => {
            if value.as_sequence().is_none() {
                return Err(format!("`{key}` is not a list"));
            }
            let field = Field::new(entry);
            if let Some(item) = items.iter().find(|item| !holds(value, item)) {
                return some_edit(edit::append_item(doc, field, &yaml(item)));
            }
            let extra = value
                .children()
                .find(|n| !items.iter().any(|item| same(*n, item)));
            match extra {
                None => Ok(Step::Done),
                Some(n) => some_edit(edit::remove_item(doc, field, n)),
            }
        }
        scalar => {
            if same(value, scalar) {
                return Ok(Step::Done);
            }
            if value.as_scalar().is_none() {
                return Err(format!("`{key}` is not a single value"));
            }
            some_edit(edit::set_scalar(Field::new(entry), &scalar_text(scalar)))
        }
    }
}

/// Whether the list `seq` holds `item`: a mapping with the same `name`, or an equal scalar.
fn holds(seq: Node<'_>, item: &Value) -> bool {
    match item.get("name").and_then(Value::as_str) {
        Some(name) => seq.children().any(|n| name_of(n) == Some(name)),
        None => seq.children().any(|n| same(n, item)),
    }
}

/// Whether `node` is the scalar `target`, as Kubernetes reads it.
fn same(node: Node<'_>, target: &Value) -> bool {
    let Some(scalar) = node.resolve().as_scalar() else {
        return false;
    };
    match (scalar.resolved(), target) {
        (ScalarValue::Bool(a), Value::Bool(b)) => a == *b,
        (ScalarValue::Int(a), Value::Number(b)) => b.as_i64().is_some_and(|b| a == i128::from(b)),
        (ScalarValue::Str(a), Value::String(b)) => a == b,
        (ScalarValue::Null, Value::Null) => true,
        _ => false,
    }
}

/// The `name` of a list entry that is a mapping.
fn name_of(node: Node<'_>) -> Option<&str> {
    let m = node.resolve().as_mapping()?;
    m.get("name")?.resolve().as_scalar().map(|s| s.value())
}

/// A JSON value as YAML to insert; a mapping's `name` goes first, as people write it.
fn yaml(value: &Value) -> Yaml {
    match value {
        Value::Object(fields) => {
            let mut entries: Vec<(String, Yaml)> =
                fields.iter().map(|(k, v)| (k.clone(), yaml(v))).collect();
            entries.sort_by_key(|(k, _)| k != "name");
            Yaml::Map(entries)
        }
        Value::Array(items) => Yaml::Seq(items.iter().map(yaml).collect()),
        scalar => Yaml::Scalar(scalar_text(scalar)),
    }
}

/// A JSON scalar as YAML text: strings plain when they read back as the same string, else
/// double-quoted (a JSON string is a valid YAML double-quoted scalar).
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let plain_safe = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
                && !s.starts_with(['-', '.'])
                && matches!(
                    picket_syntax::scalar::resolve(s, ScalarStyle::Plain, None),
                    ScalarValue::Str(_)
                );
            if plain_safe {
                s.clone()
            } else {
                Value::String(s.clone()).to_string()
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use picket_policy::FieldPath;
    use serde_json::json;

    use super::*;

    fn path(s: &str) -> FieldPath {
        let mut segments = Vec::new();
        for part in s.split('.') {
            match part.split_once("[name=") {
                Some((key, name)) => {
                    segments.push(PathSegment::Key(key.to_owned()));
                    segments.push(PathSegment::Named(name.trim_end_matches(']').to_owned()));
                }
                None => segments.push(PathSegment::Key(part.to_owned())),
            }
        }
        FieldPath(segments)
    }

    fn set(p: &str, value: Value) -> Change {
        Change::Set {
            path: path(p),
            value,
            replaces: None,
        }
    }

    const TOP: ObjectAt = ObjectAt {
        document: 0,
        item: None,
    };

    #[track_caller]
    fn check(before: &str, changes: &[Change], after: &str) {
        let refs: Vec<&Change> = changes.iter().collect();
        let got = apply(before, TOP, &refs).unwrap();
        assert_eq!(got, after);
        // Applying again changes nothing.
        assert_eq!(apply(&got, TOP, &refs).unwrap(), got);
    }

    #[test]
    fn creates_a_security_context_keeping_comments() {
        check(
            "kind: Deployment # web\napiVersion: apps/v1\nspec:\n  template:\n    spec:\n      containers:\n      - name: app  # the app\n        image: x\n",
            &[
                set(
                    "spec.containers[name=app].securityContext.readOnlyRootFilesystem",
                    json!(true),
                ),
                set(
                    "spec.containers[name=app].securityContext.allowPrivilegeEscalation",
                    json!(false),
                ),
            ],
            "kind: Deployment # web\napiVersion: apps/v1\nspec:\n  template:\n    spec:\n      containers:\n      - name: app  # the app\n        image: x\n        securityContext:\n          readOnlyRootFilesystem: true\n          allowPrivilegeEscalation: false\n",
        );
    }

    #[test]
    fn replaces_capabilities_item_by_item() {
        check(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      securityContext:\n        capabilities:\n          add: [NET_ADMIN, CHOWN] # needed?\n          drop:\n            - NET_RAW\n",
            &[set(
                "spec.containers[name=app].securityContext.capabilities",
                json!({"add": ["CHOWN"], "drop": ["ALL"]}),
            )],
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      securityContext:\n        capabilities:\n          add: [CHOWN] # needed?\n          drop:\n            - ALL\n",
        );
    }

    #[test]
    fn removes_keys_the_value_lacks_and_sets_scalars() {
        check(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      securityContext: {readOnlyRootFilesystem: false, capabilities: {add: [SYS_ADMIN]}}\n",
            &[
                set(
                    "spec.containers[name=app].securityContext.capabilities",
                    json!({"drop": ["ALL"]}),
                ),
                set(
                    "spec.containers[name=app].securityContext.readOnlyRootFilesystem",
                    json!(true),
                ),
            ],
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      securityContext: {readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n",
        );
    }

    /// New items are written in block style, even beside flow items: the edit helper
    /// writes a block sequence's items so.
    #[test]
    fn appends_volumes_name_first() {
        check(
            "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: app\n              volumeMounts:\n                - {name: data, mountPath: /data}\n          volumes:\n            - name: data\n              emptyDir: {}\n",
            &[
                Change::Append {
                    path: path("spec.volumes"),
                    items: vec![json!({"emptyDir": {}, "name": "tmp"})],
                },
                Change::Append {
                    path: path("spec.containers[name=app].volumeMounts"),
                    items: vec![json!({"mountPath": "/tmp", "name": "tmp"})],
                },
            ],
            "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: app\n              volumeMounts:\n                - {name: data, mountPath: /data}\n                - name: tmp\n                  mountPath: /tmp\n          volumes:\n            - name: data\n              emptyDir: {}\n            - name: tmp\n              emptyDir: {}\n",
        );
    }

    #[test]
    fn refuses_what_it_cannot_find() {
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n";
        let change = set(
            "spec.containers[name=web].securityContext.runAsNonRoot",
            json!(true),
        );
        let err = apply(text, TOP, &[&change]).unwrap_err();
        assert!(err.contains("no entry named `web`"), "{err}");
    }

    #[test]
    fn scalars_are_quoted_only_when_needed() {
        assert_eq!(scalar_text(&json!("NET_ADMIN")), "NET_ADMIN");
        assert_eq!(scalar_text(&json!("/var/cache/nginx")), "/var/cache/nginx");
        assert_eq!(scalar_text(&json!("yes")), "\"yes\"");
        assert_eq!(scalar_text(&json!("0123")), "\"0123\"");
        assert_eq!(scalar_text(&json!("a b")), "\"a b\"");
        assert_eq!(scalar_text(&json!(65532)), "65532");
    }
}
