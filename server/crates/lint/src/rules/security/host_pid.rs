//! `host-pid`: pods that share the node's process ID namespace.

use crate::edit::Fix;
use crate::engine::Cx;
use crate::helpers::{is_true, set_path};
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A pod spec with `hostPID: true`.
    ///
    /// ## Why it matters
    /// The pod sees every process on the node: it can read their command lines and
    /// environment (where credentials often live), signal them, and with `ptrace` or a
    /// privileged container enter them through `/proc/<pid>/root`. The Pod Security Standards
    /// forbid it from the baseline level.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: debug
    /// spec:
    ///   hostPID: true
    ///   containers:
    ///     - name: debug
    ///       image: busybox:1.36
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: debug
    /// spec:
    ///   containers:
    ///     - name: debug
    ///       image: busybox:1.36
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: node agents that inspect host processes (monitoring, security sensors,
    /// debuggers) stop seeing them.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub(crate) HostPid {
        name: "host-pid",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Pod shares the node's process ID namespace",
        peers: [
            KubeLinter: "host-pid",
            Polaris: "hostPIDSet",
            Kubescape: "C-0038",
            Kubescape: "C-0275",
            Checkov: "CKV_K8S_17",
            Trivy: "KSV-0010",
        ],
    }
}

impl Rule for HostPid {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let flag = pod.spec.host_pid();
        if !is_true(flag) {
            return;
        }
        let Some(flag) = flag else { return };
        let fix = set_path(cx.doc(), pod.spec, &["hostPID"], "false")
            .map(|e| Fix::unsafe_("Set `hostPID: false`", e));
        cx.report(flag.range(), "Pod shares the node's process ID namespace")
            .fix(fix);
    }
}
