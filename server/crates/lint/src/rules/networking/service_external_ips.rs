//! `service-external-ips`: a Service with `externalIPs`.

use picket_model::{Object, View};
use picket_syntax::NodeKind;

use crate::edit::{Fix, remove_entry};
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
    /// ## Fix safety
    /// The fix removes `externalIPs`. Clients that reach the Service through one of those
    /// addresses lose it: give the Service a `LoadBalancer` or `NodePort` type, or an
    /// Ingress or Gateway route, that serves them first.
    ///
    /// ## References
    /// - https://github.com/kubernetes/kubernetes/issues/97076
    /// - https://kubernetes.io/docs/concepts/services-networking/service/#external-ips
    pub(crate) ServiceExternalIps {
        name: "service-external-ips",
        category: Networking,
        severity: Warning,
        fix: Some(Unsafe),
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
        // Through an alias, the entry belongs to the anchored mapping: leave that alone.
        let spec_aliased = object
            .field("spec")
            .is_some_and(|f| f.value_as_written().kind() == NodeKind::Alias);
        let fix = (!spec_aliased)
            .then(|| remove_entry(cx.doc(), svc.mapping(), field))
            .flatten()
            .map(|e| Fix::unsafe_("Remove `externalIPs`", e));
        cx.report(
            field.key_range(),
            format!(
                "Service `{name}` claims external IPs {list}: traffic to them is captured on every node (CVE-2020-8554)"
            ),
        )
        .fix(fix);
    }
}
