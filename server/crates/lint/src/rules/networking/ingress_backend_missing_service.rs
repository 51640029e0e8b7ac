//! `ingress-backend-missing-service`: an Ingress that routes to a Service, or a port of one,
//! that the run does not define.

use picket_model::{Field, IngressBackend, Object, View};

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};
use crate::rules::correctness::common::not_defined;

declare_rule! {
    /// ## What it flags
    /// An Ingress backend (`defaultBackend` or a path's `backend`; `serviceName` and
    /// `servicePort` in the old `v1beta1` form) naming a Service that the files checked
    /// together do not define in the Ingress's namespace, or a port (by number or by name)
    /// that the Service does not have.
    ///
    /// The rule stays quiet when the files define no Service at all: the Services then
    /// evidently live elsewhere. `resource` backends are not checked.
    ///
    /// ## Why it matters
    /// The ingress controller has nowhere to send the traffic: clients get `503 Service
    /// Unavailable` (ingress-nginx) or `404` for that host and path. It is almost always a
    /// renamed Service or a port that changed.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   rules:
    ///     - host: shop.example.com
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: storefront
    ///                 port:
    ///                   number: 80
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///     - port: 80
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   rules:
    ///     - host: shop.example.com
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: web
    ///                 port:
    ///                   number: 80
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///     - port: 80
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource
    pub(crate) IngressBackendMissingService {
        name: "ingress-backend-missing-service",
        category: Networking,
        severity: Warning,
        fix: None,
        summary: "Ingress routes to a Service or port that is not defined",
        peers: [
            KubeLinter: "dangling-ingress",
            KubeScore: "ingress-targets-service",
            Kubescape: "C-0298",
        ],
    }
}

/// A backend's Service name and port fields, in either API form.
fn service_of<'a>(b: IngressBackend<'a>) -> Option<(Field<'a>, Option<Field<'a>>)> {
    if let Some(svc) = b.service() {
        let port = svc.port().and_then(|p| {
            let m = p.as_mapping()?;
            m.get_entry("number")
                .or_else(|| m.get_entry("name"))
                .map(Field::new)
        });
        return Some((svc.name()?, port));
    }
    Some((b.field("serviceName")?, b.field("servicePort")))
}

impl Rule for IngressBackendMissingService {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(ing) = object.as_ingress() else {
            return;
        };
        let index = cx.index();
        if !index.has_kind(&[""], "Service") {
            return;
        }
        let ns = object.namespace();
        for backend in ing.all_backends() {
            let Some((name_field, port)) = service_of(backend) else {
                continue;
            };
            let Some(name) = name_field.text().filter(|n| !n.is_empty()) else {
                continue;
            };
            let services: Vec<_> = index.find(&[""], "Service", name, ns).map(|(_, s)| s).collect();
            if services.is_empty() {
                let message = not_defined(index, "Service", name, ns);
                cx.report(name_field.value_range(), message);
                continue;
            }
            let Some(port) = port else { continue };
            let Some(text) = port.text().filter(|t| !t.is_empty()) else {
                continue;
            };
            let ports: Vec<&(String, i64)> = services.iter().flat_map(|s| &s.service_ports).collect();
            if ports.is_empty() {
                continue;
            }
            let (found, what) = match text.parse::<i64>().ok().or_else(|| port.as_int()) {
                Some(n) => (ports.iter().any(|(_, p)| *p == n), format!("port `{n}`")),
                None => (
                    ports.iter().any(|(pn, _)| pn == text),
                    format!("port named `{text}`"),
                ),
            };
            if !found {
                cx.report(
                    port.value_range(),
                    format!("Service `{name}` has no {what}"),
                );
            }
        }
    }
}
