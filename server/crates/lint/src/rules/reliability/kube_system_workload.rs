//! `kube-system-workload`: workloads placed in the `kube-system` namespace.

use picket_model::Object;

use super::common::describe;
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Pod or workload (Deployment, StatefulSet, DaemonSet, Job, CronJob…) whose
    /// `metadata.namespace` is `kube-system`.
    ///
    /// Off by default: cluster add-ons (CNI plugins, DNS, CSI drivers, metrics-server) live in
    /// `kube-system` by design, and their manifests are full of it. Turn it on for
    /// repositories of application manifests.
    ///
    /// ## Why it matters
    /// `kube-system` holds the cluster's own components, with powerful service accounts and
    /// secrets, and is often exempt from admission policies. An application placed there
    /// runs next to them with looser rules, and a compromise of it reaches much further.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: kube-system
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
    ///   namespace: shop
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
    /// ## References
    /// - https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces
    pub(crate) KubeSystemWorkload {
        name: "kube-system-workload",
        category: Reliability,
        severity: Warning,
        fix: None,
        summary: "Workload runs in the kube-system namespace",
        peers: [
            Trivy: "KSV-0037",
        ],
        default_enabled: false,
    }
}

impl Rule for KubeSystemWorkload {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if object.pod_spec().is_none() {
            return;
        }
        let Some(ns) = object.metadata().and_then(|m| m.namespace()) else {
            return;
        };
        if ns.text() != Some("kube-system") {
            return;
        }
        cx.report(
            ns.range(),
            format!("{} runs in the `kube-system` namespace, next to the cluster's own components", describe(object)),
        );
    }
}
