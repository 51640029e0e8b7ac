//! `ingress-catch-all-host`: an Ingress rule that answers any host name.

use picket_model::{Object, View};

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A rule of an Ingress without `host` (or with an empty one), or with the host `*`.
    ///
    /// ## Why it matters
    /// A rule without a host matches requests for any name that resolves to the load
    /// balancer, its bare IP address included: the application is reachable under names
    /// nobody chose (which defeats host-based cookies and CORS policies), scanners that sweep
    /// IP ranges find it, and a second Ingress on the same controller may silently lose
    /// its traffic to it.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: web
    /// spec:
    ///   rules:
    ///     - http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: web
    ///                 port:
    ///                   number: 80
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: web
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
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-rules
    /// - https://kubernetes.io/docs/concepts/services-networking/ingress/#hostname-wildcards
    pub(crate) IngressCatchAllHost {
        name: "ingress-catch-all-host",
        category: Networking,
        severity: Info,
        fix: None,
        summary: "Ingress rule matches any host name",
        peers: [],
    }
}

impl Rule for IngressCatchAllHost {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(ing) = object.as_ingress() else {
            return;
        };
        let name = object.name().unwrap_or("<unnamed>");
        for rule in ing.rules() {
            match rule.host() {
                Some(host) if host.text().is_some_and(|h| !h.is_empty() && h != "*") => {}
                Some(host) if host.text() == Some("*") => {
                    cx.report(
                        host.range(),
                        format!("Ingress `{name}` has a rule for host `*`: it answers any host name"),
                    );
                }
                host => {
                    let at = host.map(|h| h.range()).or_else(|| {
                        rule.mapping().entries().next().map(|e| e.key.range())
                    });
                    let at = at.unwrap_or_else(|| rule.range());
                    cx.report(
                        at,
                        format!("Ingress `{name}` has a rule without `host`: it answers any host name"),
                    );
                }
            }
        }
    }
}
