//! `host-ipc`: pods that share the node's IPC namespace.

use crate::edit::Fix;
use crate::engine::Cx;
use crate::helpers::{is_true, set_path};
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A pod spec with `hostIPC: true`.
    ///
    /// ## Why it matters
    /// The pod joins the node's inter-process communication namespace: it can read and write
    /// the System V shared memory, semaphores and message queues of every host process that
    /// uses them, and of every other pod with `hostIPC`. The Pod Security Standards forbid it
    /// from the baseline level.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: shm
    /// spec:
    ///   hostIPC: true
    ///   containers:
    ///     - name: shm
    ///       image: busybox:1.36
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: shm
    /// spec:
    ///   containers:
    ///     - name: shm
    ///       image: busybox:1.36
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a workload that shares memory with a host process (some databases and
    /// high-performance computing setups) loses it.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub(crate) HostIpc {
        name: "host-ipc",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Pod shares the node's IPC namespace",
        peers: [
            KubeLinter: "host-ipc",
            Polaris: "hostIPCSet",
            Kubescape: "C-0038",
            Kubescape: "C-0276",
            Checkov: "CKV_K8S_18",
            Trivy: "KSV-0008",
        ],
    }
}

impl Rule for HostIpc {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let flag = pod.spec.host_ipc();
        if !is_true(flag) {
            return;
        }
        let Some(flag) = flag else { return };
        let fix = set_path(cx.doc(), pod.spec, &["hostIPC"], "false")
            .map(|e| Fix::unsafe_("Set `hostIPC: false`", e));
        cx.report(flag.range(), "Pod shares the node's IPC namespace")
            .fix(fix);
    }
}
