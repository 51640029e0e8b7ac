//! NetworkPolicies from observed traffic: a `networking.k8s.io/v1` NetworkPolicy and a Cilium
//! variant with `toFQDNs`, and the flows the workspace's own policies would deny (drift).
//!
//! How peers become policy peers, in order:
//!
//! 1. a peer with an identity (`peer` in the profile) or an address that is the cluster IP of a
//!    Service the workspace declares is selected by labels: a Service by its `spec.selector`,
//!    on its `targetPort` (egress to a Service is seen at its cluster IP and port, before
//!    translation, but policies apply to the pods behind it); a pod by its workload's selector
//!    when the workspace declares the workload, else by its own labels with the per-instance
//!    ones (`pod-template-hash`, `job-name`, …) taken out; a peer in another namespace also by
//!    `kubernetes.io/metadata.name`;
//! 2. DNS (port 53) always gets a rule to kube-dns over UDP and TCP, whatever address the
//!    lookups went to;
//! 3. loopback traffic stays in the pod and needs no rule;
//! 4. a public or link-local address becomes an `ipBlock` of that one address, with the DNS
//!    names seen for it as a comment (and as `toFQDNs` in the Cilium variant);
//! 5. any other private address (a pod or node address nobody named) is never written into
//!    the policy, since pod addresses change with every restart: it is listed, and lowers the
//!    confidence to low.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;

use serde::Serialize;
use serde_json::Value;

use picket_profile::{Direction, NetworkPeer, PeerKind, Profile, Protocol};

use crate::common::{dns_label, missing_hook};
use crate::confidence::{Confidence, Rating};
use crate::findings::RuntimeFinding;
use crate::netpol::eval;
use crate::seccomp::combined_evidence;
use crate::security_context::Withheld;
use crate::suggestion::{Change, Fact, Suggestion, SuggestionKind};
use crate::yaml::{comment_text, quoted};

/// Pod labels that differ between instances of one workload: a selector with them would
/// select one pod, one revision or one run of a Job only.
pub const PER_INSTANCE_LABELS: &[&str] = &[
    "apps.kubernetes.io/pod-index",
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-completion-index",
    "batch.kubernetes.io/job-name",
    "controller-revision-hash",
    "controller-uid",
    "job-name",
    "pod-template-generation",
    "pod-template-hash",
    "statefulset.kubernetes.io/pod-name",
];

/// The labels of the cluster DNS pods (CoreDNS keeps kube-dns's `k8s-app` label).
const KUBE_DNS_NAMESPACE: &str = "kube-system";
const KUBE_DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// The cluster DNS pods, as a peer selected by labels.
fn kube_dns_pods() -> ResolvedPeer {
    ResolvedPeer::Pods {
        namespace: KUBE_DNS_NAMESPACE.to_owned(),
        label: "kube-dns".to_owned(),
        selector: Selector::from_labels(&BTreeMap::from([(
            KUBE_DNS_LABEL.0.to_owned(),
            KUBE_DNS_LABEL.1.to_owned(),
        )])),
    }
}

fn per_instance(key: &str) -> bool {
    PER_INSTANCE_LABELS.contains(&key) || key.starts_with("topology.kubernetes.io/")
}

/// A label selector as the policy writes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Selector {
    /// `matchLabels`.
    pub match_labels: BTreeMap<String, String>,
    /// `matchExpressions`, as written in the manifest.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<SelectorExpression>,
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SelectorExpression {
    /// `key`.
    pub key: String,
    /// `operator`.
    pub operator: String,
    /// `values`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

impl Selector {
    fn from_labels(labels: &BTreeMap<String, String>) -> Selector {
        Selector {
            match_labels: labels
                .iter()
                .filter(|(k, _)| !per_instance(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            match_expressions: Vec::new(),
        }
    }

    /// A `{matchLabels, matchExpressions}` value, per-instance labels taken out.
    fn from_json(value: &Value) -> Selector {
        let mut selector = Selector::default();
        if let Some(labels) = value.get("matchLabels").and_then(Value::as_object) {
            for (k, v) in labels {
                if let Some(v) = v.as_str()
                    && !per_instance(k)
                {
                    selector.match_labels.insert(k.clone(), v.to_owned());
                }
            }
        }
        if let Some(exprs) = value.get("matchExpressions").and_then(Value::as_array) {
            for e in exprs {
                let (Some(key), Some(operator)) = (
                    e.get("key").and_then(Value::as_str),
                    e.get("operator").and_then(Value::as_str),
                ) else {
                    continue;
                };
                if per_instance(key) {
                    continue;
                }
                let values = e
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|v| {
                        v.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                selector.match_expressions.push(SelectorExpression {
                    key: key.to_owned(),
                    operator: operator.to_owned(),
                    values,
                });
            }
        }
        selector
    }

    fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    fn to_eval(&self) -> Option<eval::LabelSelector> {
        let mut value = serde_json::Map::new();
        value.insert(
            "matchLabels".to_owned(),
            serde_json::to_value(&self.match_labels).ok()?,
        );
        value.insert(
            "matchExpressions".to_owned(),
            serde_json::to_value(&self.match_expressions).ok()?,
        );
        eval::LabelSelector::from_json(&Value::Object(value)).ok()
    }
}

// ---------------------------------------------------------------------------------------------
// The workspace.

/// A Service the workspace declares.
#[derive(Clone, Debug)]
struct Service {
    namespace: String,
    name: String,
    cluster_ips: Vec<IpAddr>,
    selector: BTreeMap<String, String>,
    ports: Vec<ServicePort>,
}

#[derive(Clone, Debug)]
struct ServicePort {
    port: u16,
    protocol: Protocol,
    /// `targetPort`: a number or a container port's name; the port itself when absent.
    target: PortValue,
}

/// A port in a policy: a number or a named container port.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum PortValue {
    /// A port number.
    Number(u16),
    /// A container port's name.
    Name(String),
}

/// A workload the workspace declares, with the selector its pods are chosen by.
#[derive(Clone, Debug)]
struct DeclaredWorkload {
    namespace: String,
    kind: String,
    name: String,
    selector: Selector,
    labels: BTreeMap<String, String>,
    container_ports: Vec<eval::ContainerPort>,
}

/// What the workspace declares besides the workload a policy is for: the Services and
/// workloads peers are mapped to, the NetworkPolicies drift is checked against, the labels of
/// namespaces.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    default_namespace: String,
    services: Vec<Service>,
    workloads: Vec<DeclaredWorkload>,
    policies: Vec<eval::NetworkPolicy>,
    namespaces: Vec<eval::Namespace>,
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
}

fn labels_at(value: &Value, path: &[&str]) -> BTreeMap<String, String> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn protocol_of(value: Option<&Value>) -> Option<Protocol> {
    match value.and_then(Value::as_str) {
        None | Some("TCP") => Some(Protocol::Tcp),
        Some("UDP") => Some(Protocol::Udp),
        Some(_) => None,
    }
}

fn port_of(value: &Value) -> Option<PortValue> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .and_then(|n| u16::try_from(n).ok())
            .map(PortValue::Number),
        Value::String(s) => match s.parse::<u16>() {
            Ok(n) => Some(PortValue::Number(n)),
            Err(_) => Some(PortValue::Name(s.clone())),
        },
        _ => None,
    }
}

/// Where each workload kind keeps its pod template.
fn template_of<'a>(object: &'a Value, kind: &str) -> Option<&'a Value> {
    match kind {
        "Pod" => Some(object),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            object.get("spec")?.get("template")
        }
        "CronJob" => object
            .get("spec")?
            .get("jobTemplate")?
            .get("spec")?
            .get("template"),
        _ => None,
    }
}

fn declared_workload(object: &Value, default_namespace: &str) -> Option<DeclaredWorkload> {
    let kind = object.get("kind")?.as_str()?;
    let template = template_of(object, kind)?;
    let name = str_at(object, &["metadata", "name"])?;
    let namespace = str_at(object, &["metadata", "namespace"]).unwrap_or(default_namespace);
    let labels = labels_at(template, &["metadata", "labels"]);
    // Controllers with a selector of their own choose pods by it; Jobs generate theirs from a
    // per-run uid, so a Job's or CronJob's pods are chosen by their template's labels.
    let selector = match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => object
            .get("spec")
            .and_then(|s| s.get("selector"))
            .map(Selector::from_json)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| Selector::from_labels(&labels)),
        _ => Selector::from_labels(&labels),
    };
    let mut container_ports = Vec::new();
    if let Some(containers) = template
        .get("spec")
        .and_then(|s| s.get("containers"))
        .and_then(Value::as_array)
    {
        for c in containers {
            for p in c
                .get("ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let (Some(name), Some(PortValue::Number(port))) = (
                    p.get("name").and_then(Value::as_str),
                    p.get("containerPort").and_then(port_of),
                ) else {
                    continue;
                };
                let protocol = match protocol_of(p.get("protocol")) {
                    Some(Protocol::Udp) => eval::Protocol::Udp,
                    _ => eval::Protocol::Tcp,
                };
                container_ports.push(eval::ContainerPort {
                    name: name.to_owned(),
                    port,
                    protocol,
                });
            }
        }
    }
    Some(DeclaredWorkload {
        namespace: namespace.to_owned(),
        kind: kind.to_owned(),
        name: name.to_owned(),
        selector,
        labels,
        container_ports,
    })
}

impl Workspace {
    /// The workspace of `objects` (every object of its manifests, as JSON values; `List`s
    /// are opened), objects without a namespace being in `default_namespace`. Objects it
    /// cannot read are left out.
    pub fn new(objects: Vec<Value>, default_namespace: &str) -> Workspace {
        let mut ws = Workspace {
            default_namespace: default_namespace.to_owned(),
            ..Workspace::default()
        };
        let mut queue = objects;
        while let Some(object) = queue.pop() {
            let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
            let namespace = str_at(&object, &["metadata", "namespace"])
                .unwrap_or(default_namespace)
                .to_owned();
            match kind {
                "List" => {
                    if let Some(items) = object.get("items").and_then(Value::as_array) {
                        queue.extend(items.iter().cloned());
                    }
                }
                "Service" => {
                    let Some(name) = str_at(&object, &["metadata", "name"]) else {
                        continue;
                    };
                    let spec = object.get("spec").cloned().unwrap_or(Value::Null);
                    let mut cluster_ips: Vec<IpAddr> = spec
                        .get("clusterIPs")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .chain(spec.get("clusterIP"))
                        .filter_map(|v| v.as_str()?.parse().ok())
                        .collect();
                    cluster_ips.sort();
                    cluster_ips.dedup();
                    let ports = spec
                        .get("ports")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|p| {
                            let Some(PortValue::Number(port)) = p.get("port").and_then(port_of)
                            else {
                                return None;
                            };
                            Some(ServicePort {
                                port,
                                protocol: protocol_of(p.get("protocol"))?,
                                target: p
                                    .get("targetPort")
                                    .and_then(port_of)
                                    .unwrap_or(PortValue::Number(port)),
                            })
                        })
                        .collect();
                    ws.services.push(Service {
                        namespace,
                        name: name.to_owned(),
                        cluster_ips,
                        selector: labels_at(&spec, &["selector"]),
                        ports,
                    });
                }
                "NetworkPolicy" => {
                    let mut object = object.clone();
                    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
                        meta.entry("namespace")
                            .or_insert_with(|| Value::String(namespace.clone()));
                    }
                    if let Ok(policy) = eval::NetworkPolicy::from_json(&object) {
                        ws.policies.push(policy);
                    }
                }
                "Namespace" => {
                    if let Some(name) = str_at(&object, &["metadata", "name"]) {
                        ws.namespaces.push(eval::Namespace {
                            name: name.to_owned(),
                            labels: labels_at(&object, &["metadata", "labels"]),
                        });
                    }
                }
                _ => {
                    if let Some(w) = declared_workload(&object, default_namespace) {
                        ws.workloads.push(w);
                    }
                }
            }
        }
        ws
    }

    fn service_at(&self, ip: IpAddr) -> Option<&Service> {
        self.services.iter().find(|s| s.cluster_ips.contains(&ip))
    }

    fn service(&self, namespace: &str, name: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.namespace == namespace && s.name == name)
    }

    fn workload(&self, namespace: &str, kind: &str, name: &str) -> Option<&DeclaredWorkload> {
        self.workloads
            .iter()
            .find(|w| w.namespace == namespace && w.kind == kind && w.name == name)
    }
}

// ---------------------------------------------------------------------------------------------
// Peers.

/// Who an observed peer is, as far as the policy can tell.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ResolvedPeer {
    /// Pods chosen by labels: a Service's backends or a workload's pods.
    Pods {
        /// Their namespace.
        namespace: String,
        /// What they are, for people: `Service shop/db`, `Deployment shop/web`.
        label: String,
        /// The labels that select them.
        selector: Selector,
    },
    /// The cluster DNS.
    KubeDns,
    /// An address outside the cluster, or a node's.
    Cidr {
        /// `a.b.c.d/32` or `…/128`.
        cidr: String,
        /// DNS names seen for it.
        names: Vec<String>,
        /// `node <name>` for a node.
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Loopback: traffic inside the pod.
    Loopback,
    /// An in-cluster address nobody named.
    Unknown {
        /// The address.
        address: String,
        /// Why it could not be selected.
        why: String,
    },
}

impl ResolvedPeer {
    /// A short name: `Service shop/db`, `kube-dns`, `140.82.112.3/32 (api.github.com)`.
    pub fn label(&self) -> String {
        match self {
            ResolvedPeer::Pods { label, .. } => label.clone(),
            ResolvedPeer::KubeDns => "kube-dns".to_owned(),
            ResolvedPeer::Cidr { cidr, names, note } => {
                let mut s = cidr.clone();
                if let Some(note) = note {
                    let _ = write!(s, " ({note})");
                } else if !names.is_empty() {
                    let _ = write!(s, " ({})", names.join(", "));
                }
                s
            }
            ResolvedPeer::Loopback => "loopback".to_owned(),
            ResolvedPeer::Unknown { address, .. } => format!("unidentified {address}"),
        }
    }
}

/// One observed flow of the workload, with its peer resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedFlow {
    /// Which way.
    pub direction: Direction,
    /// The protocol.
    pub protocol: Protocol,
    /// The address seen.
    pub address: String,
    /// The port seen (egress: the destination's; ingress: the workload's own).
    pub port: u16,
    /// The port the policy allows: a Service's `targetPort` for egress to a Service.
    pub policy_port: PortValue,
    /// Who the peer is.
    pub peer: ResolvedPeer,
    /// How often it was seen.
    pub count: u64,
    /// True for DNS lookups.
    pub dns: bool,
}

fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private() || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

fn host_cidr(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(_) => format!("{ip}/32"),
        IpAddr::V6(_) => format!("{ip}/128"),
    }
}

/// Where one observed peer goes in a policy, and on which port; `notes` collects what the
/// reader should know (a Service not declared in the workspace).
fn resolve(
    peer: &NetworkPeer,
    own_namespace: &str,
    ws: &Workspace,
    lowered: &mut Vec<(Confidence, String)>,
) -> (ResolvedPeer, PortValue) {
    let observed_port = PortValue::Number(peer.port);
    let Ok(ip) = peer.address.parse::<IpAddr>() else {
        return (
            ResolvedPeer::Unknown {
                address: peer.address.clone(),
                why: "not an IP address".to_owned(),
            },
            observed_port,
        );
    };
    let ip = ip.to_canonical();
    if ip.is_loopback() {
        return (ResolvedPeer::Loopback, observed_port);
    }
    let service_target = |svc: &Service| {
        svc.ports
            .iter()
            .find(|p| p.port == peer.port && p.protocol == peer.protocol)
            .map(|p| p.target.clone())
    };
    // A Service's selector is taken as declared: it is what the Service selects, per-instance
    // labels included (a per-pod Service selects one pod on purpose).
    let pods_of_service = |svc: &Service| ResolvedPeer::Pods {
        namespace: svc.namespace.clone(),
        label: format!("Service {}/{}", svc.namespace, svc.name),
        selector: Selector {
            match_labels: svc.selector.clone(),
            match_expressions: Vec::new(),
        },
    };
    if let Some(identity) = &peer.peer {
        let namespace = identity
            .namespace
            .clone()
            .unwrap_or_else(|| own_namespace.to_owned());
        match identity.kind {
            PeerKind::Service => {
                if let Some(svc) = ws.service(&namespace, &identity.name) {
                    return service_peer(
                        peer,
                        svc,
                        service_target(svc),
                        pods_of_service(svc),
                        lowered,
                    );
                }
                let selector = Selector {
                    match_labels: identity.labels.clone(),
                    match_expressions: Vec::new(),
                };
                let label = format!("Service {namespace}/{}", identity.name);
                if selector.is_empty() {
                    return (
                        ResolvedPeer::Unknown {
                            address: peer.address.clone(),
                            why: format!("{label} has no selector"),
                        },
                        observed_port,
                    );
                }
                lowered.push((
                    Confidence::Medium,
                    format!(
                        "{label} is not declared in the workspace, so port {} is its own port, \
                         which may differ from the port of its pods (`targetPort`)",
                        peer.port
                    ),
                ));
                return (
                    ResolvedPeer::Pods {
                        namespace,
                        label,
                        selector,
                    },
                    observed_port,
                );
            }
            PeerKind::Pod => {
                if let Some(owner) = &identity.workload
                    && let Some(w) = ws.workload(&namespace, &owner.kind, &owner.name)
                    && !w.selector.is_empty()
                {
                    return (
                        ResolvedPeer::Pods {
                            namespace,
                            label: format!("{} {}/{}", w.kind, w.namespace, w.name),
                            selector: w.selector.clone(),
                        },
                        observed_port,
                    );
                }
                let selector = Selector::from_labels(&identity.labels);
                let label = match &identity.workload {
                    Some(owner) => format!("{} {namespace}/{}", owner.kind, owner.name),
                    None => format!("Pod {namespace}/{}", identity.name),
                };
                if selector.is_empty() {
                    return (
                        ResolvedPeer::Unknown {
                            address: peer.address.clone(),
                            why: format!("{label} has no labels but per-instance ones"),
                        },
                        observed_port,
                    );
                }
                return (
                    ResolvedPeer::Pods {
                        namespace,
                        label,
                        selector,
                    },
                    observed_port,
                );
            }
            PeerKind::Node => {
                return (
                    ResolvedPeer::Cidr {
                        cidr: host_cidr(ip),
                        names: peer.names.clone(),
                        note: Some(format!("node {}", identity.name)),
                    },
                    observed_port,
                );
            }
        }
    }
    if let Some(svc) = ws.service_at(ip) {
        return service_peer(
            peer,
            svc,
            service_target(svc),
            pods_of_service(svc),
            lowered,
        );
    }
    if is_private(ip) {
        return (
            ResolvedPeer::Unknown {
                address: peer.address.clone(),
                why: "an in-cluster address that the profile does not name and no Service in \
                      the workspace has"
                    .to_owned(),
            },
            observed_port,
        );
    }
    (
        ResolvedPeer::Cidr {
            cidr: host_cidr(ip),
            names: peer.names.clone(),
            note: None,
        },
        observed_port,
    )
}

fn service_peer(
    peer: &NetworkPeer,
    svc: &Service,
    target: Option<PortValue>,
    pods: ResolvedPeer,
    lowered: &mut Vec<(Confidence, String)>,
) -> (ResolvedPeer, PortValue) {
    if svc.selector.is_empty() {
        return (
            ResolvedPeer::Unknown {
                address: peer.address.clone(),
                why: format!(
                    "Service {}/{} has no selector (its endpoints are managed by hand)",
                    svc.namespace, svc.name
                ),
            },
            PortValue::Number(peer.port),
        );
    }
    let target = target.unwrap_or_else(|| {
        lowered.push((
            Confidence::Medium,
            format!(
                "Service {}/{} declares no {} port {}, so the pods' port is not known",
                svc.namespace,
                svc.name,
                protocol_name(peer.protocol),
                peer.port
            ),
        ));
        PortValue::Number(peer.port)
    });
    (pods, target)
}

fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
    }
}

// ---------------------------------------------------------------------------------------------
// The review.

/// What the profiles of one workload say about its network policy.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkReview {
    /// A NetworkPolicy and its Cilium variant, each one [`Change::CreateFile`].
    pub suggestions: Vec<Suggestion>,
    /// Suggestions not made, and why.
    pub withheld: Vec<Withheld>,
    /// Observed flows that the workspace's NetworkPolicies deny.
    pub drift: Vec<RuntimeFinding>,
    /// Every observed flow, its peer resolved, in a stable order.
    pub flows: Vec<ObservedFlow>,
}

/// The policy's own target.
struct Target {
    workload: DeclaredWorkload,
    egress: bool,
    ingress: bool,
    /// Flows whose peer nobody named, per direction, as comment text.
    unnamed: Vec<(Direction, String)>,
}

/// A rule being built: a peer and its ports.
#[derive(Default)]
struct RuleParts {
    ports: BTreeSet<(Protocol, PortValue)>,
    count: u64,
}

/// Compares what the profiles of `workload`'s containers saw on the network with what the
/// workspace declares, and suggests a NetworkPolicy (and a `CiliumNetworkPolicy`) that allows
/// the observed traffic and DNS, and nothing else. `workload` is the workload object as JSON;
/// `profiles` are those of its containers (one merged profile each).
pub fn review(workload: &Value, profiles: &[Profile], ws: &Workspace) -> NetworkReview {
    let mut out = NetworkReview::default();
    let withhold_both = |out: &mut NetworkReview, reason: String| {
        for kind in [
            SuggestionKind::NetworkPolicy,
            SuggestionKind::CiliumNetworkPolicy,
        ] {
            out.withheld.push(Withheld {
                kind,
                reason: reason.clone(),
            });
        }
    };
    let Some(declared) = declared_workload(workload, &ws.default_namespace) else {
        withhold_both(
            &mut out,
            "The object is not a workload with a pod template.".to_owned(),
        );
        return out;
    };
    let egress = profiles
        .iter()
        .all(|p| missing_hook(p, "network-egress").is_none());
    let ingress = profiles
        .iter()
        .all(|p| missing_hook(p, "network-ingress").is_none());
    let mut target = Target {
        workload: declared,
        egress,
        ingress,
        unnamed: Vec::new(),
    };
    let mut lowered: Vec<(Confidence, String)> = Vec::new();
    out.flows = flows(profiles, &target.workload.namespace, ws, &mut lowered);
    target.unnamed = out
        .flows
        .iter()
        .filter(|f| matches!(f.peer, ResolvedPeer::Unknown { .. }))
        .map(|f| {
            let (arrow, times) = (
                match f.direction {
                    Direction::Egress => "to",
                    Direction::Ingress => "from",
                },
                if f.count == 1 {
                    "once".to_owned()
                } else {
                    format!("{} times", f.count)
                },
            );
            (
                f.direction,
                comment_text(&format!(
                    "Not allowed, not identified: {} {arrow} {} port {}, seen {times}.",
                    protocol_name(f.protocol),
                    f.address,
                    f.port
                )),
            )
        })
        .collect();
    out.drift = drift(&target, &out.flows, ws);
    if profiles.is_empty() {
        withhold_both(&mut out, "No profile of the workload was given.".to_owned());
        return out;
    }
    let host_network = template_of(workload, &target.workload.kind)
        .and_then(|t| t.get("spec"))
        .and_then(|s| s.get("hostNetwork"))
        .and_then(Value::as_bool)
        == Some(true);
    if host_network {
        withhold_both(
            &mut out,
            "The pods use the node's network (`hostNetwork: true`), which NetworkPolicies do \
             not apply to."
                .to_owned(),
        );
        return out;
    }
    if target.workload.selector.is_empty() {
        withhold_both(
            &mut out,
            format!(
                "{} {}/{} has no labels to select its pods by (per-instance labels do not \
                 count); add a label to its pod template.",
                target.workload.kind, target.workload.namespace, target.workload.name
            ),
        );
        return out;
    }
    if !egress && !ingress {
        withhold_both(
            &mut out,
            "The `network-egress` and `network-ingress` hooks were missing, so the traffic \
             is unknown."
                .to_owned(),
        );
        return out;
    }

    let unknown: Vec<&ObservedFlow> = out
        .flows
        .iter()
        .filter(|f| matches!(f.peer, ResolvedPeer::Unknown { .. }) && !f.dns)
        .filter(|f| match f.direction {
            Direction::Egress => egress,
            Direction::Ingress => ingress,
        })
        .collect();
    let mut notes = vec![
        "A NetworkPolicy has no audit mode: traffic the learning window missed will be \
         denied, so apply it in a staging namespace first (or use the Cilium variant with \
         policy audit mode)."
            .to_owned(),
    ];
    if !unknown.is_empty() {
        let list: Vec<String> = unknown
            .iter()
            .map(|f| {
                let ResolvedPeer::Unknown { why, .. } = &f.peer else {
                    unreachable!("filtered on Unknown")
                };
                format!(
                    "{} {} {}:{} ({why})",
                    direction_name(f.direction),
                    protocol_name(f.protocol),
                    f.address,
                    f.port
                )
            })
            .collect();
        lowered.push((
            Confidence::Low,
            format!(
                "{} could not be identified and {} not allowed: {}",
                plural(unknown.len(), "peer"),
                if unknown.len() == 1 { "is" } else { "are" },
                list.join("; ")
            ),
        ));
        notes.push(
            "Peers are selected by who they are, never by pod address; record with a sensor \
             that names peers, or add their rules by hand."
                .to_owned(),
        );
    }
    if !egress {
        notes.push(
            "The `network-egress` hook was missing, so the policy does not restrict egress."
                .to_owned(),
        );
    }
    if !ingress {
        notes.push(
            "The `network-ingress` hook was missing, so the policy does not restrict ingress."
                .to_owned(),
        );
    }

    let (egress_rules, ingress_rules) = rules(&out.flows, &target);
    let mut rating = Rating::default();
    for profile in profiles {
        for lowering in Rating::of(profile).lowered_by {
            if !rating.lowered_by.contains(&lowering) {
                rating.lowered_by.push(lowering);
            }
        }
    }
    for (to, reason) in lowered {
        if !rating.lowered_by.iter().any(|l| l.reason == reason) {
            rating.lower(to, reason);
        }
    }
    let facts: Vec<Fact> = out
        .flows
        .iter()
        .filter_map(|f| {
            let mut evidence = profiles
                .iter()
                .flat_map(|p| &p.network)
                .find(|n| {
                    n.direction == f.direction
                        && n.protocol == f.protocol
                        && n.address == f.address
                        && n.port == f.port
                })?
                .evidence
                .clone();
            evidence.count = f.count;
            Some(Fact {
                what: flow_text(f),
                evidence,
            })
        })
        .collect();
    let evidence = combined_evidence(profiles, facts);
    let w = &target.workload;
    let name = policy_name(&w.name);
    let header = header_comment(&target, &evidence);
    let k8s = render_k8s(&name, &target, &header, &egress_rules, &ingress_rules);
    let cilium = render_cilium(&name, &target, &header, &egress_rules, &ingress_rules);
    let described = format!(
        "{} and {}",
        plural(egress_rules.len() + usize::from(egress), "egress rule"),
        plural(ingress_rules.len(), "ingress rule")
    );
    out.suggestions.push(Suggestion {
        kind: SuggestionKind::NetworkPolicy,
        changes: vec![Change::CreateFile {
            file_name: format!("{name}-networkpolicy.yaml"),
            content: k8s,
        }],
        message: format!(
            "Create NetworkPolicy `{name}` for {} {}/{}: {described} allowing what was seen \
             (and DNS), nothing else.",
            w.kind, w.namespace, w.name
        ),
        notes: notes.clone(),
        evidence: evidence.clone(),
        confidence: rating.confidence(),
        lowered_by: rating.lowered_by.clone(),
    });
    let mut cilium_notes = notes;
    cilium_notes[0] = "Cilium can try a policy without enforcing it: set the endpoints' policy \
                       audit mode while the policy is new."
        .to_owned();
    out.suggestions.push(Suggestion {
        kind: SuggestionKind::CiliumNetworkPolicy,
        changes: vec![Change::CreateFile {
            file_name: format!("{name}-ciliumnetworkpolicy.yaml"),
            content: cilium,
        }],
        message: format!(
            "Create CiliumNetworkPolicy `{name}` for {} {}/{}: like the NetworkPolicy, with \
             DNS names (`toFQDNs`) for the external peers that have them.",
            w.kind, w.namespace, w.name
        ),
        notes: cilium_notes,
        evidence,
        confidence: rating.confidence(),
        lowered_by: rating.lowered_by,
    });
    out
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::Egress => "egress",
        Direction::Ingress => "ingress",
    }
}

fn flow_text(f: &ObservedFlow) -> String {
    let arrow = match f.direction {
        Direction::Egress => "to",
        Direction::Ingress => "from",
    };
    format!(
        "{} {} {arrow} {} port {} ({})",
        direction_name(f.direction),
        protocol_name(f.protocol),
        f.address,
        f.port,
        f.peer.label()
    )
}

/// `picket-<workload>`, a DNS subdomain.
fn policy_name(workload: &str) -> String {
    format!("picket-{}", dns_label(workload, 55, "workload"))
}

fn flows(
    profiles: &[Profile],
    own_namespace: &str,
    ws: &Workspace,
    lowered: &mut Vec<(Confidence, String)>,
) -> Vec<ObservedFlow> {
    let mut by_key: BTreeMap<(Direction, Protocol, String, u16), ObservedFlow> = BTreeMap::new();
    // Profiles from sensors that recorded DNS answers as inbound datagrams: UDP "from" a DNS
    // server the workload queried is its answers, part of the lookup.
    let dns_servers: BTreeSet<&str> = profiles
        .iter()
        .flat_map(|p| &p.network)
        .filter(|p| p.direction == Direction::Egress && (p.dns || p.port == 53))
        .map(|p| p.address.as_str())
        .collect();
    for peer in profiles.iter().flat_map(|p| &p.network) {
        if peer.direction == Direction::Ingress
            && peer.protocol == Protocol::Udp
            && dns_servers.contains(peer.address.as_str())
        {
            continue;
        }
        let key = (
            peer.direction,
            peer.protocol,
            peer.address.clone(),
            peer.port,
        );
        if let Some(flow) = by_key.get_mut(&key) {
            flow.count = flow.count.saturating_add(peer.evidence.count);
            continue;
        }
        let (mut resolved, policy_port) = resolve(peer, own_namespace, ws, lowered);
        if let ResolvedPeer::Pods {
            selector, label, ..
        } = &resolved
            && selector.is_empty()
        {
            // Never a peer with an empty selector: that would be every pod.
            resolved = ResolvedPeer::Unknown {
                address: peer.address.clone(),
                why: format!("{label} has nothing to select its pods by"),
            };
        }
        let dns = peer.direction == Direction::Egress && (peer.dns || peer.port == 53);
        if dns && matches!(resolved, ResolvedPeer::Unknown { .. }) {
            // Lookups to an in-cluster address nobody named go to the cluster DNS (at its
            // Service address, or one of its pods); a DNS Service that is named keeps its rule.
            resolved = ResolvedPeer::KubeDns;
        }
        by_key.insert(
            key,
            ObservedFlow {
                direction: peer.direction,
                protocol: peer.protocol,
                address: peer.address.clone(),
                port: peer.port,
                policy_port,
                peer: resolved,
                count: peer.evidence.count,
                dns,
            },
        );
    }
    by_key.into_values().collect()
}

type Rules = Vec<(ResolvedPeer, RuleParts)>;

/// Egress and ingress rules: one per peer with its ports, in a stable order. DNS lookups are
/// covered by the kube-dns rule (and a rule for an outside DNS server that was used).
fn rules(flows: &[ObservedFlow], target: &Target) -> (Rules, Rules) {
    let mut egress: BTreeMap<ResolvedPeer, RuleParts> = BTreeMap::new();
    let mut ingress: BTreeMap<ResolvedPeer, RuleParts> = BTreeMap::new();
    for f in flows {
        if matches!(
            f.peer,
            ResolvedPeer::Unknown { .. } | ResolvedPeer::Loopback
        ) {
            continue;
        }
        let (map, enforced) = match f.direction {
            Direction::Egress => (&mut egress, target.egress),
            Direction::Ingress => (&mut ingress, target.ingress),
        };
        if !enforced {
            continue;
        }
        if f.dns {
            // Lookups to the cluster DNS (seen at its Service address, or at a pod of it)
            // are covered by the kube-dns rule; an outside server gets its own rule.
            if let ResolvedPeer::Pods { .. } = &f.peer {
                let parts = map.entry(f.peer.clone()).or_default();
                parts.ports.insert((Protocol::Udp, PortValue::Number(53)));
                parts.ports.insert((Protocol::Tcp, PortValue::Number(53)));
                parts.count += f.count;
            }
            if let ResolvedPeer::Cidr { cidr, note, .. } = &f.peer {
                // A rule of its own, by address: the names the server's address may also
                // have are not how lookups reach it (Cilium could only learn them from the
                // lookups it is to allow).
                // Its own rule also apart from other traffic to the same address, so that
                // Cilium's DNS proxy sees only the lookups.
                let server = ResolvedPeer::Cidr {
                    cidr: cidr.clone(),
                    names: Vec::new(),
                    note: Some(note.clone().unwrap_or_else(|| "DNS server".to_owned())),
                };
                let parts = map.entry(server).or_default();
                parts.ports.insert((Protocol::Udp, PortValue::Number(53)));
                parts.ports.insert((Protocol::Tcp, PortValue::Number(53)));
                parts.count += f.count;
            }
            continue;
        }
        let parts = map.entry(f.peer.clone()).or_default();
        parts.ports.insert((f.protocol, f.policy_port.clone()));
        parts.count += f.count;
    }
    (egress.into_iter().collect(), ingress.into_iter().collect())
}

fn header_comment(target: &Target, evidence: &crate::SuggestionEvidence) -> String {
    let w = &target.workload;
    format!(
        "# Generated by `picket suggest` from what {} {}/{} was seen doing:\n\
         # {} to {}, {} on {}.\n\
         # It allows the traffic seen, and DNS, and nothing else.\n",
        w.kind,
        comment_text(&w.namespace),
        comment_text(&w.name),
        comment_text(&evidence.window.start),
        comment_text(&evidence.window.end),
        plural(evidence.replicas, "replica"),
        plural(evidence.nodes.len(), "node"),
    )
}

// ---------------------------------------------------------------------------------------------
// Rendering.

fn push_labels(out: &mut String, indent: usize, labels: &BTreeMap<String, String>) {
    let pad = " ".repeat(indent);
    for (k, v) in labels {
        let _ = writeln!(out, "{pad}{}: {}", quoted(k), quoted(v));
    }
}

/// `matchLabels:`/`matchExpressions:` of `selector` at `indent`.
fn push_selector(out: &mut String, indent: usize, selector: &Selector) {
    let pad = " ".repeat(indent);
    if !selector.match_labels.is_empty() {
        let _ = writeln!(out, "{pad}matchLabels:");
        push_labels(out, indent + 2, &selector.match_labels);
    }
    if !selector.match_expressions.is_empty() {
        let _ = writeln!(out, "{pad}matchExpressions:");
        for e in &selector.match_expressions {
            let _ = writeln!(out, "{pad}  - key: {}", quoted(&e.key));
            let _ = writeln!(out, "{pad}    operator: {}", quoted(&e.operator));
            if !e.values.is_empty() {
                let values: Vec<String> = e.values.iter().map(|v| quoted(v)).collect();
                let _ = writeln!(out, "{pad}    values: [{}]", values.join(", "));
            }
        }
    }
}

fn port_text(port: &PortValue) -> String {
    match port {
        PortValue::Number(n) => n.to_string(),
        PortValue::Name(name) => quoted(name),
    }
}

fn rule_comment(peer: &ResolvedPeer, parts: &RuleParts) -> String {
    let times = if parts.count == 1 {
        "once".to_owned()
    } else {
        format!("{} times", parts.count)
    };
    format!("{}: seen {times}", comment_text(&peer.label()))
}

/// One NetworkPolicy peer (an entry of `to`/`from`) at `indent`, as a list item.
fn push_k8s_peer(out: &mut String, indent: usize, peer: &ResolvedPeer, own_namespace: &str) {
    let pad = " ".repeat(indent);
    match peer {
        ResolvedPeer::KubeDns => push_k8s_peer(out, indent, &kube_dns_pods(), own_namespace),
        ResolvedPeer::Pods {
            namespace,
            selector,
            ..
        } => {
            if namespace == own_namespace {
                let _ = writeln!(out, "{pad}- podSelector:");
            } else {
                let _ = writeln!(out, "{pad}- namespaceSelector:");
                let _ = writeln!(out, "{pad}    matchLabels:");
                let _ = writeln!(
                    out,
                    "{pad}      {}: {}",
                    quoted(eval::NAMESPACE_NAME_LABEL),
                    quoted(namespace)
                );
                let _ = writeln!(out, "{pad}  podSelector:");
            }
            push_selector(out, indent + 4, selector);
        }
        ResolvedPeer::Cidr { cidr, .. } => {
            let _ = writeln!(out, "{pad}- ipBlock:");
            let _ = writeln!(out, "{pad}    cidr: {}", quoted(cidr));
        }
        ResolvedPeer::Loopback | ResolvedPeer::Unknown { .. } => {}
    }
}

/// Comments for the flows of `direction` whose peer nobody named, which the policy denies.
fn push_unnamed(out: &mut String, target: &Target, direction: Direction) {
    for (d, text) in &target.unnamed {
        if *d == direction {
            let _ = writeln!(out, "  # {text}");
        }
    }
}

fn push_k8s_ports(out: &mut String, indent: usize, ports: &BTreeSet<(Protocol, PortValue)>) {
    let pad = " ".repeat(indent);
    let _ = writeln!(out, "{pad}ports:");
    for (protocol, port) in ports {
        let _ = writeln!(out, "{pad}  - protocol: {}", protocol_name(*protocol));
        let _ = writeln!(out, "{pad}    port: {}", port_text(port));
    }
}

fn dns_ports() -> BTreeSet<(Protocol, PortValue)> {
    [
        (Protocol::Tcp, PortValue::Number(53)),
        (Protocol::Udp, PortValue::Number(53)),
    ]
    .into()
}

fn render_k8s(
    name: &str,
    target: &Target,
    header: &str,
    egress: &Rules,
    ingress: &Rules,
) -> String {
    let w = &target.workload;
    let mut out = String::from(header);
    out.push_str(
        "# A NetworkPolicy has no audit mode: try it in a staging namespace first.\n\
         apiVersion: networking.k8s.io/v1\n\
         kind: NetworkPolicy\n\
         metadata:\n",
    );
    let _ = writeln!(out, "  name: {}", quoted(name));
    let _ = writeln!(out, "  namespace: {}", quoted(&w.namespace));
    out.push_str("spec:\n  podSelector:\n");
    push_selector(&mut out, 4, &w.selector);
    out.push_str("  policyTypes:\n");
    if target.ingress {
        out.push_str("    - Ingress\n");
    }
    if target.egress {
        out.push_str("    - Egress\n");
    }
    if target.ingress {
        push_unnamed(&mut out, target, Direction::Ingress);
        if ingress.is_empty() {
            out.push_str("  # No connection to the workload was seen: nothing may connect.\n");
            out.push_str("  ingress: []\n");
        } else {
            out.push_str("  ingress:\n");
            for (peer, parts) in ingress {
                let _ = writeln!(out, "    # {}", rule_comment(peer, parts));
                out.push_str("    - from:\n");
                push_k8s_peer(&mut out, 8, peer, &w.namespace);
                push_k8s_ports(&mut out, 6, &parts.ports);
            }
        }
    }
    if target.egress {
        push_unnamed(&mut out, target, Direction::Egress);
        out.push_str("  egress:\n");
        out.push_str("    # DNS: the cluster DNS, over UDP and TCP (always allowed).\n");
        out.push_str("    - to:\n");
        push_k8s_peer(&mut out, 8, &ResolvedPeer::KubeDns, &w.namespace);
        push_k8s_ports(&mut out, 6, &dns_ports());
        for (peer, parts) in egress {
            let _ = writeln!(out, "    # {}", rule_comment(peer, parts));
            out.push_str("    - to:\n");
            push_k8s_peer(&mut out, 8, peer, &w.namespace);
            push_k8s_ports(&mut out, 6, &parts.ports);
        }
    }
    out
}

/// The pod-namespace label in Cilium's endpoint selectors.
const CILIUM_NAMESPACE_LABEL: &str = "k8s:io.kubernetes.pod.namespace";

fn push_cilium_ports(out: &mut String, indent: usize, ports: &BTreeSet<(Protocol, PortValue)>) {
    let pad = " ".repeat(indent);
    let _ = writeln!(out, "{pad}toPorts:");
    let _ = writeln!(out, "{pad}  - ports:");
    for (protocol, port) in ports {
        let port = match port {
            PortValue::Number(n) => quoted(&n.to_string()),
            PortValue::Name(name) => quoted(name),
        };
        let _ = writeln!(out, "{pad}      - port: {port}");
        let _ = writeln!(out, "{pad}        protocol: {}", protocol_name(*protocol));
    }
}

/// One Cilium rule for `peer` (`toEndpoints`/`fromEndpoints`, `toFQDNs`, `toCIDR`), as a list
/// item at `indent`.
fn push_cilium_rule(
    out: &mut String,
    indent: usize,
    direction: Direction,
    peer: &ResolvedPeer,
    ports: &BTreeSet<(Protocol, PortValue)>,
    own_namespace: &str,
) {
    let pad = " ".repeat(indent);
    let (endpoints, cidrs) = match direction {
        Direction::Egress => ("toEndpoints", "toCIDR"),
        Direction::Ingress => ("fromEndpoints", "fromCIDR"),
    };
    match peer {
        ResolvedPeer::KubeDns => {
            push_cilium_rule(
                out,
                indent,
                direction,
                &kube_dns_pods(),
                ports,
                own_namespace,
            );
            // Cilium learns the addresses behind `toFQDNs` names from the DNS answers its
            // proxy sees, so lookups go through it.
            let _ = writeln!(out, "{pad}      rules:");
            let _ = writeln!(out, "{pad}        dns:");
            let _ = writeln!(out, "{pad}          - matchPattern: \"*\"");
        }
        ResolvedPeer::Pods {
            namespace,
            selector,
            ..
        } => {
            let _ = writeln!(out, "{pad}- {endpoints}:");
            let mut selector = selector.clone();
            if namespace != own_namespace {
                selector
                    .match_labels
                    .insert(CILIUM_NAMESPACE_LABEL.to_owned(), namespace.clone());
            }
            // The selector is a list item: its first line follows the `- `.
            let mut body = String::new();
            push_selector(&mut body, indent + 6, &selector);
            let body = body.replacen(&" ".repeat(indent + 6), &format!("{pad}    - "), 1);
            out.push_str(&body);
            push_cilium_ports(out, indent + 2, ports);
        }
        ResolvedPeer::Cidr {
            note: Some(note), ..
        } if note.starts_with("node ") => {
            // Cilium gives nodes identities of their own; CIDR rules do not match them.
            let entities = match direction {
                Direction::Egress => "toEntities",
                Direction::Ingress => "fromEntities",
            };
            let _ = writeln!(out, "{pad}- {entities}:");
            let _ = writeln!(out, "{pad}    - host");
            let _ = writeln!(out, "{pad}    - remote-node");
            push_cilium_ports(out, indent + 2, ports);
        }
        ResolvedPeer::Cidr { cidr, names, .. } => {
            if direction == Direction::Egress && !names.is_empty() {
                let _ = writeln!(out, "{pad}- toFQDNs:");
                for name in names {
                    let _ = writeln!(out, "{pad}    - matchName: {}", quoted(name));
                }
            } else {
                let _ = writeln!(out, "{pad}- {cidrs}:");
                let _ = writeln!(out, "{pad}    - {}", quoted(cidr));
            }
            push_cilium_ports(out, indent + 2, ports);
            if direction == Direction::Egress
                && ports.contains(&(Protocol::Udp, PortValue::Number(53)))
            {
                // A DNS server outside the cluster: its answers teach Cilium the addresses
                // behind `toFQDNs` names too.
                let _ = writeln!(out, "{pad}      rules:");
                let _ = writeln!(out, "{pad}        dns:");
                let _ = writeln!(out, "{pad}          - matchPattern: \"*\"");
            }
        }
        ResolvedPeer::Loopback | ResolvedPeer::Unknown { .. } => {}
    }
}

fn render_cilium(
    name: &str,
    target: &Target,
    header: &str,
    egress: &Rules,
    ingress: &Rules,
) -> String {
    let w = &target.workload;
    let mut out = String::from(header);
    out.push_str(
        "apiVersion: cilium.io/v2\n\
         kind: CiliumNetworkPolicy\n\
         metadata:\n",
    );
    let _ = writeln!(out, "  name: {}", quoted(name));
    let _ = writeln!(out, "  namespace: {}", quoted(&w.namespace));
    out.push_str("spec:\n  endpointSelector:\n");
    push_selector(&mut out, 4, &w.selector);
    if target.ingress {
        push_unnamed(&mut out, target, Direction::Ingress);
        if ingress.is_empty() {
            out.push_str("  # No connection to the workload was seen: nothing may connect.\n");
            out.push_str("  ingress:\n    - {}\n");
        } else {
            out.push_str("  ingress:\n");
            for (peer, parts) in ingress {
                let _ = writeln!(out, "    # {}", rule_comment(peer, parts));
                push_cilium_rule(
                    &mut out,
                    4,
                    Direction::Ingress,
                    peer,
                    &parts.ports,
                    &w.namespace,
                );
            }
        }
    }
    if target.egress {
        push_unnamed(&mut out, target, Direction::Egress);
        out.push_str("  egress:\n");
        out.push_str("    # DNS: the cluster DNS, over UDP and TCP (always allowed).\n");
        push_cilium_rule(
            &mut out,
            4,
            Direction::Egress,
            &ResolvedPeer::KubeDns,
            &dns_ports(),
            &w.namespace,
        );
        for (peer, parts) in egress {
            let _ = writeln!(out, "    # {}", rule_comment(peer, parts));
            push_cilium_rule(
                &mut out,
                4,
                Direction::Egress,
                peer,
                &parts.ports,
                &w.namespace,
            );
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Drift.

/// Observed flows that the workspace's NetworkPolicies deny: egress the workload's own
/// policies do not allow, and ingress to it they do not allow. Flows whose peer is unknown or
/// inside the pod are not judged.
fn drift(target: &Target, flows: &[ObservedFlow], ws: &Workspace) -> Vec<RuntimeFinding> {
    if ws.policies.is_empty() {
        return Vec::new();
    }
    let evaluator = eval::Evaluator::new(ws.policies.clone(), ws.namespaces.clone());
    let w = &target.workload;
    let own = eval::Endpoint::Pod(eval::Pod {
        name: w.name.clone(),
        namespace: w.namespace.clone(),
        labels: w.labels.clone(),
        ip: None,
        container_ports: w.container_ports.clone(),
    });
    let mut out = Vec::new();
    for f in flows {
        let peer = match &f.peer {
            ResolvedPeer::Pods {
                namespace,
                selector,
                label,
            } => {
                let container_ports = ws
                    .workloads
                    .iter()
                    .find(|d| {
                        &d.namespace == namespace
                            && selector
                                .to_eval()
                                .is_some_and(|s| !s.match_labels.is_empty() && s.matches(&d.labels))
                    })
                    .map(|d| d.container_ports.clone())
                    .unwrap_or_default();
                eval::Endpoint::Pod(eval::Pod {
                    name: label.clone(),
                    namespace: namespace.clone(),
                    labels: selector.match_labels.clone(),
                    ip: None,
                    container_ports,
                })
            }
            ResolvedPeer::KubeDns => eval::Endpoint::Pod(eval::Pod {
                name: "kube-dns".to_owned(),
                namespace: KUBE_DNS_NAMESPACE.to_owned(),
                labels: [(KUBE_DNS_LABEL.0.to_owned(), KUBE_DNS_LABEL.1.to_owned())].into(),
                ip: None,
                container_ports: Vec::new(),
            }),
            ResolvedPeer::Cidr { cidr, .. } => {
                match cidr
                    .split('/')
                    .next()
                    .and_then(|a| a.parse::<IpAddr>().ok())
                {
                    Some(ip) => eval::Endpoint::External(ip),
                    None => continue,
                }
            }
            ResolvedPeer::Loopback | ResolvedPeer::Unknown { .. } => continue,
        };
        let port = match &f.policy_port {
            PortValue::Number(n) => *n,
            PortValue::Name(_) => f.port,
        };
        let protocol = match f.protocol {
            Protocol::Tcp => eval::Protocol::Tcp,
            Protocol::Udp => eval::Protocol::Udp,
        };
        let (flow, decision_of): (eval::Flow, fn(&eval::Verdict) -> &eval::Decision) =
            match f.direction {
                Direction::Egress => (
                    eval::Flow {
                        from: own.clone(),
                        to: peer,
                        protocol,
                        port,
                    },
                    |v| &v.egress,
                ),
                Direction::Ingress => (
                    eval::Flow {
                        from: peer,
                        to: own.clone(),
                        protocol,
                        port,
                    },
                    |v| &v.ingress,
                ),
            };
        let verdict = evaluator.evaluate(&flow);
        let decision = decision_of(&verdict);
        if let eval::Decision::Denied { policies } = decision {
            let names: Vec<String> = policies.iter().map(|p| format!("`{p}`")).collect();
            out.push(RuntimeFinding {
                code: "drift-network",
                message: format!(
                    "{} was seen {}, but NetworkPolicy {} {} it: the policies in the cluster \
                     differ from these, or applying these will break it.",
                    flow_text(f),
                    if f.count == 1 {
                        "once".to_owned()
                    } else {
                        format!("{} times", f.count)
                    },
                    names.join(", "),
                    if names.len() == 1 { "denies" } else { "deny" }
                ),
                path: None,
                facts: Vec::new(),
                drift: true,
            });
        }
    }
    out
}
