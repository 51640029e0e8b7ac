//! The built-in Kubernetes schema, embedded at build time and decoded on first use.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::table::{KindEntry, Scope, Shape, Table, TypeDef};

static TABLE_JSON: &str = include_str!("../data/kubernetes.json");
static DOCS_JSON: &str = include_str!("../data/kubernetes-docs.json");

/// The embedded table with its indexes.
#[derive(Debug)]
pub struct Builtin {
    table: Table,
    by_gvk: HashMap<(String, String), usize>,
    by_kind: HashMap<String, Vec<usize>>,
    groups: HashSet<String>,
    by_type_name: HashMap<String, u32>,
}

static BUILTIN: LazyLock<Builtin> = LazyLock::new(|| {
    // The table is generated and checked by `cargo xtask codegen --check`; a decode failure is
    // a build defect that every test catches.
    let table: Table = serde_json::from_str(TABLE_JSON).expect("embedded kubernetes.json is valid");
    Builtin::new(table)
});

static DOCS: LazyLock<Vec<String>> = LazyLock::new(|| {
    serde_json::from_str(DOCS_JSON).expect("embedded kubernetes-docs.json is valid")
});

/// The built-in schema of the embedded Kubernetes version.
pub fn builtin() -> &'static Builtin {
    &BUILTIN
}

impl Builtin {
    fn new(table: Table) -> Builtin {
        let mut by_gvk = HashMap::new();
        let mut by_kind: HashMap<String, Vec<usize>> = HashMap::new();
        let mut groups = HashSet::new();
        for (i, k) in table.kinds.iter().enumerate() {
            by_gvk.insert((k.api_version.clone(), k.kind.clone()), i);
            by_kind.entry(k.kind.clone()).or_default().push(i);
            groups.insert(group_of(&k.api_version).to_owned());
        }
        let by_type_name = table
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i as u32))
            .collect();
        Builtin {
            table,
            by_gvk,
            by_kind,
            groups,
            by_type_name,
        }
    }

    /// The Kubernetes version of the table, like `1.37`.
    pub fn kubernetes_version(&self) -> &str {
        &self.table.kubernetes
    }

    pub fn kinds(&self) -> &[KindEntry] {
        &self.table.kinds
    }

    pub fn types(&self) -> &[TypeDef] {
        &self.table.types
    }

    pub fn type_def(&self, index: u32) -> &TypeDef {
        &self.table.types[index as usize]
    }

    /// The type called `name` (`io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`).
    pub fn type_named(&self, name: &str) -> Option<u32> {
        self.by_type_name.get(name).copied()
    }

    /// The kind served at `api_version`.
    pub fn kind(&self, api_version: &str, kind: &str) -> Option<&KindEntry> {
        self.by_gvk
            .get(&(api_version.to_owned(), kind.to_owned()))
            .map(|&i| &self.table.kinds[i])
    }

    /// Every apiVersion that serves `kind`.
    pub fn api_versions_of(&self, kind: &str) -> Vec<&str> {
        self.by_kind
            .get(kind)
            .map(|v| {
                v.iter()
                    .map(|&i| self.table.kinds[i].api_version.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `group` is a built-in API group (`""` is the core group).
    pub fn has_group(&self, group: &str) -> bool {
        self.groups.contains(group)
    }

    /// Kinds served at `api_version`.
    pub fn kinds_in(&self, api_version: &str) -> impl Iterator<Item = &str> {
        self.table
            .kinds
            .iter()
            .filter(move |k| k.api_version == api_version)
            .map(|k| k.kind.as_str())
    }

    /// The root shape of a kind.
    pub fn root_shape(&self, entry: &KindEntry) -> Shape {
        Shape::Ref { to: entry.ty }
    }

    /// The scope of a kind.
    pub fn scope(&self, api_version: &str, kind: &str) -> Option<Scope> {
        self.kind(api_version, kind).map(|k| k.scope)
    }

    /// A field or type description.
    pub fn doc(&self, index: u32) -> Option<&'static str> {
        DOCS.get(index as usize).map(String::as_str)
    }
}

/// The group of an apiVersion (`apps/v1` → `apps`, `v1` → ``).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_kinds_we_rely_on() {
        let b = builtin();
        assert!(b.kubernetes_version().starts_with("1."));
        for (av, k) in [
            ("v1", "Pod"),
            ("v1", "Service"),
            ("apps/v1", "Deployment"),
            ("batch/v1", "CronJob"),
            ("networking.k8s.io/v1", "NetworkPolicy"),
            ("rbac.authorization.k8s.io/v1", "ClusterRole"),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
            ("autoscaling/v2", "HorizontalPodAutoscaler"),
            ("policy/v1", "PodDisruptionBudget"),
        ] {
            assert!(b.kind(av, k).is_some(), "{av} {k}");
        }
        assert_eq!(b.scope("v1", "Namespace"), Some(Scope::Cluster));
        assert_eq!(b.scope("v1", "Pod"), Some(Scope::Namespaced));
        assert!(b.has_group(""));
        assert!(b.has_group("apps"));
        assert!(!b.has_group("cert-manager.io"));
        assert!(b.api_versions_of("Deployment").contains(&"apps/v1"));
    }

    #[test]
    fn docs_are_loaded() {
        let b = builtin();
        let pod = b.kind("v1", "Pod").unwrap();
        let doc = b.type_def(pod.ty).doc.and_then(|d| b.doc(d)).unwrap();
        assert!(doc.contains("Pod"), "{doc}");
    }
}
