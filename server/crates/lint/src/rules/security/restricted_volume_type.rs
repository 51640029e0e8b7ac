//! `restricted-volume-type`: volumes of a type the restricted Pod Security Standard forbids.

use picket_model::View;

use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A pod volume whose source is not one of the types the restricted Pod Security
    /// Standard allows: `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`,
    /// `persistentVolumeClaim`, `projected` and `secret`. So `nfs`, `iscsi`, `cephfs`,
    /// `gitRepo` and the other in-tree storage types are flagged; `hostPath` is left to
    /// `host-path-volume`, and the read-only OCI `image` volume is not flagged.
    ///
    /// Off by default: it matters for namespaces enforcing the restricted level.
    ///
    /// ## Why it matters
    /// A namespace labelled `pod-security.kubernetes.io/enforce: restricted` rejects such
    /// pods. The in-tree types connect the node itself to the storage (with the node's
    /// credentials and kernel drivers); a PersistentVolumeClaim keeps that decision with the
    /// cluster administrator.
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
    ///         - name: shared
    ///           mountPath: /srv
    ///   volumes:
    ///     - name: shared
    ///       nfs:
    ///         server: nfs.example.com
    ///         path: /exports/web
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
    ///         - name: shared
    ///           mountPath: /srv
    ///   volumes:
    ///     - name: shared
    ///       persistentVolumeClaim:
    ///         claimName: web-shared
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    pub(crate) RestrictedVolumeType {
        name: "restricted-volume-type",
        category: Security,
        severity: Warning,
        fix: None,
        summary: "Volume type is not allowed by the restricted Pod Security Standard",
        peers: [Trivy: "KSV-0028"],
        default_enabled: false,
    }
}

/// The volume sources the restricted level forbids, but `hostPath` (another rule's). Unknown
/// keys are the schema's business.
const FORBIDDEN: &[&str] = &[
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephfs",
    "cinder",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "gitRepo",
    "glusterfs",
    "iscsi",
    "nfs",
    "photonPersistentDisk",
    "portworxVolume",
    "quobyte",
    "rbd",
    "scaleIO",
    "storageos",
    "vsphereVolume",
];

impl Rule for RestrictedVolumeType {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        for volume in pod.spec.volumes() {
            for entry in volume.mapping().entries() {
                let Some(key) = entry.key_str() else { continue };
                if !FORBIDDEN.contains(&key) {
                    continue;
                }
                // A source written as `nfs:` with nothing is not set.
                if entry.value.resolve().is_null() {
                    continue;
                }
                let name = volume.name().and_then(|n| n.text()).unwrap_or("<unnamed>");
                cx.report(
                    entry.key.range(),
                    format!(
                        "Volume `{name}` uses type `{key}`, which the restricted Pod Security Standard forbids"
                    ),
                );
            }
        }
    }
}
