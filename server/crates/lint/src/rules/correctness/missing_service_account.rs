//! `missing-service-account`: a pod that runs as a ServiceAccount the run does not define.


use super::common::not_defined;
use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A pod whose `serviceAccountName` (or the deprecated `serviceAccount`) names a
    /// ServiceAccount that the files checked together do not define in the pod's namespace.
    ///
    /// The `default` ServiceAccount, which every namespace has, is never flagged. The rule
    /// stays quiet when the files define no ServiceAccount at all: they then evidently come
    /// from elsewhere (a platform repository, an operator, `helm install` of another chart).
    ///
    /// ## Why it matters
    /// The API server refuses to create a pod whose ServiceAccount does not exist: the
    /// Deployment's ReplicaSet keeps failing with `serviceaccount "…" not found` and no pod
    /// ever starts.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata:
    ///   name: web
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   serviceAccountName: web-sa
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata:
    ///   name: web
    /// ---
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
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
    pub(crate) MissingServiceAccount {
        name: "missing-service-account",
        category: Correctness,
        severity: Warning,
        fix: None,
        summary: "Pod runs as a ServiceAccount that is not defined",
        peers: [
            KubeLinter: "non-existent-service-account",
            Kubescape: "C-0307",
        ],
    }
}

impl Rule for MissingServiceAccount {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let index = cx.index();
        if !index.has_kind(&[""], "ServiceAccount") {
            return;
        }
        // `serviceAccountName` wins over the deprecated `serviceAccount` when both are set.
        let Some(field) = pod
            .spec
            .service_account_name()
            .or_else(|| pod.spec.deprecated_service_account())
        else {
            return;
        };
        let Some(name) = field.text().filter(|n| !n.is_empty() && *n != "default") else {
            return;
        };
        let ns = pod.object.namespace();
        if index.provides("ServiceAccount", name, ns) {
            return;
        }
        let message = not_defined(index, "ServiceAccount", name, ns);
        cx.report(field.value_range(), message);
    }
}
