//! The objects of a run or workspace, summarised for cross-resource rules: names, labels,
//! selectors and references, owned so that a summary outlives its syntax tree.
//!
//! Summaries are computed per document ([`summarize`]) and cached by the caller next to the
//! document; an [`Index`] only collects them, so rebuilding it after an edit is cheap.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use picket_model::{LabelSelector, Object, StrMap, View};
use picket_syntax::{Document, TextRange};

use crate::refs::{Reference, object_references};

/// Identifies a file for the index; the caller's file id.
pub type FileKey = u32;

/// A label selector, owned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    pub match_labels: Vec<(String, String)>,
    /// `(key, operator, values)`.
    pub expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    pub fn of(view: LabelSelector<'_>) -> Selector {
        Selector {
            match_labels: view.match_labels().map(pairs).unwrap_or_default(),
            expressions: view
                .match_expressions()
                .filter_map(|e| {
                    Some((
                        e.key()?.text()?.to_owned(),
                        e.operator()?.text()?.to_owned(),
                        e.values()
                            .map(|v| v.strings().map(str::to_owned).collect())
                            .unwrap_or_default(),
                    ))
                })
                .collect(),
        }
    }

    pub fn from_map(map: StrMap<'_>) -> Selector {
        Selector {
            match_labels: pairs(map),
            expressions: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty()
    }

    /// Whether `labels` satisfy the selector (an empty selector selects everything).
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| {
            labels
                .iter()
                .find(|(lk, _)| lk == k)
                .map(|(_, v)| v.as_str())
        };
        self.match_labels.iter().all(|(k, v)| get(k) == Some(v))
            && self
                .expressions
                .iter()
                .all(|(k, op, values)| match op.as_str() {
                    "In" => get(k).is_some_and(|v| values.iter().any(|x| x == v)),
                    "NotIn" => get(k).is_none_or(|v| values.iter().all(|x| x != v)),
                    "Exists" => get(k).is_some(),
                    "DoesNotExist" => get(k).is_none(),
                    _ => false,
                })
    }
}

fn pairs(map: StrMap<'_>) -> Vec<(String, String)> {
    map.iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// One object, as cross-resource rules need it.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub group: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub labels: Vec<(String, String)>,
    /// The labels its pods carry (workloads and Pods).
    pub pod_labels: Option<Vec<(String, String)>>,
    /// A Service's `spec.selector`, a NetworkPolicy's `podSelector`, a PDB's or a workload's
    /// `selector`.
    pub selector: Option<Selector>,
    /// A Service's type (`ClusterIP` when unset).
    pub service_type: Option<String>,
    /// A LoadBalancer Service that a cloud annotation keeps inside the network.
    pub internal_load_balancer: bool,
    /// An instance of a custom resource (its group is not a Kubernetes one): an operator may
    /// create pods for it that no manifest shows.
    pub custom: bool,
    /// The service account its pods run as (`default` when unset).
    pub service_account: Option<String>,
    /// NetworkPolicy: whether it restricts ingress.
    pub isolates_ingress: bool,
    /// HPA `scaleTargetRef`, a binding's `roleRef`: `(kind, name)`.
    pub target: Option<(String, String)>,
    /// Binding subjects: `(kind, name, namespace)`.
    pub subjects: Vec<(String, String, Option<String>)>,
    /// A Role or ClusterRole granting every verb on every resource of every API group.
    pub admin_role: bool,
    /// A pod that is privileged and mounts a hostPath: a host takeover once compromised.
    pub privileged_with_host_path: bool,
    /// A workload's `spec.replicas`, when written.
    pub replicas: Option<i64>,
    /// An HPA's `minReplicas`, when written.
    pub min_replicas: Option<i64>,
    /// A Service's `clusterIP` (`None` for a headless Service).
    pub cluster_ip: Option<String>,
    /// A Service's ports: `(name, port)`, the name empty when unset.
    pub service_ports: Vec<(String, i64)>,
    /// The port names the containers of a workload declare (init containers included).
    pub port_names: Vec<String>,
    /// The keys of a ConfigMap's or Secret's `data`, `stringData` and `binaryData`.
    pub data_keys: Vec<String>,
    /// Objects this one makes in its namespace, `(kind, name)`: the Secret of a SealedSecret,
    /// an ExternalSecret or a cert-manager Certificate, a Kustomization's generated
    /// ConfigMaps and Secrets.
    pub generates: Vec<(String, String)>,
    /// The object's range in its document (a `List` item's own range).
    pub range: TextRange,
    /// Where `metadata.name` is written, for navigation.
    pub name_range: Option<TextRange>,
    /// Where `kind` is written.
    pub kind_range: Option<TextRange>,
    /// Where the selector summarised in `selector` is written.
    pub selector_range: Option<TextRange>,
    /// Where the pods' labels are written (a workload's template labels, a Pod's labels).
    pub pod_labels_range: Option<TextRange>,
    /// The objects it refers to by name.
    pub refs: Vec<Reference>,
}

impl Summary {
    pub fn is(&self, groups: &[&str], kind: &str) -> bool {
        self.kind == kind && groups.contains(&self.group.as_str())
    }

    /// Whether this Ingress routes to the Service `name` (from its references by name).
    pub fn routes_to(&self, name: &str) -> bool {
        self.kind == "Ingress"
            && self
                .refs
                .iter()
                .any(|r| r.kind == "Service" && r.name == name)
    }

    pub fn is_workload(&self) -> bool {
        self.pod_labels.is_some()
    }

    /// Whether two objects can refer to each other by namespace. A missing namespace is
    /// filled in at apply time (`kubectl -n`, kustomize), so it matches any.
    pub fn same_namespace(&self, other: Option<&str>) -> bool {
        match (self.namespace.as_deref(), other) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

/// Summaries of every object in a document (a `List` gives one per item).
pub fn summarize(doc: &Document) -> Vec<Summary> {
    let Some(object) = doc.root().and_then(Object::from_node) else {
        return Vec::new();
    };
    let items: Vec<Object<'_>> = object.list_items().collect();
    if items.is_empty() {
        return vec![summarize_object(object)];
    }
    items.into_iter().map(summarize_object).collect()
}

/// The summary of one object.
pub(crate) fn summarize_object(o: Object<'_>) -> Summary {
    let gvk = o.gvk();
    let mut s = Summary {
        group: gvk.map(|g| g.group.to_owned()).unwrap_or_default(),
        kind: gvk.map(|g| g.kind.to_owned()).unwrap_or_default(),
        name: o.name().unwrap_or_default().to_owned(),
        namespace: o.namespace().map(str::to_owned),
        labels: o.labels().map(pairs).unwrap_or_default(),
        range: o.node().range(),
        name_range: o
            .metadata()
            .and_then(|m| m.name())
            .map(crate::refs::name_range),
        kind_range: o.kind().map(|f| f.value_range()),
        refs: object_references(o),
        ..Summary::default()
    };
    s.custom = !s.group.is_empty()
        && !picket_schema::builtin().has_group(&s.group)
        && s.group != "kustomize.config.k8s.io";
    if let Some(spec) = o.pod_spec() {
        s.pod_labels = Some(o.pod_labels().map(pairs).unwrap_or_default());
        s.service_account = Some(
            spec.service_account_name()
                .or(spec.deprecated_service_account())
                .and_then(|f| f.text())
                .unwrap_or("default")
                .to_owned(),
        );
        let privileged = spec.containers().chain(spec.init_containers()).any(|c| {
            c.security_context()
                .and_then(|sc| sc.privileged())
                .and_then(|f| f.as_bool())
                == Some(true)
        });
        let host_path = spec.volumes().any(|v| v.host_path().is_some());
        s.privileged_with_host_path = privileged && host_path;
        let workload = o.spec::<picket_model::WorkloadSpec>();
        if let Some(sel) = workload.and_then(|w| w.selector()) {
            s.selector = Some(Selector::of(sel));
            s.selector_range = Some(sel.range());
        }
        s.pod_labels_range = o.pod_labels().map(|l| l.range());
        s.replicas = workload.and_then(|w| w.replicas()).and_then(|f| f.as_int());
        s.port_names = spec
            .containers()
            .chain(spec.init_containers())
            .flat_map(|c| c.ports())
            .filter_map(|p| p.name().and_then(|f| f.text()).map(str::to_owned))
            .collect();
    }
    if let Some(svc) = o.as_service() {
        s.service_type = Some(
            svc.type_()
                .and_then(|f| f.text())
                .unwrap_or("ClusterIP")
                .to_owned(),
        );
        s.selector = svc.selector().map(Selector::from_map);
        s.selector_range = svc.selector().map(|m| m.range());
        s.internal_load_balancer = is_internal_load_balancer(o);
        s.cluster_ip = svc.cluster_ip().and_then(|f| f.text()).map(str::to_owned);
        s.service_ports = svc
            .ports()
            .filter_map(|p| {
                let name = p.name().and_then(|f| f.text()).unwrap_or_default();
                Some((name.to_owned(), p.port()?.as_int()?))
            })
            .collect();
    }
    if let Some(np) = o.as_network_policy() {
        s.selector = Some(np.pod_selector().map(Selector::of).unwrap_or_default());
        s.selector_range = np.pod_selector().map(|m| m.range());
        let types: Vec<&str> = np
            .policy_types()
            .map(|f| f.strings().collect())
            .unwrap_or_default();
        s.isolates_ingress = types.is_empty() || types.contains(&"Ingress");
    }
    if let Some(pdb) = o.as_pdb() {
        s.selector = pdb.selector().map(Selector::of);
        s.selector_range = pdb.selector().map(|m| m.range());
    }
    if let Some(hpa) = o.as_hpa() {
        s.min_replicas = hpa.min_replicas().and_then(|f| f.as_int());
    }
    if let Some(hpa) = o.as_hpa()
        && let Some(t) = hpa.scale_target_ref()
    {
        s.target = Some((
            t.kind()
                .and_then(|f| f.text())
                .unwrap_or_default()
                .to_owned(),
            t.name()
                .and_then(|f| f.text())
                .unwrap_or_default()
                .to_owned(),
        ));
    }
    if let Some(r) = o.role_ref() {
        s.target = Some((
            r.kind()
                .and_then(|f| f.text())
                .unwrap_or_default()
                .to_owned(),
            r.name()
                .and_then(|f| f.text())
                .unwrap_or_default()
                .to_owned(),
        ));
        s.subjects = o
            .subjects()
            .map(|sub| {
                (
                    sub.kind()
                        .and_then(|f| f.text())
                        .unwrap_or_default()
                        .to_owned(),
                    sub.name()
                        .and_then(|f| f.text())
                        .unwrap_or_default()
                        .to_owned(),
                    sub.namespace().and_then(|f| f.text()).map(str::to_owned),
                )
            })
            .collect();
    }
    if o.is(&[""], "ConfigMap") || o.is(&[""], "Secret") {
        for key in ["data", "stringData", "binaryData"] {
            if let Some(map) = o.field(key).and_then(|f| f.as_mapping()) {
                s.data_keys
                    .extend(StrMap::new(map).iter().map(|(k, _)| k.to_owned()));
            }
        }
    }
    if let Some(secret) = generated_secret(o) {
        s.generates.push(("Secret".to_owned(), secret.to_owned()));
    }
    if o.is(&["kustomize.config.k8s.io"], "Kustomization") {
        for (key, kind) in [
            ("configMapGenerator", "ConfigMap"),
            ("secretGenerator", "Secret"),
        ] {
            let names = o
                .field(key)
                .into_iter()
                .flat_map(|f| f.items())
                .filter_map(|n| n.as_mapping()?.get("name")?.resolve().as_scalar())
                .map(|n| (kind.to_owned(), n.value().to_owned()));
            s.generates.extend(names);
        }
    }
    // Every resource of every API group, with every verb (`*`, or all the read and write
    // verbs), on any object name.
    s.admin_role = o.policy_rules().any(|r| {
        let has =
            |f: Option<picket_model::Field<'_>>| f.is_some_and(|f| f.strings().any(|v| v == "*"));
        let verbs: Vec<&str> = r.verbs().map(|f| f.strings().collect()).unwrap_or_default();
        let all_verbs = verbs.contains(&"*")
            || [
                "get", "list", "watch", "create", "update", "patch", "delete",
            ]
            .iter()
            .all(|v| verbs.contains(v));
        let named = r
            .resource_names()
            .is_some_and(|f| f.strings().next().is_some());
        all_verbs && has(r.resources()) && has(r.api_groups()) && !named
    });
    s
}

/// The Secret an object makes: a SealedSecret or an ExternalSecret makes one of its own name
/// (or of `spec.target.name`), a cert-manager Certificate one named `spec.secretName`.
fn generated_secret<'a>(o: Object<'a>) -> Option<&'a str> {
    let gvk = o.gvk()?;
    let spec = o.field("spec").and_then(|f| f.as_mapping());
    let at = |path: &[&str]| {
        let mut m = spec?;
        let (last, init) = path.split_last()?;
        for k in init {
            m = m.get(k)?.resolve().as_mapping()?;
        }
        m.get(last)?.resolve().as_scalar().map(|s| s.value())
    };
    match (gvk.group, gvk.kind) {
        ("bitnami.com", "SealedSecret") => o.name(),
        ("external-secrets.io", "ExternalSecret") => at(&["target", "name"]).or(o.name()),
        ("cert-manager.io", "Certificate") => at(&["secretName"]),
        _ => None,
    }
}

/// Whether a cloud annotation asks for a load balancer on the private network.
pub(crate) fn is_internal_load_balancer(object: Object<'_>) -> bool {
    let Some(a) = object.annotations() else {
        return false;
    };
    let yes = |k: &str| {
        a.get(k)
            .is_some_and(|v| !v.eq_ignore_ascii_case("false") && !v.is_empty())
    };
    let is = |k: &str, want: &str| a.get(k).is_some_and(|v| v.eq_ignore_ascii_case(want));
    yes("service.beta.kubernetes.io/aws-load-balancer-internal")
        || is(
            "service.beta.kubernetes.io/aws-load-balancer-scheme",
            "internal",
        )
        || is("networking.gke.io/load-balancer-type", "internal")
        || is("cloud.google.com/load-balancer-type", "internal")
        || yes("service.beta.kubernetes.io/azure-load-balancer-internal")
        || yes("service.beta.kubernetes.io/oci-load-balancer-internal")
}

/// Every object of a run or workspace.
///
/// Lookups go through buckets by kind (built on first use), so that a rule asking about one
/// object costs in proportion to the objects of the kinds it asks about, not to the run.
#[derive(Clone, Debug, Default)]
pub struct Index {
    paths: Vec<(FileKey, Arc<str>)>,
    objects: Vec<(FileKey, Arc<[Summary]>)>,
    /// Parallel to `objects`: the index of each document in its file.
    doc_numbers: Vec<u32>,
    buckets: OnceLock<Buckets>,
}

/// An object of the index and where it is: its file and the document of the file.
#[derive(Clone, Copy, Debug)]
pub struct Located<'s> {
    pub file: FileKey,
    /// The index of the document in its file.
    pub doc: u32,
    pub summary: &'s Summary,
}

/// Positions in `Index::objects`: (document, item).
type Slots = Vec<(u32, u32)>;

#[derive(Clone, Debug, Default)]
struct Buckets {
    by_kind: HashMap<String, Slots>,
    workloads: Slots,
    generators: Slots,
    custom: Slots,
    /// (Cluster)RoleBindings whose role is cluster-admin or grants `*` on `*`.
    admin_bindings: Slots,
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    /// Adds a file's path and the summaries of its documents.
    pub fn add_file(
        &mut self,
        file: FileKey,
        path: Arc<str>,
        docs: impl IntoIterator<Item = Arc<[Summary]>>,
    ) {
        self.paths.push((file, path));
        for (n, d) in docs.into_iter().enumerate() {
            self.objects.push((file, d));
            self.doc_numbers.push(n as u32);
        }
        self.buckets = OnceLock::new();
    }

    fn buckets(&self) -> &Buckets {
        self.buckets.get_or_init(|| {
            let mut b = Buckets::default();
            for (d, (_, docs)) in self.objects.iter().enumerate() {
                for (i, s) in docs.iter().enumerate() {
                    let slot = (d as u32, i as u32);
                    b.by_kind.entry(s.kind.clone()).or_default().push(slot);
                    if s.is_workload() {
                        b.workloads.push(slot);
                    }
                    if !s.generates.is_empty() {
                        b.generators.push(slot);
                    }
                    if s.custom {
                        b.custom.push(slot);
                    }
                }
            }
            let admin_roles: Vec<(&str, &str, Option<&str>)> = ["Role", "ClusterRole"]
                .iter()
                .flat_map(|k| b.by_kind.get(*k).into_iter().flatten())
                .map(|&(d, i)| &self.objects[d as usize].1[i as usize])
                .filter(|r| r.admin_role)
                .map(|r| (r.kind.as_str(), r.name.as_str(), r.namespace.as_deref()))
                .collect();
            for kind in ["RoleBinding", "ClusterRoleBinding"] {
                for &(d, i) in b.by_kind.get(kind).into_iter().flatten() {
                    let binding = &self.objects[d as usize].1[i as usize];
                    let Some((role_kind, role)) = &binding.target else {
                        continue;
                    };
                    let admin = role == "cluster-admin"
                        || admin_roles.iter().any(|(k, n, ns)| {
                            k == role_kind
                                && n == role
                                && match (ns, binding.namespace.as_deref()) {
                                    (Some(a), Some(b)) => a == &b,
                                    _ => true,
                                }
                        });
                    if admin {
                        b.admin_bindings.push((d, i));
                    }
                }
            }
            b
        })
    }

    fn slots<'s>(
        &'s self,
        slots: &'s [(u32, u32)],
    ) -> impl Iterator<Item = (FileKey, &'s Summary)> + 's {
        slots.iter().map(|&(d, i)| {
            let (f, docs) = &self.objects[d as usize];
            (*f, &docs[i as usize])
        })
    }

    /// Every object of `kind` (any group).
    pub fn of_kind<'s>(&'s self, kind: &str) -> impl Iterator<Item = (FileKey, &'s Summary)> + 's {
        let slots = self
            .buckets()
            .by_kind
            .get(kind)
            .map_or(&[][..], |v| v.as_slice());
        self.slots(slots)
    }

    /// Every workload and Pod (objects that run pods).
    pub fn workloads(&self) -> impl Iterator<Item = (FileKey, &Summary)> {
        self.slots(&self.buckets().workloads)
    }

    /// An index of one document's objects, for tests and single-document checks.
    pub fn of_document(file: FileKey, path: &str, doc: &Document) -> Index {
        let mut index = Index::new();
        index.add_file(file, path.into(), [summarize(doc).into()]);
        index
    }

    /// The index without one file's objects (to add them back as they change).
    pub fn without(&self, file: FileKey) -> Index {
        let (objects, doc_numbers) = self
            .objects
            .iter()
            .zip(&self.doc_numbers)
            .filter(|((f, _), _)| *f != file)
            .map(|(o, n)| (o.clone(), *n))
            .unzip();
        Index {
            paths: self
                .paths
                .iter()
                .filter(|(f, _)| *f != file)
                .cloned()
                .collect(),
            objects,
            doc_numbers,
            buckets: OnceLock::new(),
        }
    }

    /// The path of a file, for messages.
    pub fn path(&self, file: FileKey) -> &str {
        self.paths
            .iter()
            .find(|(f, _)| *f == file)
            .map_or("", |(_, p)| p)
    }

    /// Every object, with its file.
    pub fn objects(&self) -> impl Iterator<Item = (FileKey, &Summary)> {
        self.objects
            .iter()
            .flat_map(|(f, docs)| docs.iter().map(move |s| (*f, s)))
    }

    /// Every object with its file and document, for navigation.
    pub fn located(&self) -> impl Iterator<Item = Located<'_>> {
        self.objects
            .iter()
            .zip(&self.doc_numbers)
            .flat_map(|((file, docs), &doc)| {
                docs.iter().map(move |summary| Located {
                    file: *file,
                    doc,
                    summary,
                })
            })
    }

    /// Objects of `kind` (in `groups`) named `name`, in `namespace`'s reach.
    pub fn find<'s>(
        &'s self,
        groups: &'s [&'s str],
        kind: &'s str,
        name: &'s str,
        namespace: Option<&'s str>,
    ) -> impl Iterator<Item = (FileKey, &'s Summary)> + 's {
        self.of_kind(kind).filter(move |(_, s)| {
            s.is(groups, kind) && s.name == name && s.same_namespace(namespace)
        })
    }

    /// Whether any object of `kind` is known at all (cross-resource rules stay quiet about
    /// a kind the run never defines, unless configured otherwise).
    pub fn has_kind(&self, groups: &[&str], kind: &str) -> bool {
        self.of_kind(kind).any(|(_, s)| s.is(groups, kind))
    }

    /// Whether a core object `kind` named `name` exists in `namespace`'s reach, or an object
    /// that makes one (a SealedSecret makes a Secret).
    pub fn provides(&self, kind: &str, name: &str, namespace: Option<&str>) -> bool {
        self.of_kind(kind)
            .any(|(_, s)| s.same_namespace(namespace) && s.is(&[""], kind) && s.name == name)
            || self.slots(&self.buckets().generators).any(|(_, s)| {
                s.same_namespace(namespace)
                    && s.generates.iter().any(|(k, n)| k == kind && n == name)
            })
    }

    /// Whether an object in `namespace`'s reach makes a `kind` named `name` (a SealedSecret
    /// makes a Secret, a kustomize generator a ConfigMap).
    pub fn generates(&self, kind: &str, name: &str, namespace: Option<&str>) -> bool {
        self.slots(&self.buckets().generators).any(|(_, s)| {
            s.same_namespace(namespace) && s.generates.iter().any(|(k, n)| k == kind && n == name)
        })
    }

    /// Workloads and Pods in `namespace`'s reach whose pods `selector` matches.
    pub fn workloads_matching<'s>(
        &'s self,
        selector: &'s Selector,
        namespace: Option<&'s str>,
    ) -> impl Iterator<Item = (FileKey, &'s Summary)> + 's {
        self.workloads().filter(move |(_, s)| {
            s.same_namespace(namespace)
                && s.pod_labels.as_deref().is_some_and(|l| selector.matches(l))
        })
    }

    /// Whether custom resources live in `namespace`'s reach: operators (Prometheus,
    /// Alertmanager, databases…) create pods for them that no manifest shows, so "selects no
    /// pod" cannot be told there.
    pub fn custom_resources_near(&self, namespace: Option<&str>) -> bool {
        self.slots(&self.buckets().custom)
            .any(|(_, s)| s.same_namespace(namespace))
    }

    /// Whether the run holds any workload or Pod.
    pub fn has_workloads(&self) -> bool {
        self.workloads().next().is_some()
    }

    /// HorizontalPodAutoscalers whose `scaleTargetRef` names `kind` `name` in `namespace`.
    pub fn hpas_targeting<'s>(
        &'s self,
        kind: &'s str,
        name: &'s str,
        namespace: Option<&'s str>,
    ) -> impl Iterator<Item = (FileKey, &'s Summary)> + 's {
        self.of_kind("HorizontalPodAutoscaler")
            .filter(move |(_, s)| {
                s.is(&["autoscaling"], "HorizontalPodAutoscaler")
                    && s.same_namespace(namespace)
                    && s.target
                        .as_ref()
                        .is_some_and(|(k, n)| k == kind && n == name)
            })
    }

    /// Services whose selector matches `labels` in `namespace`.
    pub fn services_selecting<'s>(
        &'s self,
        labels: &'s [(String, String)],
        namespace: Option<&'s str>,
    ) -> impl Iterator<Item = (FileKey, &'s Summary)> + 's {
        self.of_kind("Service").filter(move |(_, s)| {
            s.is(&[""], "Service")
                && s.same_namespace(namespace)
                && s.selector
                    .as_ref()
                    .is_some_and(|sel| !sel.is_empty() && sel.matches(labels))
        })
    }

    /// NetworkPolicies that select pods with `labels` and restrict their ingress.
    pub fn policies_isolating<'s>(
        &'s self,
        labels: &'s [(String, String)],
        namespace: Option<&'s str>,
    ) -> impl Iterator<Item = (FileKey, &'s Summary)> + 's {
        self.of_kind("NetworkPolicy").filter(move |(_, s)| {
            s.is(&["networking.k8s.io"], "NetworkPolicy")
                && s.isolates_ingress
                && s.same_namespace(namespace)
                && s.selector.as_ref().is_some_and(|sel| sel.matches(labels))
        })
    }

    /// Why pods with `labels` are reachable from outside the cluster, if they are: a
    /// LoadBalancer or NodePort Service selecting them, or an Ingress routing to a Service
    /// that does.
    pub fn exposure(&self, labels: &[(String, String)], namespace: Option<&str>) -> Option<String> {
        for (_, svc) in self.services_selecting(labels, namespace) {
            let ty = svc.service_type.as_deref().unwrap_or("ClusterIP");
            let public_lb = ty == "LoadBalancer" && !svc.internal_load_balancer;
            if public_lb || ty == "NodePort" {
                return Some(format!("{ty} Service `{}` exposes it", svc.name));
            }
            if let Some((_, ing)) = self.of_kind("Ingress").find(|(_, o)| {
                o.is(&["networking.k8s.io", "extensions"], "Ingress")
                    && o.same_namespace(svc.namespace.as_deref())
                    && o.routes_to(&svc.name)
            }) {
                return Some(format!(
                    "Ingress `{}` routes to it through Service `{}`",
                    ing.name, svc.name
                ));
            }
        }
        None
    }

    /// The binding that grants `cluster-admin` (or a wildcard role) to a service account.
    pub fn admin_binding(
        &self,
        service_account: &str,
        namespace: Option<&str>,
    ) -> Option<&Summary> {
        self.slots(&self.buckets().admin_bindings)
            .map(|(_, s)| s)
            .find(|b| {
                b.subjects.iter().any(|(k, n, ns)| {
                    k == "ServiceAccount"
                        && n == service_account
                        && match (ns.as_deref().or(b.namespace.as_deref()), namespace) {
                            (Some(a), Some(b)) => a == b,
                            _ => true,
                        }
                })
            })
    }
}
