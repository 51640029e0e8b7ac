//! The workload containers of the manifests, each with the [`ContainerSpec`] its manifest
//! declares, read through `picket-model`'s views.

use picket_model::{Container, ContainerKind, Object, PodSpec, WorkloadKind, classify};
use picket_policy::{
    Capabilities, ContainerSpec, PodSecurityContext, SeccompProfileType, SecurityContext,
    VolumeMount,
};
use picket_syntax::ParsedFile;

/// Where an object sits in its file: the document, and the item of a `List` when it is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectAt {
    pub document: usize,
    pub item: Option<usize>,
}

/// One container of a workload in a manifest.
#[derive(Clone, Debug)]
pub struct WorkloadContainer {
    /// Index of the file among the caller's files.
    pub file: usize,
    pub at: ObjectAt,
    /// `metadata.namespace`, else the caller's default namespace.
    pub namespace: String,
    pub kind: String,
    pub name: String,
    /// What the manifest sets for the container.
    pub spec: ContainerSpec,
}

/// Every container (and init container) of every workload in `parsed`, in file order.
pub fn find(file: usize, parsed: &ParsedFile, default_namespace: &str) -> Vec<WorkloadContainer> {
    let mut out = Vec::new();
    for (document, entry) in parsed.documents().iter().enumerate() {
        let picket_model::DocumentClass::Object(object) = classify(&entry.doc) else {
            continue;
        };
        let items: Vec<(Option<usize>, Object<'_>)> = if object.list_items().next().is_some() {
            object
                .list_items()
                .enumerate()
                .map(|(i, o)| (Some(i), o))
                .collect()
        } else {
            vec![(None, object)]
        };
        for (item, object) in items {
            let at = ObjectAt { document, item };
            out.extend(containers_of(file, at, object, default_namespace));
        }
    }
    out
}

/// The containers of one object, if it is a workload that runs pods.
fn containers_of(
    file: usize,
    at: ObjectAt,
    object: Object<'_>,
    default_namespace: &str,
) -> Vec<WorkloadContainer> {
    // A `PodTemplate` describes pods but runs none, so no profile can be of it.
    if matches!(
        object.workload_kind(),
        None | Some(WorkloadKind::PodTemplate)
    ) {
        return Vec::new();
    }
    let (Some(gvk), Some(name), Some(pod)) = (object.gvk(), object.name(), object.pod_spec())
    else {
        return Vec::new();
    };
    let namespace = object.namespace().unwrap_or(default_namespace).to_owned();
    pod.all_containers()
        .filter(|(kind, _)| *kind != ContainerKind::Ephemeral)
        .filter_map(|(kind, c)| {
            Some(WorkloadContainer {
                file,
                at,
                namespace: namespace.clone(),
                kind: gvk.kind.to_owned(),
                name: name.to_owned(),
                spec: container_spec(pod, kind, c)?,
            })
        })
        .collect()
}

/// What the manifest declares for one container; `None` when it has no name.
fn container_spec(
    pod: PodSpec<'_>,
    kind: ContainerKind,
    c: Container<'_>,
) -> Option<ContainerSpec> {
    let name = c.name()?.text()?.to_owned();
    let sc = c.security_context();
    let security_context = SecurityContext {
        capabilities: sc.and_then(|s| s.capabilities()).map(|caps| Capabilities {
            add: caps
                .add()
                .map(|f| f.strings().map(str::to_owned).collect())
                .unwrap_or_default(),
            drop: caps
                .drop()
                .map(|f| f.strings().map(str::to_owned).collect())
                .unwrap_or_default(),
        }),
        read_only_root_filesystem: sc
            .and_then(|s| s.read_only_root_filesystem())
            .and_then(|f| f.as_bool()),
        run_as_non_root: sc
            .and_then(|s| s.run_as_non_root())
            .and_then(|f| f.as_bool()),
        run_as_user: sc.and_then(|s| s.run_as_user()).and_then(|f| f.as_int()),
        allow_privilege_escalation: sc
            .and_then(|s| s.allow_privilege_escalation())
            .and_then(|f| f.as_bool()),
        privileged: sc.and_then(|s| s.privileged()).and_then(|f| f.as_bool()),
        seccomp_profile: sc.and_then(|s| s.seccomp_profile()).and_then(seccomp_type),
    };
    let psc = pod.security_context();
    let pod_security_context = PodSecurityContext {
        run_as_non_root: psc
            .and_then(|s| s.run_as_non_root())
            .and_then(|f| f.as_bool()),
        run_as_user: psc.and_then(|s| s.run_as_user()).and_then(|f| f.as_int()),
        seccomp_profile: psc.and_then(|s| s.seccomp_profile()).and_then(seccomp_type),
    };
    let volume_mounts = c
        .volume_mounts()
        .filter_map(|m| {
            Some(VolumeMount {
                name: m.name()?.text()?.to_owned(),
                mount_path: m.mount_path()?.text()?.to_owned(),
                read_only: m.read_only().and_then(|f| f.as_bool()).unwrap_or(false),
            })
        })
        .collect();
    let pod_volume_names = pod
        .volumes()
        .filter_map(|v| v.name()?.text().map(str::to_owned))
        .collect();
    Some(ContainerSpec {
        name,
        image: c.image().and_then(|f| f.text()).map(str::to_owned),
        init: kind == ContainerKind::Init,
        security_context,
        pod_security_context,
        host_users: pod.host_users().and_then(|f| f.as_bool()),
        volume_mounts,
        pod_volume_names,
    })
}

fn seccomp_type(profile: picket_model::SeccompProfile<'_>) -> Option<SeccompProfileType> {
    Some(match profile.type_()?.as_str()? {
        "RuntimeDefault" => SeccompProfileType::RuntimeDefault,
        "Localhost" => SeccompProfileType::Localhost(
            profile
                .localhost_profile()
                .and_then(|f| f.as_str())
                .map(str::to_owned),
        ),
        "Unconfined" => SeccompProfileType::Unconfined,
        _ => return None,
    })
}

/// The object at `at` in a document.
pub fn object_at<'a>(doc: &'a picket_syntax::Document, at: ObjectAt) -> Option<Object<'a>> {
    let object = Object::from_document(doc)?;
    match at.item {
        None => Some(object),
        Some(i) => object.list_items().nth(i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(ObjectAt, String, String, String, bool)> {
        let parsed = ParsedFile::parse(text);
        find(0, &parsed, "dflt")
            .into_iter()
            .map(|w| {
                let label = format!("{}/{}/{}", w.namespace, w.kind, w.name);
                (
                    w.at,
                    label,
                    w.spec.name,
                    w.spec.image.unwrap_or_default(),
                    w.spec.init,
                )
            })
            .collect()
    }

    #[test]
    fn finds_the_containers_of_every_workload() {
        let text = "\
apiVersion: v1
kind: Pod
metadata: {name: solo}
spec:
  containers: [{name: app, image: a}]
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tpl}
template:
  spec:
    containers: [{name: t, image: t}]
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: s}
- apiVersion: batch/v1
  kind: CronJob
  metadata: {name: nightly, namespace: batch}
  spec:
    jobTemplate:
      spec:
        template:
          spec:
            initContainers: [{name: init, image: i}]
            containers: [{name: job, image: j}]
            ephemeralContainers: [{name: debug, image: d}]
";
        let at = |document, item| ObjectAt { document, item };
        assert_eq!(
            names(text),
            [
                (
                    at(0, None),
                    "dflt/Pod/solo".into(),
                    "app".into(),
                    "a".into(),
                    false
                ),
                (
                    at(2, Some(1)),
                    "batch/CronJob/nightly".into(),
                    "init".into(),
                    "i".into(),
                    true
                ),
                (
                    at(2, Some(1)),
                    "batch/CronJob/nightly".into(),
                    "job".into(),
                    "j".into(),
                    false
                ),
            ]
        );
    }

    #[test]
    fn reads_what_the_manifest_sets() {
        let text = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      hostUsers: false
      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
      volumes: [{name: cache, emptyDir: {}}, {name: conf, configMap: {name: c}}]
      containers:
      - name: web
        securityContext:
          capabilities: {add: [NET_ADMIN], drop: [all]}
          readOnlyRootFilesystem: yes
          privileged: false
          seccompProfile: {type: Localhost, localhostProfile: web.json}
        volumeMounts:
        - {name: cache, mountPath: /var/cache, readOnly: true}
";
        let parsed = ParsedFile::parse(text);
        let found = find(0, &parsed, "default");
        let spec = &found[0].spec;
        let sc = &spec.security_context;
        assert_eq!(
            sc.capabilities,
            Some(Capabilities {
                add: vec!["NET_ADMIN".into()],
                drop: vec!["all".into()]
            })
        );
        // `yes` is true to Kubernetes' YAML 1.1 reader.
        assert_eq!(sc.read_only_root_filesystem, Some(true));
        assert_eq!(sc.privileged, Some(false));
        assert_eq!(sc.run_as_non_root, None);
        assert_eq!(
            sc.seccomp_profile,
            Some(SeccompProfileType::Localhost(Some("web.json".into())))
        );
        assert_eq!(spec.pod_security_context.run_as_non_root, Some(true));
        assert_eq!(spec.pod_security_context.run_as_user, Some(1000));
        assert_eq!(
            spec.pod_security_context.seccomp_profile,
            Some(SeccompProfileType::RuntimeDefault)
        );
        assert_eq!(spec.host_users, Some(false));
        assert_eq!(spec.pod_volume_names, ["cache", "conf"]);
        assert_eq!(
            spec.volume_mounts,
            [VolumeMount {
                name: "cache".into(),
                mount_path: "/var/cache".into(),
                read_only: true
            }]
        );
    }
}
