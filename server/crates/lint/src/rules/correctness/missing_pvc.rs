//! `missing-pvc`: a pod that mounts a PersistentVolumeClaim the run does not define.

use picket_model::View;

use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};

use super::common::not_defined;

declare_rule! {
    /// ## What it flags
    /// A `persistentVolumeClaim` volume whose `claimName` names a PersistentVolumeClaim that
    /// the files checked together do not define in the pod's namespace.
    ///
    /// The rule stays quiet when the files define no PersistentVolumeClaim at all: claims
    /// are then evidently made elsewhere. A StatefulSet's `volumeClaimTemplates` are not
    /// references and are never flagged; a claim that a template creates for one replica
    /// (`data-db-0`) and another pod mounts by name is not recognised.
    ///
    /// ## Why it matters
    /// A pod whose claim does not exist cannot be scheduled: it stays `Pending` with
    /// `persistentvolumeclaim "…" not found`.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: uploads
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   resources:
    ///     requests:
    ///       storage: 5Gi
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       volumeMounts:
    ///         - name: uploads
    ///           mountPath: /srv/uploads
    ///   volumes:
    ///     - name: uploads
    ///       persistentVolumeClaim:
    ///         claimName: upload
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: uploads
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   resources:
    ///     requests:
    ///       storage: 5Gi
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       volumeMounts:
    ///         - name: uploads
    ///           mountPath: /srv/uploads
    ///   volumes:
    ///     - name: uploads
    ///       persistentVolumeClaim:
    ///         claimName: uploads
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/storage/persistent-volumes/#claims-as-volumes
    pub(crate) MissingPvc {
        name: "missing-pvc",
        category: Correctness,
        severity: Warning,
        fix: None,
        summary: "Pod mounts a PersistentVolumeClaim that is not defined",
        peers: [],
    }
}

impl Rule for MissingPvc {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let index = cx.index();
        let kind = "PersistentVolumeClaim";
        if !index.has_kind(&[""], kind) {
            return;
        }
        let ns = pod.object.namespace();
        // A StatefulSet replaces a volume named like one of its `volumeClaimTemplates` with the
        // claim it creates for each replica: that volume's own claim is never used.
        let templates: Vec<&str> = pod
            .object
            .spec::<picket_model::WorkloadSpec>()
            .and_then(|s| s.field("volumeClaimTemplates"))
            .into_iter()
            .flat_map(|f| f.items())
            .filter_map(|t| t.as_mapping()?.get("metadata")?.as_mapping()?.get("name")?.as_scalar())
            .map(|s| s.value())
            .collect();
        for volume in pod.spec.volumes() {
            if volume
                .name()
                .and_then(|n| n.text())
                .is_some_and(|n| templates.contains(&n))
            {
                continue;
            }
            let Some(claim) = volume.persistent_volume_claim().and_then(|p| p.claim_name()) else {
                continue;
            };
            let Some(name) = claim.text().filter(|n| !n.is_empty()) else {
                continue;
            };
            if !index.provides(kind, name, ns) {
                let message = not_defined(index, kind, name, ns);
                cx.report(claim.value_range(), message);
            }
        }
    }
}
