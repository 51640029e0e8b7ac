//! Tests of the views: every workload kind finds its pods, fields carry ranges.

use picket_syntax::ParsedFile;

use crate::{ContainerKind, DocumentClass, Object, View, WorkloadKind, classify, is_template};

fn with_object(text: &str, f: impl FnOnce(Object<'_>)) {
    let file = ParsedFile::parse(text);
    let doc = &file.documents()[0].doc;
    assert!(doc.errors().is_empty(), "{:?}", doc.errors());
    f(Object::from_document(doc).expect("an object"));
}

const POD_SPEC: &str = "containers:\n- name: app\n  image: nginx\ninitContainers:\n- name: init\n  image: busybox\nephemeralContainers:\n- name: debug\n  image: alpine\n";

fn indent(text: &str, by: usize) -> String {
    text.lines()
        .map(|l| format!("{}{l}\n", " ".repeat(by)))
        .collect()
}

#[test]
fn every_workload_kind_finds_its_pod_spec() {
    let cases = [
        (
            "v1",
            "Pod",
            format!("spec:\n{}", indent(POD_SPEC, 2)),
            WorkloadKind::Pod,
        ),
        (
            "v1",
            "PodTemplate",
            format!("template:\n  spec:\n{}", indent(POD_SPEC, 4)),
            WorkloadKind::PodTemplate,
        ),
        (
            "v1",
            "ReplicationController",
            format!("spec:\n  template:\n    spec:\n{}", indent(POD_SPEC, 6)),
            WorkloadKind::Templated,
        ),
        (
            "apps/v1",
            "Deployment",
            format!("spec:\n  template:\n    spec:\n{}", indent(POD_SPEC, 6)),
            WorkloadKind::Templated,
        ),
        (
            "apps/v1",
            "StatefulSet",
            format!("spec:\n  template:\n    spec:\n{}", indent(POD_SPEC, 6)),
            WorkloadKind::Templated,
        ),
        (
            "apps/v1",
            "DaemonSet",
            format!("spec:\n  template:\n    spec:\n{}", indent(POD_SPEC, 6)),
            WorkloadKind::Templated,
        ),
        (
            "apps/v1",
            "ReplicaSet",
            format!("spec:\n  template:\n    spec:\n{}", indent(POD_SPEC, 6)),
            WorkloadKind::Templated,
        ),
        (
            "batch/v1",
            "Job",
            format!("spec:\n  template:\n    spec:\n{}", indent(POD_SPEC, 6)),
            WorkloadKind::Templated,
        ),
        (
            "batch/v1",
            "CronJob",
            format!(
                "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n{}",
                indent(POD_SPEC, 10)
            ),
            WorkloadKind::CronJob,
        ),
        (
            "argoproj.io/v1alpha1",
            "Rollout",
            format!("spec:\n  template:\n    spec:\n{}", indent(POD_SPEC, 6)),
            WorkloadKind::Templated,
        ),
    ];
    for (api_version, kind, body, want) in cases {
        let text = format!("apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n{body}");
        with_object(&text, |obj| {
            assert_eq!(obj.workload_kind(), Some(want), "{kind}");
            let spec = obj
                .pod_spec()
                .unwrap_or_else(|| panic!("{kind} has a pod spec"));
            let names: Vec<_> = spec
                .all_containers()
                .map(|(k, c)| (k, c.name().unwrap().text().unwrap()))
                .collect();
            assert_eq!(
                names,
                [
                    (ContainerKind::Init, "init"),
                    (ContainerKind::Regular, "app"),
                    (ContainerKind::Ephemeral, "debug")
                ],
                "{kind}"
            );
            // Pod-template paths (`spec.containers`) lead from the template root to the
            // same pod spec.
            let root = obj.pod_template_root().expect("a template root");
            let via_root = crate::PodSpec::cast(root.get("spec").unwrap()).unwrap();
            assert_eq!(via_root, spec, "{kind}");
        });
    }
}

#[test]
fn non_workloads_have_no_pods() {
    with_object(
        "apiVersion: v1\nkind: Service\nspec:\n  selector:\n    app: web\n",
        |obj| {
            assert_eq!(obj.workload_kind(), None);
            assert!(obj.pod_spec().is_none());
            let svc = obj.as_service().unwrap();
            assert_eq!(svc.selector().unwrap().get("app"), Some("web"));
        },
    );
}

#[test]
fn fields_carry_ranges_and_kubernetes_values() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  hostNetwork: yes\n  containers:\n  - name: c\n    image: x\n    securityContext:\n      privileged: true\n      runAsUser: 0\n    resources:\n      limits: {memory: 1Gi}\n";
    with_object(text, |obj| {
        assert_eq!(obj.name(), Some("web"));
        assert_eq!(obj.gvk().unwrap().group, "");
        assert_eq!(obj.gvk().unwrap().kind, "Pod");
        let spec = obj.pod_spec().unwrap();
        let host = spec.host_network().unwrap();
        assert_eq!(host.as_bool(), Some(true));
        assert_eq!(&text[host.value_range()], "yes");
        assert_eq!(&text[host.range()], "hostNetwork: yes");
        let c = spec.containers().next().unwrap();
        let sc = c.security_context().unwrap();
        assert_eq!(sc.privileged().unwrap().as_bool(), Some(true));
        assert_eq!(sc.run_as_user().unwrap().as_int(), Some(0));
        assert_eq!(
            c.resources().unwrap().limits().unwrap().get("memory"),
            Some("1Gi")
        );
        assert_eq!(obj.pod_labels().unwrap().get("app"), Some("web"));
    });
}

#[test]
fn rbac_and_crd_views() {
    let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules:\n- apiGroups: ['*']\n  resources: ['*']\n  verbs: ['*']\n";
    with_object(text, |obj| {
        let rules: Vec<_> = obj.policy_rules().collect();
        assert_eq!(rules.len(), 1);
        assert_eq!(
            rules[0].verbs().unwrap().strings().collect::<Vec<_>>(),
            ["*"]
        );
    });
    let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nroleRef:\n  kind: Role\n  name: r\nsubjects:\n- kind: ServiceAccount\n  name: sa\n";
    with_object(text, |obj| {
        assert_eq!(obj.role_ref().unwrap().name().unwrap().text(), Some("r"));
        assert_eq!(
            obj.subjects().next().unwrap().name().unwrap().text(),
            Some("sa")
        );
    });
    let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: example.com\n  names:\n    kind: Widget\n  versions:\n  - name: v1\n    served: true\n    schema:\n      openAPIV3Schema:\n        type: object\n";
    with_object(text, |obj| {
        let crd = obj.as_crd().unwrap();
        assert_eq!(crd.group().unwrap().text(), Some("example.com"));
        assert_eq!(crd.names().unwrap().kind().unwrap().text(), Some("Widget"));
        let v = crd.versions().next().unwrap();
        assert_eq!(v.name().unwrap().text(), Some("v1"));
        assert!(
            v.schema()
                .unwrap()
                .open_api_v3_schema()
                .unwrap()
                .as_mapping()
                .is_some()
        );
    });
}

#[test]
fn lists_and_config() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  data:\n    a: b\n- apiVersion: v1\n  kind: Secret\n  stringData:\n    p: q\n";
    with_object(text, |obj| {
        let items: Vec<_> = obj.list_items().collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].data().unwrap().get("a"), Some("b"));
        assert_eq!(items[1].string_data().unwrap().get("p"), Some("q"));
        assert!(items[1].data().is_none());
    });
}

#[test]
fn classification() {
    let file = ParsedFile::parse("---\n# nothing\n---\nfoo: bar\n---\nkind: Pod\n");
    let classes: Vec<_> = file
        .documents()
        .iter()
        .map(|d| match classify(&d.doc) {
            DocumentClass::Empty => "empty",
            DocumentClass::Object(_) => "object",
            DocumentClass::Other => "other",
        })
        .collect();
    assert_eq!(classes, ["empty", "other", "object"]);
}

#[test]
fn helm_templates_are_recognised() {
    for t in [
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"x.fullname\" . }}-svc\n",
        "{{- if .Values.enabled }}\napiVersion: v1\nkind: ConfigMap\n{{- end }}\n",
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: \"{{ .Values.image }}\"\n",
    ] {
        assert!(is_template(&ParsedFile::parse(t)), "{t}");
    }
    for t in [
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  tpl: |\n    {{ .Values.x }}\n",
        "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n  - rules:\n    - annotations:\n        summary: Instance {{ $labels.instance }} down\n        legend: '{{pod}}'\n",
        "apiVersion: v1\nkind: Pod\n",
        // A real manifest with a syntax error and an alert template in a quoted string.
        "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n  - rules:\n    - alert: Down\n      annotations:\n        summary: '{{ $labels.instance }} is down'\n      expr up == 0\n",
        // A ConfigMap carrying a template in a block scalar.
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  tpl: |\n    {{- if .Values.x }}\n    y\n    {{- end }}\n",
    ] {
        assert!(!is_template(&ParsedFile::parse(t)), "{t}");
    }
}
