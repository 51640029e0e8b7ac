//! `sensitive-host-path`: hostPath volumes that expose the node's system directories or
//! credentials.

use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};
use crate::rules::security::host_path_volume::{host_path_volumes, is_at_or_below};
use crate::rules::security::runtime_socket_mount::runtime_socket;

declare_rule! {
    /// ## What it flags
    /// A `hostPath` volume whose path (normalised: `//`, `.`, `..` and trailing slashes
    /// resolved) is, or lies below, one of:
    /// - the root `/` itself;
    /// - `/etc` (with `/etc/kubernetes`), `/root`, `/boot`, `/proc`, `/sys`, `/dev`;
    /// - `/run` and `/var/run` (which hold the runtime sockets), `/var/log`;
    /// - `/var/lib/kubelet`, `/var/lib/docker`, `/var/lib/containerd`, `/var/lib/etcd`;
    /// - a cloud or cluster credential directory anywhere: `.aws`, `.azure`,
    ///   `.config/gcloud`, `.oci`, `.kube`, `.ssh`, `.docker`.
    ///
    /// Not flagged, because they hold nothing sensitive: `/etc/localtime`, `/etc/timezone`,
    /// `/etc/machine-id`, `/etc/hostname`, `/etc/os-release`, `/etc/resolv.conf`, the public
    /// CA bundles (`/etc/ssl/certs`, `/etc/pki/ca-trust`,
    /// `/etc/ca-certificates`, `/etc/pki/tls/certs`) and the iptables lock
    /// `/run/xtables.lock`. The runtime sockets themselves are `runtime-socket-mount`'s.
    ///
    /// ## Why it matters
    /// These paths hold the node's configuration and credentials (kubelet and cluster PKI,
    /// service-account tokens of every pod in `/var/lib/kubelet`, cloud keys), its kernel
    /// interfaces, and other pods' data and logs. Reading them is enough to move from one pod
    /// to the whole node or cluster; writing them is a node takeover.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: DaemonSet
    /// metadata:
    ///   name: agent
    /// spec:
    ///   selector:
    ///     matchLabels: {app: agent}
    ///   template:
    ///     metadata:
    ///       labels: {app: agent}
    ///     spec:
    ///       containers:
    ///         - name: agent
    ///           image: registry.example.com/agent:3.2
    ///           volumeMounts:
    ///             - name: kubelet
    ///               mountPath: /host/kubelet
    ///               readOnly: true
    ///       volumes:
    ///         - name: kubelet
    ///           hostPath:
    ///             path: /var/lib/kubelet
    /// ```
    ///
    /// ## Use instead
    /// Read what the agent needs through the API (the kubelet's `/stats` endpoint, the
    /// Kubernetes API) or mount only the narrow path it needs:
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: DaemonSet
    /// metadata:
    ///   name: agent
    /// spec:
    ///   selector:
    ///     matchLabels: {app: agent}
    ///   template:
    ///     metadata:
    ///       labels: {app: agent}
    ///     spec:
    ///       containers:
    ///         - name: agent
    ///           image: registry.example.com/agent:3.2
    ///           volumeMounts:
    ///             - name: tz
    ///               mountPath: /etc/localtime
    ///               readOnly: true
    ///       volumes:
    ///         - name: tz
    ///           hostPath:
    ///             path: /etc/localtime
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub(crate) SensitiveHostPath {
        name: "sensitive-host-path",
        category: Security,
        severity: Warning,
        fix: None,
        summary: "Pod mounts a sensitive path of the node",
        peers: [
            KubeLinter: "sensitive-host-mounts",
            Kubescape: "C-0020",
            Trivy: "KSV-0121",
        ],
    }
}

impl Rule for SensitiveHostPath {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        for v in host_path_volumes(pod.spec) {
            let Some(path) = v.path_text() else { continue };
            let Some(norm) = v.normalized() else { continue };
            if runtime_socket(path).is_some() {
                continue;
            }
            let Some(what) = sensitive_host_path(&norm) else {
                continue;
            };
            let name = v.name.unwrap_or("<unnamed>");
            let message = if what == norm {
                format!("Volume `{name}` mounts the node's `{norm}`")
            } else {
                format!("Volume `{name}` mounts the node's `{norm}`, below `{what}`")
            };
            cx.report(v.path_range(), message);
        }
    }
}

/// System directories (normalised), sensitive with everything below them.
const SENSITIVE_DIRS: &[&str] = &[
    "/etc",
    "/root",
    "/boot",
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/var/run",
    "/var/log",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/etcd",
];

/// Credential directories, wherever they live (usually in a home directory).
const CREDENTIAL_DIRS: &[&str] = &[
    ".aws",
    ".azure",
    ".config/gcloud",
    ".oci",
    ".kube",
    ".ssh",
    ".docker",
];

/// Paths below the sensitive directories that hold nothing sensitive.
const HARMLESS: &[&str] = &[
    "/etc/localtime",
    "/etc/timezone",
    "/etc/machine-id",
    "/etc/hostname",
    "/etc/os-release",
    "/etc/resolv.conf",
    "/etc/ssl/certs",
    "/etc/pki/ca-trust",
    "/etc/pki/tls/certs",
    "/etc/ca-certificates",
    "/run/xtables.lock",
    "/var/run/xtables.lock",
];

/// The sensitive directory `path` (normalised) is or lies below, if any.
pub(crate) fn sensitive_host_path(path: &str) -> Option<String> {
    if path == "/" {
        return Some("/".to_owned());
    }
    if HARMLESS.iter().any(|h| is_at_or_below(path, h)) {
        return None;
    }
    if let Some(dir) = SENSITIVE_DIRS.iter().find(|d| is_at_or_below(path, d)) {
        return Some((*dir).to_owned());
    }
    // `/home/ci/.aws/credentials`: the credential directory and what precedes it.
    for cred in CREDENTIAL_DIRS {
        let needle = format!("/{cred}");
        let mut from = 0;
        while let Some(i) = path[from..].find(&needle) {
            let end = from + i + needle.len();
            if path[end..].is_empty() || path[end..].starts_with('/') {
                return Some(path[..end].to_owned());
            }
            from = end;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::sensitive_host_path;

    #[test]
    fn classifies() {
        let s = |p: &str| sensitive_host_path(p);
        assert_eq!(s("/").as_deref(), Some("/"));
        assert_eq!(s("/etc").as_deref(), Some("/etc"));
        assert_eq!(s("/etc/kubernetes/pki").as_deref(), Some("/etc"));
        assert_eq!(s("/var/lib/kubelet/pods").as_deref(), Some("/var/lib/kubelet"));
        assert_eq!(s("/home/ci/.aws/credentials").as_deref(), Some("/home/ci/.aws"));
        assert_eq!(s("/root/.ssh").as_deref(), Some("/root"));
        assert_eq!(s("/home/ci/.config/gcloud").as_deref(), Some("/home/ci/.config/gcloud"));
        assert_eq!(s("/etc/localtime"), None);
        assert_eq!(s("/etc/ssl/certs/ca.pem"), None);
        assert_eq!(s("/run/xtables.lock"), None);
        assert_eq!(s("/etcd-data"), None);
        assert_eq!(s("/srv/data"), None);
        assert_eq!(s("/home/ci/.awsome"), None);
        assert_eq!(s("/var/lib/kubelet-plugins"), None);
    }
}
