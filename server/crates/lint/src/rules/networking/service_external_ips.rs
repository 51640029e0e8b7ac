//! `service-external-ips`: a Service with `externalIPs`.

use picket_model::Object;

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Service whose `spec.externalIPs` lists at least one address.
    ///
    /// ## Why it matters
    /// kube-proxy routes traffic for an external IP to the Service on every node, whatever
    /// owns that address. Anyone who may create or edit a Service can claim another
    /// workload's or an outside host's IP and intercept its traffic inside the cluster
    /// (CVE-2020-8554, unfixed by design). Clusters should block the field with the
    /// `DenyServiceExternalIPs` admission plugin or a policy; manifests should not need it.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     app: web
    ///   ports:
    ///     - port: 80
    ///   externalIPs:
    ///     - 203.0.113.10
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   type: LoadBalancer
    ///   selector:
    ///     app: web
    ///   ports:
    ///     - port: 80
    /// ```
    ///
    /// ## References
    /// - https://github.com/kubernetes/kubernetes/issues/97076
    /// - https://kubernetes.io/docs/concepts/services-networking/service/#external-ips
    pub(crate) ServiceExternalIps {
        name: "service-external-ips",
        category: Networking,
        severity: Warning,
        fix: None,
        summary: "Service claims external IPs (CVE-2020-8554)",
        peers: [
            Trivy: "KSV-0108",
        ],
    }
}

impl Rule for ServiceExternalIps {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(svc) = object.as_service() else {
            return;
        };
        let Some(field) = svc.external_ips() else {
            return;
        };
        let ips: Vec<&str> = field.strings().filter(|s| !s.is_empty()).collect();
        if ips.is_empty() {
            return;
        }
        let name = object.name().unwrap_or("<unnamed>");
        let list = ips
            .iter()
            .map(|ip| format!("`{ip}`"))
            .collect::<Vec<_>>()
            .join(", ");
        cx.report(
            field.key_range(),
            format!(
                "Service `{name}` claims external IPs {list}: traffic to them is captured on every node (CVE-2020-8554)"
            ),
        );
    }
}
