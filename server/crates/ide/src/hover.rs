//! Hover: what the schema says about the field under the cursor (its type, whether it is
//! required, the values it allows, its description) and where that schema comes from.
//!
//! A hover is built from [`HoverSection`]s, so that other features can add theirs (a rule's
//! explanation on a finding, a summary of the object a reference names) without touching the
//! schema part: [`Analysis::hover_sections`] is the seam, [`render_hover`] joins the sections.

use picket_schema::builtin;
use picket_syntax::{TextRange, TextSize};

use crate::schema_at::{self, Found, Root};
use crate::yaml_path::{self, Segment, Slot};
use crate::{Analysis, FileId};

/// What a hover shows over a range of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// The key or value hovered, in the file.
    pub range: TextRange,
    /// The sections, rendered and separated by horizontal rules.
    pub markdown: String,
}

/// What a section of a hover is about, so that callers can place or drop sections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SectionKind {
    /// The field: name, type, required or not, allowed values, description.
    Field,
    /// The kind an object's `kind` names.
    Kind,
    /// Which schema said so: the Kubernetes version and kind, or the CRD and its file.
    Source,
    /// The findings under the cursor: what a rule flags, why, and its fix.
    Finding,
    /// What a reference or a selector under the cursor points to.
    Reference,
}

/// One part of a hover, in markdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverSection {
    /// What the section is about.
    pub kind: SectionKind,
    /// Its text, without a trailing rule.
    pub markdown: String,
}

/// The sections of a hover, in order, separated by horizontal rules.
pub fn render_hover(sections: &[HoverSection]) -> String {
    sections
        .iter()
        .map(|s| s.markdown.trim_end())
        .collect::<Vec<_>>()
        .join("\n\n---\n\n")
}

impl Analysis {
    /// The hover at `offset` in `file`: on a key or a scalar value that the schema describes.
    pub fn hover(&self, file: FileId, offset: TextSize) -> Option<Hover> {
        let (range, sections) = self.hover_sections(file, offset)?;
        Some(Hover {
            range,
            markdown: render_hover(&sections),
        })
    }

    /// The whole hover at `offset`: the findings there (from `findings`, the file's
    /// diagnostics), what a reference or selector there points to, then the field's schema
    /// documentation. The range is the field's token when there is one, else the narrowest of
    /// the others.
    pub fn hover_with_findings(
        &self,
        file: FileId,
        offset: TextSize,
        findings: &[crate::Diagnostic],
    ) -> Option<Hover> {
        let mut sections = Vec::new();
        let mut ranges = Vec::new();
        if let Some((range, markdown)) = crate::explain_findings(findings, offset) {
            sections.push(HoverSection {
                kind: SectionKind::Finding,
                markdown,
            });
            ranges.push(range);
        }
        if let Some((range, markdown)) = self.reference_hover(file, offset) {
            sections.push(HoverSection {
                kind: SectionKind::Reference,
                markdown,
            });
            ranges.push(range);
        }
        let field = self.hover_sections(file, offset);
        let range = match &field {
            Some((range, _)) => *range,
            None => ranges.into_iter().min_by_key(|r| r.len())?,
        };
        sections.extend(field.into_iter().flat_map(|(_, s)| s));
        Some(Hover {
            range,
            markdown: render_hover(&sections),
        })
    }

    /// The parts of the hover at `offset` in `file`, and the range (in the file) they are
    /// about. `None` where the schema says nothing.
    pub fn hover_sections(
        &self,
        file: FileId,
        offset: TextSize,
    ) -> Option<(TextRange, Vec<HoverSection>)> {
        if self.stats(file)?.template {
            return None;
        }
        let entry = self.parsed(file)?.document_at(offset)?;
        let rel = offset.checked_sub(entry.offset)?;
        let doc = &entry.doc;
        let text = doc.text();
        let cx = yaml_path::cursor_context(doc, usize::from(rel))?;
        if cx.token.is_empty() {
            return None;
        }
        let token = &text[cx.token];
        let mut path = cx.path.clone();
        match cx.slot {
            Slot::Key if cx.has_colon => {
                let name = token.trim_matches(['"', '\'']);
                path.push(Segment::Key(name.to_owned()));
            }
            // A scalar item of a list: about the list.
            Slot::Key if path.last() == Some(&Segment::Item) => {}
            Slot::Key => return None,
            Slot::Value => {}
        }
        let crds = self.crds();
        let root = schema_at::root_of(&yaml_path::document_header(text), crds)?;
        let item_header = |n: usize| {
            cx.items
                .get(n)
                .map(|&(line, col)| yaml_path::item_header(text, line, col))
                .unwrap_or_default()
        };
        let found = schema_at::walk(root, &path, crds, &item_header)?;
        // A word in a list of objects is a key being typed, not an item.
        if cx.slot == Slot::Key && !cx.has_colon && !schema_at::is_scalar(found.shape) {
            return None;
        }
        let mut sections = vec![field_section(&path, &found)?];
        // On `kind: Deployment`, the kind itself.
        let object_kind = match path.as_slice() {
            [Segment::Key(k)] => k == "kind",
            [Segment::Key(items), Segment::Item, Segment::Key(k)] => {
                items == "items" && k == "kind"
            }
            _ => false,
        };
        if cx.slot == Slot::Value && object_kind {
            sections.push(kind_section(&found));
        }
        sections.push(source_section(&found));
        Some((cx.token + entry.offset, sections))
    }
}

/// `**name**: type`, required or optional, allowed values, the description.
fn field_section(path: &[Segment], found: &Found<'_>) -> Option<HoverSection> {
    let item = path.last() == Some(&Segment::Item);
    let name = path.iter().rev().find_map(|s| match s {
        Segment::Key(k) => Some(k.as_str()),
        Segment::Item => None,
    })?;
    let mut md = String::new();
    let prop = if item { found.owner } else { found.prop };
    if item {
        md.push_str(&format!(
            "**{name}** item: {}",
            schema_at::type_label(found.shape)
        ));
    } else {
        md.push_str(&format!(
            "**{name}**: {}",
            schema_at::type_label(found.shape)
        ));
    }
    match prop {
        Some(p) if !item => md.push_str(if p.required {
            "\n\nRequired."
        } else {
            "\n\nOptional."
        }),
        Some(_) => {}
        None => {
            let map = path.iter().rev().skip(1).find_map(|s| match s {
                Segment::Key(k) => Some(k.as_str()),
                Segment::Item => None,
            });
            if let Some(map) = map.filter(|_| !item) {
                md.push_str(&format!("\n\nAn entry of the map `{map}`."));
            }
        }
    }
    let values = schema_at::enum_values(found.shape);
    if !values.is_empty() {
        let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        md.push_str(&format!("\n\nAllowed values: {}.", list.join(", ")));
    }
    let description = prop
        .and_then(schema_at::description)
        .or_else(|| schema_at::type_description(found.shape));
    if let Some(d) = description {
        md.push_str("\n\n");
        md.push_str(d.trim());
    }
    Some(HoverSection {
        kind: SectionKind::Field,
        markdown: md,
    })
}

/// The kind an object's `kind` names, with its description.
fn kind_section(found: &Found<'_>) -> HoverSection {
    let (api, kind) = found.root.api_version_and_kind();
    let doc = match found.root {
        Root::Kind(k) => {
            schema_at::type_description(&picket_schema::table::Shape::Ref { to: k.ty })
        }
        _ => None,
    };
    let mut md = format!("**{kind}** (`{api}`)");
    if let Some(d) = doc {
        md.push_str("\n\n");
        md.push_str(d.trim());
    }
    HoverSection {
        kind: SectionKind::Kind,
        markdown: md,
    }
}

/// `Kubernetes 1.37 · apps/v1 Deployment`, or the CRD and the file that defines it.
fn source_section(found: &Found<'_>) -> HoverSection {
    let (api, kind) = found.root.api_version_and_kind();
    let markdown = match found.root {
        Root::Crd(def, _) => format!(
            "CRD `{}` ({}) · `{api}` `{kind}`",
            def.name,
            file_name(&def.origin)
        ),
        _ => format!(
            "Kubernetes {} · `{api}` `{kind}`",
            builtin().kubernetes_version()
        ),
    };
    HoverSection {
        kind: SectionKind::Source,
        markdown,
    }
}

/// The last part of a path label, for a short footer.
fn file_name(origin: &str) -> &str {
    origin.rsplit(['/', '\\']).next().unwrap_or(origin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AnalysisHost, FileKind, ParsedFile};

    const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  versions:\n  - name: v1\n    served: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            required: [size]\n            properties:\n              size: {type: integer, description: How big the widget is.}\n";

    /// The hover at `$0`, and the text its range covers.
    fn hover_at(marked: &str) -> Option<(String, String)> {
        let offset = marked.find("$0").unwrap();
        let text = marked.replace("$0", "");
        let mut host = AnalysisHost::new();
        host.set_file(
            FileId(2),
            "/work/crds/widget-crd.yaml",
            FileKind::Yaml,
            ParsedFile::parse(CRD),
        );
        host.set_file(
            FileId(1),
            "this.yaml",
            FileKind::Yaml,
            ParsedFile::parse(&text),
        );
        let h = host
            .analysis()
            .hover(FileId(1), TextSize::new(offset as u32))?;
        Some((text[h.range].to_owned(), h.markdown))
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        imagePullPolicy: Always\n        securityContext:\n          capabilities:\n            drop: [ALL]\n";

    fn at(needle: &str, shift: usize) -> String {
        let i = DEPLOY.find(needle).unwrap() + shift;
        format!("{}$0{}", &DEPLOY[..i], &DEPLOY[i..])
    }

    #[test]
    fn fields_of_built_in_kinds() {
        let (range, md) = hover_at(&at("image:", 2)).unwrap();
        assert_eq!(range, "image");
        assert!(
            md.starts_with("**image**: string\n\nOptional.\n\nContainer image name."),
            "{md}"
        );
        assert!(
            md.ends_with("---\n\nKubernetes 1.37 · `apps/v1` `Deployment`"),
            "{md}"
        );
        let (_, md) = hover_at(&at("imagePullPolicy", 3)).unwrap();
        assert!(
            md.contains("Allowed values: `Always`, `IfNotPresent`, `Never`."),
            "{md}"
        );
        let (_, md) = hover_at(&at("containers", 0)).unwrap();
        assert!(
            md.starts_with("**containers**: list of Container\n\nRequired."),
            "{md}"
        );
        let (_, md) = hover_at(&at("replicas", 8)).unwrap();
        assert!(md.starts_with("**replicas**: integer (int32)"), "{md}");
        let (_, md) = hover_at(&at("securityContext", 1)).unwrap();
        assert!(
            md.starts_with("**securityContext**: object (SecurityContext)"),
            "{md}"
        );
        // On a value: the same field, over the value.
        let (range, md) = hover_at(&at("Always", 2)).unwrap();
        assert_eq!(range, "Always");
        assert!(md.starts_with("**imagePullPolicy**: string"), "{md}");
        // A map entry, a list item.
        let (range, md) = hover_at(&at("app: web", 1)).unwrap();
        assert_eq!(range, "app");
        assert!(
            md.starts_with("**app**: string\n\nAn entry of the map `labels`."),
            "{md}"
        );
        let (range, md) = hover_at(&at("ALL", 1)).unwrap();
        assert_eq!(range, "ALL");
        assert!(md.starts_with("**drop** item: string"), "{md}");
    }

    #[test]
    fn the_kind_itself() {
        let (range, md) = hover_at(&at("Deployment", 3)).unwrap();
        assert_eq!(range, "Deployment");
        let parts: Vec<&str> = md.split("\n\n---\n\n").collect();
        assert_eq!(parts.len(), 3, "{md}");
        assert!(
            parts[1].starts_with("**Deployment** (`apps/v1`)\n\nDeployment enables"),
            "{md}"
        );
    }

    #[test]
    fn custom_resources_from_their_crd() {
        let (range, md) =
            hover_at("apiVersion: example.com/v1\nkind: Widget\nspec:\n  si$0ze: 3\n").unwrap();
        assert_eq!(range, "size");
        assert_eq!(
            md,
            "**size**: integer (int64)\n\nRequired.\n\nHow big the widget is.\n\n---\n\nCRD `widgets.example.com` (widget-crd.yaml) · `example.com/v1` `Widget`"
        );
        // The header keys every object has.
        let (_, md) =
            hover_at("apiVersion: example.com/v1\nkind: Widget\nmeta$0data: {}\n").unwrap();
        assert!(md.starts_with("**metadata**: object (ObjectMeta)"), "{md}");
    }

    #[test]
    fn sections_are_a_seam() {
        let text = DEPLOY;
        let mut host = AnalysisHost::new();
        host.set_file(FileId(1), "d.yaml", FileKind::Yaml, ParsedFile::parse(text));
        let offset = TextSize::new(text.find("image:").unwrap() as u32);
        let (range, sections) = host.analysis().hover_sections(FileId(1), offset).unwrap();
        assert_eq!(&text[range], "image");
        let kinds: Vec<SectionKind> = sections.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [SectionKind::Field, SectionKind::Source]);
        assert_eq!(
            render_hover(&sections),
            host.analysis().hover(FileId(1), offset).unwrap().markdown
        );
    }

    #[test]
    fn nothing_where_the_schema_says_nothing() {
        // A half-typed key, an unknown field, a comment, an unknown kind, a string's value.
        assert!(hover_at("apiVersion: v1\nkind: Pod\nspec:\n  hostN$0\n").is_none());
        assert!(hover_at("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - na$0\n").is_none());
        assert!(hover_at("apiVersion: v1\nkind: Pod\nspec:\n  hostNetwrk$0: true\n").is_none());
        assert!(hover_at("apiVersion: v1\nkind: Pod\n# spec$0: x\n").is_none());
        assert!(hover_at("apiVersion: v9\nkind: Nope\nsp$0ec: {}\n").is_none());
        assert!(hover_at("apiVersion: v1\nkind: Pod\nspec: $0\n").is_none());
    }

    #[test]
    fn lists_and_multi_document_files() {
        let (_, md) = hover_at("apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  spec:\n    cluster$0IP: None\n").unwrap();
        assert!(md.starts_with("**clusterIP**: string"), "{md}");
        assert!(md.ends_with("`v1` `Service`"), "{md}");
        let (_, md) = hover_at("apiVersion: apps/v1\nkind: DeploymentList\nit$0ems: []\n").unwrap();
        assert!(md.starts_with("**items**: list of Deployment"), "{md}");
    }
}
