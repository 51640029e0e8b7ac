//! `dangerous-capability-added`: containers that add a capability close to root.

use crate::edit::{Fix, remove_item};
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};
use crate::rules::security::common::{
    DANGEROUS_CAPABILITIES, capability_fields, capability_items, disallow_escalation,
};

declare_rule! {
    /// ## What it flags
    /// Each item of `securityContext.capabilities.add` that is `ALL`, `SYS_ADMIN`,
    /// `NET_ADMIN`, `SYS_MODULE`, `SYS_PTRACE`, `SYS_RAWIO`, `SYS_BOOT`, `BPF`, `PERFMON` or
    /// `SYS_TIME`, with or without the `CAP_` prefix, in any case.
    ///
    /// ## Why it matters
    /// Each of these is a path out of the container or over the node: `SYS_ADMIN` mounts
    /// filesystems and is nearly root, `SYS_MODULE` loads kernel modules, `SYS_PTRACE`
    /// attaches to processes, `SYS_RAWIO` and `BPF` reach kernel memory, `NET_ADMIN`
    /// rewrites the pod's network and firewall, `SYS_TIME` changes the node's clock.
    /// `ALL` grants every one of them.
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
    ///       securityContext:
    ///         capabilities:
    ///           add: [SYS_ADMIN]
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
    ///         capabilities:
    ///           drop: [ALL]
    ///           add: [NET_BIND_SERVICE]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix removes the capability from `capabilities.add`. A workload that
    /// really needs it (a CNI plugin needs `NET_ADMIN`, a debugger `SYS_PTRACE`) stops
    /// working.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - https://man7.org/linux/man-pages/man7/capabilities.7.html
    pub(crate) DangerousCapabilityAdded {
        name: "dangerous-capability-added",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container adds a capability close to root",
        peers: [
            KubeLinter: "privilege-escalation-container",
            Polaris: "dangerousCapabilities",
            Kubescape: "C-0046",
            Checkov: "CKV_K8S_39",
            Trivy: "KSV-0005",
            Trivy: "KSV-0120",
        ],
    }
}

impl Rule for DangerousCapabilityAdded {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let (add, _) = capability_fields(&c);
        let name = c.name();
        for (item, cap) in capability_items(add) {
            if !DANGEROUS_CAPABILITIES.contains(&cap.as_str()) {
                continue;
            }
            let text = item.as_scalar().map_or("", |s| s.value());
            // Without SYS_ADMIN (and not privileged) the container must also stop escalating,
            // or `privilege-escalation-allowed` takes over.
            let last_sys_admin = cap == "SYS_ADMIN"
                && capability_items(add).iter().filter(|(_, n)| n == "SYS_ADMIN").count() == 1;
            let privileged = c
                .container
                .security_context()
                .and_then(|s| s.privileged())
                .and_then(|f| f.as_bool())
                == Some(true);
            let also = if last_sys_admin && !privileged {
                disallow_escalation(cx.doc(), &c)
            } else {
                Ok(None)
            };
            let title = format!("Remove `{text}` from `capabilities.add`");
            let fix = match (add.and_then(|f| remove_item(cx.doc(), f, item)), also) {
                (Some(e), Ok(None)) => Some(Fix::unsafe_(title, e)),
                (Some(e), Ok(Some(also))) => Some(Fix::new(
                    format!("{title} and set `allowPrivilegeEscalation: false`"),
                    crate::rule::Applicability::Unsafe,
                    vec![e, also],
                )),
                _ => None,
            };
            cx.report(
                item.range(),
                format!("Container `{name}` adds dangerous capability `{text}`"),
            )
            .fix(fix);
        }
    }
}
