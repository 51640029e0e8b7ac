//! `privileged-port`: containers that listen on a port below 1024.

use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container port whose `containerPort` is between 1 and 1023.
    ///
    /// Off by default: many images still listen on 80 or 443, and container runtimes that
    /// set `net.ipv4.ip_unprivileged_port_start=0` in the pod let any user bind them.
    ///
    /// ## Why it matters
    /// On runtimes that keep the kernel default, binding a port below 1024 needs root or the
    /// `NET_BIND_SERVICE` capability: an image that does it cannot run with
    /// `runAsNonRoot` and all capabilities dropped. Listening on 8080 and mapping the
    /// Service port to 80 keeps the container unprivileged.
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
    ///       image: nginxinc/nginx-unprivileged:1.27
    ///       ports:
    ///         - containerPort: 8080
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    /// - https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
    pub(crate) PrivilegedPort {
        name: "privileged-port",
        category: Security,
        severity: Info,
        fix: None,
        summary: "Container listens on a privileged port (below 1024)",
        peers: [
            KubeLinter: "privileged-ports",
            Trivy: "KSV-0117",
        ],
        default_enabled: false,
    }
}

impl Rule for PrivilegedPort {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        for port in c.container.ports() {
            let Some(field) = port.container_port() else {
                continue;
            };
            let Some(number) = field.as_int() else {
                continue;
            };
            if !(1..1024).contains(&number) {
                continue;
            }
            let name = c.name();
            cx.report(
                field.range(),
                format!("Container `{name}` listens on privileged port `{number}`"),
            );
        }
    }
}
