//! `subpath-mount`: volume mounts that use `subPath` or `subPathExpr`.

use picket_model::View;

use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `volumeMounts` entry with a non-empty `subPath` or `subPathExpr`.
    ///
    /// Off by default: the kubelet bug it guards against is fixed in every supported
    /// Kubernetes release (1.19.15, 1.20.11, 1.21.5, 1.22.2 and later). Turn it on for
    /// clusters whose nodes may run older kubelets.
    ///
    /// ## Why it matters
    /// On unpatched kubelets, a container that can write to the volume can replace the
    /// sub-path with a symlink and make the kubelet mount an arbitrary host path into the
    /// next container that starts (CVE-2021-25741). `subPath` mounts also never receive
    /// updates of ConfigMaps and Secrets.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       volumeMounts:
    ///         - name: data
    ///           mountPath: /usr/share/nginx/html
    ///           subPath: html
    ///   volumes:
    ///     - name: data
    ///       emptyDir: {}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       volumeMounts:
    ///         - name: data
    ///           mountPath: /usr/share/nginx/html
    ///   volumes:
    ///     - name: data
    ///       emptyDir: {}
    /// ```
    ///
    /// ## References
    /// - https://nvd.nist.gov/vuln/detail/CVE-2021-25741
    /// - https://kubernetes.io/docs/concepts/storage/volumes/#using-subpath
    pub(crate) SubpathMount {
        name: "subpath-mount",
        category: Security,
        severity: Info,
        fix: None,
        summary: "Container mounts a volume with subPath",
        peers: [Kubescape: "C-0058"],
        default_enabled: false,
    }
}

impl Rule for SubpathMount {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        for mount in c.container.volume_mounts() {
            for key in ["subPath", "subPathExpr"] {
                let Some(field) = mount.field(key) else {
                    continue;
                };
                if field.text().is_none_or(|t| t.trim().is_empty()) {
                    continue;
                }
                let volume = mount.name().and_then(|n| n.text()).unwrap_or("<unnamed>");
                let name = c.name();
                cx.report(
                    field.range(),
                    format!("Container `{name}` mounts volume `{volume}` with `{key}`"),
                );
            }
        }
    }
}
