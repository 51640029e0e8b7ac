//! `nodes-proxy-access`: a Role or ClusterRole that can reach the kubelet API through
//! `nodes/proxy`.

use picket_model::Object;

use super::common::{Target, report_grants};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A rule of a Role or ClusterRole granting `get`, `create`, `update`, `patch` or
    /// `delete` (or `*`) on `nodes/proxy` of the core API group, `*` and `*/proxy` included.
    /// Roles the platform owns (`system:`, `gce:`, `eks:` names) and the default ClusterRoles
    /// are left alone.
    ///
    /// ## Why it matters
    /// `nodes/proxy` forwards requests to the kubelet API of any node. The kubelet authorizes
    /// them as `nodes/proxy` only, so its `exec`, `run` and `attach` endpoints open a shell in
    /// every pod of the node, around pod-level RBAC and the audit log of pod exec.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: metrics-reader
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["nodes", "nodes/proxy"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: metrics-reader
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["nodes", "nodes/metrics", "nodes/stats"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes
    /// - https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/
    pub(crate) NodesProxyAccess {
        name: "nodes-proxy-access",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Role or ClusterRole can reach the kubelet API through `nodes/proxy`",
        peers: [
            Kubescape: "C-0279",
            Checkov: "CKV2_K8S_2",
            Trivy: "KSV-0047",
        ],
    }
}

impl Rule for NodesProxyAccess {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        report_grants(
            cx,
            object,
            &[Target::new("", "nodes/proxy")],
            &["get", "create", "update", "patch", "delete"],
            true,
            |kind, name, g| {
                format!(
                    "{kind} `{name}` can reach the kubelet API of every node: {} on `{}`",
                    g.verb_list(),
                    g.resource.0
                )
            },
        );
    }
}
