//! Context-aware severity: a security finding is raised one level, with the reason, when the
//! workload is exposed, privileged with a hostPath, or runs as a service account bound to
//! cluster-admin; and not otherwise.

use picket_lint::{Config, Index, check_file, summarize};
use picket_schema::Severity;
use picket_syntax::ParsedFile;

const WORKLOAD: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: nginx:1.27
          securityContext: {privileged: true}
";

/// The severity and the reason of `privileged-container`'s finding in a run of `docs`.
fn privileged(docs: &[&str]) -> (Severity, Option<String>) {
    let text = docs.join("---\n");
    let parsed = ParsedFile::parse(&text);
    let mut index = Index::new();
    index.add_file(
        0,
        "run.yaml".into(),
        parsed.documents().iter().map(|d| summarize(&d.doc).into()),
    );
    let report = check_file(&parsed, 0, &index, &Config::default(), |_| false);
    let v = report
        .violations
        .iter()
        .find(|v| v.rule.name == "privileged-container")
        .expect("privileged-container fires");
    (v.severity, v.raised.clone())
}

#[test]
fn an_unexposed_workload_keeps_the_rule_severity() {
    let internal = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    assert_eq!(privileged(&[WORKLOAD, internal]), (Severity::Warning, None));
}

#[test]
fn a_load_balancer_raises_and_says_why() {
    let lb = "apiVersion: v1\nkind: Service\nmetadata: {name: web-public, namespace: shop}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    assert_eq!(
        privileged(&[WORKLOAD, lb]),
        (
            Severity::Error,
            Some("raised to error: LoadBalancer Service `web-public` exposes it".to_owned())
        )
    );
}

#[test]
fn a_service_in_another_namespace_does_not_expose() {
    let lb = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: other}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    assert_eq!(privileged(&[WORKLOAD, lb]).0, Severity::Warning);
}

#[test]
fn an_ingress_raises_through_its_service() {
    let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let ing = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: shop, namespace: shop}\nspec:\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n";
    assert_eq!(
        privileged(&[WORKLOAD, svc, ing]).1.as_deref(),
        Some("raised to error: Ingress `shop` routes to it through Service `web`")
    );
}

#[test]
fn a_service_account_bound_to_cluster_admin_raises() {
    let binding = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: web-admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects:\n- {kind: ServiceAccount, name: web, namespace: shop}\n";
    assert_eq!(
        privileged(&[WORKLOAD, binding]).1.as_deref(),
        Some(
            "raised to error: service account `web` is bound to an admin role by ClusterRoleBinding `web-admin`"
        )
    );
}

#[test]
fn privileged_with_a_host_path_raises() {
    let with_host_path = WORKLOAD.replace(
        "      containers:",
        "      volumes: [{name: root, hostPath: {path: /}}]\n      containers:",
    );
    assert_eq!(
        privileged(&[&with_host_path]).1.as_deref(),
        Some("raised to error: the pod is privileged and mounts a hostPath")
    );
}

#[test]
fn an_internal_load_balancer_does_not_expose() {
    let lb = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web-internal\n  namespace: shop\n  annotations: {networking.gke.io/load-balancer-type: Internal}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    assert_eq!(privileged(&[WORKLOAD, lb]), (Severity::Warning, None));
}
