//! `helm-tiller`: Tiller, the server side of Helm v2, deployed or exposed.

use picket_model::{Object, StrMap};

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};
use crate::rules::reliability::latest_image_tag::ImageRef;

declare_rule! {
    /// ## What it flags
    /// - a workload or Pod with a container whose image is Tiller's (`…/tiller`, such as
    ///   `gcr.io/kubernetes-helm/tiller:v2.17.0` or `ghcr.io/helm/tiller`);
    /// - a workload, Pod or Service labelled the way `helm init` labels Tiller
    ///   (`app: helm` and `name: tiller`), a Service selecting such pods, or a Service
    ///   forwarding to Tiller's gRPC port 44134.
    ///
    /// ## Why it matters
    /// Tiller runs with cluster-admin rights in most installations and, by default, serves
    /// an unauthenticated gRPC API on port 44134 to every pod of the cluster: any pod can
    /// install a chart that takes over the cluster. Helm v2 has been unsupported since
    /// November 2020; Helm 3 has no server side.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: tiller-deploy
    ///   namespace: kube-system
    ///   labels: {app: helm, name: tiller}
    /// spec:
    ///   selector:
    ///     matchLabels: {app: helm, name: tiller}
    ///   template:
    ///     metadata:
    ///       labels: {app: helm, name: tiller}
    ///     spec:
    ///       serviceAccountName: tiller
    ///       containers:
    ///         - name: tiller
    ///           image: gcr.io/kubernetes-helm/tiller:v2.17.0
    ///           ports:
    ///             - containerPort: 44134
    /// ```
    ///
    /// ## Use instead
    /// Migrate the releases with `helm 2to3`, then delete Tiller; Helm 3 needs nothing in the
    /// cluster.
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: kube-system
    /// ```
    ///
    /// ## References
    /// - https://helm.sh/blog/helm-v2-deprecation-timeline/
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
    pub(crate) HelmTiller {
        name: "helm-tiller",
        category: Security,
        severity: Error,
        fix: None,
        summary: "Tiller (Helm v2) is deployed",
        peers: [
            Checkov: "CKV_K8S_34",
            Checkov: "CKV_K8S_44",
            Checkov: "CKV_K8S_45",
            Trivy: "KSV-0102",
        ],
    }
}

impl Rule for HelmTiller {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(gvk) = object.gvk() else { return };
        let name = object.name().unwrap_or("<unnamed>");
        let kind = gvk.kind;
        if let Some(svc) = object.as_service() {
            let labelled = object.labels().is_some_and(tiller_labels)
                || svc.selector().is_some_and(tiller_labels);
            let tiller_port = svc.ports().any(|p| {
                [p.port(), p.target_port()]
                    .into_iter()
                    .flatten()
                    .any(|f| f.as_int() == Some(TILLER_PORT))
            });
            if labelled || tiller_port {
                cx.report(
                    object.header_range(),
                    format!("Service `{name}` exposes Tiller (Helm v2)"),
                );
            }
            return;
        }
        let Some(spec) = object.pod_spec() else { return };
        let image = spec.all_containers().find_map(|(_, c)| {
            let field = c.image()?;
            let image = ImageRef::parse(field.as_str()?)?;
            is_tiller_image(&image).then_some(field)
        });
        if let Some(field) = image {
            cx.report(
                field.value_range(),
                format!("{kind} `{name}` runs Tiller (Helm v2)"),
            );
            return;
        }
        let labelled =
            object.labels().is_some_and(tiller_labels) || object.pod_labels().is_some_and(tiller_labels);
        if labelled {
            cx.report(
                object.header_range(),
                format!("{kind} `{name}` runs Tiller (Helm v2)"),
            );
        }
    }
}

/// Tiller's gRPC port.
const TILLER_PORT: i64 = 44134;

/// `app: helm` and `name: tiller`, the labels `helm init` puts on Tiller.
fn tiller_labels(labels: StrMap<'_>) -> bool {
    labels.get("app") == Some("helm") && labels.get("name") == Some("tiller")
}

/// An image whose repository's last component is `tiller`.
fn is_tiller_image(image: &ImageRef<'_>) -> bool {
    image.path.rsplit('/').next() == Some("tiller")
}
