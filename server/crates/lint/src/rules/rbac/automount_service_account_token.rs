//! `automount-service-account-token`: pods and ServiceAccounts that leave the API token
//! mounted.

use picket_model::{Object, PodSpec, View};

use crate::edit::Fix;
use crate::engine::Cx;
use crate::helpers::set_path;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// - A pod spec (bare Pod or workload template) with `automountServiceAccountToken: true`,
    ///   or without the field when its ServiceAccount is not among the files checked
    ///   together. When the ServiceAccount is there, the pod inherits its setting and the
    ///   finding, if any, is on the ServiceAccount.
    /// - A ServiceAccount that does not set `automountServiceAccountToken: false`.
    ///
    /// ## Why it matters
    /// Unless it is switched off, every container gets a token of its service account at
    /// `/var/run/secrets/kubernetes.io/serviceaccount`. Most applications never call the API
    /// server; for them the token only helps an attacker who gets code execution in the pod to
    /// move on to the API with the service account's permissions.
    ///
    /// Polaris checks the pod only and passes `automountServiceAccountToken/success.pod.yaml`
    /// and `automountServiceAccountToken/success.pod_false_serviceaccount_true.yaml`, where the
    /// pod opts out but the ServiceAccount does not; Picket reports that ServiceAccount, which
    /// still hands its token to every other pod that runs as it.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
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
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       automountServiceAccountToken: false
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a program that calls the Kubernetes API (an operator, a controller, a client
    /// using in-cluster configuration) loses its credentials. Such a pod should set
    /// `automountServiceAccountToken: true` itself, or mount a projected token.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
    /// - https://kubernetes.io/docs/concepts/security/service-accounts/
    pub(crate) AutomountServiceAccountToken {
        name: "automount-service-account-token",
        category: Rbac,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Service account token is mounted into the pod",
        peers: [
            Polaris: "automountServiceAccountToken",
            Kubescape: "C-0034",
            Kubescape: "C-0190",
            Kubescape: "C-0261",
            Checkov: "CKV_K8S_38",
            Trivy: "KSV-0036",
        ],
    }
}

const FIELD: &str = "automountServiceAccountToken";

/// The service account a pod runs as.
fn service_account<'a>(spec: PodSpec<'a>) -> &'a str {
    spec.service_account_name()
        .or(spec.deprecated_service_account())
        .and_then(|f| f.text())
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
}

impl Rule for AutomountServiceAccountToken {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&[""], "ServiceAccount") {
            return;
        }
        let flag = object.field(FIELD);
        if flag.and_then(|f| f.as_bool()) == Some(false) {
            return;
        }
        let name = object.name().unwrap_or("<unnamed>");
        let fix = set_path(cx.doc(), object, &[FIELD], "false")
            .map(|e| Fix::unsafe_("Set `automountServiceAccountToken: false`", e));
        let (range, message) = match flag {
            Some(f) => (
                f.range(),
                format!("ServiceAccount `{name}` mounts its token into every pod that runs as it"),
            ),
            None => (
                object.header_range(),
                format!(
                    "ServiceAccount `{name}` does not set `automountServiceAccountToken: false`: every pod that runs as it gets its token"
                ),
            ),
        };
        cx.report(range, message).fix(fix);
    }

    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let flag = pod.spec.automount_service_account_token();
        let sa = service_account(pod.spec);
        let (range, message) = match flag.map(|f| (f, f.as_bool())) {
            Some((_, Some(false))) => return,
            Some((f, Some(true))) => (
                f.range(),
                format!("Pod mounts the token of service account `{sa}`"),
            ),
            // Half-typed or not a boolean: the schema reports it.
            Some((_, None)) => return,
            None => {
                let ns = pod.object.namespace();
                if cx
                    .index()
                    .find(&[""], "ServiceAccount", sa, ns)
                    .next()
                    .is_some()
                {
                    // The ServiceAccount decides; its own finding covers it.
                    return;
                }
                (
                    pod.anchor(),
                    format!(
                        "Pod does not set `automountServiceAccountToken: false`: it gets the token of service account `{sa}`"
                    ),
                )
            }
        };
        let fix = set_path(cx.doc(), pod.spec, &[FIELD], "false")
            .map(|e| Fix::unsafe_("Set `automountServiceAccountToken: false`", e));
        cx.report(range, message).fix(fix);
    }
}
