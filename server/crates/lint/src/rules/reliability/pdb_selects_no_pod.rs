//! `pdb-selects-no-pod`: a PodDisruptionBudget that protects no pod of the run.

use picket_model::{Object, View};

use crate::engine::Cx;
use crate::index::Selector;
use crate::rule::{Rule, declare_rule};
use crate::rules::networking::network_policy_selects_no_pod::describe;

declare_rule! {
    /// ## What it flags
    /// A PodDisruptionBudget
    /// - whose non-empty `selector` matches the pod labels of no workload or Pod in its
    ///   namespace among the files checked together (quiet when the files define no
    ///   workload at all);
    /// - without a `selector`, which selects no pod;
    /// - with an empty `selector: {}` under `policy/v1beta1`, where it selects no pod
    ///   (under `policy/v1` it selects every pod of the namespace, and is not flagged).
    ///
    /// ## Why it matters
    /// A budget that selects nothing protects nothing: node drains and cluster upgrades
    /// evict every replica of the workload it was written for at once. It is usually a label
    /// typo or a selector left behind by a rename.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   minAvailable: 1
    ///   selector:
    ///     matchLabels: {app: website}
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   minAvailable: 1
    ///   selector:
    ///     matchLabels: {app: web}
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#specifying-a-poddisruptionbudget
    /// - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
    pub(crate) PdbSelectsNoPod {
        name: "pdb-selects-no-pod",
        category: Reliability,
        severity: Warning,
        fix: None,
        summary: "PodDisruptionBudget selects no pod",
        peers: [],
    }
}

impl Rule for PdbSelectsNoPod {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(pdb) = object.as_pdb() else { return };
        let name = object.name().unwrap_or("<unnamed>");
        let field = pdb.field("selector");
        let view = pdb.selector();
        let (Some(field), Some(view)) = (field, view) else {
            // `selector:` with no value reads as null, like no selector at all.
            let at = field.map_or_else(|| object.header_range(), |f| f.key_range());
            cx.report(
                at,
                format!("PodDisruptionBudget `{name}` has no selector: it protects no pod"),
            );
            return;
        };
        let selector = Selector::of(view);
        if selector.is_empty() {
            if object.gvk().is_some_and(|g| g.version == "v1beta1") {
                cx.report(
                    field.key_range(),
                    format!("PodDisruptionBudget `{name}` has an empty selector, which selects no pod in `policy/v1beta1`"),
                );
            }
            return;
        }
        let index = cx.index();
        if !index.has_workloads()
            || index.custom_resources_near(object.namespace())
            || index
                .workloads_matching(&selector, object.namespace())
                .next()
                .is_some()
        {
            return;
        }
        cx.report(
            field.key_range(),
            format!(
                "PodDisruptionBudget `{name}` selects no pod: no workload's pods match `{}`",
                describe(&selector)
            ),
        );
    }
}
