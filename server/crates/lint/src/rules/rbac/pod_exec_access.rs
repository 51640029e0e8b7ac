//! `pod-exec-access`: a Role or ClusterRole that can exec into or attach to pods.

use picket_model::Object;

use super::common::{Target, report_grants};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A rule of a Role or ClusterRole granting `create` or `get` (or `*`) on `pods/exec` or
    /// `pods/attach` of the core API group, `*` and `*/exec` included: `kubectl exec` opens its
    /// stream with either verb. Roles the platform owns (`system:`, `gce:`, `eks:` names) and
    /// the default ClusterRoles (`admin`, `edit` and `cluster-admin` grant exec by design) are
    /// left alone.
    ///
    /// Polaris' binding variants (`clusterrolebindingPodExecAttach`,
    /// `rolebindingClusterRolePodExecAttach`, `rolebindingRolePodExecAttach`) are not mapped:
    /// this rule reports the role, once, wherever it is bound.
    ///
    /// ## Why it matters
    /// Exec runs any command inside the container, with its service account token, its
    /// mounted Secrets and its network position; attach takes over the main process's terminal.
    /// Both bypass whatever the image was meant to do.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: debugger
    ///   namespace: web
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods", "pods/exec"]
    ///     verbs: ["get", "create"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: debugger
    ///   namespace: web
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods", "pods/log"]
    ///     verbs: ["get", "list"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
    pub(crate) PodExecAccess {
        name: "pod-exec-access",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Role or ClusterRole can exec into or attach to pods",
        peers: [
            Polaris: "clusterrolePodExecAttach",
            Polaris: "rolePodExecAttach",
            Kubescape: "C-0002",
            Checkov: "CKV2_K8S_2",
            Trivy: "KSV-0053",
            Trivy: "KSV-0054",
        ],
    }
}

impl Rule for PodExecAccess {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        report_grants(
            cx,
            object,
            &[Target::new("", "pods/exec"), Target::new("", "pods/attach")],
            &["create", "get"],
            true,
            |kind, name, g| {
                format!(
                    "{kind} `{name}` can exec into or attach to pods: {} on `{}`",
                    g.verb_list(),
                    g.resource.0
                )
            },
        );
    }
}
