//! `unmasked-proc-mount`: containers that unmask `/proc`.

use crate::edit::{Fix, set_scalar};
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};
use crate::rules::security::common::{container_sc, set};

declare_rule! {
    /// ## What it flags
    /// A container whose `securityContext.procMount` is anything but `Default`: `Unmasked`,
    /// the only other value Kubernetes accepts, or a misspelt value (the Pod Security
    /// Standards allow only `Default` or no value).
    ///
    /// ## Why it matters
    /// The runtime masks and makes read-only the parts of `/proc` that expose the node
    /// (`/proc/kcore`, `/proc/sysrq-trigger`, `/proc/sys`, …). `Unmasked` removes that
    /// protection, which is only meant for nested containers in a user namespace. The Pod
    /// Security Standards forbid it from the baseline level.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   hostUsers: false
    ///   containers:
    ///     - name: builder
    ///       image: registry.example.com/builder:1.0
    ///       securityContext:
    ///         procMount: Unmasked
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   hostUsers: false
    ///   containers:
    ///     - name: builder
    ///       image: registry.example.com/builder:1.0
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `procMount: Default`. Container builders and nested runtimes
    /// that mount their own `/proc` fail.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/
    pub(crate) UnmaskedProcMount {
        name: "unmasked-proc-mount",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container unmasks /proc",
        peers: [
            KubeLinter: "unsafe-proc-mount",
            Polaris: "procMount",
            Trivy: "KSV-0027",
        ],
    }
}

impl Rule for UnmaskedProcMount {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let Some(f) = set(container_sc(&c).and_then(|s| s.proc_mount())) else {
            return;
        };
        let Some(value) = f.text() else { return };
        if value == "Default" {
            return;
        }
        let name = c.name();
        cx.report(
            f.range(),
            format!("Container `{name}` sets `procMount: {value}`"),
        )
        .fix(set_scalar(f, "Default").map(|e| Fix::unsafe_("Set `procMount: Default`", e)));
    }
}
