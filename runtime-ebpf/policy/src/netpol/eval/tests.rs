//! Tests of the NetworkPolicy evaluator: parsing, then tables of flows per scenario.

use serde_json::{Value, json};

use super::*;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn pod(namespace: &str, name: &str, pairs: &[(&str, &str)]) -> Pod {
    Pod {
        name: name.to_owned(),
        namespace: namespace.to_owned(),
        labels: labels(pairs),
        ip: None,
        container_ports: Vec::new(),
    }
}

fn with_ip(mut pod: Pod, ip: &str) -> Pod {
    pod.ip = Some(ip.parse().unwrap());
    pod
}

fn with_port(mut pod: Pod, name: &str, port: u16, protocol: Protocol) -> Pod {
    pod.container_ports.push(ContainerPort {
        name: name.to_owned(),
        port,
        protocol,
    });
    pod
}

fn ext(ip: &str) -> Endpoint {
    Endpoint::External(ip.parse().unwrap())
}

fn flow(from: &Endpoint, to: &Endpoint, protocol: Protocol, port: u16) -> Flow {
    Flow {
        from: from.clone(),
        to: to.clone(),
        protocol,
        port,
    }
}

fn policy(name: &str, namespace: &str, spec: Value) -> NetworkPolicy {
    let object = json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    });
    match NetworkPolicy::from_json(&object) {
        Ok(p) => p,
        Err(e) => panic!("policy `{name}` does not parse: {e:#}"),
    }
}

fn parse_error(spec: Value) -> String {
    let object = json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "p"},
        "spec": spec,
    });
    match NetworkPolicy::from_json(&object) {
        Ok(p) => panic!("parsed: {p:?}"),
        Err(e) => format!("{e:#}"),
    }
}

/// Checks each `(flow, allowed)` row, naming the row that differs with the verdict.
#[track_caller]
fn check(evaluator: &Evaluator, rows: &[(&str, Flow, bool)]) {
    for (what, flow, allowed) in rows {
        let verdict = evaluator.evaluate(flow);
        assert_eq!(
            verdict.allowed, *allowed,
            "{what}: egress {}, ingress {}",
            verdict.egress, verdict.ingress
        );
    }
}

use Protocol::{Sctp, Tcp, Udp};

#[test]
fn no_policies_allow_everything() {
    let a = Endpoint::Pod(pod("app", "a", &[("app", "a")]));
    let b = Endpoint::Pod(pod("other", "b", &[]));
    let evaluator = Evaluator::default();
    check(
        &evaluator,
        &[
            ("pod to pod", flow(&a, &b, Tcp, 80), true),
            ("pod to outside", flow(&a, &ext("1.1.1.1"), Udp, 53), true),
            ("outside to pod", flow(&ext("1.1.1.1"), &a, Sctp, 9), true),
        ],
    );
    let verdict = evaluator.evaluate(&flow(&a, &ext("1.1.1.1"), Tcp, 443));
    assert_eq!(verdict.egress, Decision::NotSelected);
    assert_eq!(verdict.ingress, Decision::External);
}

#[test]
fn default_deny_ingress() {
    let web = Endpoint::Pod(pod("app", "web", &[("app", "web")]));
    let other_ns = Endpoint::Pod(pod("elsewhere", "web", &[("app", "web")]));
    let client = Endpoint::Pod(pod("app", "client", &[]));
    let evaluator = Evaluator::new(
        vec![policy("deny-ingress", "app", json!({"podSelector": {}}))],
        vec![],
    );
    check(
        &evaluator,
        &[
            ("into a selected pod", flow(&client, &web, Tcp, 80), false),
            ("from outside", flow(&ext("10.0.0.1"), &web, Tcp, 80), false),
            (
                "egress is not restricted",
                flow(&web, &other_ns, Tcp, 80),
                true,
            ),
            (
                "another namespace's pods",
                flow(&web, &other_ns, Udp, 53),
                true,
            ),
        ],
    );
    let verdict = evaluator.evaluate(&flow(&client, &web, Tcp, 80));
    assert_eq!(
        verdict.ingress,
        Decision::Denied {
            policies: vec![PolicyId {
                namespace: "app".to_owned(),
                name: "deny-ingress".to_owned()
            }]
        }
    );
    assert_eq!(
        verdict.ingress.to_string(),
        "denied: selected by app/deny-ingress, no rule matches"
    );
}

#[test]
fn default_deny_egress() {
    let web = Endpoint::Pod(pod("app", "web", &[("app", "web")]));
    let peer = Endpoint::Pod(pod("app", "peer", &[]));
    let evaluator = Evaluator::new(
        vec![policy(
            "deny-egress",
            "app",
            json!({"podSelector": {}, "policyTypes": ["Egress"]}),
        )],
        vec![],
    );
    check(
        &evaluator,
        &[
            ("out of a selected pod", flow(&web, &peer, Tcp, 80), false),
            (
                "to outside",
                flow(&web, &ext("2001:db8::1"), Tcp, 443),
                false,
            ),
            (
                "ingress is not restricted",
                flow(&ext("10.0.0.1"), &web, Tcp, 80),
                true,
            ),
        ],
    );
}

#[test]
fn policy_types_default() {
    // Egress rules present and no policyTypes: Ingress and Egress.
    let p = policy(
        "p",
        "app",
        json!({"podSelector": {}, "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]}),
    );
    assert_eq!(p.policy_types, [PolicyType::Ingress, PolicyType::Egress]);
    // An empty egress list does not make the policy an egress policy.
    let p = policy("p", "app", json!({"podSelector": {}, "egress": []}));
    assert_eq!(p.policy_types, [PolicyType::Ingress]);
    // An empty policyTypes list is defaulted too.
    let p = policy("p", "app", json!({"podSelector": {}, "policyTypes": []}));
    assert_eq!(p.policy_types, [PolicyType::Ingress]);
    // Egress rules of a policy that is Ingress only are ignored.
    let p = policy(
        "p",
        "app",
        json!({"podSelector": {}, "policyTypes": ["Ingress"], "egress": [{}]}),
    );
    let a = Endpoint::Pod(pod("app", "a", &[]));
    let evaluator = Evaluator::new(vec![p], vec![]);
    let verdict = evaluator.evaluate(&flow(&a, &ext("1.1.1.1"), Tcp, 443));
    assert_eq!(verdict.egress, Decision::NotSelected);
}

#[test]
fn empty_rule_allows_everything_and_policies_add_up() {
    let web = Endpoint::Pod(pod("app", "web", &[("app", "web")]));
    let db = Endpoint::Pod(pod("app", "db", &[("app", "db")]));
    let evaluator = Evaluator::new(
        vec![
            policy(
                "deny-all",
                "app",
                json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
            ),
            policy(
                "web-open",
                "app",
                json!({"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{}], "egress": [{}]}),
            ),
        ],
        vec![],
    );
    check(
        &evaluator,
        &[
            (
                "anything into web",
                flow(&ext("192.0.2.1"), &web, Udp, 9999),
                true,
            ),
            (
                "anything out of web",
                flow(&web, &ext("192.0.2.1"), Sctp, 1),
                true,
            ),
            (
                "web to db: db's ingress denies",
                flow(&web, &db, Tcp, 5432),
                false,
            ),
            (
                "db to web: db's egress denies",
                flow(&db, &web, Tcp, 80),
                false,
            ),
        ],
    );
    let verdict = evaluator.evaluate(&flow(&ext("192.0.2.1"), &web, Tcp, 80));
    assert_eq!(
        verdict.ingress.to_string(),
        "allowed by app/web-open rule 0"
    );
    let verdict = evaluator.evaluate(&flow(&web, &db, Tcp, 5432));
    assert_eq!(verdict.egress.to_string(), "allowed by app/web-open rule 0");
    assert_eq!(
        verdict.ingress.to_string(),
        "denied: selected by app/deny-all, no rule matches"
    );
}

#[test]
fn pod_and_namespace_selectors_and_versus_or() {
    let namespaces = vec![
        Namespace {
            name: "monitoring".to_owned(),
            labels: labels(&[("team", "ops")]),
        },
        Namespace {
            name: "dev".to_owned(),
            labels: labels(&[("team", "dev")]),
        },
    ];
    let db = Endpoint::Pod(pod("app", "db", &[("app", "db")]));
    let prom_ops = Endpoint::Pod(pod("monitoring", "prom", &[("app", "prometheus")]));
    let other_ops = Endpoint::Pod(pod("monitoring", "grafana", &[("app", "grafana")]));
    let prom_dev = Endpoint::Pod(pod("dev", "prom", &[("app", "prometheus")]));
    let prom_same_ns = Endpoint::Pod(pod("app", "prom", &[("app", "prometheus")]));
    let other_same_ns = Endpoint::Pod(pod("app", "x", &[]));
    let select_db = json!({"matchLabels": {"app": "db"}});
    let prom = json!({"matchLabels": {"app": "prometheus"}});
    let ops = json!({"matchLabels": {"team": "ops"}});

    // One peer with both selectors: prometheus pods in ops namespaces.
    let and = Evaluator::new(
        vec![policy(
            "and",
            "app",
            json!({"podSelector": select_db, "ingress": [{"from": [{"podSelector": prom, "namespaceSelector": ops}]}]}),
        )],
        namespaces.clone(),
    );
    check(
        &and,
        &[
            ("prometheus in ops", flow(&prom_ops, &db, Tcp, 9187), true),
            ("other pod in ops", flow(&other_ops, &db, Tcp, 9187), false),
            ("prometheus in dev", flow(&prom_dev, &db, Tcp, 9187), false),
            (
                "prometheus in the policy's namespace",
                flow(&prom_same_ns, &db, Tcp, 9187),
                false,
            ),
        ],
    );

    // Two peers: prometheus pods of the policy's namespace, or any pod of ops namespaces.
    let or = Evaluator::new(
        vec![policy(
            "or",
            "app",
            json!({"podSelector": select_db, "ingress": [{"from": [{"podSelector": prom}, {"namespaceSelector": ops}]}]}),
        )],
        namespaces.clone(),
    );
    check(
        &or,
        &[
            ("prometheus in ops", flow(&prom_ops, &db, Tcp, 9187), true),
            ("other pod in ops", flow(&other_ops, &db, Tcp, 9187), true),
            ("prometheus in dev", flow(&prom_dev, &db, Tcp, 9187), false),
            (
                "prometheus in the policy's namespace",
                flow(&prom_same_ns, &db, Tcp, 9187),
                true,
            ),
            (
                "other pod in the policy's namespace",
                flow(&other_same_ns, &db, Tcp, 9187),
                false,
            ),
        ],
    );

    // An empty namespaceSelector: every namespace, known or not.
    let all_ns = Evaluator::new(
        vec![policy(
            "all-ns",
            "app",
            json!({"podSelector": select_db, "ingress": [{"from": [{"podSelector": prom, "namespaceSelector": {}}]}]}),
        )],
        namespaces,
    );
    let prom_unknown_ns = Endpoint::Pod(pod("unlisted", "prom", &[("app", "prometheus")]));
    check(
        &all_ns,
        &[
            ("prometheus in dev", flow(&prom_dev, &db, Tcp, 9187), true),
            (
                "prometheus in an unlisted namespace",
                flow(&prom_unknown_ns, &db, Tcp, 9187),
                true,
            ),
            ("other pod in ops", flow(&other_ops, &db, Tcp, 9187), false),
            (
                "an external address",
                flow(&ext("10.1.2.3"), &db, Tcp, 9187),
                false,
            ),
        ],
    );
}

#[test]
fn namespace_name_label_is_implicit() {
    let db = Endpoint::Pod(pod("app", "db", &[]));
    let in_ops = Endpoint::Pod(pod("ops", "x", &[]));
    let in_dev = Endpoint::Pod(pod("dev", "x", &[]));
    // `ops` is not listed at all, `dev` is listed with other labels: both get the name label.
    let evaluator = Evaluator::new(
        vec![policy(
            "p",
            "app",
            json!({"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "ops"}}}]}]}),
        )],
        vec![Namespace {
            name: "dev".to_owned(),
            labels: labels(&[(NAMESPACE_NAME_LABEL, "ops")]),
        }],
    );
    check(
        &evaluator,
        &[
            ("from ops", flow(&in_ops, &db, Tcp, 1), true),
            (
                "from dev, whose name label cannot be overridden",
                flow(&in_dev, &db, Tcp, 1),
                false,
            ),
        ],
    );
}

/// A `matchExpressions` case: what it tests, the expression, the pod's labels, whether selected.
type ExpressionCase = (
    &'static str,
    Value,
    &'static [(&'static str, &'static str)],
    bool,
);

#[test]
fn match_expressions() {
    let cases: &[ExpressionCase] = &[
        (
            "In, value listed",
            json!({"key": "tier", "operator": "In", "values": ["fe", "be"]}),
            &[("tier", "be")],
            true,
        ),
        (
            "In, value not listed",
            json!({"key": "tier", "operator": "In", "values": ["fe"]}),
            &[("tier", "be")],
            false,
        ),
        (
            "In, label absent",
            json!({"key": "tier", "operator": "In", "values": ["fe"]}),
            &[],
            false,
        ),
        (
            "NotIn, value listed",
            json!({"key": "tier", "operator": "NotIn", "values": ["fe"]}),
            &[("tier", "fe")],
            false,
        ),
        (
            "NotIn, value not listed",
            json!({"key": "tier", "operator": "NotIn", "values": ["fe"]}),
            &[("tier", "be")],
            true,
        ),
        (
            "NotIn, label absent",
            json!({"key": "tier", "operator": "NotIn", "values": ["fe"]}),
            &[],
            true,
        ),
        (
            "Exists, present",
            json!({"key": "tier", "operator": "Exists"}),
            &[("tier", "")],
            true,
        ),
        (
            "Exists, absent",
            json!({"key": "tier", "operator": "Exists"}),
            &[("other", "x")],
            false,
        ),
        (
            "DoesNotExist, present",
            json!({"key": "tier", "operator": "DoesNotExist"}),
            &[("tier", "x")],
            false,
        ),
        (
            "DoesNotExist, absent",
            json!({"key": "tier", "operator": "DoesNotExist"}),
            &[],
            true,
        ),
    ];
    for (what, expr, pod_labels, selected) in cases {
        let p = policy(
            "p",
            "app",
            json!({"podSelector": {"matchExpressions": [expr]}, "policyTypes": ["Ingress"]}),
        );
        let target = Endpoint::Pod(pod("app", "t", pod_labels));
        let verdict =
            Evaluator::new(vec![p], vec![]).evaluate(&flow(&ext("10.0.0.1"), &target, Tcp, 80));
        // Selected by a policy without ingress rules means denied.
        assert_eq!(!verdict.allowed, *selected, "{what}");
    }

    // matchLabels and matchExpressions together must both hold.
    let selector = LabelSelector::from_json(&json!({
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}],
    }))
    .unwrap();
    assert!(selector.matches(&labels(&[("app", "web"), ("env", "prod")])));
    assert!(!selector.matches(&labels(&[("app", "web"), ("env", "dev")])));
    assert!(!selector.matches(&labels(&[("app", "api"), ("env", "prod")])));
    assert!(LabelSelector::default().matches(&labels(&[])));
}

#[test]
fn named_ports_resolve_at_the_destination() {
    let api = pod("app", "api", &[("app", "api")]);
    let api = with_port(api, "http", 8080, Tcp);
    let api = with_port(api, "metrics", 9090, Tcp);
    let api = Endpoint::Pod(with_port(api, "dns", 5353, Udp));
    let no_ports = Endpoint::Pod(pod("app", "bare", &[("app", "api")]));
    let client = Endpoint::Pod(pod("app", "client", &[("app", "client")]));
    let evaluator = Evaluator::new(
        vec![
            policy(
                "api-in",
                "app",
                json!({"podSelector": {"matchLabels": {"app": "api"}}, "ingress": [{"ports": [{"port": "http"}, {"port": "dns", "protocol": "UDP"}]}]}),
            ),
            policy(
                "client-out",
                "app",
                json!({"podSelector": {"matchLabels": {"app": "client"}}, "policyTypes": ["Egress"], "egress": [{"ports": [{"port": "http"}]}]}),
            ),
        ],
        vec![],
    );
    check(
        &evaluator,
        &[
            ("http's number", flow(&client, &api, Tcp, 8080), true),
            (
                "another declared port",
                flow(&client, &api, Tcp, 9090),
                false,
            ),
            (
                "a UDP named port from outside",
                flow(&ext("10.0.0.9"), &api, Udp, 5353),
                true,
            ),
            (
                "the UDP name over TCP",
                flow(&ext("10.0.0.9"), &api, Tcp, 5353),
                false,
            ),
            (
                "a destination without the name",
                flow(&client, &no_ports, Tcp, 8080),
                false,
            ),
            (
                "a named egress port to outside",
                flow(&client, &ext("10.0.0.9"), Tcp, 8080),
                false,
            ),
        ],
    );
}

#[test]
fn end_port_ranges() {
    let p = pod("app", "p", &[]);
    let target = Endpoint::Pod(p);
    let evaluator = Evaluator::new(
        vec![policy(
            "range",
            "app",
            json!({"podSelector": {}, "ingress": [{"ports": [{"port": 32000, "endPort": 32768}, {"port": 8080, "protocol": "UDP"}]}]}),
        )],
        vec![],
    );
    let src = ext("10.0.0.1");
    check(
        &evaluator,
        &[
            ("below the range", flow(&src, &target, Tcp, 31999), false),
            ("start", flow(&src, &target, Tcp, 32000), true),
            ("inside", flow(&src, &target, Tcp, 32100), true),
            ("end", flow(&src, &target, Tcp, 32768), true),
            ("above", flow(&src, &target, Tcp, 32769), false),
            ("the range over UDP", flow(&src, &target, Udp, 32100), false),
            ("a second port, UDP", flow(&src, &target, Udp, 8080), true),
        ],
    );
}

#[test]
fn protocols_are_matched_exactly() {
    let target = Endpoint::Pod(pod("app", "p", &[]));
    let evaluator = Evaluator::new(
        vec![policy(
            "tcp-443",
            "app",
            json!({"podSelector": {}, "ingress": [{"ports": [{"port": 443}]}, {"ports": [{"protocol": "SCTP"}]}]}),
        )],
        vec![],
    );
    let src = ext("10.0.0.1");
    check(
        &evaluator,
        &[
            (
                "TCP, the default protocol",
                flow(&src, &target, Tcp, 443),
                true,
            ),
            (
                "UDP on the TCP port (QUIC)",
                flow(&src, &target, Udp, 443),
                false,
            ),
            ("SCTP, any port", flow(&src, &target, Sctp, 3868), true),
            ("TCP, other port", flow(&src, &target, Tcp, 3868), false),
        ],
    );
    let verdict = evaluator.evaluate(&flow(&src, &target, Sctp, 1));
    assert_eq!(verdict.ingress.to_string(), "allowed by app/tcp-443 rule 1");
}

#[test]
fn ip_blocks_v4_and_v6_with_except() {
    let web = Endpoint::Pod(pod("app", "web", &[]));
    let evaluator = Evaluator::new(
        vec![policy(
            "egress",
            "app",
            json!({
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [{"to": [
                    {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.96.0.0/12"]}},
                    {"ipBlock": {"cidr": "2001:db8::/32", "except": ["2001:db8:dead::/48"]}},
                    {"ipBlock": {"cidr": "192.0.2.7/32"}},
                ]}],
            }),
        )],
        vec![],
    );
    check(
        &evaluator,
        &[
            (
                "inside the v4 block",
                flow(&web, &ext("10.1.2.3"), Tcp, 443),
                true,
            ),
            (
                "inside the v4 except",
                flow(&web, &ext("10.100.0.1"), Tcp, 443),
                false,
            ),
            (
                "outside the v4 block",
                flow(&web, &ext("11.0.0.1"), Tcp, 443),
                false,
            ),
            (
                "inside the v6 block",
                flow(&web, &ext("2001:db8:1::5"), Tcp, 443),
                true,
            ),
            (
                "inside the v6 except",
                flow(&web, &ext("2001:db8:dead:1::5"), Tcp, 443),
                false,
            ),
            (
                "outside the v6 block",
                flow(&web, &ext("2001:db9::1"), Tcp, 443),
                false,
            ),
            ("a /32", flow(&web, &ext("192.0.2.7"), Tcp, 443), true),
            (
                "next to the /32",
                flow(&web, &ext("192.0.2.8"), Tcp, 443),
                false,
            ),
            (
                "v4-mapped v6 is not v4",
                flow(&web, &ext("::ffff:10.1.2.3"), Tcp, 443),
                false,
            ),
            // A pod with an IP in the block matches it; a pod without an IP cannot.
            (
                "a pod by its IP",
                flow(
                    &web,
                    &Endpoint::Pod(with_ip(pod("x", "y", &[]), "10.1.0.9")),
                    Tcp,
                    443,
                ),
                true,
            ),
            (
                "a pod without an IP",
                flow(&web, &Endpoint::Pod(pod("x", "y", &[])), Tcp, 443),
                false,
            ),
        ],
    );
}

#[test]
fn port_names() {
    for ok in [
        "http",
        "dns-tcp",
        "h2c",
        "a",
        "metrics-9090",
        "abcdefghijklmno",
    ] {
        assert!(is_port_name(ok), "{ok}");
    }
    for bad in [
        "",
        "8080",
        "HTTP",
        "-http",
        "http-",
        "dns--tcp",
        "abcdefghijklmnop",
        "my_port",
    ] {
        assert!(!is_port_name(bad), "{bad}");
    }
}

#[test]
fn cidr_edges() {
    let all = Cidr::parse("0.0.0.0/0").unwrap();
    assert!(all.contains("255.255.255.255".parse().unwrap()));
    assert!(!all.contains("::1".parse().unwrap()));
    let all6 = Cidr::parse("::/0").unwrap();
    assert!(all6.contains("ffff::1".parse().unwrap()));
    let host6 = Cidr::parse("2001:db8::1/128").unwrap();
    assert!(host6.contains("2001:db8::1".parse().unwrap()));
    assert!(!host6.contains("2001:db8::2".parse().unwrap()));
    // Host bits are ignored.
    assert!(
        Cidr::parse("10.1.2.3/8")
            .unwrap()
            .contains("10.200.0.1".parse().unwrap())
    );
    assert_eq!(Cidr::parse("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
}

#[test]
fn dns_to_kube_dns() {
    let app = Endpoint::Pod(pod("shop", "web", &[("app", "web")]));
    let coredns = pod("kube-system", "coredns-1", &[("k8s-app", "kube-dns")]);
    let coredns = with_port(with_port(coredns, "dns", 53, Udp), "dns-tcp", 53, Tcp);
    let coredns = Endpoint::Pod(coredns);
    let other_system = Endpoint::Pod(pod(
        "kube-system",
        "metrics",
        &[("k8s-app", "metrics-server")],
    ));
    let fake_dns = Endpoint::Pod(pod("shop", "fake", &[("k8s-app", "kube-dns")]));
    let dns_rule = json!({
        "to": [{
            "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    });
    let evaluator = Evaluator::new(
        vec![policy(
            "web",
            "shop",
            json!({"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress", "Egress"], "egress": [dns_rule]}),
        )],
        vec![],
    );
    check(
        &evaluator,
        &[
            ("DNS over UDP", flow(&app, &coredns, Udp, 53), true),
            ("DNS over TCP", flow(&app, &coredns, Tcp, 53), true),
            ("mDNS port", flow(&app, &coredns, Udp, 5353), false),
            (
                "other kube-system pod",
                flow(&app, &other_system, Udp, 53),
                false,
            ),
            (
                "kube-dns label in another namespace",
                flow(&app, &fake_dns, Udp, 53),
                false,
            ),
            (
                "an external resolver",
                flow(&app, &ext("8.8.8.8"), Udp, 53),
                false,
            ),
        ],
    );
}

#[test]
fn job_pods_are_selected_without_their_instance_labels() {
    let job_pod = Endpoint::Pod(pod(
        "batch",
        "migrate-x7k2p",
        &[
            ("app", "migrate"),
            ("job-name", "migrate-28912345"),
            ("batch.kubernetes.io/job-name", "migrate-28912345"),
            ("controller-uid", "0b1f6a2c-1111-2222-3333-444455556666"),
            (
                "batch.kubernetes.io/controller-uid",
                "0b1f6a2c-1111-2222-3333-444455556666",
            ),
        ],
    ));
    let db = Endpoint::Pod(pod("batch", "db", &[("app", "db")]));
    let evaluator = Evaluator::new(
        vec![policy(
            "migrate",
            "batch",
            json!({
                "podSelector": {"matchLabels": {"app": "migrate"}},
                "policyTypes": ["Egress"],
                "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}], "ports": [{"port": 5432}]}],
            }),
        )],
        vec![],
    );
    check(
        &evaluator,
        &[
            ("to the database", flow(&job_pod, &db, Tcp, 5432), true),
            (
                "anywhere else",
                flow(&job_pod, &ext("1.1.1.1"), Tcp, 443),
                false,
            ),
        ],
    );
}

/// The acceptance scenario: a policy in the shape `picket suggest` derives from observed
/// traffic allows every observed flow and denies one that was not observed.
#[test]
fn observed_flows_allowed_and_an_unobserved_one_denied() {
    let namespaces = vec![Namespace {
        name: "shop".to_owned(),
        labels: labels(&[("team", "shop")]),
    }];
    let web = pod(
        "shop",
        "web-5d9c-abcde",
        &[("app", "web"), ("pod-template-hash", "5d9c")],
    );
    let web = Endpoint::Pod(with_ip(with_port(web, "http", 8080, Tcp), "10.244.1.5"));
    let ingress_nginx = Endpoint::Pod(pod(
        "ingress-nginx",
        "controller",
        &[("app.kubernetes.io/name", "ingress-nginx")],
    ));
    let db = Endpoint::Pod(pod("shop", "db-0", &[("app", "db")]));
    let coredns = Endpoint::Pod(pod("kube-system", "coredns", &[("k8s-app", "kube-dns")]));
    let payments = ext("2001:db8:100::10");
    let policy = policy(
        "web",
        "shop",
        json!({
            "podSelector": {"matchLabels": {"app": "web"}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{
                "from": [{
                    "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "ingress-nginx"}},
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}},
                }],
                "ports": [{"port": "http"}],
            }],
            "egress": [
                {
                    "to": [{
                        "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "kube-system"}},
                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    }],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                },
                {"to": [{"podSelector": {"matchLabels": {"app": "db"}}}], "ports": [{"port": 5432}]},
                {"to": [{"ipBlock": {"cidr": "2001:db8:100::10/128"}}], "ports": [{"port": 443}]},
            ],
        }),
    );
    let evaluator = Evaluator::new(vec![policy], namespaces);
    let observed = [
        flow(&ingress_nginx, &web, Tcp, 8080),
        flow(&web, &coredns, Udp, 53),
        flow(&web, &coredns, Tcp, 53),
        flow(&web, &db, Tcp, 5432),
        flow(&web, &payments, Tcp, 443),
    ];
    for f in &observed {
        let verdict = evaluator.evaluate(f);
        assert!(verdict.allowed, "{f:?}: {verdict:?}");
    }
    let unobserved = [
        flow(&web, &ext("2001:db8:100::11"), Tcp, 443),
        flow(&web, &db, Tcp, 6379),
        flow(&db, &web, Tcp, 8080),
        flow(&ingress_nginx, &web, Tcp, 9090),
    ];
    for f in &unobserved {
        let verdict = evaluator.evaluate(f);
        assert!(!verdict.allowed, "{f:?}: {verdict:?}");
    }
    let verdict = evaluator.evaluate(&observed[3]);
    assert_eq!(verdict.egress.to_string(), "allowed by shop/web rule 1");
    assert_eq!(verdict.ingress, Decision::NotSelected);
}

#[test]
fn parse_errors_name_the_field() {
    let cases: &[(Value, &str)] = &[
        (json!({}), "spec: `podSelector` is required"),
        (
            json!({"podSelector": {}, "egres": []}),
            "spec: unsupported field `egres`",
        ),
        (
            json!({"podSelector": {"matchLabel": {}}}),
            "spec: podSelector: unsupported field `matchLabel`",
        ),
        (
            json!({"podSelector": {}, "policyTypes": ["ingress"]}),
            "spec: policyTypes: `\"ingress\"` is neither",
        ),
        (
            json!({"podSelector": {}, "ingress": [{"from": [{}]}]}),
            "spec: ingress[0]: from[0]: a peer needs",
        ),
        (
            json!({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]}),
            "`ipBlock` cannot be combined",
        ),
        (
            json!({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/16"]}}]}]}),
            "spec: egress[0]: to[0]: ipBlock: except[0]: `11.0.0.0/16` is not inside `10.0.0.0/8`",
        ),
        (
            json!({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.1"}}]}]}),
            "is not a CIDR",
        ),
        (
            json!({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}]}),
            "prefix length must be 0 to 32",
        ),
        (
            json!({"podSelector": {}, "ingress": [{"ports": [{"port": 53, "protocol": "udp"}]}]}),
            "spec: ingress[0]: ports[0]: unknown protocol `udp`",
        ),
        (
            json!({"podSelector": {}, "ingress": [{"ports": [{"port": 0}]}]}),
            "port 0 is not in 1 to 65535",
        ),
        (
            json!({"podSelector": {}, "ingress": [{"ports": [{"port": 70000}]}]}),
            "port 70000 is not in 1 to 65535",
        ),
        (
            json!({"podSelector": {}, "ingress": [{"ports": [{"port": "8080"}]}]}),
            "`port` `8080` is not a valid port name",
        ),
        (
            json!({"podSelector": {}, "ingress": [{"ports": [{"port": "HTTP"}]}]}),
            "`port` `HTTP` is not a valid port name",
        ),
        (
            json!({"podSelector": {}, "ingress": [{"ports": [{"port": 100, "endPort": 99}]}]}),
            "`endPort` 99 is below `port` 100",
        ),
        (
            json!({"podSelector": {}, "ingress": [{"ports": [{"port": "http", "endPort": 99}]}]}),
            "`endPort` needs a numbered `port`",
        ),
        (
            json!({"podSelector": {"matchExpressions": [{"key": "a", "operator": "In"}]}}),
            "matchExpressions[0]: `In` needs at least one value",
        ),
        (
            json!({"podSelector": {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}}),
            "`Exists` takes no values",
        ),
        (
            json!({"podSelector": {"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}}),
            "unknown operator `Gt`",
        ),
        (
            json!({"podSelector": {"matchLabels": {"a": 1}}}),
            "value of `a` is not a string",
        ),
    ];
    for (spec, expected) in cases {
        let error = parse_error(spec.clone());
        assert!(
            error.contains(expected),
            "{spec}: got `{error}`, expected `{expected}`"
        );
    }
}

#[test]
fn parse_checks_the_object() {
    let err = |v: Value| format!("{:#}", NetworkPolicy::from_json(&v).unwrap_err());
    assert!(
        err(json!({"apiVersion": "extensions/v1beta1", "kind": "NetworkPolicy"}))
            .contains("is not `networking.k8s.io/v1`")
    );
    assert!(
        err(json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress"}))
            .contains("kind `Ingress`")
    );
    assert!(
        err(json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "spec": {}}))
            .contains("`metadata` is required")
    );
    assert!(err(json!([])).contains("not an object"));

    // The namespace defaults to `default`; metadata's other fields are ignored; nulls are absent.
    let p = NetworkPolicy::from_json(&json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "p", "labels": {"x": "y"}},
        "spec": {"podSelector": {"matchLabels": null}, "ingress": null, "egress": [{"to": null, "ports": [{"port": 443, "endPort": null}]}]},
    }))
    .unwrap();
    assert_eq!(p.id().to_string(), "default/p");
    assert_eq!(p.pod_selector, LabelSelector::default());
    assert_eq!(
        p.egress,
        [EgressRule {
            to: vec![],
            ports: vec![PolicyPort {
                protocol: Tcp,
                port: Some(PortSpec::Number(443)),
                end_port: None
            }]
        }]
    );
}
