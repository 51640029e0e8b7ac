//! `probe-port-not-declared`: a probe that targets a port name its container does not
//! declare.


use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `livenessProbe`, `readinessProbe` or `startupProbe` whose `httpGet.port` or
    /// `tcpSocket.port` is a name (`http`, not `8080`) that is not among the container's
    /// `ports[].name`.
    ///
    /// Numeric ports are not checked: a container may listen on ports it does not list.
    /// `grpc.port` only takes a number.
    ///
    /// ## Why it matters
    /// The kubelet resolves a named probe port in the container's own port list. When the
    /// name is not there the probe fails every time: a liveness probe restarts the
    /// container forever, a readiness probe keeps the pod out of its Services, a startup
    /// probe never lets it start.
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
    ///         - name: http
    ///           containerPort: 80
    ///       readinessProbe:
    ///         httpGet:
    ///           path: /ready
    ///           port: web
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
    ///         - name: http
    ///           containerPort: 80
    ///       readinessProbe:
    ///         httpGet:
    ///           path: /ready
    ///           port: http
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#use-a-named-port
    pub(crate) ProbePortNotDeclared {
        name: "probe-port-not-declared",
        category: Correctness,
        severity: Error,
        fix: None,
        summary: "Probe targets a port name the container does not declare",
        peers: [
            KubeLinter: "liveness-port",
            KubeLinter: "readiness-port",
            KubeLinter: "startup-port",
        ],
    }
}

impl Rule for ProbePortNotDeclared {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let names: Vec<&str> = c
            .container
            .ports()
            .filter_map(|p| p.name().and_then(|f| f.text()))
            .collect();
        let probes = [
            ("Liveness", c.container.liveness_probe()),
            ("Readiness", c.container.readiness_probe()),
            ("Startup", c.container.startup_probe()),
        ];
        for (what, probe) in probes {
            let Some(probe) = probe else { continue };
            for handler in [probe.http_get(), probe.tcp_socket()].into_iter().flatten() {
                let Some(port) = handler
                    .as_mapping()
                    .and_then(|m| m.get_entry("port"))
                    .map(picket_model::Field::new)
                else {
                    continue;
                };
                let Some(name) = port
                    .as_str()
                    .filter(|n| !n.is_empty() && n.parse::<u32>().is_err())
                else {
                    continue;
                };
                if names.contains(&name) {
                    continue;
                }
                let container = c.name();
                let declared = if names.is_empty() {
                    "it declares no named port".to_owned()
                } else {
                    format!("it declares `{}`", names.join("`, `"))
                };
                cx.report(
                    port.value_range(),
                    format!("{what} probe port `{name}` is not a port of container `{container}`: {declared}"),
                );
            }
        }
    }
}
