//! `ingress-nginx-snippet-annotation`: ingress-nginx annotations that inject raw NGINX
//! configuration.

use picket_model::Object;

use crate::edit::{Fix, remove_entry};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

const PREFIX: &str = "nginx.ingress.kubernetes.io/";

declare_rule! {
    /// ## What it flags
    /// An annotation of an Ingress that ingress-nginx pastes into its NGINX configuration:
    /// `nginx.ingress.kubernetes.io/configuration-snippet`, `server-snippet`, `auth-snippet`,
    /// `stream-snippet`, `modsecurity-snippet` (every `*-snippet` key of the prefix).
    ///
    /// ## Why it matters
    /// A snippet runs with the controller's privileges: it can read files of the controller
    /// pod, whose service account may read every Secret of the cluster, and expose them
    /// (CVE-2021-25742). Anyone allowed to create an Ingress in any namespace can do it, which
    /// is why ingress-nginx turned `allow-snippet-annotations` off by default in v1.9.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: web
    ///   annotations:
    ///     nginx.ingress.kubernetes.io/configuration-snippet: |
    ///       more_set_headers "X-Frame-Options: DENY";
    /// spec:
    ///   ingressClassName: nginx
    ///   defaultBackend:
    ///     service:
    ///       name: web
    ///       port:
    ///         number: 80
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: web
    ///   annotations:
    ///     nginx.ingress.kubernetes.io/custom-headers: web/security-headers
    /// spec:
    ///   ingressClassName: nginx
    ///   defaultBackend:
    ///     service:
    ///       name: web
    ///       port:
    ///         number: 80
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the NGINX directives of the snippet (headers, rewrites, access rules) are no
    /// longer applied; move what is needed to dedicated annotations or the controller's
    /// ConfigMap first.
    ///
    /// ## References
    /// - https://github.com/kubernetes/ingress-nginx/issues/7837
    /// - https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/
    pub(crate) IngressNginxSnippetAnnotation {
        name: "ingress-nginx-snippet-annotation",
        category: Networking,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Ingress injects raw NGINX configuration through a snippet annotation",
        peers: [
            Kubescape: "C-0059",
            Checkov: "CKV_K8S_152",
            Checkov: "CKV_K8S_153",
            Checkov: "CKV_K8S_154",
            Trivy: "KCV-0093",
        ],
    }
}

impl Rule for IngressNginxSnippetAnnotation {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&["networking.k8s.io", "extensions"], "Ingress") {
            return;
        }
        let Some(annotations) = object.annotations() else {
            return;
        };
        for field in annotations.fields() {
            let Some(key) = field.entry().key_str() else { continue };
            let Some(rest) = key.strip_prefix(PREFIX) else { continue };
            if !rest.ends_with("-snippet") {
                continue;
            }
            let fix = remove_entry(cx.doc(), annotations.mapping(), field)
                .map(|e| Fix::unsafe_(format!("Remove the `{key}` annotation"), e));
            cx.report(
                field.key_range(),
                format!("Annotation `{key}` injects raw NGINX configuration into ingress-nginx (CVE-2021-25742)"),
            )
            .fix(fix);
        }
    }
}
