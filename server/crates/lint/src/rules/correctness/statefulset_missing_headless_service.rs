//! `statefulset-missing-headless-service`: a StatefulSet whose `serviceName` is not a
//! headless Service selecting its pods.

use picket_model::{Object, WorkloadSpec};

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A StatefulSet whose `serviceName` names
    /// - a Service that the files checked together do not define in its namespace (quiet
    ///   when the files define no Service at all);
    /// - a Service that is not headless (`clusterIP: None`);
    /// - a headless Service whose selector does not match the StatefulSet's pods.
    ///
    /// ## Why it matters
    /// The governing Service gives each replica its stable DNS name
    /// (`db-0.db.shop.svc.cluster.local`), which is what peers of a database or a queue use
    /// to find each other. Without it, or with a Service that has a cluster IP, those names
    /// do not resolve and the cluster cannot form.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: db
    /// spec:
    ///   selector: {app: db}
    ///   ports:
    ///     - port: 5432
    /// ---
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: db
    /// spec:
    ///   serviceName: db
    ///   selector:
    ///     matchLabels: {app: db}
    ///   template:
    ///     metadata:
    ///       labels: {app: db}
    ///     spec:
    ///       containers:
    ///         - name: postgres
    ///           image: postgres:16
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: db
    /// spec:
    ///   clusterIP: None
    ///   selector: {app: db}
    ///   ports:
    ///     - port: 5432
    /// ---
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: db
    /// spec:
    ///   serviceName: db
    ///   selector:
    ///     matchLabels: {app: db}
    ///   template:
    ///     metadata:
    ///       labels: {app: db}
    ///     spec:
    ///       containers:
    ///         - name: postgres
    ///           image: postgres:16
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
    /// - https://kubernetes.io/docs/concepts/services-networking/service/#headless-services
    pub(crate) StatefulsetMissingHeadlessService {
        name: "statefulset-missing-headless-service",
        category: Correctness,
        severity: Warning,
        fix: None,
        summary: "StatefulSet's serviceName is not a headless Service selecting its pods",
        peers: [KubeScore: "statefulset-has-servicename"],
    }
}

impl Rule for StatefulsetMissingHeadlessService {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&["apps"], "StatefulSet") {
            return;
        }
        let Some(field) = object.spec::<WorkloadSpec>().and_then(|s| s.service_name()) else {
            return;
        };
        let Some(name) = field.text().filter(|n| !n.is_empty()) else {
            return;
        };
        let index = cx.index();
        if !index.has_kind(&[""], "Service") {
            return;
        }
        let ns = object.namespace();
        let services: Vec<_> = index.find(&[""], "Service", name, ns).map(|(_, s)| s).collect();
        let at = field.value_range();
        let Some(svc) = services.first() else {
            let message = super::common::not_defined(index, "Service", name, ns);
            cx.report(at, message);
            return;
        };
        if services.iter().all(|s| s.cluster_ip.as_deref() != Some("None")) {
            let ip = svc.cluster_ip.as_deref().filter(|ip| !ip.is_empty()).map_or_else(
                || "a cluster IP".to_owned(),
                |ip| format!("`clusterIP: {ip}`"),
            );
            cx.report(
                at,
                format!("Service `{name}` is not headless (it has {ip}): set `clusterIP: None`"),
            );
            return;
        }
        let labels: Vec<(String, String)> = object
            .pod_labels()
            .map(|m| m.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
            .unwrap_or_default();
        let selects = services.iter().any(|s| {
            s.cluster_ip.as_deref() == Some("None")
                && s.selector
                    .as_ref()
                    .is_some_and(|sel| !sel.is_empty() && sel.matches(&labels))
        });
        if !selects {
            cx.report(
                at,
                format!("Headless Service `{name}` does not select the pods of StatefulSet `{}`", object.name().unwrap_or("<unnamed>")),
            );
        }
    }
}
