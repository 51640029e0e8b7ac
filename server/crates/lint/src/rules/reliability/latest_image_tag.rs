//! `latest-image-tag`: containers whose image has the `latest` tag or no tag at all. Also the
//! image reference parser the other image rules share.

use picket_model::Field;

use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container image with the tag `latest` or without a tag, and without a digest:
    /// `nginx`, `nginx:latest`, `registry.example.com:5000/team/app`. An image pinned by
    /// digest (`nginx@sha256:…`, `nginx:latest@sha256:…`) is fine: the digest decides what
    /// runs. Templated images (`{{ .Values.image }}`, `${IMAGE}`) are skipped.
    ///
    /// ## Why it matters
    /// `latest` is a moving target: two replicas, or a pod restarted tomorrow, can run
    /// different code; a rollback cannot go back to what ran before; and the image pull
    /// policy defaults to `Always`, so every start depends on the registry being up.
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
    ///       image: nginx:latest
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
    ///       image: nginx:1.27.2
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/containers/images/#image-names
    /// - https://kubernetes.io/docs/concepts/configuration/overview/#container-images
    pub(crate) LatestImageTag {
        name: "latest-image-tag",
        category: Reliability,
        severity: Warning,
        fix: None,
        summary: "Container image uses the latest tag or no tag",
        peers: [
            KubeLinter: "latest-tag",
            Polaris: "tagNotSpecified",
            KubeScore: "container-image-tag",
            Checkov: "CKV_K8S_14",
            Trivy: "KSV-0013",
        ],
    }
}

impl Rule for LatestImageTag {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let Some((field, image)) = container_image(c) else {
            return;
        };
        if image.digest.is_some() {
            return;
        }
        let name = c.name();
        let text = image.text;
        match image.tag {
            None => {
                cx.report(
                    field.value_range(),
                    format!("Container `{name}` uses image `{text}` without a tag"),
                );
            }
            Some("latest") => {
                cx.report(
                    field.value_range(),
                    format!("Container `{name}` uses the `latest` tag of image `{text}`"),
                );
            }
            Some(_) => {}
        }
    }
}

/// A container image reference, split the way the container runtimes read it
/// (`[domain[:port]/]path[:tag][@digest]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    /// The whole reference, trimmed.
    pub(crate) text: &'a str,
    /// The registry (`registry.example.com:5000`), when the reference names one.
    pub(crate) domain: Option<&'a str>,
    /// The repository path without the registry (`library/nginx`, `nginx`).
    pub(crate) path: &'a str,
    pub(crate) tag: Option<&'a str>,
    /// `sha256:…`.
    pub(crate) digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Parses an image reference; `None` for something the runtimes would refuse (empty,
    /// spaces, upper case in the path, a bad tag or digest) and for templates.
    pub(crate) fn parse(text: &'a str) -> Option<ImageRef<'a>> {
        let text = text.trim();
        if text.is_empty()
            || text.contains(char::is_whitespace)
            || text.contains("{{")
            || text.contains('$')
        {
            return None;
        }
        let (name_tag, digest) = match text.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (text, None),
        };
        if let Some(d) = digest {
            let (algo, hex) = d.split_once(':')?;
            let algo_ok = !algo.is_empty()
                && algo
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+._-".contains(c));
            if !algo_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
        }
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(i) => (
                &name_tag[..last_slash + i],
                Some(&name_tag[last_slash + i + 1..]),
            ),
            None => (name_tag, None),
        };
        if let Some(tag) = tag {
            let ok = !tag.is_empty()
                && tag.len() <= 128
                && !tag.starts_with(['.', '-'])
                && tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
            if !ok {
                return None;
            }
        }
        // The first component is a registry if it looks like a host: a dot, a port or
        // `localhost` (or upper case, which a path may not have).
        let (domain, path) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (Some(first), rest)
            }
            _ => (None, name),
        };
        let path_ok = !path.is_empty()
            && path.split('/').all(|component| {
                !component.is_empty()
                    && component.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && component.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && component
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
            });
        if !path_ok {
            return None;
        }
        Some(ImageRef {
            text,
            domain,
            path,
            tag,
            digest,
        })
    }

    /// The pull policy Kubernetes sets when `imagePullPolicy` is unset: `Always` for the
    /// `latest` tag or for no tag and no digest, `IfNotPresent` otherwise.
    pub(crate) fn default_pull_policy(&self) -> &'static str {
        match (self.tag, self.digest) {
            (Some("latest"), _) | (None, None) => "Always",
            _ => "IfNotPresent",
        }
    }
}

/// A container's `image` entry and its parsed reference, when it has a valid one.
pub(crate) fn container_image<'a>(c: ContainerCx<'a>) -> Option<(Field<'a>, ImageRef<'a>)> {
    let field = c.container.image()?;
    let image = ImageRef::parse(field.as_str()?)?;
    Some((field, image))
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    /// Domain, path, tag and digest.
    type Parts<'a> = (Option<&'a str>, &'a str, Option<&'a str>, Option<&'a str>);

    fn p(s: &str) -> Option<Parts<'_>> {
        ImageRef::parse(s).map(|r| (r.domain, r.path, r.tag, r.digest))
    }

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn parses() {
        assert_eq!(p("nginx"), Some((None, "nginx", None, None)));
        assert_eq!(p("nginx:1.27"), Some((None, "nginx", Some("1.27"), None)));
        assert_eq!(
            p("registry.example.com:5000/team/app"),
            Some((Some("registry.example.com:5000"), "team/app", None, None))
        );
        assert_eq!(
            p("localhost:5000/app:latest"),
            Some((Some("localhost:5000"), "app", Some("latest"), None))
        );
        let with_digest = format!("nginx@{D}");
        assert_eq!(p(&with_digest), Some((None, "nginx", None, Some(D))));
        let both = format!("nginx:latest@{D}");
        assert_eq!(p(&both), Some((None, "nginx", Some("latest"), Some(D))));
        assert_eq!(p("Nginx"), None);
        assert_eq!(p("nginx:"), None);
        assert_eq!(p("nginx@sha256:abc"), None);
        assert_eq!(p("{{ .Values.image }}"), None);
        assert_eq!(p("${IMAGE}"), None);
    }

    #[test]
    fn default_pull_policy() {
        let d = |s: &str| ImageRef::parse(s).unwrap().default_pull_policy();
        assert_eq!(d("nginx"), "Always");
        assert_eq!(d("nginx:latest"), "Always");
        assert_eq!(d(&format!("nginx:latest@{D}")), "Always");
        assert_eq!(d(&format!("nginx@{D}")), "IfNotPresent");
        assert_eq!(d("nginx:1.27"), "IfNotPresent");
        assert_eq!(d("host:5000/nginx"), "Always");
    }
}
