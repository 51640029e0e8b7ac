//! `service-selects-no-pod`: a Service whose selector matches no pod of the run or workspace.

use picket_model::{Object, View};

use crate::engine::Cx;
use crate::index::Selector;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Service with a `selector` that matches the pod labels of no workload or Pod among the
    /// files checked together (the files of a `picket check` run, or the editor's workspace).
    ///
    /// The rule stays quiet when the files define no workload at all (the pods then live
    /// elsewhere), and when custom resources share the namespace: an operator (Prometheus,
    /// Alertmanager, a database) may create the pods from them.
    ///
    /// ## Why it matters
    /// Such a Service has no endpoints: traffic to it fails. It is almost always a typo in a
    /// label or a selector that was not updated with the workload.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     app: wbe
    ///   ports:
    ///     - port: 80
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    ///   labels:
    ///     app: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     app: web
    ///   ports:
    ///     - port: 80
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    ///   labels:
    ///     app: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
    pub(crate) ServiceSelectsNoPod {
        name: "service-selects-no-pod",
        category: Networking,
        severity: Warning,
        fix: None,
        summary: "Service selects no pod",
        peers: [
            KubeLinter: "dangling-service",
            KubeScore: "service-targets-pod",
            Kubescape: "C-0293",
        ],
    }
}

impl Rule for ServiceSelectsNoPod {
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
        let mut workloads = index.workloads().peekable();
        let ns = object.namespace();
        if workloads.peek().is_none() || index.custom_resources_near(ns) {
            return;
        }
        let selected = workloads.any(|(_, s)| {
            s.same_namespace(ns) && s.pod_labels.as_deref().is_some_and(|l| selector.matches(l))
        });
        if selected {
            return;
        }
        let name = object.name().unwrap_or("<unnamed>");
        let wanted: Vec<String> = selector
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let at = svc.field("selector").map_or(map.range(), |f| f.key_range());
        cx.report(
            at,
            format!(
                "Service `{name}` selects no pod: no workload has the labels `{}`",
                wanted.join(", ")
            ),
        );
    }
}
