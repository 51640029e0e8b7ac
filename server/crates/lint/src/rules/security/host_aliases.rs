//! `host-aliases`: pods that write their own `/etc/hosts` entries.

use picket_model::View;
use picket_syntax::NodeKind;

use crate::edit::{Fix, remove_entry};
use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A pod spec with a non-empty `hostAliases` list.
    ///
    /// Off by default: host aliases are a legitimate tool for legacy software, and mostly a
    /// maintenance concern.
    ///
    /// ## Why it matters
    /// The entries override DNS inside the pod, silently and per pod: a name can point at a
    /// different address than the rest of the cluster sees, which hides traffic redirection
    /// and outlives the address it was written for.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   hostAliases:
    ///     - ip: 10.1.2.3
    ///       hostnames: [db.internal]
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// A Service (or an `ExternalName` Service) for the name:
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
    /// The fix removes `hostAliases`. The names it listed then resolve through cluster DNS:
    /// if nothing there answers for them (a Service, an `ExternalName` Service, a DNS
    /// record), the app fails to reach them, or reaches whatever address DNS gives instead.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/network/customize-hosts-file-for-pods/
    pub(crate) HostAliases {
        name: "host-aliases",
        category: Security,
        severity: Info,
        fix: Some(Unsafe),
        summary: "Pod manages /etc/hosts entries with hostAliases",
        peers: [Trivy: "KSV-0007"],
        default_enabled: false,
    }
}

impl Rule for HostAliases {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let Some(field) = pod.spec.field("hostAliases") else {
            return;
        };
        if field.items().next().is_none() {
            return;
        }
        // Through an alias, the entry belongs to the anchored mapping: leave that alone.
        let spec = match pod.template {
            Some(t) => t.field("spec"),
            None => pod.object.field("spec"),
        };
        let aliased = spec.is_some_and(|f| f.value_as_written().kind() == NodeKind::Alias);
        let fix = (!aliased)
            .then(|| remove_entry(cx.doc(), pod.spec.mapping(), field))
            .flatten()
            .map(|e| Fix::unsafe_("Remove `hostAliases`", e));
        cx.report(
            field.key_range(),
            "Pod manages `/etc/hosts` entries with `hostAliases`",
        )
        .fix(fix);
    }
}
