//! `default-service-account`: pods that run as their namespace's `default` service account.

use crate::engine::Cx;
use crate::helpers::is_false;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A pod spec (bare Pod or workload template) whose `serviceAccountName` (or the
    /// deprecated `serviceAccount`) is unset, empty or `default`. A pod that also sets
    /// `automountServiceAccountToken: false` carries no credential and is left alone.
    ///
    /// ## Why it matters
    /// Every pod of a namespace that names no service account shares `default`: a permission
    /// granted to one of them (a RoleBinding to `default` is the easy way) is granted to all,
    /// and their API requests cannot be told apart in audit logs. A service account per
    /// workload keeps permissions and audit trails separate.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   serviceAccountName: web
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
    pub(crate) DefaultServiceAccount {
        name: "default-service-account",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Pod runs as the `default` service account",
        peers: [
            KubeLinter: "default-service-account",
            Kubescape: "C-0189",
            Checkov: "CKV_K8S_41",
        ],
        default_enabled: false,
    }
}

impl Rule for DefaultServiceAccount {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        if is_false(pod.spec.automount_service_account_token()) {
            return;
        }
        let field = pod
            .spec
            .service_account_name()
            .or(pod.spec.deprecated_service_account());
        match field {
            Some(f) => {
                let name = f.text().unwrap_or("");
                if name.is_empty() || name == "default" {
                    cx.report(
                        f.range(),
                        "Pod runs as the `default` service account, shared by every pod of the namespace",
                    );
                }
            }
            None => {
                cx.report(
                    pod.anchor(),
                    "Pod sets no `serviceAccountName`: it runs as the `default` service account, shared by every pod of the namespace",
                );
            }
        }
    }
}
