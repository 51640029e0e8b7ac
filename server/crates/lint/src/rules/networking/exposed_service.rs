//! `exposed-service`: a Service of type NodePort or LoadBalancer.

use picket_model::Object;

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Service with `type: NodePort` or `type: LoadBalancer`. A load balancer that a cloud
    /// annotation keeps internal (`service.beta.kubernetes.io/aws-load-balancer-internal`,
    /// `service.beta.kubernetes.io/aws-load-balancer-scheme: internal`,
    /// `networking.gke.io/load-balancer-type: Internal`,
    /// `service.beta.kubernetes.io/azure-load-balancer-internal`,
    /// `service.beta.kubernetes.io/oci-load-balancer-internal`) is left alone.
    ///
    /// Off by default: exposing a Service is often the point. Turn it on where every entry
    /// into the cluster should go through an Ingress or Gateway.
    ///
    /// ## Why it matters
    /// A NodePort opens the port on every node of the cluster; a LoadBalancer asks the cloud
    /// for a public address. Either puts the pods in reach of whoever can reach the nodes or
    /// the internet, past the TLS, authentication and rate limits an ingress layer applies.
    ///
    /// ## Example
    /// ```yaml,bad
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
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
    pub(crate) ExposedService {
        name: "exposed-service",
        category: Networking,
        severity: Info,
        fix: None,
        summary: "Service is published outside the cluster",
        peers: [
            KubeLinter: "exposed-services",
            KubeScore: "service-type",
        ],
        default_enabled: false,
    }
}

impl Rule for ExposedService {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(svc) = object.as_service() else {
            return;
        };
        let Some(ty) = svc.type_() else { return };
        let what = match ty.text() {
            Some("NodePort") => "opens a port on every node",
            Some("LoadBalancer") => "asks for an external load balancer",
            _ => return,
        };
        if ty.text() == Some("LoadBalancer") && crate::index::is_internal_load_balancer(object) {
            return;
        }
        let name = object.name().unwrap_or("<unnamed>");
        let t = ty.text().unwrap_or_default();
        cx.report(
            ty.range(),
            format!("Service `{name}` is of type `{t}`: it {what}"),
        );
    }
}

