//! `writable-root-filesystem`: containers that do not set `readOnlyRootFilesystem: true`.

use crate::edit::Fix;
use crate::engine::Cx;
use crate::helpers::{is_true, set_path};
use crate::rule::{ContainerCx, Rule, declare_rule};
use crate::rules::security::common::{container_sc, is_windows, set};

declare_rule! {
    /// ## What it flags
    /// A container whose `securityContext.readOnlyRootFilesystem` is not `true`: unset (the
    /// default is a writable root filesystem) or `false`. Pods with `spec.os.name: windows`
    /// are skipped: Windows does not support the setting.
    ///
    /// ## Why it matters
    /// An attacker who gets code execution in a container with a writable root filesystem
    /// can drop tools and binaries, change configuration, or plant code that survives a
    /// process restart. A read-only root filesystem forces writes into declared volumes
    /// (`emptyDir` for scratch space), which are easy to audit.
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
    ///       securityContext:
    ///         readOnlyRootFilesystem: true
    ///       volumeMounts:
    ///         - name: tmp
    ///           mountPath: /tmp
    ///   volumes:
    ///     - name: tmp
    ///       emptyDir: {}
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a program that writes outside its volumes (`/tmp`, caches, pid files, logs
    /// under `/var`) fails once the root filesystem is read-only. Mount an `emptyDir` where
    /// it writes.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    pub(crate) WritableRootFilesystem {
        name: "writable-root-filesystem",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container's root filesystem is writable",
        peers: [
            KubeLinter: "no-read-only-root-fs",
            Polaris: "notReadOnlyRootFilesystem",
            KubeScore: "container-security-context-readonlyrootfilesystem",
            Kubescape: "C-0017",
            Checkov: "CKV_K8S_22",
            Trivy: "KSV-0014",
        ],
    }
}

impl Rule for WritableRootFilesystem {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        if is_windows(&c.pod) {
            return;
        }
        let flag = set(container_sc(&c).and_then(|s| s.read_only_root_filesystem()));
        if is_true(flag) {
            return;
        }
        let name = c.name();
        let (range, message) = match flag {
            Some(f) => (
                f.range(),
                format!(
                    "Container `{name}` sets `readOnlyRootFilesystem: {}`",
                    f.text().unwrap_or("")
                ),
            ),
            None => (
                c.anchor(),
                format!("Container `{name}` does not set `readOnlyRootFilesystem: true`"),
            ),
        };
        let fix = set_path(
            cx.doc(),
            c.container,
            &["securityContext", "readOnlyRootFilesystem"],
            "true",
        )
        .map(|e| Fix::unsafe_("Set `readOnlyRootFilesystem: true`", e));
        cx.report(range, message).fix(fix);
    }
}
