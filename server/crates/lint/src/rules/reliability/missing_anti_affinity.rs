//! `missing-anti-affinity`: replicated workloads whose pods may all land on one node.

use picket_model::{Field, LabelSelector, View};
use picket_syntax::{Mapping, NodeKind};

use super::common::{describe, is_kind, replicas};
use crate::edit::{Fix, Value, ensure_path};
use crate::engine::Cx;
use crate::index::Selector;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Deployment or StatefulSet with `replicas` above 1 whose pod template has neither a
    /// pod anti-affinity term that selects its own pods nor `topologySpreadConstraints`. A
    /// `podAntiAffinity` whose terms all select other pods is flagged too: it does not keep
    /// the replicas apart.
    ///
    /// ## Why it matters
    /// The scheduler is free to put every replica on the same node (it often does, right
    /// after a rollout on a quiet cluster). Then one node failure or drain takes all of them
    /// down at once, and the replicas protect against nothing.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       affinity:
    ///         podAntiAffinity:
    ///           preferredDuringSchedulingIgnoredDuringExecution:
    ///             - weight: 100
    ///               podAffinityTerm:
    ///                 labelSelector:
    ///                   matchLabels: {app: web}
    ///                 topologyKey: kubernetes.io/hostname
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds a *preferred* anti-affinity on `kubernetes.io/hostname` that
    /// selects the workload's `matchLabels`. It never blocks scheduling, but it changes where
    /// pods go, and the scheduler spends a little more time per pod.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
    /// - https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
    pub(crate) MissingAntiAffinity {
        name: "missing-anti-affinity",
        category: Reliability,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Replicas may all be scheduled on the same node",
        peers: [
            KubeLinter: "no-anti-affinity",
            KubeScore: "deployment-has-host-podantiaffinity",
            KubeScore: "statefulset-has-host-podantiaffinity",
        ],
    }
}

impl Rule for MissingAntiAffinity {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let object = pod.object;
        if !is_kind(object, &["apps", "extensions"], "Deployment")
            && !is_kind(object, &["apps"], "StatefulSet")
        {
            return;
        }
        let Some((_, n)) = replicas(object) else {
            return;
        };
        if n <= 1 {
            return;
        }
        let what = describe(object);
        match spread(pod) {
            Spread::Spreads => {}
            Spread::Misaimed(anti) => {
                cx.report(
                    anti.key_range(),
                    format!("The pod anti-affinity of {what} does not select its own pods, so its {n} replicas may share a node"),
                );
            }
            Spread::Missing => {
                let fix = anti_affinity_fix(cx, pod)
                    .map(|e| Fix::unsafe_("Prefer spreading the pods over nodes", e));
                cx.report(
                    pod.anchor(),
                    format!("{what} runs {n} replicas with no pod anti-affinity or topology spread constraints"),
                )
                .fix(fix);
            }
        }
    }
}

/// How a workload's pods are kept apart.
enum Spread<'a> {
    /// By topology spread constraints or an anti-affinity term over their own labels (or they
    /// have no labels to select, and nothing can be said).
    Spreads,
    /// By nothing.
    Missing,
    /// By an anti-affinity that does not select the pods themselves.
    Misaimed(Field<'a>),
}

fn spread<'a>(pod: PodCx<'a>) -> Spread<'a> {
    let spreads = pod
        .spec
        .topology_spread_constraints()
        .is_some_and(|f| f.items().next().is_some());
    if spreads {
        return Spread::Spreads;
    }
    let anti = pod
        .spec
        .affinity()
        .and_then(|f| f.as_mapping())
        .and_then(|m| m.get_entry("podAntiAffinity"))
        .map(Field::new)
        .filter(|f| !f.value().is_null());
    let Some(anti) = anti else {
        return Spread::Missing;
    };
    let labels: Vec<(String, String)> = pod
        .object
        .pod_labels()
        .map(|m| m.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
        .unwrap_or_default();
    if labels.is_empty() || terms(anti).any(|t| selects_own_pods(t, &labels)) {
        Spread::Spreads
    } else {
        Spread::Misaimed(anti)
    }
}

/// What a workload about to run more replicas needs so that `missing-anti-affinity` stays
/// quiet: `Ok(None)` when its pods already spread, `Ok(Some(edit))` adding the preferred
/// anti-affinity when it has none, `Err(())` when it has one that does not select its own pods
/// (only its author can repair that) or the edit is impossible.
pub(crate) fn spread_edit(cx: &Cx<'_>, pod: PodCx<'_>) -> Result<Option<crate::edit::Edit>, ()> {
    match spread(pod) {
        Spread::Spreads => Ok(None),
        Spread::Missing => anti_affinity_fix(cx, pod).map(Some).ok_or(()),
        Spread::Misaimed(_) => Err(()),
    }
}

/// The pod affinity terms of a `podAntiAffinity`, required and preferred.
fn terms<'a>(anti: Field<'a>) -> impl Iterator<Item = Mapping<'a>> + 'a {
    let m = anti.as_mapping();
    let required = m
        .and_then(|m| m.get_entry("requiredDuringSchedulingIgnoredDuringExecution"))
        .map(Field::new)
        .into_iter()
        .flat_map(|f| f.items())
        .filter_map(|n| n.as_mapping());
    let preferred = m
        .and_then(|m| m.get_entry("preferredDuringSchedulingIgnoredDuringExecution"))
        .map(Field::new)
        .into_iter()
        .flat_map(|f| f.items())
        .filter_map(|n| n.as_mapping())
        .filter_map(|w| w.get("podAffinityTerm").and_then(|t| t.resolve().as_mapping()));
    required.chain(preferred)
}

/// Whether a term repels pods that carry `labels`: its `labelSelector` matches them, or it
/// uses `matchLabelKeys` (which adds the pod's own values for those keys).
fn selects_own_pods(term: Mapping<'_>, labels: &[(String, String)]) -> bool {
    let keys = term
        .get("matchLabelKeys")
        .and_then(|n| n.resolve().as_sequence())
        .is_some_and(|s| !s.is_empty());
    if keys {
        return true;
    }
    let Some(sel) = term
        .get("labelSelector")
        .and_then(|n| LabelSelector::cast(n.resolve()))
    else {
        return false;
    };
    let sel = Selector::of(sel);
    !sel.is_empty() && sel.matches(labels)
}

/// A preferred anti-affinity on `kubernetes.io/hostname` over the workload's `matchLabels`,
/// added to a pod spec that has no `podAntiAffinity` at all.
fn anti_affinity_fix(cx: &Cx<'_>, pod: PodCx<'_>) -> Option<crate::edit::Edit> {
    let match_labels = pod
        .object
        .spec::<picket_model::WorkloadSpec>()?
        .selector()?
        .match_labels()?;
    let mut pairs = Vec::new();
    for f in match_labels.fields() {
        let key = f.key().as_scalar()?.raw();
        let value = f.value_as_written();
        if value.kind() != NodeKind::Scalar || value.tag().is_some() || value.anchor().is_some() {
            return None;
        }
        let raw = value.as_scalar()?;
        if raw.style().is_block() {
            return None;
        }
        pairs.push((key.to_owned(), Value::scalar(raw.raw())));
    }
    if pairs.is_empty() {
        return None;
    }
    let term = Value::Map(vec![
        ("weight".to_owned(), Value::scalar("100")),
        (
            "podAffinityTerm".to_owned(),
            Value::Map(vec![
                (
                    "labelSelector".to_owned(),
                    Value::map1("matchLabels", Value::Map(pairs)),
                ),
                (
                    "topologyKey".to_owned(),
                    Value::scalar("kubernetes.io/hostname"),
                ),
            ]),
        ),
    ]);
    let spec = pod.spec.mapping();
    if spec.has_merge()
        || spec
            .entry("affinity")
            .and_then(|e| e.value.as_mapping())
            .is_some_and(|m| m.has_merge())
    {
        return None;
    }
    ensure_path(
        cx.doc(),
        spec,
        &["affinity", "podAntiAffinity"],
        Value::map1(
            "preferredDuringSchedulingIgnoredDuringExecution",
            Value::Seq(vec![term]),
        ),
    )
}
