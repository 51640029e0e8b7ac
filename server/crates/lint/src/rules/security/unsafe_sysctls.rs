//! `unsafe-sysctls`: pods that set sysctls outside the Kubernetes safe set.


use crate::edit::{Fix, remove_item};
use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};
use crate::rules::security::common::pod_sc;

declare_rule! {
    /// ## What it flags
    /// Each item of the pod's `securityContext.sysctls` whose `name` is not in the safe set
    /// of the target Kubernetes version (`kubernetesVersion` in `.picket.yaml`):
    /// `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    /// `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
    /// `net.ipv4.ip_unprivileged_port_start` (1.22), `net.ipv4.ip_local_reserved_ports`
    /// (1.27), `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
    /// `net.ipv4.tcp_keepalive_intvl` and `net.ipv4.tcp_keepalive_probes` (1.29). Names
    /// written with `/` (`net/ipv4/tcp_syncookies`) are read as Kubernetes reads them.
    ///
    /// ## Why it matters
    /// Safe sysctls are namespaced and isolated per pod. The others change the node's
    /// kernel for every pod on it, or can exhaust its resources. The kubelet refuses pods
    /// with unsafe sysctls unless the node allows them one by one, and the Pod Security
    /// Standards forbid them from the baseline level.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: cache
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///       - name: kernel.msgmax
    ///         value: "65536"
    ///   containers:
    ///     - name: cache
    ///       image: redis:7.4
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: cache
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///       - name: net.ipv4.ip_local_port_range
    ///         value: "1024 65535"
    ///   containers:
    ///     - name: cache
    ///       image: redis:7.4
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix removes the sysctl. A program tuned for the value runs with the
    /// node's default instead.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub(crate) UnsafeSysctls {
        name: "unsafe-sysctls",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Pod sets a sysctl outside the safe set",
        peers: [
            KubeLinter: "unsafe-sysctls",
            Trivy: "KSV-0026",
        ],
    }
}

/// The safe sysctls, with the Kubernetes version that made each one safe.
const SAFE: &[(&str, (u32, u32))] = &[
    ("kernel.shm_rmid_forced", (1, 0)),
    ("net.ipv4.ip_local_port_range", (1, 0)),
    ("net.ipv4.tcp_syncookies", (1, 0)),
    ("net.ipv4.ping_group_range", (1, 0)),
    ("net.ipv4.ip_unprivileged_port_start", (1, 22)),
    ("net.ipv4.ip_local_reserved_ports", (1, 27)),
    ("net.ipv4.tcp_keepalive_time", (1, 29)),
    ("net.ipv4.tcp_fin_timeout", (1, 29)),
    ("net.ipv4.tcp_keepalive_intvl", (1, 29)),
    ("net.ipv4.tcp_keepalive_probes", (1, 29)),
];

/// A sysctl name in dotted form. Kubernetes accepts `/` as the separator, in which case a
/// `.` inside a part stands for a `/`; none of the safe names has one.
fn dotted(name: &str) -> String {
    if name.contains('/') {
        name.chars()
            .map(|c| match c {
                '/' => '.',
                '.' => '/',
                c => c,
            })
            .collect()
    } else {
        name.to_owned()
    }
}

impl Rule for UnsafeSysctls {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let Some(sysctls) = pod_sc(&pod).and_then(|s| s.sysctls()) else {
            return;
        };
        for item in sysctls.items() {
            let Some(name_field) = item.as_mapping().and_then(|m| m.get_entry("name")) else {
                continue;
            };
            let name_field = picket_model::Field::new(name_field);
            let Some(name) = name_field.text().filter(|n| !n.is_empty()) else {
                continue;
            };
            let message = match SAFE.iter().find(|(safe, _)| *safe == dotted(name)) {
                Some((_, since)) if cx.config().targets_at_least(*since) => continue,
                Some((_, (major, minor))) => format!(
                    "Pod sets sysctl `{name}`, which is safe only from Kubernetes {major}.{minor}"
                ),
                None => format!("Pod sets unsafe sysctl `{name}`"),
            };
            let fix = remove_item(cx.doc(), sysctls, item)
                .map(|e| Fix::unsafe_(format!("Remove sysctl `{name}`"), e));
            cx.report(name_field.range(), message).fix(fix);
        }
    }
}
