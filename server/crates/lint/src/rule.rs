//! What a rule is: its metadata ([`RuleMeta`]), the [`Rule`] trait with one hook per target,
//! and the `declare_rule!` macro that keeps a rule's docs next to its code.

use picket_model::{Container, Object, PodSpec, PodTemplateSpec};
use picket_schema::Severity;

use crate::engine::Cx;

/// A rule's group, used in docs, in `picket rules` and in `.picket.yaml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Security,
    Reliability,
    Resources,
    Networking,
    Rbac,
    Secrets,
    Deprecation,
    Correctness,
    Style,
}

impl Category {
    pub const ALL: &[Category] = &[
        Category::Security,
        Category::Reliability,
        Category::Resources,
        Category::Networking,
        Category::Rbac,
        Category::Secrets,
        Category::Deprecation,
        Category::Correctness,
        Category::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Reliability => "reliability",
            Category::Resources => "resources",
            Category::Networking => "networking",
            Category::Rbac => "rbac",
            Category::Secrets => "secrets",
            Category::Deprecation => "deprecation",
            Category::Correctness => "correctness",
            Category::Style => "style",
        }
    }

    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

/// Whether applying a fix keeps the manifest's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// The manifest means the same after the edit: `picket fix` applies it.
    Safe,
    /// The edit changes what runs (most security fixes): only with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// A peer tool whose rule IDs are cross-walked to Picket's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Peer {
    KubeLinter,
    Polaris,
    KubeScore,
    Kubescape,
    Checkov,
    Trivy,
}

impl Peer {
    pub const ALL: &[Peer] = &[
        Peer::KubeLinter,
        Peer::Polaris,
        Peer::KubeScore,
        Peer::Kubescape,
        Peer::Checkov,
        Peer::Trivy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Peer::KubeLinter => "kube-linter",
            Peer::Polaris => "polaris",
            Peer::KubeScore => "kube-score",
            Peer::Kubescape => "kubescape",
            Peer::Checkov => "checkov",
            Peer::Trivy => "trivy",
        }
    }
}

/// Everything about a rule except its logic.
#[derive(Debug)]
pub struct RuleMeta {
    /// The stable public name, kebab-case, describing the bad pattern.
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// The applicability of the rule's fix, if it offers one.
    pub fix: Option<Applicability>,
    /// One line for listings.
    pub summary: &'static str,
    /// Markdown, from the rule's doc comment: `## What it flags`, `## Why it matters`,
    /// `## Example`, `## Use instead`, optionally `## Fix safety`, `## References`.
    pub docs: &'static str,
    /// The same check's IDs in peer tools, spelled as RULES.md spells them.
    pub peers: &'static [(Peer, &'static str)],
    /// Off unless `.picket.yaml` turns it on (rules that need configuration, or that many
    /// teams disagree with).
    pub default_enabled: bool,
}

impl RuleMeta {
    /// The docs without the one-space indent that doc comments carry.
    pub fn docs_text(&self) -> String {
        let mut out = String::new();
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_owned() + "\n"
    }

    /// The peer IDs for one tool.
    pub fn peer_ids(&self, peer: Peer) -> impl Iterator<Item = &'static str> + '_ {
        self.peers
            .iter()
            .filter(move |(p, _)| *p == peer)
            .map(|(_, id)| *id)
    }
}

/// Where a container sits in its pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl<'a> PodCx<'a> {
    /// Where to point at a finding about the pod as a whole: the object's `kind` entry for a
    /// bare Pod, the template's `spec` key for a workload.
    pub fn anchor(&self) -> picket_syntax::TextRange {
        use picket_model::View;
        match self.template.and_then(|t| t.field("spec")) {
            Some(f) => f.key_range(),
            None => self.object.header_range(),
        }
    }
}

/// A pod spec with the object that holds it.
#[derive(Clone, Copy, Debug)]
pub struct PodCx<'a> {
    pub object: Object<'a>,
    pub spec: PodSpec<'a>,
    /// The pod template, for workloads (`None` for a bare Pod).
    pub template: Option<PodTemplateSpec<'a>>,
}

/// A container with the pod it runs in.
#[derive(Clone, Copy, Debug)]
pub struct ContainerCx<'a> {
    pub pod: PodCx<'a>,
    pub container: Container<'a>,
    pub kind: ContainerKind,
}

impl<'a> ContainerCx<'a> {
    /// Where to point at a finding about the container as a whole: its name's value, or the
    /// container's mapping when it has no name.
    pub fn anchor(&self) -> picket_syntax::TextRange {
        use picket_model::View;
        self.container
            .name()
            .map_or_else(|| self.container.range(), |n| n.value_range())
    }

    /// The container's name, or a placeholder while it is being typed.
    pub fn name(&self) -> &'a str {
        self.container
            .name()
            .and_then(|f| f.as_str())
            .unwrap_or("<unnamed>")
    }
}

/// A rule's logic: one hook per target; the engine calls the hooks the rule overrides.
///
/// Hooks only detect. A hook never looks for where a kind keeps its pods: the engine hands it
/// the pod spec and the containers.
pub(crate) trait Rule {
    /// Every object (and every item of a `List`).
    fn object(_cx: &mut Cx<'_>, _object: Object<'_>) {}

    /// Every pod spec (bare Pods and workload templates).
    fn pod(_cx: &mut Cx<'_>, _pod: PodCx<'_>) {}

    /// Every container, init container and ephemeral container.
    fn container(_cx: &mut Cx<'_>, _container: ContainerCx<'_>) {}
}

/// A registry row: the metadata and the hooks as function pointers.
pub struct RuleEntry {
    pub meta: &'static RuleMeta,
    pub(crate) object: fn(&mut Cx<'_>, Object<'_>),
    pub(crate) pod: fn(&mut Cx<'_>, PodCx<'_>),
    pub(crate) container: fn(&mut Cx<'_>, ContainerCx<'_>),
}

impl std::fmt::Debug for RuleEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RuleEntry").field(&self.meta.name).finish()
    }
}

impl RuleEntry {
    pub(crate) const fn of<R: Rule>(meta: &'static RuleMeta) -> RuleEntry {
        RuleEntry {
            meta,
            object: R::object,
            pod: R::pod,
            container: R::container,
        }
    }
}

/// Declares a rule: a unit struct carrying its metadata, with the doc comment as its docs.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it flags
///     /// …
///     pub(crate) PrivilegedContainer {
///         name: "privileged-container",
///         category: Security,
///         severity: Warning,
///         fix: Some(Unsafe),
///         summary: "Container runs privileged",
///         peers: [KubeLinter: "privileged-container", Checkov: "CKV_K8S_16"],
///     }
/// }
/// ```
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis $name:ident {
            name: $rule:literal,
            category: $category:ident,
            severity: $severity:ident,
            fix: $fix:ident $(($applicability:ident))?,
            summary: $summary:literal,
            peers: [$($peer:ident : $id:literal),* $(,)?]
            $(, default_enabled: $enabled:literal)? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug)]
        $vis struct $name;

        impl $name {
            #[allow(dead_code)]
            pub(crate) const NAME: &'static str = $rule;
            pub(crate) const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                name: $rule,
                category: $crate::rule::Category::$category,
                severity: picket_schema::Severity::$severity,
                fix: $crate::rule::declare_rule!(@fix $fix $(($applicability))?),
                summary: $summary,
                docs: concat!($($doc, "\n"),*),
                peers: &[$(($crate::rule::Peer::$peer, $id)),*],
                default_enabled: $crate::rule::declare_rule!(@enabled $($enabled)?),
            };
        }
    };
    (@enabled) => { true };
    (@enabled $enabled:literal) => { $enabled };
    (@fix None) => { None };
    (@fix Some($applicability:ident)) => { Some($crate::rule::Applicability::$applicability) };
}

pub(crate) use declare_rule;
