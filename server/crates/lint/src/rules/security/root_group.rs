//! `root-group`: pods and containers that run with GID 0 (`runAsGroup`, `fsGroup`,
//! `supplementalGroups`).

use picket_model::Field;
use picket_syntax::ScalarValue;

use crate::engine::Cx;
use crate::rule::{ContainerCx, PodCx, Rule, declare_rule};
use crate::rules::security::common::{container_sc, pod_sc};

declare_rule! {
    /// ## What it flags
    /// Group 0 (`root`) given to a pod's processes:
    /// - `runAsGroup: 0` in a container's or the pod's `securityContext`;
    /// - `fsGroup: 0` in the pod's `securityContext`;
    /// - `0` in the pod's `supplementalGroups` (one finding per item).
    ///
    /// ## Why it matters
    /// Many files on the node and in images are group-writable by root's group. A process in
    /// group 0 that escapes the container, or that reaches a host mount, can change them.
    /// `fsGroup: 0` also makes every mounted volume owned by group 0.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   securityContext:
    ///     runAsUser: 10001
    ///     runAsGroup: 0
    ///   containers:
    ///     - name: web
    ///       image: registry.example.com/web:1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   securityContext:
    ///     runAsUser: 10001
    ///     runAsGroup: 10001
    ///     fsGroup: 10001
    ///   containers:
    ///     - name: web
    ///       image: registry.example.com/web:1.0
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    pub(crate) RootGroup {
        name: "root-group",
        category: Security,
        severity: Warning,
        fix: None,
        summary: "Pod or container runs with the root group (GID 0)",
        peers: [
            KubeLinter: "run-as-non-root",
            KubeScore: "container-security-context-user-group-id",
            Trivy: "KSV-0021",
            Trivy: "KSV-0116",
        ],
    }
}

fn is_zero(f: Option<Field<'_>>) -> Option<Field<'_>> {
    f.filter(|f| f.as_int() == Some(0))
}

impl Rule for RootGroup {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let Some(sc) = pod_sc(&pod) else { return };
        if let Some(f) = is_zero(sc.run_as_group()) {
            cx.report(f.range(), "Pod sets `runAsGroup: 0` (root group)");
        }
        if let Some(f) = is_zero(sc.fs_group()) {
            cx.report(f.range(), "Pod sets `fsGroup: 0` (root group)");
        }
        if let Some(groups) = sc.supplemental_groups() {
            for item in groups.items() {
                let zero = item
                    .as_scalar()
                    .is_some_and(|s| matches!(s.resolved(), ScalarValue::Int(0)));
                if zero {
                    cx.report(
                        item.range(),
                        "Pod adds the root group `0` to `supplementalGroups`",
                    );
                }
            }
        }
    }

    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let Some(f) = is_zero(container_sc(&c).and_then(|s| s.run_as_group())) else {
            return;
        };
        let name = c.name();
        cx.report(
            f.range(),
            format!("Container `{name}` sets `runAsGroup: 0` (root group)"),
        );
    }
}
