//! `host-path-volume`: pods that mount a directory or file of the node. Also the helpers the
//! other hostPath rules share: finding a pod's hostPath volumes and normalising their paths.

use picket_model::{Field, PodSpec, View};

use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Every `hostPath` volume of a pod, whatever its path.
    ///
    /// ## Why it matters
    /// A hostPath volume ties the pod to one node's file system and hands it files the
    /// kubelet does not isolate: a writable one lets the pod plant binaries or configuration
    /// on the node, a readable one leaks whatever lives there. The Pod Security Standards
    /// forbid hostPath volumes from the baseline level. `sensitive-host-path`,
    /// `runtime-socket-mount` and `writable-host-path-mount` single out the most dangerous
    /// ones.
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
    ///       volumeMounts:
    ///         - name: cache
    ///           mountPath: /cache
    ///   volumes:
    ///     - name: cache
    ///       hostPath:
    ///         path: /srv/cache
    ///         type: DirectoryOrCreate
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
    ///       volumeMounts:
    ///         - name: cache
    ///           mountPath: /cache
    ///   volumes:
    ///     - name: cache
    ///       emptyDir: {}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub(crate) HostPathVolume {
        name: "host-path-volume",
        category: Security,
        severity: Warning,
        fix: None,
        summary: "Pod mounts a path of the node with a hostPath volume",
        peers: [
            Polaris: "hostPathSet",
            Kubescape: "C-0048",
            Trivy: "KSV-0023",
        ],
    }
}

impl Rule for HostPathVolume {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        for v in host_path_volumes(pod.spec) {
            let name = v.name.unwrap_or("<unnamed>");
            let message = match v.path_text() {
                Some(path) => format!("Volume `{name}` mounts the node's `{path}`"),
                None => format!("Volume `{name}` mounts a path of the node"),
            };
            cx.report(v.host_path.key_range(), message);
        }
    }
}

/// A `hostPath` volume of a pod.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HostPathVol<'a> {
    /// The volume's name.
    pub(crate) name: Option<&'a str>,
    /// The `hostPath` entry.
    pub(crate) host_path: Field<'a>,
    /// The `path` entry below it.
    pub(crate) path: Option<Field<'a>>,
}

impl<'a> HostPathVol<'a> {
    /// The path as written.
    pub(crate) fn path_text(&self) -> Option<&'a str> {
        self.path.and_then(|p| p.text()).filter(|p| !p.is_empty())
    }

    /// The path, normalised (see [`normalize_host_path`]).
    pub(crate) fn normalized(&self) -> Option<String> {
        self.path_text().and_then(normalize_host_path)
    }

    /// The range to point at about the path: the `path` entry, or the `hostPath` key.
    pub(crate) fn path_range(&self) -> picket_syntax::TextRange {
        self.path
            .map_or_else(|| self.host_path.key_range(), |p| p.range())
    }
}

/// The pod's volumes that have a `hostPath` mapping.
pub(crate) fn host_path_volumes<'a>(
    spec: PodSpec<'a>,
) -> impl Iterator<Item = HostPathVol<'a>> + use<'a> {
    spec.volumes().filter_map(|volume| {
        let host_path = volume.field("hostPath")?;
        let mapping = host_path.as_mapping()?;
        Some(HostPathVol {
            name: volume.name().and_then(|n| n.text()),
            host_path,
            path: mapping.get_entry("path").map(Field::new),
        })
    })
}

/// The names of the pod's hostPath volumes.
pub(crate) fn host_path_volume_names<'a>(spec: PodSpec<'a>) -> Vec<&'a str> {
    host_path_volumes(spec).filter_map(|v| v.name).collect()
}

/// An absolute Unix path with `//`, `/./`, `/../` and trailing slashes resolved the way the
/// kernel resolves them (without following symlinks): `/var//run/../log/` is `/var/log`.
/// `None` for a relative or Windows path.
pub(crate) fn normalize_host_path(path: &str) -> Option<String> {
    let path = path.trim();
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Whether `path` is `dir` or lies below it (both normalised).
pub(crate) fn is_at_or_below(path: &str, dir: &str) -> bool {
    if dir == "/" {
        return path == "/";
    }
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(normalize_host_path("/").as_deref(), Some("/"));
        assert_eq!(normalize_host_path("//").as_deref(), Some("/"));
        assert_eq!(
            normalize_host_path("/var//run/../log/").as_deref(),
            Some("/var/log")
        );
        assert_eq!(normalize_host_path("/../etc").as_deref(), Some("/etc"));
        assert_eq!(normalize_host_path("var/log"), None);
        assert_eq!(normalize_host_path("C:\\Windows"), None);
        assert!(is_at_or_below("/etc/kubernetes", "/etc"));
        assert!(!is_at_or_below("/etcd", "/etc"));
        assert!(!is_at_or_below("/etc", "/"));
        assert!(is_at_or_below("/", "/"));
    }
}
