//! `exposed-admin-ui`: the Kubernetes Dashboard without authentication, or an admin UI
//! published outside the cluster.

use picket_model::Field;
use picket_syntax::Node;

use crate::edit::{Fix, comment_of, remove_item};
use crate::engine::Cx;
use crate::rule::{ContainerCx, PodCx, Rule, declare_rule};

/// Admin UIs by image repository: `(what the repository path contains, name)`.
const ADMIN_UIS: &[(&str, &str)] = &[
    ("kubernetesui/dashboard", "Kubernetes Dashboard"),
    ("kubernetes-dashboard", "Kubernetes Dashboard"),
    ("weaveworks/scope", "Weave Scope"),
    ("apache/nifi", "Apache NiFi"),
    ("argoproj/argocli", "Argo Workflows server"),
    ("centraldashboard", "Kubeflow Central Dashboard"),
    ("prom/prometheus", "Prometheus"),
    ("prometheus/prometheus", "Prometheus"),
    ("prom/alertmanager", "Alertmanager"),
    ("prometheus/alertmanager", "Alertmanager"),
];

/// The repository of an image reference, without tag or digest.
fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => &image[..i],
        _ => image,
    }
}

/// The admin UI an image runs, if it is one.
fn admin_ui(image: &str) -> Option<&'static str> {
    let repo = repository(image).to_ascii_lowercase();
    ADMIN_UIS.iter().find_map(|(pattern, name)| {
        // `pattern` at the end, or followed by `-` or `/`.
        let hit = repo.match_indices(pattern).any(|(i, _)| {
            matches!(repo.as_bytes().get(i + pattern.len()), None | Some(b'-' | b'/'))
        });
        hit.then_some(*name)
    })
}

/// Whether `arg` turns the boolean flag `flag` on (`--flag`, `--flag=true`).
fn turns_on(arg: &str, flag: &str) -> bool {
    match arg.trim().strip_prefix(flag) {
        Some("") => true,
        Some(v) => v
            .strip_prefix('=')
            .is_some_and(|v| matches!(v, "1" | "t" | "T" | "true" | "TRUE" | "True")),
        None => false,
    }
}

declare_rule! {
    /// ## What it flags
    /// - A Kubernetes Dashboard container (image `kubernetesui/dashboard*` or
    ///   `*/kubernetes-dashboard*`) started with `--enable-skip-login` or
    ///   `--enable-insecure-login` in `args` or `command`.
    /// - A container of an admin UI (Kubernetes Dashboard, Weave Scope, Apache NiFi, the Argo
    ///   Workflows server, the Kubeflow Central Dashboard, Prometheus, Alertmanager) in a pod
    ///   that a `LoadBalancer` or `NodePort` Service among the files checked together selects.
    ///
    /// ## Why it matters
    /// `--enable-skip-login` adds a "Skip" button that lets anyone use the Dashboard with its
    /// own service account's permissions, historically often cluster-admin (the Tesla
    /// cryptojacking of 2018 started there); `--enable-insecure-login` accepts tokens over
    /// plain HTTP. Admin UIs published on node ports or load balancers are found by internet
    /// scanners within hours, and several of them have no authentication by default.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: kubernetes-dashboard
    ///   namespace: kubernetes-dashboard
    /// spec:
    ///   selector:
    ///     matchLabels: {k8s-app: kubernetes-dashboard}
    ///   template:
    ///     metadata:
    ///       labels: {k8s-app: kubernetes-dashboard}
    ///     spec:
    ///       containers:
    ///         - name: kubernetes-dashboard
    ///           image: kubernetesui/dashboard:v2.7.0
    ///           args:
    ///             - --auto-generate-certificates
    ///             - --enable-skip-login
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: kubernetes-dashboard
    ///   namespace: kubernetes-dashboard
    /// spec:
    ///   selector:
    ///     matchLabels: {k8s-app: kubernetes-dashboard}
    ///   template:
    ///     metadata:
    ///       labels: {k8s-app: kubernetes-dashboard}
    ///     spec:
    ///       containers:
    ///         - name: kubernetes-dashboard
    ///           image: kubernetesui/dashboard:v2.7.0
    ///           args:
    ///             - --auto-generate-certificates
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: removing `--enable-skip-login` makes every Dashboard user sign in with a token
    /// or kubeconfig; workflows that relied on skipping break.
    ///
    /// ## References
    /// - https://github.com/kubernetes/dashboard/blob/master/docs/common/arguments.md
    /// - https://kubernetes.io/docs/tasks/access-application-cluster/web-ui-dashboard/
    pub(crate) ExposedAdminUi {
        name: "exposed-admin-ui",
        category: Networking,
        severity: Error,
        fix: Some(Unsafe),
        summary: "Admin UI reachable without authentication or from outside the cluster",
        peers: [
            Kubescape: "C-0021",
        ],
    }
}

impl Rule for ExposedAdminUi {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let Some(image) = c.container.image().and_then(|f| f.text()) else {
            return;
        };
        if admin_ui(image) != Some("Kubernetes Dashboard") {
            return;
        }
        let name = c.name();
        for field in [c.container.command(), c.container.args()].into_iter().flatten() {
            for item in field.items() {
                let Some(arg) = item.as_scalar().map(|s| s.value()) else {
                    continue;
                };
                if turns_on(arg, "--enable-skip-login") {
                    let fix = remove_flag(cx, field, item);
                    cx.report(
                        item.range(),
                        format!(
                            "Dashboard `{name}` runs with `--enable-skip-login`: anyone who reaches it can skip signing in"
                        ),
                    )
                    .fix(fix);
                } else if turns_on(arg, "--enable-insecure-login") {
                    cx.report(
                        item.range(),
                        format!(
                            "Dashboard `{name}` runs with `--enable-insecure-login`: it accepts sign-in tokens over plain HTTP"
                        ),
                    );
                }
            }
        }
    }

    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let Some(labels) = pod.object.pod_labels() else {
            return;
        };
        let labels: Vec<(String, String)> = labels
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        if labels.is_empty() {
            return;
        }
        let ns = pod.object.namespace();
        let index = cx.index();
        let Some((ty, svc)) = index.services_selecting(&labels, ns).find_map(|(_, s)| {
            let ty = s.service_type.as_deref()?;
            let public = match ty {
                "LoadBalancer" => !s.internal_load_balancer,
                "NodePort" => true,
                _ => false,
            };
            public.then(|| (ty.to_owned(), s.name.clone()))
        }) else {
            return;
        };
        for (_, container) in pod.spec.all_containers() {
            let Some(image) = container.image() else { continue };
            let Some(ui) = image.text().and_then(admin_ui) else {
                continue;
            };
            cx.report(
                image.value_range(),
                format!("{ui} is published outside the cluster by {ty} Service `{svc}`"),
            );
        }
    }
}

/// Removes the flag's item; a comment on its line stays, on a line of its own.
fn remove_flag(cx: &Cx<'_>, field: Field<'_>, item: Node<'_>) -> Option<Fix> {
    let text = cx.doc().text();
    let mut edit = remove_item(cx.doc(), field, item)?;
    let removed = &text[edit.range];
    if removed.lines().any(|l| comment_of(l).is_some()) {
        if edit.text.is_empty() && removed.ends_with('\n') {
            // Whole lines of a block sequence: keep each comment at the item's column.
            let start = usize::from(item.range().start());
            let col = start - text[..start].rfind('\n').map_or(0, |i| i + 1);
            let pad = " ".repeat(col.saturating_sub(2));
            let nl = if removed.ends_with("\r\n") { "\r\n" } else { "\n" };
            edit.text = removed
                .lines()
                .filter_map(comment_of)
                .map(|c| format!("{pad}{c}{nl}"))
                .collect();
        } else {
            return None;
        }
    }
    Some(Fix::unsafe_("Remove `--enable-skip-login`", edit))
}
