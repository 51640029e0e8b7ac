//! `service-target-port-not-declared`: a Service whose named `targetPort` the pods it
//! selects do not declare.

use picket_model::Object;

use crate::engine::Cx;
use crate::index::Selector;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Service port whose `targetPort` is a name (`http`, not `8080`) that no container of
    /// a workload the Service selects declares in its `ports[].name`. Each selected workload
    /// among the files checked together must declare it; the first one that does not is
    /// named.
    ///
    /// Numeric target ports are not checked: Kubernetes does not require containers to list
    /// the ports they listen on. Services that select no workload of the run are
    /// `service-selects-no-pod`'s business.
    ///
    /// ## Why it matters
    /// A named target port is looked up in each pod's container ports. A pod that does not
    /// declare the name gets no endpoint for that Service port: traffic goes only to the
    /// pods that do, or fails outright when none does.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///     - port: 80
    ///       targetPort: http
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    ///   labels: {app: web}
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       ports:
    ///         - containerPort: 8080
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///     - port: 80
    ///       targetPort: http
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    ///   labels: {app: web}
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       ports:
    ///         - name: http
    ///           containerPort: 8080
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports
    pub(crate) ServiceTargetPortNotDeclared {
        name: "service-target-port-not-declared",
        category: Networking,
        severity: Warning,
        fix: None,
        summary: "Service targetPort name is not declared by the pods it selects",
        peers: [KubeScore: "container-ports-check"],
    }
}

impl Rule for ServiceTargetPortNotDeclared {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(svc) = object.as_service() else {
            return;
        };
        let Some(map) = svc.selector() else { return };
        let selector = Selector::from_map(map);
        if selector.is_empty() {
            return;
        }
        let index = cx.index();
        let workloads: Vec<_> = index
            .workloads_matching(&selector, object.namespace())
            .map(|(_, s)| s)
            .collect();
        if workloads.is_empty() {
            return;
        }
        for port in svc.ports() {
            let Some(target) = port.target_port() else {
                continue;
            };
            // Only names: a number is used as is.
            let Some(name) = target.as_str().filter(|t| !t.is_empty() && t.parse::<u32>().is_err())
            else {
                continue;
            };
            let Some(missing) = workloads
                .iter()
                .find(|w| !w.port_names.iter().any(|n| n == name))
            else {
                continue;
            };
            cx.report(
                target.value_range(),
                format!(
                    "Target port `{name}` is not declared by any container of {} `{}`",
                    missing.kind, missing.name
                ),
            );
        }
    }
}
