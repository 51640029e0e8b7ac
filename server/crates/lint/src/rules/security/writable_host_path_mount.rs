//! `writable-host-path-mount`: containers that mount a hostPath volume without `readOnly`.

use crate::edit::Fix;
use crate::engine::Cx;
use crate::helpers::{is_true, set_path};
use crate::rule::{ContainerCx, Rule, declare_rule};
use crate::rules::security::host_path_volume::host_path_volume_names;

declare_rule! {
    /// ## What it flags
    /// A `volumeMounts` entry of a container (init and ephemeral ones included) that mounts a
    /// `hostPath` volume of its pod without `readOnly: true`.
    ///
    /// ## Why it matters
    /// A writable host mount lets the container change the node: drop a binary the node runs,
    /// edit a configuration file the kubelet reads, or fill the node's disk. Most workloads
    /// that need a host path only read it.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: logs
    /// spec:
    ///   containers:
    ///     - name: shipper
    ///       image: fluent/fluent-bit:3.1
    ///       volumeMounts:
    ///         - name: varlog
    ///           mountPath: /var/log
    ///   volumes:
    ///     - name: varlog
    ///       hostPath:
    ///         path: /var/log
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: logs
    /// spec:
    ///   containers:
    ///     - name: shipper
    ///       image: fluent/fluent-bit:3.1
    ///       volumeMounts:
    ///         - name: varlog
    ///           mountPath: /var/log
    ///           readOnly: true
    ///   volumes:
    ///     - name: varlog
    ///       hostPath:
    ///         path: /var/log
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a container that does write there (a log shipper's position database, a CSI
    /// driver's mount points) fails with "read-only file system".
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
    pub(crate) WritableHostPathMount {
        name: "writable-host-path-mount",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container mounts a hostPath volume writable",
        peers: [
            KubeLinter: "writable-host-mount",
            Kubescape: "C-0045",
        ],
    }
}

impl Rule for WritableHostPathMount {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let host_paths = host_path_volume_names(c.pod.spec);
        if host_paths.is_empty() {
            return;
        }
        for mount in c.container.volume_mounts() {
            let Some(name_field) = mount.name() else {
                continue;
            };
            let Some(volume) = name_field.text() else {
                continue;
            };
            if !host_paths.contains(&volume) {
                continue;
            }
            let read_only = mount.read_only();
            if is_true(read_only) {
                continue;
            }
            let range = read_only.map_or_else(|| name_field.range(), |f| f.range());
            let fix = set_path(cx.doc(), mount, &["readOnly"], "true")
                .map(|e| Fix::unsafe_("Set `readOnly: true`", e));
            let container = c.name();
            let at = mount
                .mount_path()
                .and_then(|p| p.text())
                .map(|p| format!(" at `{p}`"))
                .unwrap_or_default();
            cx.report(
                range,
                format!("Container `{container}` mounts host path volume `{volume}`{at} writable"),
            )
            .fix(fix);
        }
    }
}
