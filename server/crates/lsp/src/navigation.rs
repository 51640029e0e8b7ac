//! Protocol answers for navigation: definition, references, rename, code lenses and workspace
//! symbols. The analysis lives in `picket_ide::navigation`; this turns it into LSP types.

use picket_ide::{Analysis, NavTarget};
use tower_lsp_server::ls_types::*;

use crate::convert::{self, Locator};
use crate::state::Snapshot;

/// The command a code lens runs on click: the client shows the locations (VS Code's
/// `editor.action.showReferences` takes the same arguments: URI, position, locations).
pub(crate) const SHOW_REFERENCES: &str = "picket.showReferences";

fn offset(snap: &Snapshot, position: Position) -> picket_ide::TextSize {
    convert::offset(&snap.rope, position, snap.encoding)
}

/// Go-to-definition: locations, or links (with the reference's own range as their origin)
/// when the client takes links.
pub(crate) fn definition(
    snap: &Snapshot,
    position: Position,
    links: bool,
) -> Option<GotoDefinitionResponse> {
    let at = offset(snap, position);
    let targets = snap.analysis.definition(snap.id, at);
    if targets.is_empty() {
        return None;
    }
    let mut locator = snap.locator();
    if links {
        let origin = snap
            .analysis
            .origin_range(snap.id, at)
            .map(|r| convert::range(&snap.rope, r, snap.encoding));
        let links: Vec<LocationLink> = targets
            .iter()
            .filter_map(|t| {
                let (uri, full) = locator.range(t.file, t.full_range)?;
                let (_, focus) = locator.range(t.file, t.focus_range)?;
                Some(LocationLink {
                    origin_selection_range: origin,
                    target_uri: uri,
                    target_range: full,
                    target_selection_range: focus,
                })
            })
            .collect();
        return (!links.is_empty()).then_some(GotoDefinitionResponse::Link(links));
    }
    let locations: Vec<Location> = targets
        .iter()
        .filter_map(|t| locator.location(t.file, t.focus_range))
        .collect();
    (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
}

pub(crate) fn references(
    snap: &Snapshot,
    position: Position,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let at = offset(snap, position);
    let found = snap.analysis.references(snap.id, at, include_declaration);
    let mut locator = snap.locator();
    let locations: Vec<Location> = found
        .iter()
        .filter_map(|r| locator.location(r.file, r.range))
        .collect();
    (!locations.is_empty()).then_some(locations)
}

pub(crate) fn prepare_rename(
    snap: &Snapshot,
    position: Position,
) -> Result<PrepareRenameResponse, String> {
    let range = snap
        .analysis
        .prepare_rename(snap.id, offset(snap, position))?;
    Ok(PrepareRenameResponse::Range(convert::range(
        &snap.rope,
        range,
        snap.encoding,
    )))
}

pub(crate) fn rename(
    snap: &Snapshot,
    position: Position,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    let edits = snap
        .analysis
        .rename(snap.id, offset(snap, position), new_name)?;
    let mut locator = snap.locator();
    let mut changes: std::collections::HashMap<Uri, Vec<TextEdit>> = Default::default();
    for e in edits {
        // A file changed on disk since it was indexed (and nobody said so): its ranges may
        // now hold other text, which a rename must never overwrite.
        let same = locator
            .text(e.file, e.range)
            .is_some_and(|t| t == e.old_text);
        let placed = locator.range(e.file, e.range).filter(|_| same);
        let Some((uri, range)) = placed else {
            return Err(format!(
                "`{}` changed on disk since it was indexed; save your work and try again",
                snap.analysis.path(e.file).unwrap_or("a file")
            ));
        };
        changes
            .entry(uri)
            .or_default()
            .push(TextEdit::new(range, e.text));
    }
    Ok(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}

pub(crate) fn code_lenses(snap: &Snapshot) -> Option<Vec<CodeLens>> {
    let lenses = snap.analysis.code_lenses(snap.id);
    let mut locator = snap.locator();
    let out: Vec<CodeLens> = lenses
        .into_iter()
        .map(|l| {
            let range = convert::range(&snap.rope, l.range, snap.encoding);
            let locations: Vec<Location> = l
                .targets
                .iter()
                .filter_map(|t| locator.location(t.file, t.focus_range))
                .collect();
            CodeLens {
                range,
                command: Some(Command {
                    title: l.title,
                    command: SHOW_REFERENCES.to_owned(),
                    arguments: Some(vec![
                        serde_json::json!(snap.uri),
                        serde_json::json!(range.start),
                        serde_json::json!(locations),
                    ]),
                }),
                data: None,
            }
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

#[allow(deprecated)] // `SymbolInformation::deprecated` must still be written.
pub(crate) fn workspace_symbols(
    analysis: &Analysis,
    open: &[(picket_ide::FileId, Uri, picket_syntax::Rope)],
    encoding: convert::PositionEncoding,
    query: &str,
) -> Vec<SymbolInformation> {
    let mut locator = Locator::new(analysis, open, encoding);
    analysis
        .workspace_symbols(query, 1000)
        .into_iter()
        .filter_map(|s| {
            let t: &NavTarget = &s.target;
            Some(SymbolInformation {
                name: s.name.clone(),
                kind: convert::symbol_kind(s.symbol),
                tags: None,
                deprecated: None,
                location: locator.location(t.file, t.focus_range)?,
                container_name: Some(match &t.namespace {
                    Some(ns) => format!("{} · {ns}", s.kind),
                    None => s.kind.clone(),
                }),
            })
        })
        .collect()
}
