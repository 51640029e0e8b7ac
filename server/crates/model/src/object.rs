//! A Kubernetes object at the root of a YAML document, and where each kind keeps its pods.

use picket_syntax::{Document, Mapping, Node, NodeKind, ParsedFile, ScalarStyle, TextRange};

use crate::kinds::{
    CrdSpec, HpaSpec, IngressSpec, Metadata, NetworkPolicySpec, PdbSpec, PodSpec, PodTemplateSpec,
    PolicyRule, PvcSpec, RoleRef, ServiceSpec, Subject, WorkloadSpec,
};
use crate::view::{Field, StrMap, View};

/// `apiVersion` split into group and version, with the kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupVersionKind<'a> {
    /// Empty for the core group (`v1`).
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
}

impl<'a> GroupVersionKind<'a> {
    /// Splits `apps/v1` into `apps` and `v1`; `v1` is the core group.
    pub fn new(api_version: &'a str, kind: &'a str) -> Self {
        match api_version.rsplit_once('/') {
            Some((group, version)) => GroupVersionKind {
                group,
                version,
                kind,
            },
            None => GroupVersionKind {
                group: "",
                version: api_version,
                kind,
            },
        }
    }
}

/// Where a workload kind keeps its pod template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorkloadKind {
    /// `spec` is the pod spec.
    Pod,
    /// `template` is the pod template (the `PodTemplate` kind).
    PodTemplate,
    /// `spec.template` (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
    /// Job, Argo Rollout, OpenShift DeploymentConfig).
    Templated,
    /// `spec.jobTemplate.spec.template` (CronJob).
    CronJob,
}

impl WorkloadKind {
    /// The workload kind of `group`/`kind`, if it runs pods.
    pub fn of(group: &str, kind: &str) -> Option<WorkloadKind> {
        Some(match (group, kind) {
            ("", "Pod") => WorkloadKind::Pod,
            ("", "PodTemplate") => WorkloadKind::PodTemplate,
            ("", "ReplicationController") => WorkloadKind::Templated,
            ("apps" | "extensions" | "apps.openshift.io", _)
                if matches!(
                    kind,
                    "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "DeploymentConfig"
                ) =>
            {
                WorkloadKind::Templated
            }
            ("batch", "Job") => WorkloadKind::Templated,
            ("batch", "CronJob") => WorkloadKind::CronJob,
            ("argoproj.io", "Rollout") => WorkloadKind::Templated,
            _ => return None,
        })
    }
}

/// A Kubernetes object: a mapping with `apiVersion` and `kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Object<'a> {
    mapping: Mapping<'a>,
}

impl<'a> View<'a> for Object<'a> {
    fn from_mapping(mapping: Mapping<'a>) -> Self {
        Object { mapping }
    }
    fn mapping(&self) -> Mapping<'a> {
        self.mapping
    }
}

impl<'a> Object<'a> {
    /// The object at the root of `doc`: a mapping with `apiVersion` or `kind`.
    pub fn from_document(doc: &'a Document) -> Option<Object<'a>> {
        Object::from_node(doc.root()?)
    }

    /// `node` as an object: a mapping with `kind`, or with `apiVersion` and `metadata` or
    /// `spec` (a Helm `Chart.yaml` has an `apiVersion` too, and is not an object).
    pub fn from_node(node: Node<'a>) -> Option<Object<'a>> {
        let mapping = node.resolve().as_mapping()?;
        let has = |k: &str| mapping.get(k).is_some();
        (has("kind") || (has("apiVersion") && (has("metadata") || has("spec"))))
            .then_some(Object { mapping })
    }

    pub fn api_version(&self) -> Option<Field<'a>> {
        self.field("apiVersion")
    }

    pub fn kind(&self) -> Option<Field<'a>> {
        self.field("kind")
    }

    /// Group, version and kind, when both `apiVersion` and `kind` are strings.
    pub fn gvk(&self) -> Option<GroupVersionKind<'a>> {
        let api_version = self.api_version()?.as_str()?;
        let kind = self.kind()?.as_str()?;
        Some(GroupVersionKind::new(api_version, kind))
    }

    pub fn metadata(&self) -> Option<Metadata<'a>> {
        self.field("metadata")
            .and_then(|f| Metadata::cast(f.value()))
    }

    /// `metadata.name` as text.
    pub fn name(&self) -> Option<&'a str> {
        self.metadata()?.name()?.text()
    }

    /// `metadata.namespace` as text.
    pub fn namespace(&self) -> Option<&'a str> {
        self.metadata()?.namespace()?.text()
    }

    pub fn labels(&self) -> Option<StrMap<'a>> {
        self.metadata()?.labels()
    }

    pub fn annotations(&self) -> Option<StrMap<'a>> {
        self.metadata()?.annotations()
    }

    /// `spec` as a view of the caller's choice.
    pub fn spec<V: View<'a>>(&self) -> Option<V> {
        self.field("spec").and_then(|f| V::cast(f.value()))
    }

    /// The range to point at when a finding is about the whole object: its `kind` entry, or
    /// the root mapping.
    pub fn header_range(&self) -> TextRange {
        self.kind()
            .map_or_else(|| self.mapping.range(), |k| k.range())
    }

    /// How this kind keeps its pods.
    pub fn workload_kind(&self) -> Option<WorkloadKind> {
        let gvk = self.gvk()?;
        WorkloadKind::of(gvk.group, gvk.kind)
    }

    /// The pod template of a workload (not of a bare Pod).
    pub fn pod_template(&self) -> Option<PodTemplateSpec<'a>> {
        match self.workload_kind()? {
            WorkloadKind::Pod => None,
            WorkloadKind::PodTemplate => self
                .field("template")
                .and_then(|f| PodTemplateSpec::cast(f.value())),
            WorkloadKind::Templated => self.spec::<WorkloadSpec>()?.template(),
            WorkloadKind::CronJob => self
                .spec::<WorkloadSpec>()?
                .job_template()?
                .spec()?
                .template(),
        }
    }

    /// The mapping that paths relative to a pod template start from (`metadata`, `spec`): the
    /// template of a workload, the object itself for a Pod (whose `spec` is the pod spec).
    pub fn pod_template_root(&self) -> Option<Mapping<'a>> {
        match self.workload_kind()? {
            WorkloadKind::Pod => Some(self.mapping),
            _ => self.pod_template().map(|t| t.mapping()),
        }
    }

    /// The pod spec, wherever this kind keeps it.
    pub fn pod_spec(&self) -> Option<PodSpec<'a>> {
        match self.workload_kind()? {
            WorkloadKind::Pod => self.spec::<PodSpec>(),
            _ => self.pod_template()?.spec(),
        }
    }

    /// The pod labels: the template's for workloads, the object's own for a Pod.
    pub fn pod_labels(&self) -> Option<StrMap<'a>> {
        match self.workload_kind()? {
            WorkloadKind::Pod => self.labels(),
            _ => self.pod_template()?.metadata()?.labels(),
        }
    }

    pub fn as_service(&self) -> Option<ServiceSpec<'a>> {
        self.is(&[""], "Service").then(|| self.spec())?
    }

    pub fn as_ingress(&self) -> Option<IngressSpec<'a>> {
        self.is(&["networking.k8s.io", "extensions"], "Ingress")
            .then(|| self.spec())?
    }

    pub fn as_network_policy(&self) -> Option<NetworkPolicySpec<'a>> {
        self.is(&["networking.k8s.io"], "NetworkPolicy")
            .then(|| self.spec())?
    }

    pub fn as_pvc(&self) -> Option<PvcSpec<'a>> {
        self.is(&[""], "PersistentVolumeClaim")
            .then(|| self.spec())?
    }

    pub fn as_hpa(&self) -> Option<HpaSpec<'a>> {
        self.is(&["autoscaling"], "HorizontalPodAutoscaler")
            .then(|| self.spec())?
    }

    pub fn as_pdb(&self) -> Option<PdbSpec<'a>> {
        self.is(&["policy"], "PodDisruptionBudget")
            .then(|| self.spec())?
    }

    pub fn as_crd(&self) -> Option<CrdSpec<'a>> {
        self.is(&["apiextensions.k8s.io"], "CustomResourceDefinition")
            .then(|| self.spec())?
    }

    /// The rules of a Role or ClusterRole.
    pub fn policy_rules(&self) -> impl Iterator<Item = PolicyRule<'a>> + use<'a> {
        let is_role = self.is(&["rbac.authorization.k8s.io"], "Role")
            || self.is(&["rbac.authorization.k8s.io"], "ClusterRole");
        let field = if is_role { self.field("rules") } else { None };
        field
            .into_iter()
            .flat_map(|f| f.items())
            .filter_map(PolicyRule::cast)
    }

    /// `roleRef` of a RoleBinding or ClusterRoleBinding.
    pub fn role_ref(&self) -> Option<RoleRef<'a>> {
        let is_binding = self.is(&["rbac.authorization.k8s.io"], "RoleBinding")
            || self.is(&["rbac.authorization.k8s.io"], "ClusterRoleBinding");
        is_binding.then(|| self.field("roleRef").and_then(|f| RoleRef::cast(f.value())))?
    }

    /// `subjects` of a RoleBinding or ClusterRoleBinding.
    pub fn subjects(&self) -> impl Iterator<Item = Subject<'a>> + use<'a> {
        let field = if self.role_ref().is_some() {
            self.field("subjects")
        } else {
            None
        };
        field
            .into_iter()
            .flat_map(|f| f.items())
            .filter_map(Subject::cast)
    }

    /// `data` of a ConfigMap or Secret.
    pub fn data(&self) -> Option<StrMap<'a>> {
        let ok = self.is(&[""], "ConfigMap") || self.is(&[""], "Secret");
        ok.then(|| {
            self.field("data")
                .and_then(|f| f.as_mapping())
                .map(StrMap::new)
        })?
    }

    /// `stringData` of a Secret.
    pub fn string_data(&self) -> Option<StrMap<'a>> {
        self.is(&[""], "Secret").then(|| {
            self.field("stringData")
                .and_then(|f| f.as_mapping())
                .map(StrMap::new)
        })?
    }

    /// The items of a `List`: `v1` `List`, or a typed list (`ConfigMapList`,
    /// `apps/v1` `DeploymentList`, …) as `kubectl get -o yaml` writes them.
    pub fn list_items(&self) -> impl Iterator<Item = Object<'a>> + use<'a> {
        let is_list = self.gvk().is_some_and(|g| g.kind.ends_with("List"));
        let field = if is_list { self.field("items") } else { None };
        field
            .into_iter()
            .flat_map(|f| f.items())
            .filter_map(Object::from_node)
    }

    /// Whether this object is `kind` in one of `groups`.
    pub fn is(&self, groups: &[&str], kind: &str) -> bool {
        self.gvk()
            .is_some_and(|g| g.kind == kind && groups.contains(&g.group))
    }
}

/// What a document holds, as far as Picket cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentClass<'a> {
    /// Nothing but comments, or an empty document.
    Empty,
    /// A Kubernetes object (it has `apiVersion` or `kind`).
    Object(Object<'a>),
    /// Some other YAML (a values file, a CI config): skipped quietly.
    Other,
}

/// Classifies the document.
pub fn classify(doc: &Document) -> DocumentClass<'_> {
    let Some(root) = doc.root() else {
        return DocumentClass::Empty;
    };
    if root.is_null() {
        return DocumentClass::Empty;
    }
    match Object::from_node(root) {
        Some(o) => DocumentClass::Object(o),
        None => DocumentClass::Other,
    }
}

/// Whether a file looks like a Helm (or other Go) template rather than YAML: it holds `{{`
/// and either does not parse, or parses into template actions (`{{ … }}` read as a flow
/// mapping, or a scalar that is just `{{ .Values.x }}`).
pub fn is_template(file: &ParsedFile) -> bool {
    file.documents()
        .iter()
        .any(|d| is_template_document(&d.doc))
}

/// Whether one document looks like a Helm (or other Go) template; see [`is_template`].
pub fn is_template_document(doc: &Document) -> bool {
    let text = doc.text();
    if memchr::memmem::find(text.as_bytes(), b"{{").is_none() {
        return false;
    }
    // Walk the tree (bounded): template actions read as flow mappings (`{{ .Values.x }}`) or
    // as whole-value scalars; remember where scalars span, to tell template lines from text.
    let mut scalar_spans = Vec::new();
    if let Some(root) = doc.root() {
        let mut stack = vec![root];
        let mut budget = 200_000usize;
        while let Some(node) = stack.pop() {
            budget = match budget.checked_sub(1) {
                Some(b) => b,
                None => break,
            };
            match node.kind() {
                NodeKind::Mapping if node.is_flow() && node.text().starts_with("{{") => {
                    return true;
                }
                NodeKind::Scalar => {
                    let s = node.as_scalar().expect("scalar");
                    if !s.style().is_block()
                        && s.style() != ScalarStyle::Literal
                        && looks_like_helm_action(s.value())
                    {
                        return true;
                    }
                    if s.raw().contains('\n') {
                        scalar_spans.push(node.range());
                    }
                }
                _ => stack.extend(node.children()),
            }
        }
    }
    let inside_scalar = |offset: usize| {
        scalar_spans
            .iter()
            .any(|r| r.contains(picket_syntax::TextSize::new(offset as u32)))
    };
    // A line that starts with an action (`{{- if … }}`), outside any scalar, is template code.
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("{{") && !inside_scalar(pos + line.len() - trimmed.len()) {
            return true;
        }
        pos += line.len();
    }
    // A syntax error on a line with an action.
    doc.errors()
        .iter()
        .filter(|e| e.kind == picket_syntax::ErrorKind::Syntax)
        .any(|e| {
            let start = usize::from(e.range.start()).min(text.len());
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            text[line_start..line_end].contains("{{")
        })
}

fn looks_like_helm_action(value: &str) -> bool {
    let v = value.trim();
    if !(v.starts_with("{{") && v.ends_with("}}")) {
        return false;
    }
    [
        ".Values",
        ".Release",
        ".Chart",
        "include ",
        "template ",
        "toYaml",
        "tpl ",
    ]
    .iter()
    .any(|m| v.contains(m))
}

impl Object<'_> {
    /// The whole object as a JSON value ([`to_json`](crate::to_json)).
    pub fn to_json(&self) -> serde_json::Value {
        crate::to_json(self.mapping.node())
    }
}
