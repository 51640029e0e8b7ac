//! `image-not-pinned-by-digest`: container images referenced by tag only.

use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};
use crate::rules::reliability::latest_image_tag::container_image;

declare_rule! {
    /// ## What it flags
    /// A container image without a digest (`@sha256:…`).
    ///
    /// Off by default: pinning every image by digest needs tooling (Renovate, a
    /// digest-resolving CD pipeline) that not every team has.
    ///
    /// ## Why it matters
    /// A tag is a pointer the registry owner can move: a compromised registry account or a
    /// careless re-push replaces what runs at the next pull, with no change to the manifest.
    /// A digest names exactly one image; signatures and vulnerability scans refer to it.
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
    ///       image: nginx:1.27.2
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
    ///       image: nginx:1.27.2@sha256:2d194184b067db3598771b4cf326cfe6ad5051937ba1132b8b7d4b0184e0d0a6
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/containers/images/#image-names
    pub(crate) ImageNotPinnedByDigest {
        name: "image-not-pinned-by-digest",
        category: Security,
        severity: Info,
        fix: None,
        summary: "Container image is not pinned by digest",
        peers: [
            Kubescape: "C-0306",
            Checkov: "CKV_K8S_43",
        ],
        default_enabled: false,
    }
}

impl Rule for ImageNotPinnedByDigest {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let Some((field, image)) = container_image(c) else {
            return;
        };
        if image.digest.is_some() {
            return;
        }
        let name = c.name();
        let text = image.text;
        cx.report(
            field.value_range(),
            format!("Container `{name}` uses image `{text}` without a digest"),
        );
    }
}
