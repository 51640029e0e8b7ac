//! `host-port`: container ports bound on the node with `hostPort`.

use picket_model::View;

use crate::edit::{Fix, remove_entry};
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container port with a `hostPort` (other than `0`, which means none).
    ///
    /// ## Why it matters
    /// The port is opened on the node's own address: the pod can be reached from outside the
    /// cluster network, around NetworkPolicies, and only one such pod fits on each node, so
    /// scheduling and rolling updates get stuck. A Service is almost always the better way
    /// in. The Pod Security Standards restrict host ports from the baseline level.
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
    ///       ports:
    ///         - containerPort: 80
    ///           hostPort: 8080
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
    ///       ports:
    ///         - containerPort: 80
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: clients that reach the pod through `<node>:<hostPort>` (an external load
    /// balancer, an ingress controller run as a DaemonSet) lose their way in until a Service
    /// replaces it.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - https://kubernetes.io/docs/concepts/configuration/overview/#services
    pub(crate) HostPort {
        name: "host-port",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container port is bound on the node with hostPort",
        peers: [
            Polaris: "hostPortSet",
            Kubescape: "C-0044",
            Checkov: "CKV_K8S_26",
            Trivy: "KSV-0024",
        ],
    }
}

impl Rule for HostPort {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        for port in c.container.ports() {
            let Some(host_port) = port.host_port() else {
                continue;
            };
            let Some(number) = host_port.as_int() else {
                continue;
            };
            if number == 0 {
                continue;
            }
            let fix = remove_entry(cx.doc(), port.mapping(), host_port)
                .map(|e| Fix::unsafe_("Remove `hostPort`", e));
            let name = c.name();
            cx.report(
                host_port.range(),
                format!("Container `{name}` binds port `{number}` on the node"),
            )
            .fix(fix);
        }
    }
}
