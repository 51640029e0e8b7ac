//! `ingress-without-tls`: an Ingress that serves some or all of its hosts over plain HTTP.

use picket_model::{Object, View};

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

/// Annotations through which cloud load balancers terminate TLS without `spec.tls`.
const CLOUD_TLS_ANNOTATIONS: &[&str] = &[
    "alb.ingress.kubernetes.io/certificate-arn",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "networking.gke.io/managed-certificates",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
];

declare_rule! {
    /// ## What it flags
    /// - An Ingress without `spec.tls` (or with an empty list).
    /// - A rule `host` that no `tls` entry covers (exactly or through a `*.` wildcard), when
    ///   every `tls` entry lists its hosts.
    ///
    /// An Ingress whose certificate comes from a cloud load balancer annotation
    /// (`alb.ingress.kubernetes.io/certificate-arn`, `ingress.gcp.kubernetes.io/pre-shared-cert`,
    /// `networking.gke.io/managed-certificates`,
    /// `appgw.ingress.kubernetes.io/appgw-ssl-certificate`) is left alone.
    ///
    /// ## Why it matters
    /// Without TLS, credentials, session cookies and data cross the network in clear text and
    /// can be read or changed on the way. A host missing from `tls` is served with the
    /// controller's default certificate, which clients reject, or over plain HTTP.
    ///
    /// ## Example
    /// ```yaml,bad
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
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: web
    /// spec:
    ///   tls:
    ///     - hosts: [shop.example.com]
    ///       secretName: shop-tls
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
    /// - https://kubernetes.io/docs/concepts/services-networking/ingress/#tls
    pub(crate) IngressWithoutTls {
        name: "ingress-without-tls",
        category: Networking,
        severity: Warning,
        fix: None,
        summary: "Ingress serves hosts without TLS",
        peers: [
            Polaris: "tlsSettingsMissing",
            Kubescape: "C-0263",
        ],
    }
}

/// Whether the TLS host `pattern` covers `host`: equal, or `*.example.com` for one more label.
fn covers(pattern: &str, host: &str) -> bool {
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    match (pattern.strip_prefix("*."), host.split_once('.')) {
        (Some(suffix), Some((label, rest))) => {
            !label.is_empty() && label != "*" && rest.eq_ignore_ascii_case(suffix)
        }
        _ => false,
    }
}

impl Rule for IngressWithoutTls {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(ing) = object.as_ingress() else {
            return;
        };
        if object
            .annotations()
            .is_some_and(|a| CLOUD_TLS_ANNOTATIONS.iter().any(|k| a.get(k).is_some()))
        {
            return;
        }
        let name = object.name().unwrap_or("<unnamed>");
        let entries: Vec<_> = ing.tls().into_iter().flat_map(|f| f.items()).collect();
        if entries.is_empty() {
            let at = match ing.tls() {
                Some(f) => f.range(),
                None => object.field("spec").map_or(object.header_range(), |f| f.key_range()),
            };
            cx.report(
                at,
                format!("Ingress `{name}` has no `tls` section: it serves plain HTTP"),
            );
            return;
        }
        let mut hosts: Vec<&str> = Vec::new();
        for entry in &entries {
            let Some(m) = entry.as_mapping() else { continue };
            let listed: Vec<&str> = m
                .get("hosts")
                .and_then(|h| h.resolve().as_sequence())
                .map(|s| {
                    s.items()
                        .filter_map(|n| n.resolve().as_scalar().map(|x| x.value()))
                        .collect()
                })
                .unwrap_or_default();
            if listed.is_empty() {
                // A `tls` entry without hosts applies to every host of the Ingress.
                return;
            }
            hosts.extend(listed);
        }
        for rule in ing.rules() {
            let Some(host) = rule.host() else { continue };
            let Some(h) = host.text().filter(|h| !h.is_empty()) else {
                continue;
            };
            if !hosts.iter().any(|p| covers(p, h)) {
                cx.report(
                    host.value_range(),
                    format!(
                        "Host `{h}` of Ingress `{name}` is not covered by any `tls` entry: it is served without a valid certificate"
                    ),
                );
            }
        }
    }
}
