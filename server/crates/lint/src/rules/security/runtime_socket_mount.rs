//! `runtime-socket-mount`: pods that mount the node's container runtime socket.

use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};
use crate::rules::security::host_path_volume::{host_path_volumes, normalize_host_path};

declare_rule! {
    /// ## What it flags
    /// A `hostPath` volume whose path is a container runtime's API socket or the directory
    /// that holds it:
    /// - `docker.sock`, `containerd.sock`, `crio.sock`, `cri-dockerd.sock`, `podman.sock`
    ///   and `dockershim.sock`, wherever they live;
    /// - the runtime directories `/var/run/docker`, `/run/containerd`, `/run/crio`,
    ///   `/run/podman` and `/run/cri-dockerd` (under `/run` or `/var/run`);
    /// - the Windows named pipes `\\.\pipe\docker_engine` and
    ///   `\\.\pipe\containerd-containerd`.
    ///
    /// Broader mounts that contain the sockets (`/`, `/run`, `/var/run`) are
    /// `sensitive-host-path`'s business.
    ///
    /// ## Why it matters
    /// Whoever talks to the runtime socket starts containers as root on the node, with any
    /// mount and any privilege: it is a node takeover that no Pod Security admission sees.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   containers:
    ///     - name: builder
    ///       image: docker:27-cli
    ///       volumeMounts:
    ///         - name: docker-sock
    ///           mountPath: /var/run/docker.sock
    ///   volumes:
    ///     - name: docker-sock
    ///       hostPath:
    ///         path: /var/run/docker.sock
    ///         type: Socket
    /// ```
    ///
    /// ## Use instead
    /// Build images without a daemon (BuildKit rootless, kaniko, buildah):
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   containers:
    ///     - name: builder
    ///       image: moby/buildkit:v0.16.0-rootless
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub(crate) RuntimeSocketMount {
        name: "runtime-socket-mount",
        category: Security,
        severity: Error,
        fix: None,
        summary: "Pod mounts the container runtime socket",
        peers: [
            KubeLinter: "docker-sock",
            Kubescape: "C-0074",
            Checkov: "CKV_K8S_27",
            Trivy: "KSV-0006",
        ],
    }
}

impl Rule for RuntimeSocketMount {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        for v in host_path_volumes(pod.spec) {
            let Some(path) = v.path_text() else { continue };
            let Some((runtime, what)) = runtime_socket(path) else {
                continue;
            };
            let name = v.name.unwrap_or("<unnamed>");
            cx.report(
                v.path_range(),
                format!("Volume `{name}` mounts the {runtime} {what} `{path}`"),
            );
        }
    }
}

/// Socket file names, with the runtime they belong to.
const SOCKETS: &[(&str, &str)] = &[
    ("docker.sock", "Docker"),
    ("containerd.sock", "containerd"),
    ("crio.sock", "CRI-O"),
    ("cri-dockerd.sock", "cri-dockerd"),
    ("podman.sock", "Podman"),
    ("dockershim.sock", "dockershim"),
];

/// Runtime directories below `/run` (and `/var/run`, its usual symlink).
const RUNTIME_DIRS: &[(&str, &str)] = &[
    ("docker", "Docker"),
    ("containerd", "containerd"),
    ("crio", "CRI-O"),
    ("podman", "Podman"),
    ("cri-dockerd", "cri-dockerd"),
];

/// The runtime whose API socket `path` (a hostPath path, as written) exposes, and whether
/// it is the `socket` itself or the `runtime directory` holding it.
pub(crate) fn runtime_socket(path: &str) -> Option<(&'static str, &'static str)> {
    let lower = path.trim().to_ascii_lowercase();
    // Windows named pipes.
    let pipe = lower.replace('/', "\\");
    if pipe == "\\\\.\\pipe\\docker_engine" {
        return Some(("Docker", "socket"));
    }
    if pipe == "\\\\.\\pipe\\containerd-containerd" {
        return Some(("containerd", "socket"));
    }
    let norm = normalize_host_path(path)?;
    let file = norm.rsplit('/').next().unwrap_or("");
    if let Some((_, runtime)) = SOCKETS.iter().find(|(f, _)| *f == file) {
        return Some((runtime, "socket"));
    }
    let dir = norm
        .strip_prefix("/var/run/")
        .or_else(|| norm.strip_prefix("/run/"))?;
    RUNTIME_DIRS
        .iter()
        .find(|(d, _)| *d == dir)
        .map(|(_, runtime)| (*runtime, "runtime directory"))
}

#[cfg(test)]
mod tests {
    use super::runtime_socket;

    #[test]
    fn sockets() {
        assert_eq!(runtime_socket("/var/run/docker.sock"), Some(("Docker", "socket")));
        assert_eq!(runtime_socket("/run//docker.sock/"), Some(("Docker", "socket")));
        assert_eq!(
            runtime_socket("/run/containerd/containerd.sock"),
            Some(("containerd", "socket"))
        );
        assert_eq!(runtime_socket("/var/run/crio/crio.sock"), Some(("CRI-O", "socket")));
        assert_eq!(runtime_socket("/run/containerd"), Some(("containerd", "runtime directory")));
        assert_eq!(
            runtime_socket("/run/user/1000/podman/podman.sock"),
            Some(("Podman", "socket"))
        );
        assert_eq!(runtime_socket(r"\\.\pipe\docker_engine"), Some(("Docker", "socket")));
        assert_eq!(runtime_socket("/var/run"), None);
        assert_eq!(runtime_socket("/var/lib/docker"), None);
        assert_eq!(runtime_socket("/run/containerd/io.containerd.runtime.v2.task"), None);
        assert_eq!(runtime_socket("/srv/docker.socket"), None);
    }
}
