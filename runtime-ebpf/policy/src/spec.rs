//! What a manifest says of one container today: the input the suggestions are compared with.

/// One container as its manifest declares it, with the pod-level settings that apply to it.
///
/// A plain struct: the language server fills it from its YAML model, a test by hand. Fields
/// the manifest does not set are `None` (or empty), so a suggestion can tell "absent" from
/// "set to the same value".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerSpec {
    /// The container's name (`spec.containers[].name`).
    pub name: String,
    /// Its image, when set.
    pub image: Option<String>,
    /// True for an entry of `spec.initContainers` rather than `spec.containers`.
    pub init: bool,
    /// The container's `securityContext`.
    pub security_context: SecurityContext,
    /// The pod's `securityContext` (the fields that also apply to containers).
    pub pod_security_context: PodSecurityContext,
    /// The pod's `hostUsers`: `Some(false)` runs the pod in a user namespace, where uid 0 inside
    /// is not uid 0 on the host (and the sensor reports host uids).
    pub host_users: Option<bool>,
    /// The container's `volumeMounts`.
    pub volume_mounts: Vec<VolumeMount>,
    /// The names of the pod's `volumes`, so that a suggested volume gets a name of its own.
    pub pod_volume_names: Vec<String>,
}

/// The container-level `securityContext` fields the suggestions read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecurityContext {
    /// `capabilities`, when present.
    pub capabilities: Option<Capabilities>,
    /// `readOnlyRootFilesystem`.
    pub read_only_root_filesystem: Option<bool>,
    /// `runAsNonRoot` (overrides the pod's).
    pub run_as_non_root: Option<bool>,
    /// `runAsUser` (overrides the pod's).
    pub run_as_user: Option<i64>,
    /// `allowPrivilegeEscalation`.
    pub allow_privilege_escalation: Option<bool>,
    /// `privileged`.
    pub privileged: Option<bool>,
    /// `seccompProfile.type` (overrides the pod's).
    pub seccomp_profile: Option<SeccompProfileType>,
}

/// `securityContext.capabilities`, names as written (`NET_ADMIN` or `CAP_NET_ADMIN`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// `add`.
    pub add: Vec<String>,
    /// `drop`.
    pub drop: Vec<String>,
}

/// The pod-level `securityContext` fields that containers inherit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodSecurityContext {
    /// `runAsNonRoot`.
    pub run_as_non_root: Option<bool>,
    /// `runAsUser`.
    pub run_as_user: Option<i64>,
    /// `seccompProfile.type`.
    pub seccomp_profile: Option<SeccompProfileType>,
}

/// `seccompProfile.type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeccompProfileType {
    /// `RuntimeDefault`: the container runtime's default profile.
    RuntimeDefault,
    /// `Localhost`, with its `localhostProfile` path when set.
    Localhost(Option<String>),
    /// `Unconfined`.
    Unconfined,
}

/// One entry of `volumeMounts`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VolumeMount {
    /// The volume's name.
    pub name: String,
    /// `mountPath`.
    pub mount_path: String,
    /// `readOnly`.
    pub read_only: bool,
}

impl ContainerSpec {
    /// `runAsNonRoot` as it applies to this container: its own, else the pod's.
    pub fn effective_run_as_non_root(&self) -> Option<bool> {
        self.security_context
            .run_as_non_root
            .or(self.pod_security_context.run_as_non_root)
    }

    /// `runAsUser` as it applies to this container: its own, else the pod's.
    pub fn effective_run_as_user(&self) -> Option<i64> {
        self.security_context
            .run_as_user
            .or(self.pod_security_context.run_as_user)
    }
}
