//! `missing-required-label`: objects without the labels `.picket.yaml` requires.

use picket_model::{Object, View};

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};
use crate::rules::reliability::common::describe;

declare_rule! {
    /// ## What it flags
    /// An object whose `metadata.labels` lacks one of the labels listed under
    /// `requiredLabels` in `.picket.yaml` (for example
    /// `requiredLabels: [owner, app.kubernetes.io/name]`).
    ///
    /// The rule says nothing until `requiredLabels` lists something. A label that is present
    /// with an empty value counts as present. Kustomize's own files (`Kustomization`,
    /// `Component`) are not Kubernetes objects and are left alone.
    ///
    /// ## Why it matters
    /// Teams rely on labels to find who owns an object, to bill it, to select it in
    /// dashboards and policies, and to clean up. An object without them is an orphan the
    /// moment something goes wrong with it.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    ///   labels:
    ///     app.kubernetes.io/name: web
    /// data:
    ///   LOG_LEVEL: info
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    ///   labels:
    ///     app.kubernetes.io/name: web
    ///     owner: team-shop
    /// data:
    ///   LOG_LEVEL: info
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
    /// - https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
    pub(crate) MissingRequiredLabel {
        name: "missing-required-label",
        category: Style,
        severity: Warning,
        fix: None,
        summary: "Object lacks a label that the configuration requires",
        peers: [
            KubeLinter: "required-label-owner",
            Kubescape: "C-0076",
        ],
    }
}

impl Rule for MissingRequiredLabel {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let required = &cx.config().required_labels;
        if required.is_empty() {
            return;
        }
        // Kustomize's files and an empty `List` are not objects that reach the cluster.
        if object
            .gvk()
            .is_some_and(|g| g.group == "kustomize.config.k8s.io")
            || object.is(&[""], "List")
        {
            return;
        }
        let meta = object.metadata();
        let labels = meta.and_then(|m| m.labels());
        let missing: Vec<String> = required
            .iter()
            .filter(|k| labels.is_none_or(|l| l.field(k).is_none()))
            .map(|k| format!("`{k}`"))
            .collect();
        if missing.is_empty() {
            return;
        }
        let range = meta
            .and_then(|m| m.field("labels"))
            .map(|f| f.key_range())
            .or_else(|| object.field("metadata").map(|f| f.key_range()))
            .unwrap_or_else(|| object.header_range());
        let what = describe(object);
        let message = if missing.len() == 1 {
            format!("{what} lacks the required label {}", missing[0])
        } else {
            format!("{what} lacks the required labels {}", missing.join(", "))
        };
        cx.report(range, message);
    }
}
