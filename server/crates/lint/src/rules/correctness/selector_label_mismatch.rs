//! `selector-label-mismatch`: a workload whose selector does not match its own pod template.

use picket_model::{Field, Object, StrMap, View, WorkloadSpec};
use picket_syntax::TextRange;

use super::common::{prepend_path, yaml_str};
use crate::edit::{Fix, Value, ensure_path, insert_entry};
use crate::engine::Cx;
use crate::index::Selector;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Deployment, StatefulSet, ReplicaSet or DaemonSet whose `spec.selector` does not
    /// match the labels of its own pod template (`spec.template.metadata.labels`): a
    /// `matchLabels` pair the template lacks or sets to another value, or a
    /// `matchExpressions` requirement the template's labels do not satisfy. Each failing
    /// requirement is reported at its place in the selector.
    ///
    /// ## Why it matters
    /// The API server rejects the object (`selector does not match template labels`): the
    /// apply fails. Under the older `extensions/v1beta1` APIs it was accepted and the
    /// controller created pods it could never count as its own, forever.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: frontend
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: web
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe, offered only when the template lacks the label altogether: the fix adds the
    /// `matchLabels` pair to the template's labels. The pods then carry a new label, which
    /// Services, NetworkPolicies and PodDisruptionBudgets may select. When the template sets
    /// the label to another value there is no fix: only you know which side is right.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector
    /// - https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
    pub(crate) SelectorLabelMismatch {
        name: "selector-label-mismatch",
        category: Correctness,
        severity: Error,
        fix: Some(Unsafe),
        summary: "Workload selector does not match its pod template labels",
        peers: [
            KubeLinter: "mismatching-selector",
            KubeScore: "deployment-pod-selector-labels-match-template-metadata-labels",
            KubeScore: "statefulset-pod-selector-labels-match-template-metadata-labels",
            Kubescape: "C-0296",
        ],
    }
}

impl Rule for SelectorLabelMismatch {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let is_controller = ["Deployment", "StatefulSet", "ReplicaSet", "DaemonSet"]
            .iter()
            .any(|k| object.is(&["apps", "extensions"], k));
        if !is_controller {
            return;
        }
        let Some(spec) = object.spec::<WorkloadSpec>() else {
            return;
        };
        let (Some(selector), Some(template)) = (spec.selector(), spec.template()) else {
            return;
        };
        let labels_map = template.metadata().and_then(|m| m.labels());
        let labels: Vec<(String, String)> = labels_map
            .map(|m| m.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
            .unwrap_or_default();
        let get = |k: &str| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str());

        for pair in selector.match_labels().iter().flat_map(StrMap::fields) {
            let (Some(key), Some(value)) = (pair.entry().key_str(), pair.text()) else {
                continue;
            };
            let at = one_line(cx, pair.range(), pair.key_range());
            match get(key) {
                Some(v) if v == value => {}
                Some(v) => {
                    cx.report(
                        at,
                        format!(
                            "Selector requires `{key}={value}`, but the pod template has `{key}={v}`"
                        ),
                    );
                }
                None => {
                    let fix = add_label(cx, template, labels_map, key, value).map(|e| {
                        let (k, v) = (yaml_str(key), yaml_str(value));
                        Fix::unsafe_(format!("Add `{k}: {v}` to the pod template's labels"), e)
                    });
                    cx.report(
                        at,
                        format!(
                            "Selector requires `{key}={value}`, which the pod template's labels lack"
                        ),
                    )
                    .fix(fix);
                }
            }
        }

        for req in selector.match_expressions() {
            let (Some(key), Some(op)) = (
                req.key().and_then(|f| f.text()),
                req.operator().and_then(|f| f.text()),
            ) else {
                continue;
            };
            if !matches!(op, "In" | "NotIn" | "Exists" | "DoesNotExist") {
                continue;
            }
            let values: Vec<String> = req
                .values()
                .map(|f| f.strings().map(str::to_owned).collect())
                .unwrap_or_default();
            let single = Selector {
                match_labels: Vec::new(),
                expressions: vec![(key.to_owned(), op.to_owned(), values.clone())],
            };
            if single.matches(&labels) {
                continue;
            }
            let shown = match op {
                "In" | "NotIn" => format!("{key} {op} ({})", values.join(", ")),
                _ => format!("{key} {op}"),
            };
            let at = req.key().map_or_else(|| req.range(), |f| f.range());
            let at = one_line(cx, at, req.key().map_or(at, |f| f.key_range()));
            cx.report(
                at,
                format!("Selector requires `{shown}`, which the pod template's labels do not satisfy"),
            );
        }
    }
}

/// `range` if it sits on one line, else `fallback`.
fn one_line(cx: &Cx<'_>, range: TextRange, fallback: TextRange) -> TextRange {
    let text = &cx.doc().text()[range];
    if text.contains('\n') { fallback } else { range }
}

/// Adds `key: value` to the template's labels, creating `metadata` and `labels` as needed.
fn add_label(
    cx: &Cx<'_>,
    template: picket_model::PodTemplateSpec<'_>,
    labels: Option<StrMap<'_>>,
    key: &str,
    value: &str,
) -> Option<crate::edit::Edit> {
    let doc = cx.doc();
    let (k, v) = (yaml_str(key), yaml_str(value));
    if let Some(labels) = labels
        && !labels.mapping().is_empty()
    {
        return insert_entry(doc, labels.mapping(), &k, &Value::scalar(v));
    }
    let metadata: Option<Field<'_>> = template.field("metadata");
    if metadata.is_none()
        && let Some(edit) = prepend_path(doc, template.mapping(), &["metadata", "labels", &k], &v)
    {
        return Some(edit);
    }
    ensure_path(
        doc,
        template.mapping(),
        &["metadata", "labels", &k],
        Value::scalar(v),
    )
}
