//! `host-aliases`: pods that write their own `/etc/hosts` entries.

use picket_model::View;

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
    /// ## References
    /// - https://kubernetes.io/docs/tasks/network/customize-hosts-file-for-pods/
    pub(crate) HostAliases {
        name: "host-aliases",
        category: Security,
        severity: Info,
        fix: None,
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
        cx.report(
            field.key_range(),
            "Pod manages `/etc/hosts` entries with `hostAliases`",
        );
    }
}
