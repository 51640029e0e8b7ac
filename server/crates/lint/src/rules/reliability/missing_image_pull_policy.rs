//! `missing-image-pull-policy`: containers that leave `imagePullPolicy` to the default.

use crate::edit::Fix;
use crate::engine::Cx;
use crate::helpers::set_path;
use crate::rule::{ContainerCx, Rule, declare_rule};
use crate::rules::reliability::latest_image_tag::container_image;

declare_rule! {
    /// ## What it flags
    /// A container without `imagePullPolicy` (or with an empty one).
    ///
    /// ## Why it matters
    /// The default depends on the image reference: `Always` for the `latest` tag or no tag
    /// at all, `IfNotPresent` for anything else. Changing the image from `app` to `app:1.4`
    /// silently changes when nodes pull, and readers of the manifest cannot tell which
    /// policy applies. Writing it down makes the behaviour visible and stable.
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
    ///       imagePullPolicy: IfNotPresent
    /// ```
    ///
    /// The fix writes exactly the value Kubernetes would default to, so it is safe.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/containers/images/#imagepullpolicy-defaulting
    pub(crate) MissingImagePullPolicy {
        name: "missing-image-pull-policy",
        category: Reliability,
        severity: Info,
        fix: Some(Safe),
        summary: "Container does not set imagePullPolicy",
        peers: [],
    }
}

impl Rule for MissingImagePullPolicy {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let policy = c.container.image_pull_policy();
        if policy.is_some_and(|p| p.text().is_some_and(|t| !t.is_empty())) {
            return;
        }
        // Anything but a scalar is the schema's business.
        if policy.is_some_and(|p| p.value().as_scalar().is_none()) {
            return;
        }
        let Some((_, image)) = container_image(c) else {
            return;
        };
        let default = image.default_pull_policy();
        let range = policy.map_or_else(|| c.anchor(), |p| p.range());
        let fix = set_path(cx.doc(), c.container, &["imagePullPolicy"], default).map(|e| {
            Fix::safe(
                format!("Set `imagePullPolicy: {default}` (the default for this image)"),
                e,
            )
        });
        let name = c.name();
        cx.report(
            range,
            format!("Container `{name}` does not set `imagePullPolicy` (it defaults to `{default}`)"),
        )
        .fix(fix);
    }
}
