//! `net-raw-capability`: containers that keep or add `NET_RAW`.

use picket_model::View;

use crate::edit::{Fix, Value, append_item, ensure_path, remove_item};
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};
use crate::rules::security::common::{capability_fields, capability_items, is_windows};

declare_rule! {
    /// ## What it flags
    /// A container that holds `NET_RAW`: one finding per `NET_RAW` (or `CAP_NET_RAW`, any
    /// case) in `capabilities.add`, and one when `capabilities.drop` holds neither `NET_RAW`
    /// nor `ALL`. Pods with `spec.os.name: windows` are skipped. `add: [ALL]` is reported by
    /// `dangerous-capability-added`.
    ///
    /// ## Why it matters
    /// `NET_RAW` is in the runtimes' default set. It lets a process craft any packet: ARP and
    /// DNS spoofing of its neighbours on the node's network, and it has been the key of
    /// several container escapes (CVE-2020-14386). Only `ping` on old images needs it.
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
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix removes `NET_RAW` from `capabilities.add`, or adds it to
    /// `capabilities.drop`. Tools that open raw sockets (`ping`, `traceroute`, packet
    /// capture) stop working in the container.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
    /// - https://nvd.nist.gov/vuln/detail/CVE-2020-14386
    pub(crate) NetRawCapability {
        name: "net-raw-capability",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container holds the NET_RAW capability",
        peers: [
            KubeLinter: "drop-net-raw-capability",
            Kubescape: "C-0199",
            Checkov: "CKV_K8S_28",
            Trivy: "KSV-0119",
        ],
    }
}

impl Rule for NetRawCapability {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        if is_windows(&c.pod) {
            return;
        }
        let name = c.name();
        let (add, drop) = capability_fields(&c);
        for (item, cap) in capability_items(add) {
            if cap != "NET_RAW" {
                continue;
            }
            let text = item.as_scalar().map_or("", |s| s.value());
            let fix = add
                .and_then(|f| remove_item(cx.doc(), f, item))
                .map(|e| Fix::unsafe_(format!("Remove `{text}` from `capabilities.add`"), e));
            cx.report(
                item.range(),
                format!("Container `{name}` adds capability `{text}`"),
            )
            .fix(fix);
        }
        if capability_items(drop)
            .iter()
            .any(|(_, n)| n == "ALL" || n == "NET_RAW")
        {
            return;
        }
        let range = drop.map_or_else(|| c.anchor(), |f| f.key_range());
        let edit = match drop {
            Some(f) => append_item(cx.doc(), f, &Value::scalar("NET_RAW")),
            None => ensure_path(
                cx.doc(),
                c.container.mapping(),
                &["securityContext", "capabilities", "drop"],
                Value::list(&["NET_RAW"]),
            ),
        };
        let fix = edit.map(|e| Fix::unsafe_("Add `NET_RAW` to `capabilities.drop`", e));
        cx.report(range, format!("Container `{name}` does not drop `NET_RAW`"))
            .fix(fix);
    }
}
