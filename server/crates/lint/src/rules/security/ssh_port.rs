//! `ssh-port`: containers that expose an SSH server.

use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container port with `containerPort: 22`, or a port named `ssh` or `sshd` (any
    /// case) whatever its number.
    ///
    /// ## Why it matters
    /// An SSH server in a container is a second way in that bypasses Kubernetes'
    /// authentication, authorization and audit logging, and usually comes with long-lived
    /// keys or passwords baked into the image. `kubectl exec` and `kubectl debug` cover the
    /// same needs with the cluster's access control.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: tools
    /// spec:
    ///   containers:
    ///     - name: tools
    ///       image: registry.example.com/tools:1.4
    ///       ports:
    ///         - name: ssh
    ///           containerPort: 22
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: tools
    /// spec:
    ///   containers:
    ///     - name: tools
    ///       image: registry.example.com/tools:1.4
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container
    pub(crate) SshPort {
        name: "ssh-port",
        category: Security,
        severity: Warning,
        fix: None,
        summary: "Container exposes an SSH port",
        peers: [
            KubeLinter: "ssh-port",
            Kubescape: "C-0042",
        ],
    }
}

impl Rule for SshPort {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        for port in c.container.ports() {
            let number = port.container_port();
            let named = port
                .name()
                .filter(|n| n.text().is_some_and(|t| t.eq_ignore_ascii_case("ssh") || t.eq_ignore_ascii_case("sshd")));
            let container = c.name();
            if let Some(number) = number.filter(|n| n.as_int() == Some(22)) {
                cx.report(
                    number.range(),
                    format!("Container `{container}` exposes SSH port `22`"),
                );
            } else if let Some(named) = named {
                let text = named.text().unwrap_or("ssh");
                cx.report(
                    named.range(),
                    format!("Container `{container}` exposes a port named `{text}`"),
                );
            }
        }
    }
}
