//! A pure evaluator of `networking.k8s.io/v1` NetworkPolicy semantics.
//!
//! Given the policies of a cluster, its namespaces and one [`Flow`] (a connection from one
//! endpoint to another on a protocol and destination port), [`Evaluator::evaluate`] says whether
//! the policies allow it, and why: which policy and rule allowed each direction, or that no policy
//! selects the pod, or which policies selected it and allowed nothing that matches.
//!
//! The semantics are those of the Kubernetes API documentation for NetworkPolicy; each is written
//! down where it is implemented. The evaluator models what the API defines, not a particular
//! network plugin: no `hostNetwork` pods, no node-local exceptions, no Service resolution (a flow
//! names the destination pod, after any Service translation).
//!
//! Architecture Invariant: no IO; policies come in as typed values, parsed from JSON with
//! [`NetworkPolicy::from_json`].

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use anyhow::{Context, bail, ensure};
use serde_json::{Map, Value};

/// The namespace label the API server sets on every namespace to its name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Labels, sorted by key.
pub type Labels = BTreeMap<String, String>;

/// A transport protocol, as a NetworkPolicy port names it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// `TCP`, the default when a port names no protocol.
    #[default]
    Tcp,
    /// `UDP`.
    Udp,
    /// `SCTP`.
    Sctp,
}

impl Protocol {
    fn parse(s: &str) -> anyhow::Result<Protocol> {
        Ok(match s {
            "TCP" => Protocol::Tcp,
            "UDP" => Protocol::Udp,
            "SCTP" => Protocol::Sctp,
            _ => bail!("unknown protocol `{s}` (expected TCP, UDP or SCTP)"),
        })
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        })
    }
}

/// A port a container declares (`spec.containers[].ports[]`), which named policy ports refer to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerPort {
    /// `name`; named policy ports match it.
    pub name: String,
    /// `containerPort`.
    pub port: u16,
    /// `protocol`.
    pub protocol: Protocol,
}

/// A pod, as far as NetworkPolicies see it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pod {
    /// The pod's name, for reports only.
    pub name: String,
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's labels, per-instance ones (`pod-template-hash`, `job-name`…) included.
    pub labels: Labels,
    /// The pod's IP, when known; `ipBlock` peers match it (see [`IpBlock`]).
    pub ip: Option<IpAddr>,
    /// The ports its containers declare, which named policy ports resolve against.
    pub container_ports: Vec<ContainerPort>,
}

/// A namespace and its labels. [`NAMESPACE_NAME_LABEL`] is implicit: it is always its name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Namespace {
    /// The namespace's name.
    pub name: String,
    /// Its labels, besides [`NAMESPACE_NAME_LABEL`].
    pub labels: Labels,
}

/// One end of a [`Flow`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A pod in the cluster.
    Pod(Pod),
    /// An address outside the cluster. It has no policies of its own.
    External(IpAddr),
}

/// A connection (or, for UDP, a datagram) from `from` to `to`'s `port`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The source, which egress policies apply to.
    pub from: Endpoint,
    /// The destination, which ingress policies apply to.
    pub to: Endpoint,
    /// The transport protocol.
    pub protocol: Protocol,
    /// The destination port.
    pub port: u16,
}

/// A label selector (`matchLabels` and `matchExpressions`, all of which must hold).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    /// `matchLabels`: each key must have exactly this value.
    pub match_labels: Labels,
    /// `matchExpressions`.
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// One entry of `matchExpressions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelSelectorRequirement {
    /// The label key.
    pub key: String,
    /// How the label is tested.
    pub operator: SelectorOperator,
    /// The values, for `In` and `NotIn`; empty for the others.
    pub values: Vec<String>,
}

/// The operator of a [`LabelSelectorRequirement`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectorOperator {
    /// The label is present with one of the values.
    In,
    /// The label is absent, or present with none of the values.
    NotIn,
    /// The label is present, with any value.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

impl LabelSelector {
    /// Whether `labels` satisfy every `matchLabels` entry and every expression. The empty
    /// selector (`{}`) selects everything.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|req| {
                let value = labels.get(&req.key);
                match req.operator {
                    SelectorOperator::In => value.is_some_and(|v| req.values.contains(v)),
                    SelectorOperator::NotIn => !value.is_some_and(|v| req.values.contains(v)),
                    SelectorOperator::Exists => value.is_some(),
                    SelectorOperator::DoesNotExist => value.is_none(),
                }
            })
    }

    /// A `{matchLabels, matchExpressions}` value, checked the way the API server checks it.
    pub fn from_json(value: &Value) -> anyhow::Result<LabelSelector> {
        let map = object(value)?;
        only_fields(map, &["matchLabels", "matchExpressions"])?;
        let mut selector = LabelSelector::default();
        if let Some(labels) = non_null(map, "matchLabels") {
            for (k, v) in object(labels).context("matchLabels")? {
                let v = v
                    .as_str()
                    .with_context(|| format!("matchLabels: value of `{k}` is not a string"))?;
                selector.match_labels.insert(k.clone(), v.to_owned());
            }
        }
        if let Some(exprs) = non_null(map, "matchExpressions") {
            for (i, expr) in array(exprs).context("matchExpressions")?.iter().enumerate() {
                let req = LabelSelectorRequirement::from_json(expr)
                    .with_context(|| format!("matchExpressions[{i}]"))?;
                selector.match_expressions.push(req);
            }
        }
        Ok(selector)
    }
}

impl LabelSelectorRequirement {
    fn from_json(value: &Value) -> anyhow::Result<LabelSelectorRequirement> {
        let map = object(value)?;
        only_fields(map, &["key", "operator", "values"])?;
        let key = string(map, "key")?.context("`key` is required")?.to_owned();
        let operator = match string(map, "operator")?.context("`operator` is required")? {
            "In" => SelectorOperator::In,
            "NotIn" => SelectorOperator::NotIn,
            "Exists" => SelectorOperator::Exists,
            "DoesNotExist" => SelectorOperator::DoesNotExist,
            other => {
                bail!("unknown operator `{other}` (expected In, NotIn, Exists or DoesNotExist)")
            }
        };
        let mut values = Vec::new();
        if let Some(list) = non_null(map, "values") {
            for v in array(list).context("values")? {
                values.push(v.as_str().context("values: not a string")?.to_owned());
            }
        }
        // The API server rejects `In`/`NotIn` without values and the others with values.
        match operator {
            SelectorOperator::In | SelectorOperator::NotIn => {
                ensure!(
                    !values.is_empty(),
                    "`{operator:?}` needs at least one value"
                );
            }
            SelectorOperator::Exists | SelectorOperator::DoesNotExist => {
                ensure!(values.is_empty(), "`{operator:?}` takes no values");
            }
        }
        Ok(LabelSelectorRequirement {
            key,
            operator,
            values,
        })
    }
}

/// A CIDR block: an address and a prefix length. Host bits are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    /// The block's address.
    pub addr: IpAddr,
    /// The prefix length: at most 32 for IPv4, 128 for IPv6.
    pub prefix: u8,
}

impl Cidr {
    /// Parses `10.0.0.0/8` or `2001:db8::/32`. The prefix length is required, as the API
    /// server requires it.
    pub fn parse(s: &str) -> anyhow::Result<Cidr> {
        let (addr, prefix) = s
            .split_once('/')
            .with_context(|| format!("`{s}` is not a CIDR (no `/prefix`)"))?;
        let addr: IpAddr = addr
            .parse()
            .with_context(|| format!("`{s}`: `{addr}` is not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= max)
            .with_context(|| format!("`{s}`: prefix length must be 0 to {max}"))?;
        Ok(Cidr { addr, prefix })
    }

    /// Whether `ip` is in the block. An IPv4 block holds no IPv6 address and the other way
    /// round (IPv4-mapped IPv6 addresses included).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(
                u128::from(net.to_bits()) << 96,
                u128::from(ip.to_bits()) << 96,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(net.to_bits(), ip.to_bits(), self.prefix)
            }
            _ => false,
        }
    }

    /// Whether every address of `other` is in `self`.
    fn covers(&self, other: &Cidr) -> bool {
        other.prefix >= self.prefix && self.contains(other.addr)
    }
}

/// Whether the top `prefix` bits of `a` and `b` are equal.
fn prefix_eq(a: u128, b: u128, prefix: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
    a & mask == b & mask
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// An `ipBlock` peer: the addresses in `cidr` but in none of `except`.
///
/// The API documents `ipBlock` for cluster-external addresses; what it does for pod IPs is left
/// to the network plugin (some match pod IPs, others do not, and source addresses seen at a
/// pod may have been rewritten). This evaluator matches an `ipBlock` against an external
/// endpoint's address and against a pod's [`Pod::ip`] when it has one, as the plugins that
/// match pod IPs do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpBlock {
    /// `cidr`.
    pub cidr: Cidr,
    /// `except`: blocks inside `cidr` that are subtracted from it.
    pub except: Vec<Cidr>,
}

impl IpBlock {
    /// Whether `ip` is in `cidr` and in no `except` block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.cidr.contains(ip) && !self.except.iter().any(|e| e.contains(ip))
    }

    fn from_json(value: &Value) -> anyhow::Result<IpBlock> {
        let map = object(value)?;
        only_fields(map, &["cidr", "except"])?;
        let cidr = Cidr::parse(string(map, "cidr")?.context("`cidr` is required")?)?;
        let mut except = Vec::new();
        if let Some(list) = non_null(map, "except") {
            for (i, e) in array(list).context("except")?.iter().enumerate() {
                let e = Cidr::parse(
                    e.as_str()
                        .with_context(|| format!("except[{i}]: not a string"))?,
                )
                .with_context(|| format!("except[{i}]"))?;
                // The API server rejects `except` blocks outside `cidr`.
                ensure!(cidr.covers(&e), "except[{i}]: `{e}` is not inside `{cidr}`");
                except.push(e);
            }
        }
        Ok(IpBlock { cidr, except })
    }
}

/// One entry of a rule's `from` or `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer {
    /// `podSelector` and/or `namespaceSelector` (at least one is set).
    Pods {
        /// `podSelector`: the pods that match it; absent means every pod.
        pod_selector: Option<LabelSelector>,
        /// `namespaceSelector`: the namespaces whose pods match; absent means the policy's own
        /// namespace.
        namespace_selector: Option<LabelSelector>,
    },
    /// `ipBlock`, which the API does not allow together with the selectors.
    IpBlock(IpBlock),
}

impl Peer {
    fn from_json(value: &Value) -> anyhow::Result<Peer> {
        let map = object(value)?;
        only_fields(map, &["podSelector", "namespaceSelector", "ipBlock"])?;
        let pod_selector = non_null(map, "podSelector")
            .map(|v| LabelSelector::from_json(v).context("podSelector"))
            .transpose()?;
        let namespace_selector = non_null(map, "namespaceSelector")
            .map(|v| LabelSelector::from_json(v).context("namespaceSelector"))
            .transpose()?;
        if let Some(block) = non_null(map, "ipBlock") {
            ensure!(
                pod_selector.is_none() && namespace_selector.is_none(),
                "`ipBlock` cannot be combined with `podSelector` or `namespaceSelector`"
            );
            return Ok(Peer::IpBlock(IpBlock::from_json(block).context("ipBlock")?));
        }
        ensure!(
            pod_selector.is_some() || namespace_selector.is_some(),
            "a peer needs `podSelector`, `namespaceSelector` or `ipBlock`"
        );
        Ok(Peer::Pods {
            pod_selector,
            namespace_selector,
        })
    }
}

/// The `port` of a [`PolicyPort`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortSpec {
    /// A port number.
    Number(u16),
    /// A container port name, resolved against the destination pod's [`Pod::container_ports`].
    Named(String),
}

/// One entry of a rule's `ports`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyPort {
    /// `protocol`, `TCP` when absent.
    pub protocol: Protocol,
    /// `port`; absent means every port of the protocol.
    pub port: Option<PortSpec>,
    /// `endPort`: with a numbered `port`, the rule covers `port..=end_port`.
    pub end_port: Option<u16>,
}

impl PolicyPort {
    fn from_json(value: &Value) -> anyhow::Result<PolicyPort> {
        let map = object(value)?;
        only_fields(map, &["protocol", "port", "endPort"])?;
        let protocol = match string(map, "protocol")? {
            Some(p) => Protocol::parse(p)?,
            None => Protocol::Tcp,
        };
        let port = match non_null(map, "port") {
            None => None,
            Some(Value::String(name)) => {
                // The API server takes a string `port` as a container port name only, so a
                // quoted number is an error rather than a number.
                ensure!(
                    is_port_name(name),
                    "`port` `{name}` is not a valid port name (at most 15 lowercase letters, digits \
                     and inner single `-`, with at least one letter; numbers go unquoted)"
                );
                Some(PortSpec::Named(name.clone()))
            }
            Some(Value::Number(n)) => Some(PortSpec::Number(port_number(
                n.as_i64().context("`port` is not an integer")?,
            )?)),
            Some(_) => bail!("`port` must be a number or a name"),
        };
        let end_port = match non_null(map, "endPort") {
            None => None,
            Some(v) => {
                let end = port_number(v.as_i64().context("`endPort` is not an integer")?)
                    .context("endPort")?;
                // The API server requires a numbered `port` no larger than `endPort`.
                match &port {
                    Some(PortSpec::Number(start)) => {
                        ensure!(end >= *start, "`endPort` {end} is below `port` {start}")
                    }
                    Some(PortSpec::Named(_)) => bail!("`endPort` needs a numbered `port`"),
                    None => bail!("`endPort` needs `port`"),
                }
                Some(end)
            }
        };
        Ok(PolicyPort {
            protocol,
            port,
            end_port,
        })
    }

    /// Whether the port covers `protocol`/`port` at `destination`. A named port matches when a
    /// container port of the destination pod has that name, that protocol and that number; an
    /// external destination has no named ports.
    fn matches(&self, protocol: Protocol, port: u16, destination: &Endpoint) -> bool {
        if self.protocol != protocol {
            return false;
        }
        match &self.port {
            None => true,
            Some(PortSpec::Number(start)) => {
                let end = self.end_port.unwrap_or(*start);
                (*start..=end).contains(&port)
            }
            Some(PortSpec::Named(name)) => match destination {
                Endpoint::Pod(pod) => pod
                    .container_ports
                    .iter()
                    .any(|cp| cp.name == *name && cp.protocol == protocol && cp.port == port),
                Endpoint::External(_) => false,
            },
        }
    }
}

/// Whether `name` is a valid container port name (an IANA service name): 1 to 15 lowercase
/// letters, digits and `-`, at least one letter, no `-` at either end or twice in a row.
fn is_port_name(name: &str) -> bool {
    (1..=15).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_lowercase())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

fn port_number(n: i64) -> anyhow::Result<u16> {
    u16::try_from(n)
        .ok()
        .filter(|n| *n != 0)
        .with_context(|| format!("port {n} is not in 1 to 65535"))
}

/// One entry of `spec.ingress`: traffic from any of `from` to any of `ports`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IngressRule {
    /// `from`; empty (or absent) matches every source.
    pub from: Vec<Peer>,
    /// `ports`; empty (or absent) matches every port.
    pub ports: Vec<PolicyPort>,
}

/// One entry of `spec.egress`: traffic to any of `to` on any of `ports`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EgressRule {
    /// `to`; empty (or absent) matches every destination.
    pub to: Vec<Peer>,
    /// `ports`; empty (or absent) matches every port.
    pub ports: Vec<PolicyPort>,
}

/// A value of `spec.policyTypes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyType {
    /// The policy restricts traffic into the pods it selects.
    Ingress,
    /// The policy restricts traffic out of the pods it selects.
    Egress,
}

/// A `networking.k8s.io/v1` NetworkPolicy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkPolicy {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`: the policy selects pods here, and peers without a
    /// `namespaceSelector` are pods here.
    pub namespace: String,
    /// `spec.podSelector`: the pods the policy applies to; `{}` selects every pod of the
    /// namespace.
    pub pod_selector: LabelSelector,
    /// `spec.policyTypes`, with the API's default filled in (see [`NetworkPolicy::from_json`]).
    pub policy_types: Vec<PolicyType>,
    /// `spec.ingress`.
    pub ingress: Vec<IngressRule>,
    /// `spec.egress`.
    pub egress: Vec<EgressRule>,
}

impl NetworkPolicy {
    /// Reads a NetworkPolicy object. Errors name the field: unknown fields, wrong kinds and
    /// values the API server would reject.
    ///
    /// `metadata.namespace` defaults to `default`. When `spec.policyTypes` is absent or empty it
    /// is defaulted as the API server does: `Ingress`, plus `Egress` when `spec.egress` has
    /// rules.
    pub fn from_json(value: &Value) -> anyhow::Result<NetworkPolicy> {
        let map = object(value)?;
        only_fields(map, &["apiVersion", "kind", "metadata", "spec", "status"])?;
        match string(map, "apiVersion")? {
            Some("networking.k8s.io/v1") => {}
            Some(other) => bail!("apiVersion `{other}` is not `networking.k8s.io/v1`"),
            None => bail!("`apiVersion` is required"),
        }
        match string(map, "kind")? {
            Some("NetworkPolicy") => {}
            Some(other) => bail!("kind `{other}` is not `NetworkPolicy`"),
            None => bail!("`kind` is required"),
        }
        let metadata =
            object(map.get("metadata").context("`metadata` is required")?).context("metadata")?;
        let name = string(metadata, "name")
            .context("metadata")?
            .context("`metadata.name` is required")?
            .to_owned();
        let namespace = string(metadata, "namespace")
            .context("metadata")?
            .unwrap_or("default")
            .to_owned();
        let spec = object(map.get("spec").context("`spec` is required")?).context("spec")?;
        NetworkPolicy::from_spec(name, namespace, spec).context("spec")
    }

    fn from_spec(
        name: String,
        namespace: String,
        spec: &Map<String, Value>,
    ) -> anyhow::Result<NetworkPolicy> {
        only_fields(spec, &["podSelector", "policyTypes", "ingress", "egress"])?;
        let pod_selector = LabelSelector::from_json(
            spec.get("podSelector")
                .context("`podSelector` is required (`{}` selects every pod)")?,
        )
        .context("podSelector")?;

        let mut ingress = Vec::new();
        if let Some(rules) = non_null(spec, "ingress") {
            for (i, rule) in array(rules).context("ingress")?.iter().enumerate() {
                let (from, ports) =
                    rule_from_json(rule, "from").with_context(|| format!("ingress[{i}]"))?;
                ingress.push(IngressRule { from, ports });
            }
        }
        let mut egress = Vec::new();
        if let Some(rules) = non_null(spec, "egress") {
            for (i, rule) in array(rules).context("egress")?.iter().enumerate() {
                let (to, ports) =
                    rule_from_json(rule, "to").with_context(|| format!("egress[{i}]"))?;
                egress.push(EgressRule { to, ports });
            }
        }

        let mut policy_types = Vec::new();
        if let Some(types) = non_null(spec, "policyTypes") {
            for t in array(types).context("policyTypes")? {
                let t = match t.as_str() {
                    Some("Ingress") => PolicyType::Ingress,
                    Some("Egress") => PolicyType::Egress,
                    _ => bail!("policyTypes: `{t}` is neither `Ingress` nor `Egress`"),
                };
                ensure!(!policy_types.contains(&t), "policyTypes: `{t:?}` twice");
                policy_types.push(t);
            }
        }
        // Semantics: without `policyTypes` the API server sets `[Ingress]`, plus `Egress` when
        // the policy has egress rules. (A policy meant to deny all egress must say so.)
        if policy_types.is_empty() {
            policy_types.push(PolicyType::Ingress);
            if !egress.is_empty() {
                policy_types.push(PolicyType::Egress);
            }
        }
        Ok(NetworkPolicy {
            name,
            namespace,
            pod_selector,
            policy_types,
            ingress,
            egress,
        })
    }

    /// `namespace/name`, as reports name the policy.
    pub fn id(&self) -> PolicyId {
        PolicyId {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }

    fn has_type(&self, t: PolicyType) -> bool {
        self.policy_types.contains(&t)
    }

    /// Semantics: a policy selects the pods of its own namespace that match its `podSelector`.
    fn selects(&self, pod: &Pod) -> bool {
        pod.namespace == self.namespace && self.pod_selector.matches(&pod.labels)
    }
}

/// Reads a rule's peers (under `peers_key`, `from` or `to`) and `ports`.
fn rule_from_json(value: &Value, peers_key: &str) -> anyhow::Result<(Vec<Peer>, Vec<PolicyPort>)> {
    let map = object(value)?;
    only_fields(map, &[peers_key, "ports"])?;
    let mut peers = Vec::new();
    if let Some(list) = non_null(map, peers_key) {
        for (i, peer) in array(list)
            .context(peers_key.to_owned())?
            .iter()
            .enumerate()
        {
            peers.push(Peer::from_json(peer).with_context(|| format!("{peers_key}[{i}]"))?);
        }
    }
    let mut ports = Vec::new();
    if let Some(list) = non_null(map, "ports") {
        for (i, port) in array(list).context("ports")?.iter().enumerate() {
            ports.push(PolicyPort::from_json(port).with_context(|| format!("ports[{i}]"))?);
        }
    }
    Ok((peers, ports))
}

/// A policy's namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyId {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
}

impl fmt::Display for PolicyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// How one direction of a flow (egress from the source, ingress to the destination) was decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The endpoint is outside the cluster: no policy applies to it, so it is allowed.
    External,
    /// No policy of this direction selects the pod, so it is not isolated: allowed.
    NotSelected,
    /// Rule `rule` (its index in `spec.ingress` or `spec.egress`) of `policy` allows the flow.
    /// The first such rule, in the order the policies were given, is named.
    Allowed {
        /// The policy.
        policy: PolicyId,
        /// The rule's index.
        rule: usize,
    },
    /// These policies select the pod for this direction and none of their rules match: denied.
    Denied {
        /// The selecting policies, in the order they were given.
        policies: Vec<PolicyId>,
    },
}

impl Decision {
    /// Whether this direction lets the flow through.
    pub fn allows(&self) -> bool {
        !matches!(self, Decision::Denied { .. })
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::External => f.write_str("allowed: external endpoint"),
            Decision::NotSelected => f.write_str("allowed: no policy selects the pod"),
            Decision::Allowed { policy, rule } => write!(f, "allowed by {policy} rule {rule}"),
            Decision::Denied { policies } => {
                f.write_str("denied: selected by ")?;
                for (i, p) in policies.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{p}")?;
                }
                f.write_str(", no rule matches")
            }
        }
    }
}

/// The answer for one flow: allowed when both directions are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// `egress.allows() && ingress.allows()`.
    pub allowed: bool,
    /// Egress from the source.
    pub egress: Decision,
    /// Ingress to the destination.
    pub ingress: Decision,
}

/// Policies and namespaces of one cluster, to evaluate flows against.
#[derive(Clone, Debug, Default)]
pub struct Evaluator {
    policies: Vec<NetworkPolicy>,
    namespaces: BTreeMap<String, Labels>,
}

impl Evaluator {
    /// An evaluator over `policies`, with the labels of `namespaces`. A namespace that is not
    /// listed has only its [`NAMESPACE_NAME_LABEL`].
    pub fn new(policies: Vec<NetworkPolicy>, namespaces: Vec<Namespace>) -> Evaluator {
        let namespaces = namespaces
            .into_iter()
            .map(|ns| {
                let mut labels = ns.labels;
                // The API server sets this label on every namespace and keeps it equal to the name.
                labels.insert(NAMESPACE_NAME_LABEL.to_owned(), ns.name.clone());
                (ns.name, labels)
            })
            .collect();
        Evaluator {
            policies,
            namespaces,
        }
    }

    /// Semantics: a flow is allowed iff egress from the source is allowed and ingress to the
    /// destination is allowed; each is decided on its own (see [`Decision`]).
    pub fn evaluate(&self, flow: &Flow) -> Verdict {
        let egress = self.egress(flow);
        let ingress = self.ingress(flow);
        Verdict {
            allowed: egress.allows() && ingress.allows(),
            egress,
            ingress,
        }
    }

    fn namespace_labels(&self, name: &str) -> Labels {
        self.namespaces
            .get(name)
            .cloned()
            .unwrap_or_else(|| Labels::from([(NAMESPACE_NAME_LABEL.to_owned(), name.to_owned())]))
    }

    /// Egress from `flow.from`. Semantics: an external source has no policies. A pod that no
    /// policy with `Egress` in its `policyTypes` selects may send anything. Otherwise the flow
    /// needs one egress rule of one of those policies whose `to` matches the destination and
    /// whose `ports` match the protocol and port; a policy with no egress rules allows nothing,
    /// and policies add up (a union, never a subtraction).
    fn egress(&self, flow: &Flow) -> Decision {
        let Endpoint::Pod(source) = &flow.from else {
            return Decision::External;
        };
        self.decide(source, PolicyType::Egress, |policy| {
            policy
                .egress
                .iter()
                .position(|rule| self.rule_matches(policy, &rule.to, &rule.ports, &flow.to, flow))
        })
    }

    /// Ingress to `flow.to`, as [`Evaluator::egress`] with `from` peers and the source.
    fn ingress(&self, flow: &Flow) -> Decision {
        let Endpoint::Pod(destination) = &flow.to else {
            return Decision::External;
        };
        self.decide(destination, PolicyType::Ingress, |policy| {
            policy.ingress.iter().position(|rule| {
                self.rule_matches(policy, &rule.from, &rule.ports, &flow.from, flow)
            })
        })
    }

    /// Runs `matching_rule` over the policies that select `pod` for `direction`.
    fn decide(
        &self,
        pod: &Pod,
        direction: PolicyType,
        matching_rule: impl Fn(&NetworkPolicy) -> Option<usize>,
    ) -> Decision {
        let mut selecting = Vec::new();
        for policy in &self.policies {
            if !policy.has_type(direction) || !policy.selects(pod) {
                continue;
            }
            if let Some(rule) = matching_rule(policy) {
                return Decision::Allowed {
                    policy: policy.id(),
                    rule,
                };
            }
            selecting.push(policy.id());
        }
        if selecting.is_empty() {
            Decision::NotSelected
        } else {
            Decision::Denied {
                policies: selecting,
            }
        }
    }

    /// Semantics: a rule matches when one of its peers matches `peer` (no peers: every peer)
    /// and one of its ports matches the flow at its destination, `flow.to` (no ports: every
    /// port). Named ports resolve at the destination, for ingress and egress alike.
    fn rule_matches(
        &self,
        policy: &NetworkPolicy,
        peers: &[Peer],
        ports: &[PolicyPort],
        peer: &Endpoint,
        flow: &Flow,
    ) -> bool {
        (peers.is_empty() || peers.iter().any(|p| self.peer_matches(policy, p, peer)))
            && (ports.is_empty()
                || ports
                    .iter()
                    .any(|p| p.matches(flow.protocol, flow.port, &flow.to)))
    }

    /// Semantics:
    /// - `podSelector` alone: pods of the policy's namespace that match it;
    /// - `namespaceSelector` alone: every pod of the namespaces that match it;
    /// - both in one peer: pods that match `podSelector` in namespaces that match
    ///   `namespaceSelector` (an AND; two separate peers are an OR);
    /// - `ipBlock`: an external address, or a pod's IP, inside `cidr` and outside every
    ///   `except` (see [`IpBlock`]).
    fn peer_matches(&self, policy: &NetworkPolicy, peer: &Peer, endpoint: &Endpoint) -> bool {
        match (peer, endpoint) {
            (
                Peer::Pods {
                    pod_selector,
                    namespace_selector,
                },
                Endpoint::Pod(pod),
            ) => {
                let namespace_ok = match namespace_selector {
                    Some(sel) => sel.matches(&self.namespace_labels(&pod.namespace)),
                    None => pod.namespace == policy.namespace,
                };
                namespace_ok && pod_selector.as_ref().is_none_or(|s| s.matches(&pod.labels))
            }
            (Peer::Pods { .. }, Endpoint::External(_)) => false,
            (Peer::IpBlock(block), Endpoint::External(ip)) => block.contains(*ip),
            (Peer::IpBlock(block), Endpoint::Pod(pod)) => {
                pod.ip.is_some_and(|ip| block.contains(ip))
            }
        }
    }
}

fn object(value: &Value) -> anyhow::Result<&Map<String, Value>> {
    value.as_object().context("not an object")
}

fn array(value: &Value) -> anyhow::Result<&Vec<Value>> {
    value.as_array().context("not a list")
}

/// `map[key]`, with `null` read as absent (as the API server reads it).
fn non_null<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|v| !v.is_null())
}

fn string<'a>(map: &'a Map<String, Value>, key: &str) -> anyhow::Result<Option<&'a str>> {
    non_null(map, key)
        .map(|v| {
            v.as_str()
                .with_context(|| format!("`{key}` is not a string"))
        })
        .transpose()
}

/// Fails on the first key of `map` not in `known`: a field this evaluator does not model would
/// otherwise be silently ignored.
fn only_fields(map: &Map<String, Value>, known: &[&str]) -> anyhow::Result<()> {
    if let Some(key) = map.keys().find(|k| !known.contains(&k.as_str())) {
        bail!(
            "unsupported field `{key}` (expected {})",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
