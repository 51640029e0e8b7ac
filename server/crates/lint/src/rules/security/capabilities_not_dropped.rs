//! `capabilities-not-dropped`: containers that keep the runtime's default capabilities.

use picket_model::View;

use crate::edit::{Fix, Value, append_item, ensure_path};
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};
use crate::rules::security::common::{capability_fields, capability_items, is_windows};

declare_rule! {
    /// ## What it flags
    /// A container whose `securityContext.capabilities.drop` does not hold `ALL` (in any
    /// case). Dropping a list of single capabilities is not enough: the runtime's default
    /// set changes between runtimes and versions. Pods with `spec.os.name: windows` are
    /// skipped.
    ///
    /// Polaris' `insecureCapabilities` also accepts dropping its own list of capabilities,
    /// so it is not this rule's peer.
    ///
    /// ## Why it matters
    /// Container runtimes grant a default set of capabilities (`CHOWN`, `DAC_OVERRIDE`,
    /// `FOWNER`, `SETUID`, `SETGID`, `NET_RAW`, `MKNOD`, …) that most programs never use
    /// and that an attacker uses to raise privileges or spoof traffic. The Pod Security
    /// Standards' restricted level requires `drop: [ALL]`; add back only what the program
    /// needs (usually `NET_BIND_SERVICE` at most).
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
    ///           drop: [NET_RAW]
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
    /// Unsafe: the fix adds `ALL` to `capabilities.drop`. A program that relies on a
    /// default capability (changing file owners, binding ports below 1024 as root, `ping`
    /// with raw sockets) fails; add that capability back in `capabilities.add`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
    pub(crate) CapabilitiesNotDropped {
        name: "capabilities-not-dropped",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container does not drop all capabilities",
        peers: [
            Checkov: "CKV_K8S_37",
            Trivy: "KSV-0003",
            Trivy: "KSV-0004",
        ],
    }
}

impl Rule for CapabilitiesNotDropped {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        if is_windows(&c.pod) {
            return;
        }
        let (_, drop) = capability_fields(&c);
        if capability_items(drop).iter().any(|(_, n)| n == "ALL") {
            return;
        }
        let range = drop.map_or_else(|| c.anchor(), |f| f.key_range());
        let edit = match drop {
            Some(f) => append_item(cx.doc(), f, &Value::scalar("ALL")),
            None => ensure_path(
                cx.doc(),
                c.container.mapping(),
                &["securityContext", "capabilities", "drop"],
                Value::list(&["ALL"]),
            ),
        };
        let fix = edit.map(|e| Fix::unsafe_("Add `ALL` to `capabilities.drop`", e));
        let name = c.name();
        cx.report(
            range,
            format!("Container `{name}` does not drop `ALL` capabilities"),
        )
        .fix(fix);
    }
}
