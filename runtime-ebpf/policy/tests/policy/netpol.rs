//! NetworkPolicies from the fixture profiles and manifests: snapshots of each policy and its
//! Cilium variant, and a semantic check with the in-project evaluator — every observed flow the
//! policy means to allow is allowed, traffic nobody saw is denied, and peers nobody named are
//! never written in.

use std::net::IpAddr;

use picket_policy::netpol::eval::{self, Endpoint, Evaluator, Flow};
use picket_policy::netpol::{NetworkReview, PER_INSTANCE_LABELS, ResolvedPeer, Workspace, review};
use picket_policy::{Change, SuggestionKind};
use picket_profile::{Direction, NetworkPeer, PeerKind, Profile, Protocol};
use serde_json::{Value, json};

use crate::{check_snapshot, pretty, profile, repo_root};

/// Every object of `fixtures/profiles/manifests/`, as JSON (`List`s opened).
fn objects() -> Vec<Value> {
    let dir = repo_root().join("fixtures/profiles/manifests");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = picket_syntax::ParsedFile::parse(&text);
        for entry in file.documents() {
            if let Some(object) = picket_model::Object::from_document(&entry.doc) {
                let value = object.to_json();
                match value.get("items").and_then(Value::as_array) {
                    Some(items) => out.extend(items.iter().cloned()),
                    None => out.push(value),
                }
            }
        }
    }
    out
}

fn workspace() -> Workspace {
    // `api.yaml` leaves out the namespace, to be applied with `-n shop`.
    Workspace::new(objects(), "shop")
}

fn workload(kind: &str, name: &str) -> Value {
    objects()
        .into_iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in the fixtures"))
}

fn file_of(review: &NetworkReview, kind: SuggestionKind) -> &str {
    let s = review
        .suggestions
        .iter()
        .find(|s| s.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} suggestion: {:#?}", review.withheld));
    match &s.changes[..] {
        [Change::CreateFile { content, .. }] => content,
        other => panic!("{other:?}"),
    }
}

/// The generated text as one JSON object, through Picket's own YAML reader.
fn parse(text: &str) -> Value {
    let file = picket_syntax::ParsedFile::parse(text);
    assert_eq!(file.documents().len(), 1, "{text}");
    let doc = &file.documents()[0].doc;
    assert!(doc.errors().is_empty(), "{:?}\n{text}", doc.errors());
    picket_model::Object::from_document(doc).unwrap().to_json()
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary<'a> {
    flows: Vec<String>,
    withheld: &'a [picket_policy::security_context::Withheld],
    drift: Vec<&'a str>,
    message: Option<&'a str>,
    notes: Option<&'a [String]>,
    confidence: Option<picket_policy::Confidence>,
    lowered_by: Option<&'a [picket_policy::Lowering]>,
}

#[track_caller]
fn snapshot(name: &str, review: &NetworkReview) {
    let k8s = review
        .suggestions
        .iter()
        .find(|s| s.kind == SuggestionKind::NetworkPolicy);
    check_snapshot(
        &format!("netpol-{name}.summary.json"),
        &pretty(&Summary {
            flows: review
                .flows
                .iter()
                .map(|f| {
                    format!(
                        "{:?} {:?} {}:{} -> {} (policy port {:?}, {} times)",
                        f.direction,
                        f.protocol,
                        f.address,
                        f.port,
                        f.peer.label(),
                        f.policy_port,
                        f.count
                    )
                })
                .collect(),
            withheld: &review.withheld,
            drift: review.drift.iter().map(|d| d.message.as_str()).collect(),
            message: k8s.map(|s| s.message.as_str()),
            notes: k8s.map(|s| &s.notes[..]),
            confidence: k8s.map(|s| s.confidence),
            lowered_by: k8s.map(|s| &s.lowered_by[..]),
        }),
    );
    if k8s.is_some() {
        check_snapshot(
            &format!("netpol-{name}.networkpolicy.yaml"),
            file_of(review, SuggestionKind::NetworkPolicy),
        );
        check_snapshot(
            &format!("netpol-{name}.ciliumnetworkpolicy.yaml"),
            file_of(review, SuggestionKind::CiliumNetworkPolicy),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The cluster the fixtures describe, as the evaluator sees it.

fn namespaces() -> Vec<eval::Namespace> {
    vec![eval::Namespace {
        name: "shop".to_owned(),
        labels: [("team".to_owned(), "shop".to_owned())].into(),
    }]
}

fn pod(namespace: &str, labels: &[(&str, &str)], ports: &[(&str, u16)]) -> Endpoint {
    Endpoint::Pod(eval::Pod {
        name: "peer".to_owned(),
        namespace: namespace.to_owned(),
        labels: labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ip: None,
        container_ports: ports
            .iter()
            .map(|(n, p)| eval::ContainerPort {
                name: (*n).to_owned(),
                port: *p,
                protocol: eval::Protocol::Tcp,
            })
            .collect(),
    })
}

/// The workload's own pods: the template's labels, with the per-instance labels a controller
/// adds (which the policy must not depend on).
fn own_pod(workload: &Value) -> Endpoint {
    let kind = workload["kind"].as_str().unwrap();
    let template = match kind {
        "CronJob" => &workload["spec"]["jobTemplate"]["spec"]["template"],
        _ => &workload["spec"]["template"],
    };
    let mut labels: eval::Labels = template["metadata"]["labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    labels.insert("pod-template-hash".to_owned(), "5d8f7c9b4".to_owned());
    labels.insert("job-name".to_owned(), "run-29573640".to_owned());
    let namespace = workload["metadata"]["namespace"].as_str().unwrap_or("shop");
    Endpoint::Pod(eval::Pod {
        name: "self".to_owned(),
        namespace: namespace.to_owned(),
        labels,
        ip: None,
        container_ports: Vec::new(),
    })
}

/// Where an observed peer really is, from the profile and the manifests (not from what the
/// policy side made of it), and the port its traffic reaches after Service translation.
fn real_peer(peer: &NetworkPeer) -> Option<(Endpoint, u16)> {
    let ip: IpAddr = peer.address.parse().unwrap();
    if ip.is_loopback() {
        return None;
    }
    if peer.port == 53 {
        return Some((pod("kube-system", &[("k8s-app", "kube-dns")], &[]), 53));
    }
    if let Some(identity) = &peer.peer {
        let namespace = identity.namespace.as_deref().unwrap();
        let labels: Vec<(&str, &str)> = identity
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let port = match (identity.kind, identity.name.as_str()) {
            // `api.yaml`: port 80 → targetPort 8080.
            (PeerKind::Service, "api") => 8080,
            _ => peer.port,
        };
        return Some((pod(namespace, &labels, &[]), port));
    }
    if peer.address == "10.96.33.10" {
        // `services.yaml`: Service shop/db → pods `app: postgres`, port `pg`.
        return Some((pod("shop", &[("app", "postgres")], &[("pg", 5432)]), 5432));
    }
    let private = match ip {
        IpAddr::V4(v4) => v4.is_private(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    };
    if private {
        // A pod nobody named: some pod of the namespace.
        return Some((pod("shop", &[("app", "somebody")], &[]), peer.port));
    }
    Some((Endpoint::External(ip), peer.port))
}

fn flow(
    own: &Endpoint,
    peer: Endpoint,
    direction: Direction,
    protocol: Protocol,
    port: u16,
) -> Flow {
    let protocol = match protocol {
        Protocol::Tcp => eval::Protocol::Tcp,
        Protocol::Udp => eval::Protocol::Udp,
    };
    match direction {
        Direction::Egress => Flow {
            from: own.clone(),
            to: peer,
            protocol,
            port,
        },
        Direction::Ingress => Flow {
            from: peer,
            to: own.clone(),
            protocol,
            port,
        },
    }
}

/// The policy's decision for `flow` in `direction`: the policy's own side of it.
fn allows(evaluator: &Evaluator, flow: &Flow, direction: Direction) -> bool {
    let verdict = evaluator.evaluate(flow);
    match direction {
        Direction::Egress => verdict.egress.allows(),
        Direction::Ingress => verdict.ingress.allows(),
    }
}

/// Every flow of `profile` whose peer could be named is allowed by the generated policy and
/// every other is denied; a port nobody used and an address nobody reached are denied.
#[track_caller]
fn check_semantics(workload: &Value, profile: &Profile, review: &NetworkReview) {
    let text = file_of(review, SuggestionKind::NetworkPolicy);
    let policy =
        eval::NetworkPolicy::from_json(&parse(text)).unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    let evaluator = Evaluator::new(vec![policy], namespaces());
    let own = own_pod(workload);
    for peer in &profile.network {
        let Some((endpoint, port)) = real_peer(peer) else {
            continue;
        };
        let resolved = review
            .flows
            .iter()
            .find(|f| {
                f.address == peer.address && f.port == peer.port && f.direction == peer.direction
            })
            .unwrap();
        let named = !matches!(resolved.peer, ResolvedPeer::Unknown { .. }) || peer.port == 53;
        let f = flow(&own, endpoint.clone(), peer.direction, peer.protocol, port);
        assert_eq!(
            allows(&evaluator, &f, peer.direction),
            named,
            "{:?} {:?} {}:{} ({}) in\n{text}",
            peer.direction,
            peer.protocol,
            peer.address,
            peer.port,
            resolved.peer.label()
        );
        if named {
            // The same peer on a port nobody used.
            let other = flow(
                &own,
                endpoint,
                peer.direction,
                peer.protocol,
                port.wrapping_add(1),
            );
            assert!(
                !allows(&evaluator, &other, peer.direction),
                "{other:?} in\n{text}"
            );
        }
    }
    // Nobody reached 198.51.100.7, and DNS on another port is not DNS.
    let stranger = Endpoint::External("198.51.100.7".parse().unwrap());
    assert!(!allows(
        &evaluator,
        &flow(
            &own,
            stranger.clone(),
            Direction::Egress,
            Protocol::Tcp,
            443
        ),
        Direction::Egress
    ));
    let dns = pod("kube-system", &[("k8s-app", "kube-dns")], &[]);
    for protocol in [Protocol::Udp, Protocol::Tcp] {
        assert!(allows(
            &evaluator,
            &flow(&own, dns.clone(), Direction::Egress, protocol, 53),
            Direction::Egress
        ));
        assert!(!allows(
            &evaluator,
            &flow(&own, dns.clone(), Direction::Egress, protocol, 5353),
            Direction::Egress
        ));
    }
}

#[track_caller]
fn case(name: &str, kind: &str, workload_name: &str, profile_name: &str) -> NetworkReview {
    let workload = workload(kind, workload_name);
    let profile = profile(profile_name);
    let review = review(&workload, std::slice::from_ref(&profile), &workspace());
    snapshot(name, &review);
    if review.withheld.is_empty() {
        check_semantics(&workload, &profile, &review);
        for text in [
            file_of(&review, SuggestionKind::NetworkPolicy),
            file_of(&review, SuggestionKind::CiliumNetworkPolicy),
        ] {
            for key in PER_INSTANCE_LABELS {
                assert!(!text.contains(&format!("\"{key}\"")), "{key} in\n{text}");
            }
        }
    }
    review
}

#[test]
fn api_service_by_cluster_ip_named_external_and_ingress_from_a_workload() {
    let review = case("api", "Deployment", "api", "shop_Deployment-api_api");
    let text = file_of(&review, SuggestionKind::NetworkPolicy);
    // Service shop/db is selected by its pods' labels on their named port, not its address.
    assert!(text.contains("\"app\": \"postgres\""), "{text}");
    assert!(text.contains("port: \"pg\""), "{text}");
    assert!(!text.contains("10.96.33.10"), "{text}");
    // The external peer is its address, named in a comment and in the Cilium variant.
    assert!(text.contains("\"140.82.112.3/32\""), "{text}");
    assert!(
        text.contains("# 140.82.112.3/32 (api.github.com)"),
        "{text}"
    );
    let cilium = file_of(&review, SuggestionKind::CiliumNetworkPolicy);
    assert!(cilium.contains("matchName: \"api.github.com\""), "{cilium}");
    // Clients are web's pods by web's selector, never their addresses.
    assert!(!text.contains("10.244."), "{text}");
}

#[test]
fn web_service_port_becomes_the_pods_target_port_and_other_namespaces_are_selected_by_name() {
    let review = case("web", "Deployment", "web", "shop_Deployment-web_nginx");
    let text = file_of(&review, SuggestionKind::NetworkPolicy);
    // Egress seen at Service shop/api port 80 reaches its pods on 8080.
    let egress = &text[text.find("  egress:").unwrap()..];
    assert!(
        egress.contains(
            "\"app\": \"api\"\n      ports:\n        - protocol: TCP\n          port: 8080\n"
        ),
        "{text}"
    );
    assert!(!egress.contains("port: 80\n"), "{text}");
    // Ingress from the ingress controller in its own namespace.
    assert!(
        text.contains("\"kubernetes.io/metadata.name\": \"ingress-nginx\""),
        "{text}"
    );
}

#[test]
fn a_cronjob_client_is_selected_without_its_job_instance_labels() {
    let review = case(
        "legacy",
        "Deployment",
        "legacy",
        "legacy_Deployment-legacy_legacy-6c9f7d8b5-q4zt2_app",
    );
    let text = file_of(&review, SuggestionKind::NetworkPolicy);
    assert!(text.contains("\"app\": \"nightly-report\""), "{text}");
    // Loopback traffic stays in the pod and needs no rule.
    assert!(!text.contains("127.0.0.1"), "{text}");
}

#[test]
fn a_cronjob_is_selected_by_its_template_labels_and_reaches_a_service_in_another_namespace() {
    let review = case(
        "batch",
        "CronJob",
        "nightly-report",
        "batch_CronJob-nightly-report_report",
    );
    let text = file_of(&review, SuggestionKind::NetworkPolicy);
    assert!(
        text.contains("podSelector:\n    matchLabels:\n      \"app\": \"nightly-report\""),
        "{text}"
    );
    assert!(
        text.contains("\"kubernetes.io/metadata.name\": \"shop\""),
        "{text}"
    );
}

#[test]
fn ipv6_udp_above_1024_and_an_unidentified_client() {
    let review = case(
        "otel",
        "Deployment",
        "otel-collector",
        "telemetry_Deployment-otel-collector_collector",
    );
    let text = file_of(&review, SuggestionKind::NetworkPolicy);
    assert!(text.contains("\"2606:4700::6810:84e5/128\""), "{text}");
    assert!(
        text.contains("protocol: UDP\n          port: 8125"),
        "{text}"
    );
    assert!(
        text.contains("protocol: UDP\n          port: 6831"),
        "{text}"
    );
    // The unidentified pod address is not in any rule, only in a comment; the confidence
    // says why.
    let rules: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    assert!(
        !rules.iter().any(|l| l.contains("fd00:10:244:2::7")),
        "{text}"
    );
    assert!(
        text.contains("  # Not allowed, not identified: TCP from fd00:10:244:2::7 port 4317"),
        "{text}"
    );
    let s = &review.suggestions[0];
    assert_eq!(s.confidence, picket_policy::Confidence::Low);
    assert!(
        s.lowered_by
            .iter()
            .any(|l| l.reason.contains("fd00:10:244:2::7")),
        "{s:#?}"
    );
}

#[test]
fn a_workload_without_labels_gets_no_policy() {
    let mut workload = workload("CronJob", "nightly-report");
    workload["spec"]["jobTemplate"]["spec"]["template"]["metadata"] =
        serde_json::json!({"labels": {"job-name": "x", "controller-uid": "y"}});
    let review = review(
        &workload,
        &[profile("batch_CronJob-nightly-report_report")],
        &workspace(),
    );
    assert!(review.suggestions.is_empty());
    assert_eq!(review.withheld.len(), 2);
    assert!(
        review.withheld[0]
            .reason
            .contains("no labels to select its pods by"),
        "{:?}",
        review.withheld
    );
}

#[test]
fn without_the_ingress_hook_ingress_is_left_alone() {
    let mut profile = profile("shop_Deployment-api_api");
    profile.sensor.hooks.retain(|h| h != "network-ingress");
    let review = review(&workload("Deployment", "api"), &[profile], &workspace());
    let text = file_of(&review, SuggestionKind::NetworkPolicy);
    assert!(text.contains("policyTypes:\n    - Egress\n"), "{text}");
    assert!(!text.contains("ingress:"), "{text}");
}

#[test]
fn flows_the_workspace_policies_deny_are_drift() {
    let mut objects = objects();
    // A policy in the workspace that lets api reach the database only.
    objects.push(serde_json::json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "api-egress", "namespace": "shop"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "api"}},
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "postgres"}}}]}]
        }
    }));
    let ws = Workspace::new(objects, "shop");
    let review = review(
        &workload("Deployment", "api"),
        &[profile("shop_Deployment-api_api")],
        &ws,
    );
    let drift: Vec<&str> = review.drift.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(drift.len(), 2, "{drift:#?}");
    assert!(
        drift.iter().any(|d| d.contains("140.82.112.3")),
        "{drift:#?}"
    );
    assert!(drift.iter().any(|d| d.contains("10.96.0.10")), "{drift:#?}");
    assert!(
        drift.iter().all(|d| d.contains("`shop/api-egress`")),
        "{drift:#?}"
    );
    assert!(
        review
            .drift
            .iter()
            .all(|d| d.code == "drift-network" && d.drift)
    );
}

#[test]
fn dns_answers_recorded_as_inbound_datagrams_are_not_clients() {
    let mut profile = profile("shop_Deployment-web_nginx");
    let mut answer = profile.network.iter().find(|p| p.dns).unwrap().clone();
    answer.direction = Direction::Ingress;
    answer.dns = false;
    answer.port = 41234;
    profile.network.push(answer);
    let review = review(&workload("Deployment", "web"), &[profile], &workspace());
    assert!(
        review.flows.iter().all(|f| f.port != 41234),
        "{:#?}",
        review.flows
    );
    assert_eq!(
        review.suggestions[0].confidence,
        picket_policy::Confidence::High
    );
}

#[test]
fn an_outside_dns_server_is_reached_by_address_even_when_it_has_a_name() {
    let mut profile = profile("shop_Deployment-api_api");
    let template = profile.network.iter().find(|p| p.dns).unwrap().clone();
    let mut lookup = template.clone();
    lookup.address = "8.8.8.8".to_owned();
    lookup.names = vec!["dns.google".to_owned()];
    let mut https = template;
    https.address = "8.8.8.8".to_owned();
    https.protocol = Protocol::Tcp;
    https.port = 443;
    https.dns = false;
    https.names = vec!["dns.google".to_owned()];
    profile.network.extend([lookup, https]);
    let review = review(
        &workload("Deployment", "api"),
        &[profile.clone()],
        &workspace(),
    );
    let cilium = file_of(&review, SuggestionKind::CiliumNetworkPolicy);
    // The lookups by address, through Cilium's DNS proxy; the name for the rest.
    assert!(
        cilium.contains(
            "    - toCIDR:\n        - \"8.8.8.8/32\"\n      toPorts:\n        - ports:\n            - port: \"53\"\n              protocol: TCP\n            - port: \"53\"\n              protocol: UDP\n          rules:\n            dns:\n"
        ),
        "{cilium}"
    );
    assert!(
        cilium.contains("    - toFQDNs:\n        - matchName: \"dns.google\"\n      toPorts:\n        - ports:\n            - port: \"443\"\n"),
        "{cilium}"
    );
    check_semantics(&workload("Deployment", "api"), &profile, &review);
}

/// The api profile with one more egress peer.
fn api_with(peer: picket_profile::NetworkPeer) -> Profile {
    let mut profile = profile("shop_Deployment-api_api");
    profile.network.push(peer);
    profile
}

fn tcp_peer(address: &str, port: u16) -> picket_profile::NetworkPeer {
    let mut p = profile("shop_Deployment-api_api").network[0].clone();
    p.address = address.to_owned();
    p.port = port;
    p.peer = None;
    p.names = Vec::new();
    p
}

#[test]
fn a_per_pod_service_keeps_its_selector_and_an_empty_one_is_never_a_peer() {
    let mut objects = objects();
    for (name, ip, selector) in [
        (
            "db-0",
            "10.96.50.1",
            json!({"statefulset.kubernetes.io/pod-name": "db-0"}),
        ),
        ("manual", "10.96.50.2", json!({})),
    ] {
        objects.push(json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "shop"},
            "spec": {"clusterIP": ip, "selector": selector, "ports": [{"port": 5432}]}
        }));
    }
    let ws = Workspace::new(objects, "shop");
    let profile = api_with(tcp_peer("10.96.50.1", 5432));
    let profile = {
        let mut p = profile;
        p.network.push(tcp_peer("10.96.50.2", 5432));
        p
    };
    let review = review(&workload("Deployment", "api"), &[profile], &ws);
    let text = file_of(&review, SuggestionKind::NetworkPolicy);
    assert!(
        text.contains("\"statefulset.kubernetes.io/pod-name\": \"db-0\""),
        "{text}"
    );
    // No peer with nothing under it (that would be every pod).
    assert!(!text.contains("podSelector:\n      ports:"), "{text}");
    assert!(!text.contains("- podSelector:\n      ports:"), "{text}");
    let manual = review
        .flows
        .iter()
        .find(|f| f.address == "10.96.50.2")
        .unwrap();
    assert!(
        matches!(manual.peer, ResolvedPeer::Unknown { .. }),
        "{manual:?}"
    );
    let policy = eval::NetworkPolicy::from_json(&parse(text)).unwrap();
    let evaluator = Evaluator::new(vec![policy], namespaces());
    let own = own_pod(&workload("Deployment", "api"));
    let other_pod = pod("shop", &[("app", "postgres")], &[]);
    assert!(!allows(
        &evaluator,
        &flow(&own, other_pod, Direction::Egress, Protocol::Tcp, 5432),
        Direction::Egress
    ));
}

#[test]
fn a_host_network_workload_gets_no_policy() {
    let mut workload = workload("Deployment", "api");
    workload["spec"]["template"]["spec"]["hostNetwork"] = json!(true);
    let review = review(
        &workload,
        &[profile("shop_Deployment-api_api")],
        &workspace(),
    );
    assert!(review.suggestions.is_empty());
    assert!(
        review.withheld[0].reason.contains("hostNetwork"),
        "{:?}",
        review.withheld
    );
}

#[test]
fn nodes_are_entities_for_cilium() {
    let mut node = tcp_peer("192.168.1.20", 10250);
    node.peer = Some(picket_profile::PeerIdentity {
        kind: PeerKind::Node,
        namespace: None,
        name: "node-a".to_owned(),
        workload: None,
        labels: Default::default(),
    });
    let review = review(
        &workload("Deployment", "api"),
        &[api_with(node)],
        &workspace(),
    );
    let k8s = file_of(&review, SuggestionKind::NetworkPolicy);
    assert!(k8s.contains("cidr: \"192.168.1.20/32\""), "{k8s}");
    let cilium = file_of(&review, SuggestionKind::CiliumNetworkPolicy);
    assert!(cilium.contains("    - toEntities:\n        - host\n        - remote-node\n      toPorts:\n        - ports:\n            - port: \"10250\""), "{cilium}");
    assert!(!cilium.contains("- \"192.168.1.20/32\""), "{cilium}");
}

#[test]
fn lookups_to_an_outside_server_have_a_rule_apart_from_other_traffic_to_it() {
    let mut profile = profile("shop_Deployment-api_api");
    let mut lookup = profile.network.iter().find(|p| p.dns).unwrap().clone();
    lookup.address = "1.1.1.1".to_owned();
    let mut doh = tcp_peer("1.1.1.1", 443);
    doh.dns = false;
    profile.network.extend([lookup, doh]);
    let review = review(&workload("Deployment", "api"), &[profile], &workspace());
    let cilium = file_of(&review, SuggestionKind::CiliumNetworkPolicy);
    // The DNS proxy's rule covers port 53 only: port 443 has a rule of its own.
    let dns_rule = "    - toCIDR:\n        - \"1.1.1.1/32\"\n      toPorts:\n        - ports:\n            - port: \"53\"\n              protocol: TCP\n            - port: \"53\"\n              protocol: UDP\n          rules:\n";
    let https_rule = "    - toCIDR:\n        - \"1.1.1.1/32\"\n      toPorts:\n        - ports:\n            - port: \"443\"\n              protocol: TCP\n";
    assert!(cilium.contains(dns_rule), "{cilium}");
    assert!(cilium.contains(https_rule), "{cilium}");
    let after_https = &cilium[cilium.find(https_rule).unwrap() + https_rule.len()..];
    assert!(!after_https.starts_with("          rules:"), "{cilium}");
}
