//! Runs the rules over one document: finds the objects, pod specs and containers, calls each
//! enabled rule's hooks, then applies annotation suppressions and context-aware severity.

use picket_model::{Object, View};
use picket_schema::Severity;
use picket_syntax::{Document, TextRange};

use crate::config::Config;
use crate::edit::Fix;
use crate::index::{FileKey, Index};
use crate::rule::{ContainerCx, ContainerKind, PodCx, RuleEntry, RuleMeta};
use crate::rules::RULES;

/// A rule's finding. Ranges are relative to the document until [`crate::check_file`] moves
/// them into file coordinates.
#[derive(Clone, Debug)]
pub struct Violation {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub range: TextRange,
    pub message: String,
    pub related: Vec<(TextRange, String)>,
    pub fixes: Vec<Fix>,
    /// Why the severity was raised above the rule's, if it was ("raised to error: …").
    pub raised: Option<String>,
}

impl Violation {
    /// The message, with the reason for a raised severity.
    pub fn full_message(&self) -> String {
        match &self.raised {
            Some(why) => format!("{} ({why})", self.message),
            None => self.message.clone(),
        }
    }
}

impl Violation {
    /// Adds a fix, if there is one.
    pub fn fix(&mut self, fix: Option<Fix>) -> &mut Self {
        if crate::edit::building_fixes() {
            self.fixes.extend(fix);
        }
        self
    }

    /// Adds a second location that explains the finding.
    pub fn related(&mut self, range: TextRange, message: impl Into<String>) -> &mut Self {
        self.related.push((range, message.into()));
        self
    }
}

/// What a rule hook sees besides its target: the document, the index of every object in the
/// run or workspace, the configuration, and the sink for findings.
pub struct Cx<'a> {
    doc: &'a Document,
    index: &'a Index,
    config: &'a Config,
    file: FileKey,
    rule: &'static RuleMeta,
    out: Vec<Violation>,
}

impl std::fmt::Debug for Cx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cx").field("rule", &self.rule.name).finish()
    }
}

impl<'a> Cx<'a> {
    pub fn doc(&self) -> &'a Document {
        self.doc
    }

    pub fn index(&self) -> &'a Index {
        self.index
    }

    pub fn config(&self) -> &'a Config {
        self.config
    }

    /// The file being checked, to tell it apart in the index.
    pub fn file(&self) -> FileKey {
        self.file
    }

    /// Reports a finding of the running rule at `range`.
    pub fn report(&mut self, range: TextRange, message: impl Into<String>) -> &mut Violation {
        self.out.push(Violation {
            rule: self.rule,
            severity: self.config.severity(self.rule),
            range,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
            raised: None,
        });
        self.out.last_mut().unwrap()
    }
}

/// Stands in until the engine sets the running rule.
static NO_RULE: RuleMeta = RuleMeta {
    name: "",
    category: crate::rule::Category::Correctness,
    severity: Severity::Hint,
    fix: None,
    summary: "",
    docs: "",
    peers: &[],
    default_enabled: false,
};

/// The enabled rules under `config`.
pub(crate) fn enabled_rules(config: &Config) -> Vec<&'static RuleEntry> {
    RULES.iter().filter(|r| config.enabled(r.meta)).collect()
}

/// Runs `rules` over every object of `doc`.
pub(crate) fn check_document(
    doc: &Document,
    file: FileKey,
    index: &Index,
    config: &Config,
    rules: &[&'static RuleEntry],
) -> Vec<Violation> {
    let Some(root) = doc.root() else {
        return Vec::new();
    };
    let Some(object) = Object::from_node(root) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut objects: Vec<Object<'_>> = object.list_items().collect();
    if objects.is_empty() {
        objects.push(object);
    }
    for object in objects {
        let mut cx = Cx {
            doc,
            index,
            config,
            file,
            rule: &NO_RULE,
            out: Vec::new(),
        };
        run_object(&mut cx, object, rules);
        let mut found = cx.out;
        crate::suppress::apply_annotations(object, &mut found);
        crate::context::raise(object, index, &mut found);
        out.extend(found);
    }
    out
}

fn run_object(cx: &mut Cx<'_>, object: Object<'_>, rules: &[&'static RuleEntry]) {
    for rule in rules {
        cx.rule = rule.meta;
        (rule.object)(cx, object);
    }
    let Some(spec) = object.pod_spec() else {
        return;
    };
    let pod = PodCx {
        object,
        spec,
        template: object.pod_template(),
    };
    for rule in rules {
        cx.rule = rule.meta;
        (rule.pod)(cx, pod);
    }
    let groups = [
        (spec.field("initContainers"), ContainerKind::Init),
        (spec.field("containers"), ContainerKind::Regular),
        (spec.field("ephemeralContainers"), ContainerKind::Ephemeral),
    ];
    for (field, kind) in groups {
        let Some(field) = field else { continue };
        for item in field.items() {
            let Some(container) = picket_model::Container::cast(item) else {
                continue;
            };
            let c = ContainerCx {
                pod,
                container,
                kind,
            };
            for rule in rules {
                cx.rule = rule.meta;
                (rule.container)(cx, c);
            }
        }
    }
}
