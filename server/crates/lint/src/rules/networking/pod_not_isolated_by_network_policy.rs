//! `pod-not-isolated-by-network-policy`: pods that no NetworkPolicy restricts ingress to.

use picket_model::WorkloadKind;

use crate::edit::{Fix, append_document};
use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};
use crate::rules::correctness::common::yaml_str;

declare_rule! {
    /// ## What it flags
    /// A workload or Pod whose pods no NetworkPolicy among the files checked together
    /// isolates for ingress: no policy in its namespace selects its pod labels (an empty
    /// `podSelector: {}` selects them all) with `Ingress` among its `policyTypes` (or no
    /// `policyTypes`, which means `Ingress`).
    ///
    /// A namespace-wide default-deny policy kept in another repository is invisible here;
    /// add its file to the run, or turn the rule off. Pods on the host network escape every
    /// NetworkPolicy, selected or not: `host-network` flags them.
    ///
    /// Polaris' `missingNetworkPolicy` is a different check: it also asks for egress rules,
    /// and it fails a policy that denies all ingress without rules, which is the strictest
    /// isolation there is. It is not mapped.
    ///
    /// ## Why it matters
    /// Kubernetes lets every pod reach every other pod unless a NetworkPolicy says
    /// otherwise. An unisolated pod is reachable from anything that is compromised in the
    /// cluster, which turns one breach into lateral movement.
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
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: web
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: web}
    ///   policyTypes: [Ingress]
    ///   ingress:
    ///     - from:
    ///         - podSelector:
    ///             matchLabels: {app: ingress-gateway}
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix appends a NetworkPolicy `<name>-default-deny` that selects the pods
    /// and denies all ingress to them. Once a network plugin that enforces policies applies
    /// it, nothing can connect to the pods (Services, Ingress controllers, Prometheus
    /// included) until you add policies that allow the traffic they need.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation
    /// - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic
    pub(crate) PodNotIsolatedByNetworkPolicy {
        name: "pod-not-isolated-by-network-policy",
        category: Networking,
        severity: Info,
        fix: Some(Unsafe),
        summary: "No NetworkPolicy isolates the pods",
        peers: [
            KubeLinter: "non-isolated-pod",
            KubeScore: "pod-networkpolicy",
            Kubescape: "C-0260",
            Checkov: "CKV2_K8S_6",
        ],
    }
}

impl Rule for PodNotIsolatedByNetworkPolicy {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        if pod.object.workload_kind() == Some(WorkloadKind::PodTemplate) {
            return;
        }
        let labels: Vec<(String, String)> = pod
            .object
            .pod_labels()
            .map(|m| m.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
            .unwrap_or_default();
        let ns = pod.object.namespace();
        if cx.index().policies_isolating(&labels, ns).next().is_some() {
            return;
        }
        let kind = pod.object.kind().and_then(|f| f.text()).unwrap_or("Pod");
        let name = pod.object.name().unwrap_or("<unnamed>");
        // Without pod labels a policy could only select the whole namespace: no fix. Nor when
        // the new object would be invalid (a name or labels that are placeholders).
        let policy = format!("{name}-default-deny");
        let valid = picket_schema::formats::dns_subdomain(&policy).is_ok()
            && labels.iter().all(|(k, v)| {
                picket_schema::formats::label_key(k).is_ok()
                    && picket_schema::formats::label_value(v).is_ok()
            });
        // A policy in `default` would need `namespace: default`, which `default-namespace`
        // flags: the namespace is the thing to fix first.
        let valid = valid && ns != Some("default");
        let fix = (!labels.is_empty() && pod.object.name().is_some() && valid).then(|| {
            let mut yaml = format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {}\n",
                yaml_str(&policy)
            );
            if let Some(ns) = ns {
                yaml.push_str(&format!("  namespace: {}\n", yaml_str(ns)));
            }
            yaml.push_str("spec:\n  podSelector:\n    matchLabels:\n");
            for (k, v) in &labels {
                yaml.push_str(&format!("      {}: {}\n", yaml_str(k), yaml_str(v)));
            }
            yaml.push_str("  policyTypes:\n    - Ingress\n");
            Fix::unsafe_(
                format!("Add NetworkPolicy `{policy}` denying all ingress to these pods"),
                append_document(cx.doc(), &yaml),
            )
        });
        cx.report(
            pod.anchor(),
            format!("No NetworkPolicy isolates the pods of {kind} `{name}`: any pod in the cluster can connect to them"),
        )
        .fix(fix);
    }
}
