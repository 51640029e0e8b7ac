//! `image-pull-policy-not-always`: containers that do not set `imagePullPolicy: Always`.

use crate::edit::Fix;
use crate::engine::Cx;
use crate::helpers::set_path;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container whose `imagePullPolicy` is not written as `Always`: `IfNotPresent`,
    /// `Never`, or unset. An unset policy is flagged even where Kubernetes would default it
    /// to `Always` (an image with the `latest` tag or no tag), as Polaris, Checkov and
    /// kube-score do: the default changes as soon as someone pins a tag.
    ///
    /// Off by default: with immutable tags or digests, `IfNotPresent` is the sensible
    /// choice and saves registry traffic.
    ///
    /// ## Why it matters
    /// With `IfNotPresent`, an image cached on a node is used without asking the registry:
    /// any pod on that node can run a private image without the pull secret that should
    /// guard it, and a re-pushed tag keeps running its old content.
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
    ///       image: registry.example.com/web:2.4
    ///       imagePullPolicy: IfNotPresent
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
    ///       image: registry.example.com/web:2.4
    ///       imagePullPolicy: Always
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: every container start now needs the registry; pods cannot restart while it is
    /// unreachable, and an image that exists only on the nodes (preloaded, `Never` policy)
    /// cannot start at all.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/containers/images/#updating-images
    /// - https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#alwayspullimages
    pub(crate) ImagePullPolicyNotAlways {
        name: "image-pull-policy-not-always",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container does not set imagePullPolicy to Always",
        peers: [
            Polaris: "pullPolicyNotAlways",
            KubeScore: "container-image-pull-policy",
            Checkov: "CKV_K8S_15",
        ],
        default_enabled: false,
    }
}

impl Rule for ImagePullPolicyNotAlways {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let policy = c.container.image_pull_policy();
        let text = policy.and_then(|p| p.text()).filter(|t| !t.is_empty());
        if text == Some("Always") {
            return;
        }
        if policy.is_some_and(|p| p.value().as_scalar().is_none()) {
            return;
        }
        let name = c.name();
        let (range, message) = match (policy, text) {
            (Some(p), Some(t)) => (
                p.range(),
                format!("Container `{name}` sets `imagePullPolicy: {t}` instead of `Always`"),
            ),
            (Some(p), None) => (
                p.range(),
                format!("Container `{name}` does not set `imagePullPolicy: Always`"),
            ),
            (None, _) => (
                c.anchor(),
                format!("Container `{name}` does not set `imagePullPolicy: Always`"),
            ),
        };
        let fix = set_path(cx.doc(), c.container, &["imagePullPolicy"], "Always")
            .map(|e| Fix::unsafe_("Set `imagePullPolicy: Always`", e));
        cx.report(range, message).fix(fix);
    }
}
