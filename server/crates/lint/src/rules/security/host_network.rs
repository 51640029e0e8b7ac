//! `host-network`: pods that share the node's network namespace.

use crate::edit::Fix;
use crate::engine::Cx;
use crate::helpers::{is_true, set_path};
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A pod spec with `hostNetwork: true`.
    ///
    /// ## Why it matters
    /// The pod sees and binds the node's interfaces: it can sniff traffic, reach services
    /// bound to localhost on the node and bypass NetworkPolicies. The Pod Security Standards
    /// forbid it from the baseline level.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   hostNetwork: true
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
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: node agents (CNI plugins, monitoring) that need the host network break.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub(crate) HostNetwork {
        name: "host-network",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Pod shares the node's network namespace",
        peers: [
            KubeLinter: "host-network",
            Polaris: "hostNetworkSet",
            Kubescape: "C-0041",
            Checkov: "CKV_K8S_19",
            Trivy: "KSV-0009",
        ],
    }
}

impl Rule for HostNetwork {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let flag = pod.spec.host_network();
        if !is_true(flag) {
            return;
        }
        let Some(flag) = flag else { return };
        let fix = set_path(cx.doc(), pod.spec, &["hostNetwork"], "false")
            .map(|e| Fix::unsafe_("Set `hostNetwork: false`", e));
        cx.report(flag.range(), "Pod shares the node's network namespace")
            .fix(fix);
    }
}
