//! What the OpenAPI schema of `k8s-openapi` does not carry but the API server enforces: the
//! closed sets of values of enum-like fields, and the formats of names, labels and ports.
//!
//! Each row names a type and a property. Codegen fails if the type or property does not
//! exist, and, for enums, if a value is not mentioned in the property's own description (so a
//! typo or an API change is caught, not shipped).

use picket_schema::table::StrFormat;

pub(crate) enum Refine {
    /// The string must be one of these; the description lists them.
    Enum(&'static [&'static str]),
    /// The string must be one of these; the API server's validation enforces them but the
    /// description does not list them all (so they cannot be checked against it).
    Validated(&'static [&'static str]),
    /// Every array item must be one of these (enforced by validation).
    ItemsEnum(&'static [&'static str]),
    /// The string has this format.
    Format(StrFormat),
    /// A map whose keys and values have these formats.
    Map(Option<StrFormat>, Option<StrFormat>),
}

use Refine::*;
use StrFormat::*;

const PROTOCOLS: &[&str] = &["TCP", "UDP", "SCTP"];
const PULL: &[&str] = &["Always", "IfNotPresent", "Never"];
const TERMINATION_MESSAGE: &[&str] = &["File", "FallbackToLogsOnError"];
const PROFILE: &[&str] = &["Localhost", "RuntimeDefault", "Unconfined"];
const ACCESS_MODES: &[&str] = &[
    "ReadWriteOnce",
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOncePod",
];
const LABELS: Refine = Map(Some(LabelKey), Some(LabelValue));

const CORE: &str = "io.k8s.api.core.v1.";

/// `(type, property, refinement)`; a type name starting with `.` is relative to `core/v1`.
pub(crate) const REFINEMENTS: &[(&str, &str, Refine)] = &[
    (".Container", "imagePullPolicy", Enum(PULL)),
    (".EphemeralContainer", "imagePullPolicy", Enum(PULL)),
    (
        ".Container",
        "terminationMessagePolicy",
        Enum(TERMINATION_MESSAGE),
    ),
    (
        ".EphemeralContainer",
        "terminationMessagePolicy",
        Enum(TERMINATION_MESSAGE),
    ),
    (".Container", "name", Format(DnsLabel)),
    (".EphemeralContainer", "name", Format(DnsLabel)),
    (".ContainerPort", "protocol", Enum(PROTOCOLS)),
    (".ContainerPort", "name", Format(PortName)),
    (".ServicePort", "protocol", Enum(PROTOCOLS)),
    (".ServicePort", "name", Format(DnsLabel)),
    (".Volume", "name", Format(DnsLabel)),
    (
        ".PodSpec",
        "restartPolicy",
        Enum(&["Always", "OnFailure", "Never"]),
    ),
    (
        ".PodSpec",
        "dnsPolicy",
        Enum(&["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]),
    ),
    (
        ".PodSpec",
        "preemptionPolicy",
        Enum(&["PreemptLowerPriority", "Never"]),
    ),
    (".PodSpec", "nodeSelector", LABELS),
    (".PodSpec", "serviceAccountName", Format(DnsSubdomain)),
    (".PodOS", "name", Enum(&["linux", "windows"])),
    (
        ".ServiceSpec",
        "type",
        Enum(&["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]),
    ),
    (
        ".ServiceSpec",
        "sessionAffinity",
        Enum(&["ClientIP", "None"]),
    ),
    (
        ".ServiceSpec",
        "externalTrafficPolicy",
        Enum(&["Cluster", "Local"]),
    ),
    (
        ".ServiceSpec",
        "internalTrafficPolicy",
        Enum(&["Cluster", "Local"]),
    ),
    (
        ".ServiceSpec",
        "ipFamilyPolicy",
        Enum(&["SingleStack", "PreferDualStack", "RequireDualStack"]),
    ),
    (".ServiceSpec", "ipFamilies", ItemsEnum(&["IPv4", "IPv6"])),
    (".ServiceSpec", "selector", LABELS),
    (
        ".PersistentVolumeClaimSpec",
        "volumeMode",
        Validated(&["Block", "Filesystem"]),
    ),
    (
        ".PersistentVolumeClaimSpec",
        "accessModes",
        ItemsEnum(ACCESS_MODES),
    ),
    (
        ".PersistentVolumeSpec",
        "accessModes",
        ItemsEnum(ACCESS_MODES),
    ),
    (
        ".PersistentVolumeSpec",
        "persistentVolumeReclaimPolicy",
        Enum(&["Retain", "Delete", "Recycle"]),
    ),
    (
        ".PersistentVolumeSpec",
        "volumeMode",
        Validated(&["Block", "Filesystem"]),
    ),
    (".SeccompProfile", "type", Enum(PROFILE)),
    (".AppArmorProfile", "type", Enum(PROFILE)),
    (".Toleration", "operator", Enum(&["Exists", "Equal"])),
    (
        ".Toleration",
        "effect",
        Enum(&["NoSchedule", "PreferNoSchedule", "NoExecute"]),
    ),
    (
        ".Taint",
        "effect",
        Enum(&["NoSchedule", "PreferNoSchedule", "NoExecute"]),
    ),
    (
        ".NodeSelectorRequirement",
        "operator",
        Enum(&["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
    ),
    (
        ".TopologySpreadConstraint",
        "whenUnsatisfiable",
        Enum(&["DoNotSchedule", "ScheduleAnyway"]),
    ),
    (
        ".TopologySpreadConstraint",
        "nodeAffinityPolicy",
        Enum(&["Honor", "Ignore"]),
    ),
    (
        ".TopologySpreadConstraint",
        "nodeTaintsPolicy",
        Enum(&["Honor", "Ignore"]),
    ),
    (
        ".VolumeMount",
        "mountPropagation",
        Validated(&["None", "HostToContainer", "Bidirectional"]),
    ),
    (
        ".VolumeMount",
        "recursiveReadOnly",
        Enum(&["Disabled", "IfPossible", "Enabled"]),
    ),
    (
        ".HostPathVolumeSource",
        "type",
        Validated(&[
            "",
            "DirectoryOrCreate",
            "Directory",
            "FileOrCreate",
            "File",
            "Socket",
            "CharDevice",
            "BlockDevice",
        ]),
    ),
    (
        ".PodSecurityContext",
        "fsGroupChangePolicy",
        Enum(&["OnRootMismatch", "Always"]),
    ),
    (
        ".PodSecurityContext",
        "seLinuxChangePolicy",
        Enum(&["Recursive", "MountOption"]),
    ),
    (
        ".SecurityContext",
        "procMount",
        Validated(&["Default", "Unmasked"]),
    ),
    (".HTTPGetAction", "scheme", Validated(&["HTTP", "HTTPS"])),
    (
        ".ContainerResizePolicy",
        "restartPolicy",
        Validated(&["NotRequired", "RestartContainer"]),
    ),
    (".ConfigMap", "binaryData", Map(None, Some(Byte))),
    (".Secret", "data", Map(None, Some(Byte))),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "name",
        Format(ObjectName),
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "namespace",
        Format(DnsLabel),
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "labels",
        LABELS,
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "annotations",
        Map(Some(LabelKey), None),
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
        "matchLabels",
        LABELS,
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        "operator",
        Enum(&["In", "NotIn", "Exists", "DoesNotExist"]),
    ),
    (
        "io.k8s.api.apps.v1.DeploymentStrategy",
        "type",
        Enum(&["Recreate", "RollingUpdate"]),
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetUpdateStrategy",
        "type",
        Validated(&["RollingUpdate", "OnDelete"]),
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetSpec",
        "podManagementPolicy",
        Enum(&["OrderedReady", "Parallel"]),
    ),
    (
        "io.k8s.api.apps.v1.DaemonSetUpdateStrategy",
        "type",
        Enum(&["RollingUpdate", "OnDelete"]),
    ),
    (
        "io.k8s.api.batch.v1.CronJobSpec",
        "concurrencyPolicy",
        Enum(&["Allow", "Forbid", "Replace"]),
    ),
    (
        "io.k8s.api.batch.v1.JobSpec",
        "completionMode",
        Enum(&["NonIndexed", "Indexed"]),
    ),
    (
        "io.k8s.api.batch.v1.JobSpec",
        "podReplacementPolicy",
        Enum(&["TerminatingOrFailed", "Failed"]),
    ),
    (
        "io.k8s.api.batch.v1.PodFailurePolicyRule",
        "action",
        Enum(&["FailJob", "FailIndex", "Ignore", "Count"]),
    ),
    (
        "io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement",
        "operator",
        Enum(&["In", "NotIn"]),
    ),
    (
        "io.k8s.api.networking.v1.NetworkPolicySpec",
        "policyTypes",
        ItemsEnum(&["Ingress", "Egress"]),
    ),
    (
        "io.k8s.api.networking.v1.NetworkPolicyPort",
        "protocol",
        Enum(PROTOCOLS),
    ),
    (
        "io.k8s.api.networking.v1.HTTPIngressPath",
        "pathType",
        Enum(&["Exact", "Prefix", "ImplementationSpecific"]),
    ),
    (
        "io.k8s.api.policy.v1.PodDisruptionBudgetSpec",
        "unhealthyPodEvictionPolicy",
        Enum(&["IfHealthyBudget", "AlwaysAllow"]),
    ),
    (
        "io.k8s.api.autoscaling.v2.MetricSpec",
        "type",
        Enum(&[
            "ContainerResource",
            "External",
            "Object",
            "Pods",
            "Resource",
        ]),
    ),
    (
        "io.k8s.api.autoscaling.v2.MetricTarget",
        "type",
        Enum(&["Utilization", "Value", "AverageValue"]),
    ),
    (
        "io.k8s.api.autoscaling.v2.HPAScalingPolicy",
        "type",
        Validated(&["Pods", "Percent"]),
    ),
    (
        "io.k8s.api.autoscaling.v2.HPAScalingRules",
        "selectPolicy",
        Validated(&["Max", "Min", "Disabled"]),
    ),
    (
        "io.k8s.api.rbac.v1.Subject",
        "kind",
        Enum(&["User", "Group", "ServiceAccount"]),
    ),
    (
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec",
        "scope",
        Enum(&["Cluster", "Namespaced"]),
    ),
];

/// The full type name of a row.
pub(crate) fn type_name(row: &str) -> String {
    match row.strip_prefix('.') {
        Some(rest) => format!("{CORE}{rest}"),
        None => row.to_owned(),
    }
}
