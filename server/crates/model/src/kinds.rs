//! Views of the Kubernetes objects Picket reasons about, field by field.
//!
//! Only the fields rules and navigation need are named; anything else is one
//! `View::field("name")` away.

use crate::view::view;

view! {
    /// `metadata` of an object or a pod template.
    pub struct Metadata {
        name: field = "name",
        generate_name: field = "generateName",
        namespace: field = "namespace",
        labels: map = "labels",
        annotations: map = "annotations",
    }
}

view! {
    /// A label selector (`matchLabels` and `matchExpressions`).
    pub struct LabelSelector {
        match_labels: map = "matchLabels",
        match_expressions: list LabelSelectorRequirement = "matchExpressions",
    }
}

view! {
    pub struct LabelSelectorRequirement {
        key: field = "key",
        operator: field = "operator",
        values: field = "values",
    }
}

view! {
    /// A pod template (`spec.template` of workloads).
    pub struct PodTemplateSpec {
        metadata: view Metadata = "metadata",
        spec: view PodSpec = "spec",
    }
}

view! {
    /// The spec of a pod.
    pub struct PodSpec {
        containers: list Container = "containers",
        init_containers: list Container = "initContainers",
        ephemeral_containers: list Container = "ephemeralContainers",
        volumes: list Volume = "volumes",
        service_account_name: field = "serviceAccountName",
        deprecated_service_account: field = "serviceAccount",
        automount_service_account_token: field = "automountServiceAccountToken",
        host_network: field = "hostNetwork",
        host_pid: field = "hostPID",
        host_ipc: field = "hostIPC",
        host_users: field = "hostUsers",
        share_process_namespace: field = "shareProcessNamespace",
        security_context: view PodSecurityContext = "securityContext",
        node_selector: map = "nodeSelector",
        node_name: field = "nodeName",
        affinity: field = "affinity",
        tolerations: field = "tolerations",
        priority_class_name: field = "priorityClassName",
        image_pull_secrets: list LocalObjectReference = "imagePullSecrets",
        restart_policy: field = "restartPolicy",
        runtime_class_name: field = "runtimeClassName",
        dns_policy: field = "dnsPolicy",
        topology_spread_constraints: field = "topologySpreadConstraints",
        termination_grace_period_seconds: field = "terminationGracePeriodSeconds",
    }
}

/// Which list of a pod a container comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContainerKind {
    Regular,
    Init,
    Ephemeral,
}

impl ContainerKind {
    /// The field that holds this kind of container.
    pub fn field_name(self) -> &'static str {
        match self {
            ContainerKind::Regular => "containers",
            ContainerKind::Init => "initContainers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

impl<'a> PodSpec<'a> {
    /// Every container of the pod, init and ephemeral ones included, with its kind.
    pub fn all_containers(&self) -> impl Iterator<Item = (ContainerKind, Container<'a>)> + use<'a> {
        let regular = self.containers().map(|c| (ContainerKind::Regular, c));
        let init = self.init_containers().map(|c| (ContainerKind::Init, c));
        let ephemeral = self
            .ephemeral_containers()
            .map(|c| (ContainerKind::Ephemeral, c));
        init.chain(regular).chain(ephemeral)
    }
}

view! {
    /// A container (regular, init or ephemeral).
    pub struct Container {
        name: field = "name",
        image: field = "image",
        image_pull_policy: field = "imagePullPolicy",
        command: field = "command",
        args: field = "args",
        working_dir: field = "workingDir",
        ports: list ContainerPort = "ports",
        env: list EnvVar = "env",
        env_from: list EnvFromSource = "envFrom",
        resources: view ResourceRequirements = "resources",
        security_context: view SecurityContext = "securityContext",
        volume_mounts: list VolumeMount = "volumeMounts",
        liveness_probe: view Probe = "livenessProbe",
        readiness_probe: view Probe = "readinessProbe",
        startup_probe: view Probe = "startupProbe",
        lifecycle: field = "lifecycle",
        restart_policy: field = "restartPolicy",
        stdin: field = "stdin",
        tty: field = "tty",
    }
}

view! {
    pub struct ContainerPort {
        name: field = "name",
        container_port: field = "containerPort",
        host_port: field = "hostPort",
        host_ip: field = "hostIP",
        protocol: field = "protocol",
    }
}

view! {
    pub struct EnvVar {
        name: field = "name",
        value: field = "value",
        value_from: view EnvVarSource = "valueFrom",
    }
}

view! {
    pub struct EnvVarSource {
        secret_key_ref: view KeySelector = "secretKeyRef",
        config_map_key_ref: view KeySelector = "configMapKeyRef",
        field_ref: field = "fieldRef",
        resource_field_ref: field = "resourceFieldRef",
    }
}

view! {
    /// `secretKeyRef` or `configMapKeyRef`.
    pub struct KeySelector {
        name: field = "name",
        key: field = "key",
        optional: field = "optional",
    }
}

view! {
    pub struct EnvFromSource {
        prefix: field = "prefix",
        config_map_ref: view LocalObjectReference = "configMapRef",
        secret_ref: view LocalObjectReference = "secretRef",
    }
}

view! {
    /// A reference by name (`imagePullSecrets`, `configMapRef`).
    pub struct LocalObjectReference {
        name: field = "name",
        optional: field = "optional",
    }
}

view! {
    pub struct ResourceRequirements {
        requests: map = "requests",
        limits: map = "limits",
    }
}

view! {
    /// A container's `securityContext`.
    pub struct SecurityContext {
        privileged: field = "privileged",
        allow_privilege_escalation: field = "allowPrivilegeEscalation",
        read_only_root_filesystem: field = "readOnlyRootFilesystem",
        run_as_non_root: field = "runAsNonRoot",
        run_as_user: field = "runAsUser",
        run_as_group: field = "runAsGroup",
        capabilities: view Capabilities = "capabilities",
        seccomp_profile: view SeccompProfile = "seccompProfile",
        app_armor_profile: field = "appArmorProfile",
        proc_mount: field = "procMount",
        se_linux_options: field = "seLinuxOptions",
        windows_options: field = "windowsOptions",
    }
}

view! {
    /// A pod's `securityContext`.
    pub struct PodSecurityContext {
        run_as_non_root: field = "runAsNonRoot",
        run_as_user: field = "runAsUser",
        run_as_group: field = "runAsGroup",
        fs_group: field = "fsGroup",
        supplemental_groups: field = "supplementalGroups",
        seccomp_profile: view SeccompProfile = "seccompProfile",
        app_armor_profile: field = "appArmorProfile",
        sysctls: field = "sysctls",
        se_linux_options: field = "seLinuxOptions",
    }
}

view! {
    pub struct Capabilities {
        add: field = "add",
        drop: field = "drop",
    }
}

view! {
    pub struct SeccompProfile {
        type_: field = "type",
        localhost_profile: field = "localhostProfile",
    }
}

view! {
    pub struct VolumeMount {
        name: field = "name",
        mount_path: field = "mountPath",
        read_only: field = "readOnly",
        sub_path: field = "subPath",
        mount_propagation: field = "mountPropagation",
    }
}

view! {
    pub struct Probe {
        http_get: field = "httpGet",
        tcp_socket: field = "tcpSocket",
        exec: field = "exec",
        grpc: field = "grpc",
        initial_delay_seconds: field = "initialDelaySeconds",
        period_seconds: field = "periodSeconds",
        failure_threshold: field = "failureThreshold",
    }
}

view! {
    /// A pod volume.
    pub struct Volume {
        name: field = "name",
        host_path: view HostPathVolumeSource = "hostPath",
        config_map: view ConfigMapVolumeSource = "configMap",
        secret: view SecretVolumeSource = "secret",
        persistent_volume_claim: view PvcVolumeSource = "persistentVolumeClaim",
        empty_dir: field = "emptyDir",
        projected: field = "projected",
    }
}

view! {
    pub struct HostPathVolumeSource {
        path: field = "path",
        type_: field = "type",
    }
}

view! {
    pub struct ConfigMapVolumeSource {
        name: field = "name",
        optional: field = "optional",
    }
}

view! {
    pub struct SecretVolumeSource {
        secret_name: field = "secretName",
        optional: field = "optional",
    }
}

view! {
    pub struct PvcVolumeSource {
        claim_name: field = "claimName",
        read_only: field = "readOnly",
    }
}

view! {
    /// `spec` of a Service.
    pub struct ServiceSpec {
        type_: field = "type",
        selector: map = "selector",
        ports: list ServicePort = "ports",
        cluster_ip: field = "clusterIP",
        external_ips: field = "externalIPs",
        external_name: field = "externalName",
        load_balancer_source_ranges: field = "loadBalancerSourceRanges",
        external_traffic_policy: field = "externalTrafficPolicy",
    }
}

view! {
    pub struct ServicePort {
        name: field = "name",
        port: field = "port",
        target_port: field = "targetPort",
        node_port: field = "nodePort",
        protocol: field = "protocol",
    }
}

view! {
    /// `spec` of an Ingress.
    pub struct IngressSpec {
        ingress_class_name: field = "ingressClassName",
        default_backend: view IngressBackend = "defaultBackend",
        rules: list IngressRule = "rules",
        tls: field = "tls",
    }
}

view! {
    pub struct IngressRule {
        host: field = "host",
        http: view HttpIngressRuleValue = "http",
    }
}

view! {
    pub struct HttpIngressRuleValue {
        paths: list HttpIngressPath = "paths",
    }
}

view! {
    pub struct HttpIngressPath {
        path: field = "path",
        path_type: field = "pathType",
        backend: view IngressBackend = "backend",
    }
}

view! {
    pub struct IngressBackend {
        service: view IngressServiceBackend = "service",
        resource: field = "resource",
    }
}

impl<'a> IngressSpec<'a> {
    /// Every backend: the default one (`defaultBackend`, or `backend` before
    /// `networking.k8s.io/v1`) and each rule path's.
    pub fn all_backends(&self) -> Vec<IngressBackend<'a>> {
        use crate::view::View;
        let mut out: Vec<IngressBackend<'a>> = Vec::new();
        out.extend(self.default_backend());
        out.extend(
            self.field("backend")
                .and_then(|f| IngressBackend::cast(f.value())),
        );
        for rule in self.rules() {
            for path in rule.http().into_iter().flat_map(|h| h.paths()) {
                out.extend(path.backend());
            }
        }
        out
    }
}

impl<'a> IngressBackend<'a> {
    /// The field naming the backend's Service: `service.name`, or `serviceName` before
    /// `networking.k8s.io/v1`.
    pub fn service_name(&self) -> Option<crate::Field<'a>> {
        use crate::view::View;
        self.service()
            .and_then(|s| s.name())
            .or_else(|| self.field("serviceName"))
    }
}

view! {
    pub struct IngressServiceBackend {
        name: field = "name",
        port: field = "port",
    }
}

view! {
    /// `spec` of a NetworkPolicy.
    pub struct NetworkPolicySpec {
        pod_selector: view LabelSelector = "podSelector",
        policy_types: field = "policyTypes",
        ingress: list NetworkPolicyIngressRule = "ingress",
        egress: list NetworkPolicyEgressRule = "egress",
    }
}

view! {
    pub struct NetworkPolicyIngressRule {
        from: list NetworkPolicyPeer = "from",
        ports: field = "ports",
    }
}

view! {
    pub struct NetworkPolicyEgressRule {
        to: list NetworkPolicyPeer = "to",
        ports: field = "ports",
    }
}

view! {
    pub struct NetworkPolicyPeer {
        pod_selector: view LabelSelector = "podSelector",
        namespace_selector: view LabelSelector = "namespaceSelector",
        ip_block: field = "ipBlock",
    }
}

view! {
    /// A rule of a Role or ClusterRole.
    pub struct PolicyRule {
        api_groups: field = "apiGroups",
        resources: field = "resources",
        resource_names: field = "resourceNames",
        verbs: field = "verbs",
        non_resource_urls: field = "nonResourceURLs",
    }
}

view! {
    /// `roleRef` of a RoleBinding or ClusterRoleBinding.
    pub struct RoleRef {
        api_group: field = "apiGroup",
        kind: field = "kind",
        name: field = "name",
    }
}

view! {
    /// A subject of a binding.
    pub struct Subject {
        kind: field = "kind",
        name: field = "name",
        namespace: field = "namespace",
    }
}

view! {
    /// `spec` of a PersistentVolumeClaim.
    pub struct PvcSpec {
        access_modes: field = "accessModes",
        storage_class_name: field = "storageClassName",
        resources: view ResourceRequirements = "resources",
        volume_name: field = "volumeName",
    }
}

view! {
    /// `spec` of a HorizontalPodAutoscaler.
    pub struct HpaSpec {
        scale_target_ref: view CrossVersionObjectReference = "scaleTargetRef",
        min_replicas: field = "minReplicas",
        max_replicas: field = "maxReplicas",
        metrics: field = "metrics",
    }
}

view! {
    pub struct CrossVersionObjectReference {
        api_version: field = "apiVersion",
        kind: field = "kind",
        name: field = "name",
    }
}

view! {
    /// `spec` of a PodDisruptionBudget.
    pub struct PdbSpec {
        selector: view LabelSelector = "selector",
        min_available: field = "minAvailable",
        max_unavailable: field = "maxUnavailable",
    }
}

view! {
    /// `spec` of a CustomResourceDefinition.
    pub struct CrdSpec {
        group: field = "group",
        names: view CrdNames = "names",
        scope: field = "scope",
        versions: list CrdVersion = "versions",
    }
}

view! {
    pub struct CrdNames {
        kind: field = "kind",
        plural: field = "plural",
        singular: field = "singular",
        list_kind: field = "listKind",
        short_names: field = "shortNames",
    }
}

view! {
    pub struct CrdVersion {
        name: field = "name",
        served: field = "served",
        storage: field = "storage",
        deprecated: field = "deprecated",
        schema: view CrdValidation = "schema",
    }
}

view! {
    pub struct CrdValidation {
        open_api_v3_schema: field = "openAPIV3Schema",
    }
}

view! {
    /// The `spec` of Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and the like.
    pub struct WorkloadSpec {
        replicas: field = "replicas",
        selector: view LabelSelector = "selector",
        template: view PodTemplateSpec = "template",
        strategy: field = "strategy",
        update_strategy: field = "updateStrategy",
        service_name: field = "serviceName",
        job_template: view JobTemplateSpec = "jobTemplate",
        schedule: field = "schedule",
    }
}

view! {
    /// `spec.jobTemplate` of a CronJob.
    pub struct JobTemplateSpec {
        metadata: view Metadata = "metadata",
        spec: view WorkloadSpec = "spec",
    }
}
