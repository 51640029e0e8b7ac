//! `deprecated-image-registry`: images pulled from the frozen `k8s.gcr.io` registry.

use picket_syntax::{TextRange, TextSize};

use crate::edit::{Edit, Fix};
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};
use crate::rules::reliability::latest_image_tag::container_image;

declare_rule! {
    /// ## What it flags
    /// A container image from `k8s.gcr.io`.
    ///
    /// ## Why it matters
    /// The Kubernetes project froze `k8s.gcr.io` in April 2023 and moved to
    /// `registry.k8s.io`: no new images or patch releases appear on the old registry, whose
    /// traffic is redirected and whose host may go away. A manifest that still points there
    /// misses security fixes and may stop pulling altogether.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: pause
    /// spec:
    ///   containers:
    ///     - name: pause
    ///       image: k8s.gcr.io/pause:3.9
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: pause
    /// spec:
    ///   containers:
    ///     - name: pause
    ///       image: registry.k8s.io/pause:3.9
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: nodes now pull from another host, which an egress firewall or a registry
    /// mirror configuration may not allow yet. The images themselves are the same.
    ///
    /// ## References
    /// - https://kubernetes.io/blog/2023/03/10/image-registry-redirect/
    /// - https://kubernetes.io/blog/2023/02/06/k8s-gcr-io-freeze-announcement/
    pub(crate) DeprecatedImageRegistry {
        name: "deprecated-image-registry",
        category: Reliability,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container image comes from the frozen k8s.gcr.io registry",
        peers: [Kubescape: "C-0253"],
    }
}

const OLD: &str = "k8s.gcr.io";
const NEW: &str = "registry.k8s.io";

impl Rule for DeprecatedImageRegistry {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let Some((field, image)) = container_image(c) else {
            return;
        };
        if image.domain != Some(OLD) {
            return;
        }
        // Replace the registry in place, inside the quotes if there are any.
        let fix = field.value_as_written().as_scalar().and_then(|s| {
            let raw = s.raw();
            let skip = usize::from(raw.starts_with(['"', '\'']));
            raw[skip..].starts_with("k8s.gcr.io/").then(|| {
                let start = s.range().start() + TextSize::from(skip as u32);
                let range = TextRange::at(start, TextSize::from(OLD.len() as u32));
                Fix::unsafe_(
                    format!("Pull from `{NEW}` instead"),
                    Edit::replace(range, NEW),
                )
            })
        });
        let name = c.name();
        let text = image.text;
        cx.report(
            field.value_range(),
            format!("Container `{name}` pulls `{text}` from the frozen `{OLD}` registry"),
        )
        .fix(fix);
    }
}
