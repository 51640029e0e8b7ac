//! Whole-resource snippets offered on an empty document.
//!
//! The workloads are least-privileged: non-root, no privilege escalation, every capability
//! dropped, a read-only root filesystem, the RuntimeDefault seccomp profile, no service
//! account token, resources and probes. With their placeholders filled in (and the objects
//! they name defined: a NetworkPolicy for the pods, the pods for a Service), they raise no
//! finding from Picket's default rules; a test in `completion` holds them to that.

/// A resource snippet: its kind, apiVersion, a one-line description and the snippet body
/// (LSP snippet syntax, compact lists, two-space indentation, no trailing newline).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResourceSnippet {
    pub(crate) kind: &'static str,
    pub(crate) api_version: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) body: &'static str,
}

/// The pod-level security context every workload snippet uses.
macro_rules! pod_security {
    ($i:literal) => {
        concat!(
            $i,
            "automountServiceAccountToken: false\n",
            $i,
            "securityContext:\n",
            $i,
            "  runAsNonRoot: true\n",
            $i,
            "  runAsUser: 10001\n",
            $i,
            "  runAsGroup: 10001\n",
            $i,
            "  seccompProfile:\n",
            $i,
            "    type: RuntimeDefault\n",
        )
    };
}

/// A container's hardening and resources, at the indentation of its keys.
macro_rules! container_hardening {
    ($i:literal) => {
        concat!(
            $i,
            "imagePullPolicy: IfNotPresent\n",
            $i,
            "securityContext:\n",
            $i,
            "  allowPrivilegeEscalation: false\n",
            $i,
            "  readOnlyRootFilesystem: true\n",
            $i,
            "  capabilities:\n",
            $i,
            "    drop:\n",
            $i,
            "    - ALL\n",
            $i,
            "resources:\n",
            $i,
            "  requests:\n",
            $i,
            "    cpu: 100m\n",
            $i,
            "    memory: 128Mi\n",
            $i,
            "  limits:\n",
            $i,
            "    memory: 128Mi\n",
        )
    };
}

/// Ports and probes of a serving container.
macro_rules! serving {
    ($i:literal) => {
        concat!(
            $i,
            "ports:\n",
            $i,
            "- name: http\n",
            $i,
            "  containerPort: ${3:8080}\n",
            $i,
            "livenessProbe:\n",
            $i,
            "  httpGet:\n",
            $i,
            "    path: /healthz\n",
            $i,
            "    port: http\n",
            $i,
            "readinessProbe:\n",
            $i,
            "  httpGet:\n",
            $i,
            "    path: /ready\n",
            $i,
            "    port: http\n",
        )
    };
}

pub(crate) const RESOURCE_SNIPPETS: &[ResourceSnippet] = &[
    ResourceSnippet {
        kind: "Deployment",
        api_version: "apps/v1",
        summary: "Two replicas spread over nodes, non-root, read-only, with probes and resources",
        body: concat!(
            "apiVersion: apps/v1\n",
            "kind: Deployment\n",
            "metadata:\n",
            "  name: ${1:web}\n",
            "  labels:\n",
            "    app: ${1:web}\n",
            "spec:\n",
            "  replicas: 2\n",
            "  selector:\n",
            "    matchLabels:\n",
            "      app: ${1:web}\n",
            "  template:\n",
            "    metadata:\n",
            "      labels:\n",
            "        app: ${1:web}\n",
            "    spec:\n",
            pod_security!("      "),
            "      topologySpreadConstraints:\n",
            "      - maxSkew: 1\n",
            "        topologyKey: kubernetes.io/hostname\n",
            "        whenUnsatisfiable: ScheduleAnyway\n",
            "        labelSelector:\n",
            "          matchLabels:\n",
            "            app: ${1:web}\n",
            "      containers:\n",
            "      - name: ${1:web}\n",
            "        image: ${2:registry.example.com/web:1.0.0}\n",
            serving!("        "),
            container_hardening!("        "),
            "$0"
        ),
    },
    ResourceSnippet {
        kind: "Service",
        api_version: "v1",
        summary: "A ClusterIP Service for the pods labelled `app`, on their `http` port",
        body: concat!(
            "apiVersion: v1\n",
            "kind: Service\n",
            "metadata:\n",
            "  name: ${1:web}\n",
            "spec:\n",
            "  selector:\n",
            "    app: ${1:web}\n",
            "  ports:\n",
            "  - name: http\n",
            "    port: ${2:80}\n",
            "    targetPort: http\n",
            "$0"
        ),
    },
    ResourceSnippet {
        kind: "Ingress",
        api_version: "networking.k8s.io/v1",
        summary: "One host served over TLS, routed to a Service's `http` port",
        body: concat!(
            "apiVersion: networking.k8s.io/v1\n",
            "kind: Ingress\n",
            "metadata:\n",
            "  name: ${1:web}\n",
            "spec:\n",
            "  ingressClassName: ${2:nginx}\n",
            "  tls:\n",
            "  - hosts:\n",
            "    - ${3:web.example.com}\n",
            "    secretName: ${1:web}-tls\n",
            "  rules:\n",
            "  - host: ${3:web.example.com}\n",
            "    http:\n",
            "      paths:\n",
            "      - path: /\n",
            "        pathType: Prefix\n",
            "        backend:\n",
            "          service:\n",
            "            name: ${1:web}\n",
            "            port:\n",
            "              name: http\n",
            "$0"
        ),
    },
    ResourceSnippet {
        kind: "NetworkPolicy",
        api_version: "networking.k8s.io/v1",
        summary: "Isolates the pods labelled `app`, letting in traffic to one port only",
        body: concat!(
            "apiVersion: networking.k8s.io/v1\n",
            "kind: NetworkPolicy\n",
            "metadata:\n",
            "  name: ${1:web}\n",
            "spec:\n",
            "  podSelector:\n",
            "    matchLabels:\n",
            "      app: ${1:web}\n",
            "  policyTypes:\n",
            "  - Ingress\n",
            "  ingress:\n",
            "  - ports:\n",
            "    - protocol: TCP\n",
            "      port: ${2:8080}\n",
            "$0"
        ),
    },
    ResourceSnippet {
        kind: "ConfigMap",
        api_version: "v1",
        summary: "Configuration as key-value pairs",
        body: concat!(
            "apiVersion: v1\n",
            "kind: ConfigMap\n",
            "metadata:\n",
            "  name: ${1:web-config}\n",
            "data:\n",
            "  ${2:LOG_LEVEL}: ${3:info}\n",
            "$0"
        ),
    },
    ResourceSnippet {
        kind: "Secret",
        api_version: "v1",
        summary: "An Opaque Secret written as plain strings",
        body: concat!(
            "apiVersion: v1\n",
            "kind: Secret\n",
            "metadata:\n",
            "  name: ${1:web-credentials}\n",
            "type: Opaque\n",
            "stringData:\n",
            "  ${2:username}: ${3:web}\n",
            "$0"
        ),
    },
    ResourceSnippet {
        kind: "CronJob",
        api_version: "batch/v1",
        summary: "A scheduled job that never overlaps, non-root, read-only, with resources",
        body: concat!(
            "apiVersion: batch/v1\n",
            "kind: CronJob\n",
            "metadata:\n",
            "  name: ${1:report}\n",
            "spec:\n",
            "  schedule: \"${2:0 3 * * *}\"\n",
            "  concurrencyPolicy: Forbid\n",
            "  startingDeadlineSeconds: 300\n",
            "  jobTemplate:\n",
            "    spec:\n",
            "      backoffLimit: 2\n",
            "      ttlSecondsAfterFinished: 86400\n",
            "      template:\n",
            "        metadata:\n",
            "          labels:\n",
            "            app: ${1:report}\n",
            "        spec:\n",
            "          restartPolicy: OnFailure\n",
            pod_security!("          "),
            "          containers:\n",
            "          - name: ${1:report}\n",
            "            image: ${3:registry.example.com/report:1.0.0}\n",
            container_hardening!("            "),
            "$0"
        ),
    },
    ResourceSnippet {
        kind: "Job",
        api_version: "batch/v1",
        summary: "A run-to-completion job, non-root, read-only, with resources",
        body: concat!(
            "apiVersion: batch/v1\n",
            "kind: Job\n",
            "metadata:\n",
            "  name: ${1:migrate}\n",
            "spec:\n",
            "  backoffLimit: 2\n",
            "  ttlSecondsAfterFinished: 86400\n",
            "  template:\n",
            "    metadata:\n",
            "      labels:\n",
            "        app: ${1:migrate}\n",
            "    spec:\n",
            "      restartPolicy: Never\n",
            pod_security!("      "),
            "      containers:\n",
            "      - name: ${1:migrate}\n",
            "        image: ${2:registry.example.com/migrate:1.0.0}\n",
            container_hardening!("        "),
            "$0"
        ),
    },
    ResourceSnippet {
        kind: "Pod",
        api_version: "v1",
        summary: "A single pod, non-root, read-only, with probes and resources",
        body: concat!(
            "apiVersion: v1\n",
            "kind: Pod\n",
            "metadata:\n",
            "  name: ${1:web}\n",
            "  labels:\n",
            "    app: ${1:web}\n",
            "spec:\n",
            pod_security!("  "),
            "  containers:\n",
            "  - name: ${1:web}\n",
            "    image: ${2:registry.example.com/web:1.0.0}\n",
            serving!("    "),
            container_hardening!("    "),
            "$0"
        ),
    },
    ResourceSnippet {
        kind: "ServiceAccount",
        api_version: "v1",
        summary: "A service account whose token is not mounted unless a pod asks",
        body: concat!(
            "apiVersion: v1\n",
            "kind: ServiceAccount\n",
            "metadata:\n",
            "  name: ${1:web}\n",
            "automountServiceAccountToken: false\n",
            "$0"
        ),
    },
    ResourceSnippet {
        kind: "PersistentVolumeClaim",
        api_version: "v1",
        summary: "A volume claim for one node at a time",
        body: concat!(
            "apiVersion: v1\n",
            "kind: PersistentVolumeClaim\n",
            "metadata:\n",
            "  name: ${1:data}\n",
            "spec:\n",
            "  accessModes:\n",
            "  - ReadWriteOnce\n",
            "  resources:\n",
            "    requests:\n",
            "      storage: ${2:1Gi}\n",
            "$0"
        ),
    },
    ResourceSnippet {
        kind: "PodDisruptionBudget",
        api_version: "policy/v1",
        summary: "Lets one pod labelled `app` be evicted at a time",
        body: concat!(
            "apiVersion: policy/v1\n",
            "kind: PodDisruptionBudget\n",
            "metadata:\n",
            "  name: ${1:web}\n",
            "spec:\n",
            "  maxUnavailable: 1\n",
            "  unhealthyPodEvictionPolicy: AlwaysAllow\n",
            "  selector:\n",
            "    matchLabels:\n",
            "      app: ${1:web}\n",
            "$0"
        ),
    },
    ResourceSnippet {
        kind: "Namespace",
        api_version: "v1",
        summary: "A namespace that enforces the restricted Pod Security Standard",
        body: concat!(
            "apiVersion: v1\n",
            "kind: Namespace\n",
            "metadata:\n",
            "  name: ${1:web}\n",
            "  labels:\n",
            "    pod-security.kubernetes.io/enforce: restricted\n",
            "$0"
        ),
    },
];
