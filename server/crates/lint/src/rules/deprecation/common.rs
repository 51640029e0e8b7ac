//! The table of Kubernetes API deprecations since 1.16 and the migrations that move a manifest
//! to the replacement version, shared by `deprecated-api-version` and `removed-api-version`.
//!
//! Versions come from the Kubernetes deprecation guide and release notes (deprecated-in as the
//! API server's deprecation warnings state it).

use picket_model::{Object, View};
use picket_syntax::{Document, Mapping, Node, TextRange, TextSize};

use crate::edit::{
    Edit, Fix, Value, column, insert_entry, line_end, line_start, newline, remove_entry, size,
};
use crate::engine::Cx;
use crate::rule::Applicability;

/// A Kubernetes minor version.
pub(crate) type Version = (u32, u32);

/// A version that replaces a deprecated one.
#[derive(Debug)]
pub(crate) struct Replacement {
    pub(crate) api_version: &'static str,
    /// Set when the kind changes too (`Endpoints` → `EndpointSlice`).
    pub(crate) kind: Option<&'static str>,
    /// The first Kubernetes version that serves it.
    pub(crate) since: Version,
}

/// How a manifest moves to the first replacement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Migration {
    /// No correct mechanical migration (schema changes that need a decision).
    None,
    /// Only `apiVersion` changes; the applicability says whether the meaning is kept.
    Rename(Applicability),
    /// A workload to `apps/v1`: `spec.selector` becomes required, so it is added from the
    /// template labels when missing.
    Workload(Applicability),
    /// An Ingress to `networking.k8s.io/v1`: `serviceName`/`servicePort` backends become
    /// `service: {name, port}`, `spec.backend` becomes `spec.defaultBackend`, every path gets
    /// a `pathType`.
    Ingress,
}

/// One deprecated `apiVersion` of one kind.
#[derive(Debug)]
pub(crate) struct Deprecation {
    pub(crate) api_version: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) deprecated: Version,
    pub(crate) removed: Option<Version>,
    /// Best first; interim versions follow for targets that predate the first.
    pub(crate) replacements: &'static [Replacement],
    /// What to do when there is no replacement.
    pub(crate) instead: Option<&'static str>,
    pub(crate) migration: Migration,
}

const fn r(api_version: &'static str, since: Version) -> Replacement {
    Replacement {
        api_version,
        kind: None,
        since,
    }
}

use Applicability::{Safe, Unsafe};

macro_rules! row {
    ($api:literal, $kind:literal, $dep:expr, $rem:expr, [$($repl:expr),* $(,)?], $migration:expr) => {
        Deprecation {
            api_version: $api,
            kind: $kind,
            deprecated: $dep,
            removed: $rem,
            replacements: &[$($repl),*],
            instead: None,
            migration: $migration,
        }
    };
}

const APPS_V1: Replacement = r("apps/v1", (1, 9));
const RBAC_V1: Replacement = r("rbac.authorization.k8s.io/v1", (1, 8));
const INGRESS_V1: Replacement = r("networking.k8s.io/v1", (1, 19));
const FLOW_V1: Replacement = r("flowcontrol.apiserver.k8s.io/v1", (1, 29));
const FLOW_V1BETA3: Replacement = r("flowcontrol.apiserver.k8s.io/v1beta3", (1, 26));
const FLOW_V1BETA2: Replacement = r("flowcontrol.apiserver.k8s.io/v1beta2", (1, 23));
const PSA: &str = "enforce the Pod Security Standards with Pod Security Admission";

/// Every built-in deprecation since Kubernetes 1.16.
#[rustfmt::skip]
pub(crate) static TABLE: &[Deprecation] = &[
    // Removed in 1.16.
    row!("extensions/v1beta1", "Deployment", (1, 9), Some((1, 16)), [APPS_V1], Migration::Workload(Unsafe)),
    row!("apps/v1beta1", "Deployment", (1, 9), Some((1, 16)), [APPS_V1], Migration::Workload(Unsafe)),
    row!("apps/v1beta2", "Deployment", (1, 9), Some((1, 16)), [APPS_V1], Migration::Workload(Safe)),
    row!("apps/v1beta1", "StatefulSet", (1, 9), Some((1, 16)), [APPS_V1], Migration::Workload(Unsafe)),
    row!("apps/v1beta2", "StatefulSet", (1, 9), Some((1, 16)), [APPS_V1], Migration::Workload(Safe)),
    row!("extensions/v1beta1", "DaemonSet", (1, 9), Some((1, 16)), [APPS_V1], Migration::Workload(Unsafe)),
    row!("apps/v1beta2", "DaemonSet", (1, 9), Some((1, 16)), [APPS_V1], Migration::Workload(Safe)),
    row!("extensions/v1beta1", "ReplicaSet", (1, 9), Some((1, 16)), [APPS_V1], Migration::Workload(Unsafe)),
    row!("apps/v1beta1", "ReplicaSet", (1, 9), Some((1, 16)), [APPS_V1], Migration::Workload(Unsafe)),
    row!("apps/v1beta2", "ReplicaSet", (1, 9), Some((1, 16)), [APPS_V1], Migration::Workload(Safe)),
    row!("apps/v1beta1", "ControllerRevision", (1, 9), Some((1, 16)), [APPS_V1], Migration::Rename(Safe)),
    row!("apps/v1beta2", "ControllerRevision", (1, 9), Some((1, 16)), [APPS_V1], Migration::Rename(Safe)),
    row!("extensions/v1beta1", "NetworkPolicy", (1, 9), Some((1, 16)), [r("networking.k8s.io/v1", (1, 7))], Migration::Rename(Unsafe)),
    Deprecation {
        api_version: "extensions/v1beta1",
        kind: "PodSecurityPolicy",
        deprecated: (1, 10),
        removed: Some((1, 16)),
        replacements: &[r("policy/v1beta1", (1, 10))],
        instead: Some(PSA),
        migration: Migration::None,
    },
    // Removed in 1.17.
    row!("scheduling.k8s.io/v1alpha1", "PriorityClass", (1, 14), Some((1, 17)), [r("scheduling.k8s.io/v1", (1, 14))], Migration::Rename(Safe)),
    // Removed in 1.22.
    row!("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration", (1, 16), Some((1, 22)), [r("admissionregistration.k8s.io/v1", (1, 16))], Migration::None),
    row!("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", (1, 16), Some((1, 22)), [r("admissionregistration.k8s.io/v1", (1, 16))], Migration::None),
    row!("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", (1, 16), Some((1, 22)), [r("apiextensions.k8s.io/v1", (1, 16))], Migration::None),
    row!("apiregistration.k8s.io/v1beta1", "APIService", (1, 19), Some((1, 22)), [r("apiregistration.k8s.io/v1", (1, 10))], Migration::Rename(Safe)),
    row!("authentication.k8s.io/v1beta1", "TokenReview", (1, 19), Some((1, 22)), [r("authentication.k8s.io/v1", (1, 6))], Migration::Rename(Safe)),
    row!("authorization.k8s.io/v1beta1", "SubjectAccessReview", (1, 19), Some((1, 22)), [r("authorization.k8s.io/v1", (1, 6))], Migration::None),
    row!("authorization.k8s.io/v1beta1", "LocalSubjectAccessReview", (1, 19), Some((1, 22)), [r("authorization.k8s.io/v1", (1, 6))], Migration::None),
    row!("authorization.k8s.io/v1beta1", "SelfSubjectAccessReview", (1, 19), Some((1, 22)), [r("authorization.k8s.io/v1", (1, 6))], Migration::Rename(Safe)),
    row!("authorization.k8s.io/v1beta1", "SelfSubjectRulesReview", (1, 19), Some((1, 22)), [r("authorization.k8s.io/v1", (1, 6))], Migration::Rename(Safe)),
    row!("certificates.k8s.io/v1beta1", "CertificateSigningRequest", (1, 19), Some((1, 22)), [r("certificates.k8s.io/v1", (1, 19))], Migration::None),
    row!("coordination.k8s.io/v1beta1", "Lease", (1, 14), Some((1, 22)), [r("coordination.k8s.io/v1", (1, 14))], Migration::Rename(Safe)),
    row!("extensions/v1beta1", "Ingress", (1, 14), Some((1, 22)), [INGRESS_V1, r("networking.k8s.io/v1beta1", (1, 14))], Migration::Ingress),
    row!("networking.k8s.io/v1beta1", "Ingress", (1, 19), Some((1, 22)), [INGRESS_V1], Migration::Ingress),
    row!("networking.k8s.io/v1beta1", "IngressClass", (1, 19), Some((1, 22)), [INGRESS_V1], Migration::Rename(Safe)),
    row!("rbac.authorization.k8s.io/v1beta1", "ClusterRole", (1, 17), Some((1, 22)), [RBAC_V1], Migration::Rename(Safe)),
    row!("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", (1, 17), Some((1, 22)), [RBAC_V1], Migration::Rename(Safe)),
    row!("rbac.authorization.k8s.io/v1beta1", "Role", (1, 17), Some((1, 22)), [RBAC_V1], Migration::Rename(Safe)),
    row!("rbac.authorization.k8s.io/v1beta1", "RoleBinding", (1, 17), Some((1, 22)), [RBAC_V1], Migration::Rename(Safe)),
    // v1alpha1 subjects name `apiVersion` where v1 names `apiGroup`.
    row!("rbac.authorization.k8s.io/v1alpha1", "ClusterRole", (1, 17), Some((1, 22)), [RBAC_V1], Migration::None),
    row!("rbac.authorization.k8s.io/v1alpha1", "ClusterRoleBinding", (1, 17), Some((1, 22)), [RBAC_V1], Migration::None),
    row!("rbac.authorization.k8s.io/v1alpha1", "Role", (1, 17), Some((1, 22)), [RBAC_V1], Migration::None),
    row!("rbac.authorization.k8s.io/v1alpha1", "RoleBinding", (1, 17), Some((1, 22)), [RBAC_V1], Migration::None),
    row!("scheduling.k8s.io/v1beta1", "PriorityClass", (1, 14), Some((1, 22)), [r("scheduling.k8s.io/v1", (1, 14))], Migration::Rename(Safe)),
    row!("storage.k8s.io/v1beta1", "CSIDriver", (1, 19), Some((1, 22)), [r("storage.k8s.io/v1", (1, 18))], Migration::Rename(Safe)),
    row!("storage.k8s.io/v1beta1", "CSINode", (1, 17), Some((1, 22)), [r("storage.k8s.io/v1", (1, 17))], Migration::Rename(Safe)),
    row!("storage.k8s.io/v1beta1", "StorageClass", (1, 6), Some((1, 22)), [r("storage.k8s.io/v1", (1, 6))], Migration::Rename(Safe)),
    row!("storage.k8s.io/v1beta1", "VolumeAttachment", (1, 13), Some((1, 22)), [r("storage.k8s.io/v1", (1, 13))], Migration::Rename(Safe)),
    // Removed in 1.25.
    row!("batch/v1beta1", "CronJob", (1, 21), Some((1, 25)), [r("batch/v1", (1, 21))], Migration::Rename(Safe)),
    row!("discovery.k8s.io/v1beta1", "EndpointSlice", (1, 21), Some((1, 25)), [r("discovery.k8s.io/v1", (1, 21))], Migration::None),
    row!("events.k8s.io/v1beta1", "Event", (1, 19), Some((1, 25)), [r("events.k8s.io/v1", (1, 19))], Migration::None),
    row!("autoscaling/v2beta1", "HorizontalPodAutoscaler", (1, 22), Some((1, 25)), [r("autoscaling/v2", (1, 23)), r("autoscaling/v2beta2", (1, 12))], Migration::None),
    // An empty selector selects no pod in v1beta1 and every pod in v1.
    row!("policy/v1beta1", "PodDisruptionBudget", (1, 21), Some((1, 25)), [r("policy/v1", (1, 21))], Migration::Rename(Unsafe)),
    Deprecation {
        api_version: "policy/v1beta1",
        kind: "PodSecurityPolicy",
        deprecated: (1, 21),
        removed: Some((1, 25)),
        replacements: &[],
        instead: Some(PSA),
        migration: Migration::None,
    },
    row!("node.k8s.io/v1beta1", "RuntimeClass", (1, 22), Some((1, 25)), [r("node.k8s.io/v1", (1, 20))], Migration::Rename(Safe)),
    // Removed in 1.26.
    row!("autoscaling/v2beta2", "HorizontalPodAutoscaler", (1, 23), Some((1, 26)), [r("autoscaling/v2", (1, 23))], Migration::Rename(Safe)),
    row!("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", (1, 23), Some((1, 26)), [FLOW_V1, FLOW_V1BETA3, FLOW_V1BETA2], Migration::None),
    row!("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", (1, 23), Some((1, 26)), [FLOW_V1, FLOW_V1BETA3, FLOW_V1BETA2], Migration::None),
    // Removed in 1.27.
    row!("storage.k8s.io/v1beta1", "CSIStorageCapacity", (1, 24), Some((1, 27)), [r("storage.k8s.io/v1", (1, 24))], Migration::Rename(Safe)),
    // Removed in 1.29.
    row!("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", (1, 26), Some((1, 29)), [FLOW_V1, FLOW_V1BETA3], Migration::None),
    row!("flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", (1, 26), Some((1, 29)), [FLOW_V1, FLOW_V1BETA3], Migration::None),
    // Removed in 1.32.
    row!("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", (1, 29), Some((1, 32)), [FLOW_V1], Migration::None),
    row!("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", (1, 29), Some((1, 32)), [FLOW_V1], Migration::None),
    // Deprecated, still served.
    row!("v1", "Endpoints", (1, 33), None, [Replacement { api_version: "discovery.k8s.io/v1", kind: Some("EndpointSlice"), since: (1, 21) }], Migration::None),
];

/// The deprecation of `api_version` `kind`, if there is one.
pub(crate) fn lookup(api_version: &str, kind: &str) -> Option<&'static Deprecation> {
    TABLE
        .iter()
        .find(|d| d.api_version == api_version && d.kind == kind)
}

/// `1.22`.
pub(crate) fn show(v: Version) -> String {
    format!("{}.{}", v.0, v.1)
}

impl Deprecation {
    /// Whether `target` still serves this version but warns about it.
    pub(crate) fn is_deprecated_at(&self, target: Version) -> bool {
        self.deprecated <= target && self.removed.is_none_or(|r| target < r)
    }

    /// Whether `target` no longer serves this version.
    pub(crate) fn is_removed_at(&self, target: Version) -> bool {
        self.removed.is_some_and(|r| r <= target)
    }

    /// The replacement to use at `target`: the first one served there (itself not removed).
    fn replacement_at(&self, target: Version) -> Option<&'static Replacement> {
        self.replacements.iter().find(|r| {
            r.since <= target
                && lookup(r.api_version, r.kind.unwrap_or(self.kind))
                    .is_none_or(|d| !d.is_removed_at(target))
        })
    }

    /// What to write instead at `target`, for messages.
    pub(crate) fn advice(&self, target: Version) -> String {
        if let Some(r) = self.replacement_at(target) {
            return match r.kind {
                Some(kind) => format!("use `{}` `{kind}`", r.api_version),
                None => format!("use `{}`", r.api_version),
            };
        }
        match self.replacements.first() {
            Some(r) if target < r.since => format!(
                "`{}` is served from Kubernetes {}",
                r.api_version,
                show(r.since)
            ),
            _ => format!(
                "there is no replacement; {}",
                self.instead.unwrap_or("remove the object")
            ),
        }
    }

    /// The fix that moves `object` to the first replacement, when `target` serves it and the
    /// migration can be done mechanically.
    pub(crate) fn fix(&self, cx: &Cx<'_>, object: Object<'_>, target: Version) -> Option<Fix> {
        let first = self.replacements.first()?;
        if first.kind.is_some() || !std::ptr::eq(self.replacement_at(target)?, first) {
            return None;
        }
        let doc = cx.doc();
        let to = first.api_version;
        let rename = rename_api_version(object, to)?;
        let title = format!("Change `apiVersion` to `{to}`");
        match self.migration {
            Migration::None => None,
            Migration::Rename(app) => Some(Fix::new(title, app, vec![rename])),
            Migration::Workload(app) => {
                let (mut edits, added) = workload_edits(doc, object, self.kind)?;
                edits.push(rename);
                let app = if added { Unsafe } else { app };
                let title = if added {
                    format!("Change `apiVersion` to `{to}` and add `spec.selector`")
                } else {
                    title
                };
                Some(Fix::new(title, app, edits))
            }
            Migration::Ingress => {
                let mut edits = ingress_edits(doc, object)?;
                edits.push(rename);
                Some(Fix::new(
                    format!("Migrate the Ingress to `{to}`"),
                    Unsafe,
                    edits,
                ))
            }
        }
    }
}

fn start(n: Node<'_>) -> usize {
    usize::from(n.range().start())
}

fn end(n: Node<'_>) -> usize {
    usize::from(n.range().end())
}

/// Whether only spaces precede `offset` on its line: a block key that starts its line.
fn starts_line(text: &str, offset: usize) -> bool {
    text[line_start(text, offset)..offset].trim().is_empty()
}

/// The indentation step below the key of the entry that holds `mapping` (2 if unknown).
fn step_of(text: &str, mapping: Mapping<'_>) -> usize {
    let node = mapping.node();
    let parent_key = node
        .parent()
        .and_then(|p| p.as_mapping())
        .and_then(|pm| pm.entries().find(|e| e.value == node))
        .map(|e| column(text, start(e.key)));
    match (parent_key, mapping.entries().next()) {
        (Some(k), Some(first)) => {
            let c = column(text, start(first.key));
            if c > k && c - k <= 8 { c - k } else { 2 }
        }
        _ => 2,
    }
}

/// Replaces the `apiVersion` value, keeping its quotes.
fn rename_api_version(object: Object<'_>, to: &str) -> Option<Edit> {
    let node = object.api_version()?.value_as_written();
    let scalar = node.as_scalar()?;
    let r = node.range();
    let range = if scalar.style().is_quoted() {
        TextRange::new(r.start() + TextSize::from(1), r.end() - TextSize::from(1))
    } else {
        r
    };
    Some(Edit::replace(range, to))
}

/// The edits a workload needs besides its `apiVersion` for `apps/v1`, and whether a selector
/// was added. `None` when the migration cannot be done correctly.
fn workload_edits(doc: &Document, object: Object<'_>, kind: &str) -> Option<(Vec<Edit>, bool)> {
    let spec = object.field("spec")?.value_as_written().as_mapping()?;
    // Fields apps/v1 dropped.
    let dropped = match kind {
        "Deployment" => "rollbackTo",
        "DaemonSet" => "templateGeneration",
        _ => "",
    };
    if !dropped.is_empty() && spec.get(dropped).is_some() {
        return None;
    }
    if let Some(selector) = spec.get("selector") {
        return (!selector.is_null()).then(|| (Vec::new(), false));
    }
    // apps/v1 requires the selector the older versions defaulted to the template labels.
    let template_entry = spec.entry("template")?;
    let template = template_entry.value.as_mapping()?;
    let labels_node = template
        .get("metadata")?
        .as_mapping()?
        .get("labels")?;
    let labels = labels_node.as_mapping()?;
    if labels.is_empty() || labels.has_merge() {
        return None;
    }
    let mut pairs = Vec::new();
    for e in labels.entries() {
        let (k, v) = (e.key.as_scalar()?, e.value.as_scalar()?);
        if k.raw().contains('\n') || v.raw().contains('\n') {
            return None;
        }
        pairs.push((k.raw().to_owned(), Value::scalar(v.raw())));
    }
    let text = doc.text();
    let key_start = start(template_entry.key);
    if spec.node().is_flow() || !starts_line(text, key_start) {
        let value = Value::map1("matchLabels", Value::Map(pairs));
        return Some((vec![insert_entry(doc, spec, "selector", &value)?], true));
    }
    let nl = newline(text);
    let pad = " ".repeat(column(text, key_start));
    let step = " ".repeat(step_of(text, template));
    let mut out = format!("{pad}selector:{nl}{pad}{step}matchLabels:");
    if labels_node.is_flow() && !labels_node.text().contains('\n') {
        out.push(' ');
        out.push_str(labels_node.text());
        out.push_str(nl);
    } else {
        out.push_str(nl);
        for (k, v) in &pairs {
            out.push_str(&format!("{pad}{step}{step}{k}: {}{nl}", v.flow()));
        }
    }
    // Before `template:` and the comment lines that introduce it.
    let mut at = line_start(text, key_start);
    while at > 0 {
        let prev = line_start(text, at - 1);
        let line = text[prev..at].trim();
        if !line.starts_with('#') || column(text, prev + text[prev..at].find('#')?) != pad.len() {
            break;
        }
        at = prev;
    }
    Some((vec![Edit::insert(at, out)], true))
}

/// The edits that move an Ingress body to `networking.k8s.io/v1`.
fn ingress_edits(doc: &Document, object: Object<'_>) -> Option<Vec<Edit>> {
    let spec = object.field("spec")?.value_as_written().as_mapping()?;
    let mut edits = Vec::new();
    if let Some(entry) = spec.entry("backend") {
        if spec.get("defaultBackend").is_some() {
            return None;
        }
        edits.push(Edit::replace(entry.key.range(), "defaultBackend"));
        edits.extend(backend_edits(doc, entry.value)?);
    }
    let rules = spec.get("rules").map(|r| r.resolve());
    for rule in rules.and_then(|r| r.as_sequence()).into_iter().flat_map(|s| s.items()) {
        let Some(paths) = rule
            .as_mapping()
            .and_then(|m| m.get("http"))
            .and_then(|h| h.as_mapping())
            .and_then(|h| h.get("paths"))
            .and_then(|p| p.as_sequence())
        else {
            continue;
        };
        for path in paths.items() {
            let path = path.as_mapping()?;
            if let Some(backend) = path.get("backend") {
                edits.extend(backend_edits(doc, backend)?);
            }
            if path.get("pathType").is_none() {
                edits.push(path_type_edit(doc, path)?);
            }
        }
    }
    Some(edits)
}

/// `pathType: ImplementationSpecific` after the `path` entry (the v1beta1 behaviour).
fn path_type_edit(doc: &Document, path: Mapping<'_>) -> Option<Edit> {
    let text = doc.text();
    let value = Value::scalar("ImplementationSpecific");
    match path.entry("path") {
        Some(e) if !path.node().is_flow() && starts_line_or_item(text, start(e.key)) => {
            let nl = newline(text);
            let pad = " ".repeat(column(text, start(e.key)));
            let at = line_end(text, end(e.value).max(end(e.key)));
            Some(Edit::insert(at, format!("{nl}{pad}pathType: ImplementationSpecific")))
        }
        _ => insert_entry(doc, path, "pathType", &value),
    }
}

/// Whether a key starts its line, or follows a sequence dash (`- path: /`).
fn starts_line_or_item(text: &str, offset: usize) -> bool {
    let before = text[line_start(text, offset)..offset].trim();
    before.is_empty() || before.chars().all(|c| c == '-' || c == ' ')
}

/// `serviceName` + `servicePort` become `service: {name, port: {number | name}}`.
fn backend_edits(doc: &Document, node: Node<'_>) -> Option<Vec<Edit>> {
    let m = node.as_mapping()?;
    let (name, port) = match (m.entry("serviceName"), m.entry("servicePort")) {
        (None, None) => return Some(Vec::new()),
        (Some(n), Some(p)) => (n, p),
        _ => return None,
    };
    let name_raw = name.value.as_scalar()?.raw();
    let port_scalar = port.value.as_scalar()?;
    let port_key = match port_scalar.resolved() {
        picket_syntax::ScalarValue::Int(_) => "number",
        picket_syntax::ScalarValue::Str(_) => "name",
        _ => return None,
    };
    let port_raw = port_scalar.raw();
    if name_raw.contains('\n') || port_raw.contains('\n') {
        return None;
    }
    let text = doc.text();
    if m.node().is_flow() {
        if m.len() != 2 {
            return None;
        }
        return Some(vec![Edit::replace(
            m.range(),
            format!("{{service: {{name: {name_raw}, port: {{{port_key}: {port_raw}}}}}}}"),
        )]);
    }
    if !starts_line(text, start(name.key)) || !starts_line(text, start(port.key)) {
        return None;
    }
    // The later entry becomes `service:`, the earlier one goes (its comments stay): whatever
    // follows the backend keeps its place.
    let (first, last) = if start(name.key) < start(port.key) {
        (name, port)
    } else {
        (port, name)
    };
    let nl = newline(text);
    let col = column(text, start(last.key));
    let step = step_of(text, m);
    let p1 = " ".repeat(col + step);
    let p2 = " ".repeat(col + 2 * step);
    let service = format!(
        "service:{nl}{p1}name: {name_raw}{nl}{p1}port:{nl}{p2}{port_key}: {port_raw}"
    );
    let last_range = TextRange::new(size(start(last.key)), size(end(last.value)));
    let remove = remove_entry(doc, m, picket_model::Field::new(first))?;
    Some(vec![Edit::replace(last_range, service), remove])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent() {
        for (i, d) in TABLE.iter().enumerate() {
            assert!(
                TABLE[..i]
                    .iter()
                    .all(|o| (o.api_version, o.kind) != (d.api_version, d.kind)),
                "{} {} twice",
                d.api_version,
                d.kind
            );
            if let Some(r) = d.removed {
                assert!(d.deprecated < r, "{} {}", d.api_version, d.kind);
            }
            assert!(
                !d.replacements.is_empty() || d.instead.is_some(),
                "{} {}: no replacement and no advice",
                d.api_version,
                d.kind
            );
        }
    }

    #[test]
    fn advice_follows_the_target() {
        let hpa = lookup("autoscaling/v2beta1", "HorizontalPodAutoscaler").unwrap();
        assert_eq!(hpa.advice((1, 22)), "use `autoscaling/v2beta2`");
        assert_eq!(hpa.advice((1, 30)), "use `autoscaling/v2`");
        let ing = lookup("extensions/v1beta1", "Ingress").unwrap();
        assert_eq!(ing.advice((1, 16)), "use `networking.k8s.io/v1beta1`");
        assert_eq!(
            ing.advice((1, 13)),
            "`networking.k8s.io/v1` is served from Kubernetes 1.19"
        );
        let flow = lookup("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema").unwrap();
        assert_eq!(flow.advice((1, 27)), "use `flowcontrol.apiserver.k8s.io/v1beta3`");
        assert_eq!(flow.advice((1, 33)), "use `flowcontrol.apiserver.k8s.io/v1`");
        let psp = lookup("extensions/v1beta1", "PodSecurityPolicy").unwrap();
        assert_eq!(psp.advice((1, 20)), "use `policy/v1beta1`");
        assert!(psp.advice((1, 30)).starts_with("there is no replacement"));
        let endpoints = lookup("v1", "Endpoints").unwrap();
        assert!(endpoints.is_deprecated_at((1, 37)) && !endpoints.is_removed_at((1, 37)));
        assert_eq!(endpoints.advice((1, 37)), "use `discovery.k8s.io/v1` `EndpointSlice`");
    }
}
