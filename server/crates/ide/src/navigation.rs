//! Navigation between resources: go-to-definition, find-references, rename, code lenses and
//! workspace symbols, over the workspace index.
//!
//! Objects point at each other in two ways. By name: a volume names a ConfigMap, a binding
//! names a Role, an Ingress names a Service ([`Reference`]). By labels: a Service, a
//! NetworkPolicy or a PodDisruptionBudget selects the pods of workloads. Both are followed in
//! both directions.

use picket_lint::{Index, Located, Reference, Summary, is_cluster_scoped};
use picket_syntax::{TextRange, TextSize};

use crate::host::{Analysis, FileId};

/// An object somewhere in the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavTarget {
    pub file: FileId,
    /// The whole object.
    pub full_range: TextRange,
    /// Its name (or its `kind` when it has no name): where the cursor goes.
    pub focus_range: TextRange,
    /// `Deployment web`.
    pub label: String,
    pub namespace: Option<String>,
}

/// A range in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileRange {
    pub file: FileId,
    pub range: TextRange,
}

/// A text edit in some file of the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEdit {
    pub file: FileId,
    pub range: TextRange,
    pub text: String,
    /// The text the range holds when the edit is right: a client checks it before applying
    /// an edit to a file that may have changed since it was indexed.
    pub old_text: String,
}

/// A code lens over a workload: who selects it, what isolates it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    /// Where it shows (the object's `kind`).
    pub range: TextRange,
    pub title: String,
    /// The objects the title counts, to show on click.
    pub targets: Vec<NavTarget>,
}

/// A workspace symbol: one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub kind: String,
    /// How it shows in a symbol list.
    pub symbol: crate::SymbolKind,
    pub target: NavTarget,
}

/// What the cursor is on.
enum Subject<'s> {
    /// The name of a referenced object.
    Reference(&'s Summary, &'s Reference),
    /// The selector of a Service, NetworkPolicy or PodDisruptionBudget (in document `doc`).
    Selector(u32, &'s Summary),
    /// The labels a workload gives its pods (in document `doc`).
    PodLabels(u32, &'s Summary),
    /// An object's own name or kind.
    Object(u32, TextSize, &'s Summary),
}

/// The group a kind that references name belongs to (`None`: any group).
fn group_of_kind(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "ConfigMap" | "Secret" | "ServiceAccount" | "PersistentVolumeClaim" | "Service" => "",
        "PriorityClass" => "scheduling.k8s.io",
        "Role" | "ClusterRole" => "rbac.authorization.k8s.io",
        "IngressClass" => "networking.k8s.io",
        "Deployment" | "StatefulSet" | "ReplicaSet" | "DaemonSet" => "apps",
        _ => return None,
    })
}

/// Whether `target` is what `r` (written in `from`) names.
fn resolves_to(r: &Reference, from: &Summary, target: &Summary) -> bool {
    if target.kind != r.kind || target.name != r.name {
        return false;
    }
    if group_of_kind(&r.kind).is_some_and(|g| g != target.group) {
        return false;
    }
    if is_cluster_scoped(&r.kind) {
        return true;
    }
    let ns = r.namespace.as_deref().or(from.namespace.as_deref());
    target.same_namespace(ns)
}

/// Whether `selector_owner`'s selector (a Service, NetworkPolicy, PDB) picks `workload`'s pods.
fn selects(selector_owner: &Summary, workload: &Summary) -> bool {
    let Some(sel) = &selector_owner.selector else {
        return false;
    };
    let Some(labels) = &workload.pod_labels else {
        return false;
    };
    // A Service without a selector selects nothing; an empty NetworkPolicy selector selects
    // every pod of its namespace.
    let empty_matches_all = selector_owner.kind == "NetworkPolicy";
    (empty_matches_all || !sel.is_empty())
        && selector_owner.same_namespace(workload.namespace.as_deref())
        && sel.matches(labels)
}

/// Kinds whose `selector` picks other objects' pods (a workload's own selector does not).
fn selects_others(s: &Summary) -> bool {
    matches!(
        (s.group.as_str(), s.kind.as_str()),
        ("", "Service")
            | ("networking.k8s.io", "NetworkPolicy")
            | ("policy", "PodDisruptionBudget")
    )
}

fn contains(range: TextRange, offset: TextSize) -> bool {
    range.contains_inclusive(offset)
}

impl Analysis {
    fn target(&self, loc: Located<'_>) -> Option<NavTarget> {
        let file = FileId(loc.file);
        let start = self.document_offset(file, loc.doc)?;
        let s = loc.summary;
        Some(target_of(file, start, s))
    }

    /// What is at `offset` of `file`.
    fn subject(&self, file: FileId, offset: TextSize) -> Option<Subject<'_>> {
        let (doc, start, summaries) = self.summaries_at(file, offset)?;
        let at = offset.checked_sub(start)?;
        for s in summaries.iter().filter(|s| contains(s.range, at)) {
            if let Some(r) = s.refs.iter().find(|r| contains(r.range, at)) {
                return Some(Subject::Reference(s, r));
            }
            if s.name_range.is_some_and(|r| contains(r, at))
                || s.kind_range.is_some_and(|r| contains(r, at))
            {
                return Some(Subject::Object(doc, start, s));
            }
            if selects_others(s) && s.selector_range.is_some_and(|r| contains(r, at)) {
                return Some(Subject::Selector(doc, s));
            }
            if s.is_workload() && s.pod_labels_range.is_some_and(|r| contains(r, at)) {
                return Some(Subject::PodLabels(doc, s));
            }
        }
        None
    }

    /// Where the thing at `offset` is defined: the object a name refers to, the workloads a
    /// selector picks, the Services and policies that select a workload's pod labels, or the
    /// object itself on its own name.
    pub fn definition(&self, file: FileId, offset: TextSize) -> Vec<NavTarget> {
        let index = self.index();
        let mut out: Vec<NavTarget> = match self.subject(file, offset) {
            None => Vec::new(),
            Some(Subject::Reference(from, r)) => index
                .located()
                .filter(|l| resolves_to(r, from, l.summary))
                .filter_map(|l| self.target(l))
                .collect(),
            Some(Subject::Selector(_, owner)) => index
                .located()
                .filter(|l| selects(owner, l.summary))
                .filter_map(|l| self.target(l))
                .collect(),
            Some(Subject::PodLabels(_, workload)) => index
                .located()
                .filter(|l| selects_others(l.summary) && selects(l.summary, workload))
                .filter_map(|l| self.target(l))
                .collect(),
            Some(Subject::Object(_, start, s)) => vec![target_of(file, start, s)],
        };
        out.sort_by_key(|a| (a.file, a.full_range.start()));
        out.dedup();
        out
    }

    /// The objects the thing at `offset` stands for: the object itself, or what a reference
    /// names.
    fn subjects(&self, file: FileId, offset: TextSize) -> Vec<Located<'_>> {
        let index = self.index();
        match self.subject(file, offset) {
            Some(Subject::Reference(from, r)) => index
                .located()
                .filter(|l| resolves_to(r, from, l.summary))
                .collect(),
            Some(
                Subject::Object(doc, _, s) | Subject::Selector(doc, s) | Subject::PodLabels(doc, s),
            ) => vec![Located {
                file: file.0,
                doc,
                summary: s,
            }],
            None => Vec::new(),
        }
    }

    /// Every place that refers to the object at `offset` (or to the object a reference at
    /// `offset` names): references by name, and for a workload the selectors that pick its
    /// pods. With `include_declaration`, the objects' own names too.
    pub fn references(
        &self,
        file: FileId,
        offset: TextSize,
        include_declaration: bool,
    ) -> Vec<FileRange> {
        self.reference_ranges(file, offset, include_declaration, true)
    }

    /// [`Analysis::references`], with or without the selectors that pick a workload's pods.
    fn reference_ranges(
        &self,
        file: FileId,
        offset: TextSize,
        include_declaration: bool,
        selectors: bool,
    ) -> Vec<FileRange> {
        let index = self.index();
        let mut out = Vec::new();
        for t in self.subjects(file, offset) {
            let target = t.summary;
            for l in index.located() {
                let Some(start) = self.document_offset(FileId(l.file), l.doc) else {
                    continue;
                };
                let at = |range: TextRange| FileRange {
                    file: FileId(l.file),
                    range: range + start,
                };
                for r in &l.summary.refs {
                    if resolves_to(r, l.summary, target) {
                        out.push(at(r.range));
                    }
                }
                if selectors
                    && target.is_workload()
                    && selects_others(l.summary)
                    && selects(l.summary, target)
                    && let Some(range) = l.summary.selector_range
                {
                    out.push(at(range));
                }
            }
            if include_declaration
                && let Some(start) = self.document_offset(FileId(t.file), t.doc)
                && let Some(range) = target.name_range.or(target.kind_range)
            {
                out.push(FileRange {
                    file: FileId(t.file),
                    range: range + start,
                });
            }
        }
        out.sort_by_key(|r| (r.file, r.range.start(), r.range.end()));
        out.dedup();
        out
    }

    /// The range (in the file) of what navigation starts from at `offset`: a reference's name,
    /// a selector, a workload's pod labels, or an object's name or kind.
    pub fn origin_range(&self, file: FileId, offset: TextSize) -> Option<TextRange> {
        let (_, start, _) = self.summaries_at(file, offset)?;
        let at = offset.checked_sub(start)?;
        let range = match self.subject(file, offset)? {
            Subject::Reference(_, r) => r.range,
            Subject::Selector(_, s) => s.selector_range?,
            Subject::PodLabels(_, s) => s.pod_labels_range?,
            Subject::Object(_, _, s) => [s.name_range, s.kind_range]
                .into_iter()
                .flatten()
                .find(|r| contains(*r, at))?,
        };
        Some(range + start)
    }

    /// The range of the name a rename at `offset` would change, if there is one.
    pub fn prepare_rename(&self, file: FileId, offset: TextSize) -> Result<TextRange, String> {
        let (_, start, _) = self
            .summaries_at(file, offset)
            .ok_or_else(|| "nothing to rename here".to_owned())?;
        match self.subject(file, offset) {
            Some(Subject::Reference(_, r)) => Ok(r.range + start),
            Some(Subject::Object(_, start, s)) => s
                .name_range
                .filter(|r| contains(*r, offset - start))
                .map(|r| r + start)
                .ok_or_else(|| "place the cursor on the object's name to rename it".to_owned()),
            _ => Err("rename works on an object's `metadata.name` or on a reference to it".into()),
        }
    }

    /// Renames the object at `offset` (or the one a reference at `offset` names) and every
    /// reference to it by name. Fails with a message when the new name is not valid for the
    /// kind, or the name at `offset` stands for no single object of the workspace.
    pub fn rename(
        &self,
        file: FileId,
        offset: TextSize,
        new_name: &str,
    ) -> Result<Vec<FileEdit>, String> {
        self.prepare_rename(file, offset)?;
        let targets = self.subjects(file, offset);
        let target = match targets.as_slice() {
            [] => {
                return Err(
                    "the object this names is not defined in the workspace, so it cannot be renamed"
                        .into(),
                );
            }
            [one] => *one,
            many => {
                return Err(format!(
                    "the name stands for {} objects (in different namespaces or files); rename them one at a time from their definitions",
                    many.len()
                ));
            }
        };
        let s = target.summary;
        check_name(&s.kind, new_name)?;
        // Selectors match labels, not names: they stay.
        let mut edits: Vec<FileEdit> = self
            .reference_ranges(file, offset, true, false)
            .into_iter()
            .map(|r| FileEdit {
                file: r.file,
                range: r.range,
                text: new_name.to_owned(),
                old_text: s.name.clone(),
            })
            .collect();
        edits.sort_by_key(|e| (e.file, e.range.start()));
        Ok(edits)
    }

    /// Lenses over each workload of `file`: the Services that select its pods, and whether a
    /// NetworkPolicy isolates them.
    pub fn code_lenses(&self, file: FileId) -> Vec<Lens> {
        let index = self.index();
        let mut out = Vec::new();
        for (_, start, summaries) in self.summaries_of(file) {
            for s in summaries.iter().filter(|s| s.is_workload()) {
                let range = s.kind_range.unwrap_or(s.range) + start;
                let picked = |kind: &str| -> Vec<NavTarget> {
                    index
                        .located()
                        .filter(|l| l.summary.kind == kind && selects(l.summary, s))
                        .filter(|l| kind != "NetworkPolicy" || l.summary.isolates_ingress)
                        .filter_map(|l| self.target(l))
                        .collect()
                };
                let services = picked("Service");
                out.push(Lens {
                    range,
                    title: match services.len() {
                        0 => "no Service selects it".to_owned(),
                        1 => "1 Service selects it".to_owned(),
                        n => format!("{n} Services select it"),
                    },
                    targets: services,
                });
                let policies = picked("NetworkPolicy");
                out.push(Lens {
                    range,
                    title: match policies.as_slice() {
                        [] => "no NetworkPolicy isolates it".to_owned(),
                        [one] => format!("isolated by NetworkPolicy {}", one.label_name()),
                        many => format!("isolated by {} NetworkPolicies", many.len()),
                    },
                    targets: policies,
                });
            }
        }
        out
    }

    /// Objects of the workspace whose `Kind name` matches `query` (case-insensitive, its
    /// characters in order), best matches first, at most `limit`.
    pub fn workspace_symbols(&self, query: &str, limit: usize) -> Vec<WorkspaceSymbol> {
        let query = query.to_lowercase();
        let mut scored: Vec<(u32, WorkspaceSymbol)> = Vec::new();
        for l in self.index().located() {
            let s = l.summary;
            if s.name.is_empty() {
                continue;
            }
            let Some(score) = fuzzy_score(&query, &s.name, &s.kind) else {
                continue;
            };
            if let Some(target) = self.target(l) {
                scored.push((
                    score,
                    WorkspaceSymbol {
                        name: s.name.clone(),
                        kind: s.kind.clone(),
                        symbol: crate::SymbolKind::of_object(&s.group, &s.kind),
                        target,
                    },
                ));
            }
        }
        scored.sort_by(|a, b| {
            (a.0, &a.1.name, a.1.target.file).cmp(&(b.0, &b.1.name, b.1.target.file))
        });
        scored.into_iter().take(limit).map(|(_, s)| s).collect()
    }

    /// A markdown summary of what the reference or selector at `offset` points to, for hover.
    pub fn reference_hover(&self, file: FileId, offset: TextSize) -> Option<(TextRange, String)> {
        let index = self.index();
        let (_, start, _) = self.summaries_at(file, offset)?;
        match self.subject(file, offset)? {
            Subject::Reference(from, r) => {
                let found: Vec<Located<'_>> = index
                    .located()
                    .filter(|l| resolves_to(r, from, l.summary))
                    .collect();
                let mut md = format!("**{} `{}`**", r.kind, r.name);
                if found.is_empty() {
                    md.push_str("\n\nNot defined in the workspace");
                    if let Some(ns) = r.namespace.as_deref().or(from.namespace.as_deref())
                        && !is_cluster_scoped(&r.kind)
                    {
                        md.push_str(&format!(" (namespace `{ns}`)"));
                    }
                    md.push('.');
                }
                for l in &found {
                    md.push_str(&format!("\n\n{}", self.describe(*l, index)));
                }
                Some((r.range + start, md))
            }
            Subject::Selector(_, owner) => {
                let picked: Vec<Located<'_>> = index
                    .located()
                    .filter(|l| selects(owner, l.summary))
                    .collect();
                let range = owner.selector_range? + start;
                let mut md = format!(
                    "**{} `{}`** selects the pods of {}",
                    owner.kind,
                    owner.name,
                    count(picked.len(), "workload")
                );
                md.push_str(if picked.is_empty() { "." } else { ":" });
                for l in picked.iter().take(20) {
                    md.push_str(&format!(
                        "\n- {} `{}` in `{}`",
                        l.summary.kind,
                        l.summary.name,
                        short_path(index.path(l.file))
                    ));
                }
                Some((range, md))
            }
            Subject::PodLabels(..) | Subject::Object(..) => None,
        }
    }

    /// One line about an object: where it is defined, and what it holds.
    fn describe(&self, l: Located<'_>, index: &Index) -> String {
        let s = l.summary;
        let mut out = format!("Defined in `{}`", short_path(index.path(l.file)));
        if let Some(ns) = &s.namespace {
            out.push_str(&format!(", namespace `{ns}`"));
        }
        out.push('.');
        if !s.data_keys.is_empty() {
            let keys: Vec<String> = s
                .data_keys
                .iter()
                .take(12)
                .map(|k| format!("`{k}`"))
                .collect();
            let more = s.data_keys.len().saturating_sub(12);
            out.push_str(&format!(" Keys: {}", keys.join(", ")));
            if more > 0 {
                out.push_str(&format!(" and {more} more"));
            }
            out.push('.');
        }
        if let Some(t) = &s.service_type {
            let ports: Vec<String> = s
                .service_ports
                .iter()
                .map(|(n, p)| {
                    if n.is_empty() {
                        p.to_string()
                    } else {
                        format!("{p} ({n})")
                    }
                })
                .collect();
            out.push_str(&format!(" Type {t}, ports {}.", ports.join(", ")));
        }
        out
    }
}

fn target_of(file: FileId, start: TextSize, s: &Summary) -> NavTarget {
    NavTarget {
        file,
        full_range: s.range + start,
        focus_range: s.name_range.or(s.kind_range).unwrap_or(s.range) + start,
        label: if s.name.is_empty() {
            format!("{} (no name)", s.kind)
        } else {
            format!("{} {}", s.kind, s.name)
        },
        namespace: s.namespace.clone(),
    }
}

impl NavTarget {
    /// The name part of the label (`web` of `Deployment web`).
    fn label_name(&self) -> &str {
        self.label.split_once(' ').map_or(&self.label, |(_, n)| n)
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The last two components of a path, enough to tell files apart in a hover.
fn short_path(path: &str) -> &str {
    let mut cut = path.len();
    for _ in 0..3 {
        match path[..cut].rfind('/') {
            Some(i) => cut = i,
            None => return path,
        }
    }
    &path[cut + 1..]
}

/// Checks a new name against the rules of its kind (DNS-1035 labels for Services, path
/// segments for RBAC kinds, DNS subdomains for the rest), and that it can be written where the
/// old one was without quotes: YAML must read it as a string.
fn check_name(kind: &str, name: &str) -> Result<(), String> {
    let valid = match kind {
        "Service" => picket_schema::formats::dns1035_label(name),
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
            picket_schema::formats::path_segment(name)
        }
        _ => picket_schema::formats::dns_subdomain(name),
    };
    valid.map_err(|e| format!("`{name}` is not a valid {kind} name: {e}"))?;
    let plain = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '@'))
        && !name.starts_with(['-', ':', '@'])
        && !name.ends_with(':');
    if !plain {
        return Err(format!(
            "`{name}` would need quotes in YAML; rename it by hand"
        ));
    }
    let read = picket_syntax::scalar::resolve_plain(name);
    if !matches!(read, picket_syntax::ScalarValue::Str(_)) {
        let ty = read.type_name();
        let article = if ty.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        return Err(format!(
            "YAML reads `{name}` as {article} {ty}, not a string; choose another name"
        ));
    }
    Ok(())
}

/// How well `query` matches an object: `None` when it does not; lower is better (a name that
/// starts with the query, then one that contains it, then the query's characters in order in
/// `Kind name`).
fn fuzzy_score(query: &str, name: &str, kind: &str) -> Option<u32> {
    if query.is_empty() {
        return Some(3);
    }
    let name_l = name.to_lowercase();
    if name_l.starts_with(query) {
        return Some(0);
    }
    if name_l.contains(query) {
        return Some(1);
    }
    let hay = format!("{} {}", kind.to_lowercase(), name_l);
    let mut chars = hay.chars();
    query
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|q| chars.any(|c| c == q))
        .then_some(2)
}

#[cfg(test)]
mod tests {
    use picket_syntax::ParsedFile;

    use super::*;
    use crate::{AnalysisHost, FileKind, IndexedFile};

    const DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: web-sa
      containers:
      - name: web
        image: nginx:1.27
        envFrom:
        - configMapRef:
            name: \"web-config\"
      volumes:
      - name: cfg
        configMap:
          name: web-config
";

    const OTHERS: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
data: {a: '1', b: '2'}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: other
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web-sa
  namespace: shop
";

    /// The deployment open (file 1), the others in the index only (file 2).
    fn host() -> AnalysisHost {
        let mut host = AnalysisHost::new();
        host.set_file(
            FileId(1),
            "/w/deploy.yaml",
            FileKind::Yaml,
            ParsedFile::parse(DEPLOY),
        );
        host.set_indexed_files([(
            FileId(2),
            IndexedFile::new("/w/others.yaml", FileKind::Yaml, OTHERS),
        )]);
        host
    }

    /// The offset of the `n`th occurrence (from 0) of `needle` in `text`, plus `delta`.
    fn at(text: &str, needle: &str, n: usize, delta: usize) -> TextSize {
        let i = text
            .match_indices(needle)
            .nth(n)
            .unwrap_or_else(|| panic!("{needle} #{n}"))
            .0;
        TextSize::from((i + delta) as u32)
    }

    fn text_of(file: FileId, range: TextRange) -> &'static str {
        let text = if file == FileId(1) { DEPLOY } else { OTHERS };
        &text[range]
    }

    #[test]
    fn a_reference_leads_to_the_object_in_its_namespace() {
        let a = host().analysis();
        for n in 0..2 {
            let targets = a.definition(FileId(1), at(DEPLOY, "web-config", n, 2));
            assert_eq!(targets.len(), 1, "{targets:?}");
            let t = &targets[0];
            assert_eq!(t.file, FileId(2));
            assert_eq!(t.label, "ConfigMap web-config");
            assert_eq!(t.namespace.as_deref(), Some("shop"));
            assert_eq!(text_of(t.file, t.focus_range), "web-config");
            assert!(text_of(t.file, t.full_range).starts_with("apiVersion: v1\nkind: ConfigMap"));
        }
        let sa = a.definition(FileId(1), at(DEPLOY, "web-sa", 0, 0));
        assert_eq!(sa.len(), 1);
        assert_eq!(sa[0].label, "ServiceAccount web-sa");
        // Not on a reference: nothing.
        assert!(
            a.definition(FileId(1), at(DEPLOY, "nginx", 0, 1))
                .is_empty()
        );
    }

    #[test]
    fn selectors_lead_both_ways() {
        let a = host().analysis();
        // The Service's selector → the Deployment.
        let svc_selector = at(OTHERS, "app: web", 0, 1);
        let t = a.definition(FileId(2), svc_selector);
        assert_eq!(
            t.iter().map(|t| &*t.label).collect::<Vec<_>>(),
            ["Deployment web"]
        );
        assert_eq!(text_of(FileId(1), t[0].focus_range), "web");
        // The Deployment's pod labels → the Service and the NetworkPolicy (empty selector).
        let t = a.definition(FileId(1), at(DEPLOY, "app: web", 1, 2));
        let labels: Vec<_> = t.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["Service web", "NetworkPolicy deny"]);
    }

    #[test]
    fn references_of_an_object_from_its_name_or_from_a_reference() {
        let a = host().analysis();
        let from_name = a.references(FileId(2), at(OTHERS, "web-config", 0, 0), true);
        let from_ref = a.references(FileId(1), at(DEPLOY, "web-config", 1, 0), true);
        assert_eq!(from_name, from_ref);
        let texts: Vec<(FileId, &str)> = from_name
            .iter()
            .map(|r| (r.file, text_of(r.file, r.range)))
            .collect();
        assert_eq!(
            texts,
            [
                (FileId(1), "web-config"),
                (FileId(1), "web-config"),
                (FileId(2), "web-config"),
            ]
        );
        // Inside the quotes.
        assert_eq!(from_name[0].range.start(), at(DEPLOY, "web-config", 0, 0));
        // Without the declaration, and the other namespace's ConfigMap has none.
        assert_eq!(
            a.references(FileId(2), at(OTHERS, "web-config", 0, 0), false)
                .len(),
            2
        );
        assert!(
            a.references(FileId(2), at(OTHERS, "web-config", 1, 0), false)
                .is_empty()
        );
        // A workload's references include the selectors that pick it.
        let deploy = a.references(FileId(1), at(DEPLOY, "name: web", 0, 6), false);
        let texts: Vec<&str> = deploy.iter().map(|r| text_of(r.file, r.range)).collect();
        assert_eq!(texts, ["app: web", "{}"]);
    }

    #[test]
    fn rename_changes_the_name_and_its_references_but_not_selectors() {
        let a = host().analysis();
        let edits = a
            .rename(FileId(1), at(DEPLOY, "web-config", 0, 3), "site-config")
            .unwrap();
        let touched: Vec<(FileId, &str)> = edits
            .iter()
            .map(|e| (e.file, text_of(e.file, e.range)))
            .collect();
        assert_eq!(
            touched,
            [
                (FileId(1), "web-config"),
                (FileId(1), "web-config"),
                (FileId(2), "web-config"),
            ]
        );
        assert!(edits.iter().all(|e| e.text == "site-config"));
        // The edited deployment still parses and now refers to the new name.
        let mut text = DEPLOY.to_owned();
        for e in edits.iter().filter(|e| e.file == FileId(1)).rev() {
            text.replace_range(std::ops::Range::<usize>::from(e.range), &e.text);
        }
        assert!(text.contains("name: \"site-config\"") && text.contains("name: site-config"));
        let errors: usize = ParsedFile::parse(&text)
            .documents()
            .iter()
            .map(|d| d.doc.errors().len())
            .sum();
        assert_eq!(errors, 0);

        let bad = a.rename(FileId(1), at(DEPLOY, "web-config", 0, 0), "Web_Config");
        assert!(bad.unwrap_err().contains("not a valid ConfigMap name"));
        let number = a.rename(FileId(1), at(DEPLOY, "web-config", 0, 0), "123");
        assert!(number.unwrap_err().contains("reads `123` as an integer"));
        let yes = a.rename(FileId(1), at(DEPLOY, "web-config", 0, 0), "yes");
        assert!(yes.unwrap_err().contains("reads `yes` as a boolean"));
        assert!(
            a.prepare_rename(FileId(1), at(DEPLOY, "nginx", 0, 0))
                .is_err()
        );
    }

    #[test]
    fn a_quoted_name_is_renamed_inside_its_quotes() {
        let mut host = host();
        let quoted = OTHERS.replacen("name: web-config", "name: \"web-config\"", 1);
        host.set_indexed_files([(
            FileId(2),
            IndexedFile::new("/w/others.yaml", FileKind::Yaml, &quoted),
        )]);
        let a = host.analysis();
        let at_name = TextSize::from(quoted.find("\"web-config\"").unwrap() as u32 + 3);
        let range = a.prepare_rename(FileId(2), at_name).unwrap();
        assert_eq!(&quoted[range], "web-config");
        let edits = a.rename(FileId(2), at_name, "site-config").unwrap();
        let declaration = edits.iter().find(|e| e.file == FileId(2)).unwrap();
        assert_eq!(declaration.range, range);
    }

    #[test]
    fn rbac_names_may_hold_colons() {
        let rbac = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: system:foo\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:foo}\nsubjects: []\n";
        let mut host = AnalysisHost::new();
        host.set_file(
            FileId(1),
            "/w/rbac.yaml",
            FileKind::Yaml,
            ParsedFile::parse(rbac),
        );
        let a = host.analysis();
        let edits = a
            .rename(FileId(1), at(rbac, "system:foo", 0, 1), "system:bar")
            .unwrap();
        assert_eq!(edits.len(), 2);
        let err = a
            .rename(FileId(1), at(rbac, "system:foo", 0, 1), "a/b")
            .unwrap_err();
        assert!(err.contains("not a valid ClusterRole name"), "{err}");
        let err = a
            .rename(FileId(1), at(rbac, "system:foo", 0, 1), "x: y")
            .unwrap_err();
        assert!(err.contains("would need quotes"), "{err}");
    }

    #[test]
    fn lenses_count_services_and_isolating_policies() {
        let a = host().analysis();
        let lenses = a.code_lenses(FileId(1));
        let titles: Vec<&str> = lenses.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(
            titles,
            ["1 Service selects it", "isolated by NetworkPolicy deny"]
        );
        assert_eq!(&DEPLOY[lenses[0].range], "Deployment");
        assert_eq!(lenses[0].targets[0].label, "Service web");
    }

    #[test]
    fn workspace_symbols_match_loosely_and_rank_prefixes_first() {
        let a = host().analysis();
        let names = |q: &str| -> Vec<String> {
            a.workspace_symbols(q, 100)
                .into_iter()
                .map(|s| format!("{} {}", s.kind, s.name))
                .collect()
        };
        assert_eq!(
            names("web-c"),
            ["ConfigMap web-config", "ConfigMap web-config"]
        );
        assert_eq!(names("sa"), ["ServiceAccount web-sa"]);
        assert_eq!(names("netpol deny"), ["NetworkPolicy deny"]);
        assert!(names("zzz").is_empty());
        assert_eq!(a.workspace_symbols("", 2).len(), 2);
    }

    #[test]
    fn hover_on_a_reference_summarises_its_target() {
        let a = host().analysis();
        let (range, md) = a
            .reference_hover(FileId(1), at(DEPLOY, "web-config", 1, 1))
            .unwrap();
        assert_eq!(&DEPLOY[range], "web-config");
        assert_eq!(
            md,
            "**ConfigMap `web-config`**\n\nDefined in `/w/others.yaml`, namespace `shop`. Keys: `a`, `b`."
        );
        let (_, md) = a
            .reference_hover(FileId(2), at(OTHERS, "app: web", 0, 0))
            .unwrap();
        assert_eq!(
            md,
            "**Service `web`** selects the pods of 1 workload:\n- Deployment `web` in `/w/deploy.yaml`"
        );
    }

    #[test]
    fn half_typed_documents_do_not_break_navigation() {
        let mut host = host();
        let broken = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      serviceAccountName: web-sa\n      containers:\n      - name: [\n";
        host.set_file(
            FileId(1),
            "/w/deploy.yaml",
            FileKind::Yaml,
            ParsedFile::parse(broken),
        );
        let a = host.analysis();
        for i in 0..=broken.len() {
            let o = TextSize::from(i as u32);
            let _ = a.definition(FileId(1), o);
            let _ = a.references(FileId(1), o, true);
            let _ = a.prepare_rename(FileId(1), o);
            let _ = a.reference_hover(FileId(1), o);
        }
        let _ = a.code_lenses(FileId(1));
        // An offset past the end, and an unknown file.
        assert!(a.definition(FileId(1), TextSize::from(10_000)).is_empty());
        assert!(a.definition(FileId(9), TextSize::from(0)).is_empty());
    }
}
