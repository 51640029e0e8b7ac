//! Small helpers shared by rules: reading nested fields and building the common fixes.

use picket_model::{Field, View};
use picket_syntax::{Document, Mapping};

use crate::edit::{Edit, Value, ensure_path, set_scalar};

/// The field at `path` below `mapping`, following nested mappings.
pub(crate) fn field_at<'a>(mapping: Mapping<'a>, path: &[&str]) -> Option<Field<'a>> {
    let (last, init) = path.split_last()?;
    let mut m = mapping;
    for key in init {
        m = m.get(key)?.resolve().as_mapping()?;
    }
    m.get_entry(last).map(Field::new)
}

/// The field at `path` below `mapping` as written there: no merge keys followed.
fn direct_field_at<'a>(mapping: Mapping<'a>, path: &[&str]) -> Option<Field<'a>> {
    let (last, init) = path.split_last()?;
    let mut m = mapping;
    for key in init {
        m = m.entry(key)?.value.as_mapping()?;
    }
    m.entry(last).map(Field::new)
}

/// An edit that makes `path` below `view` hold `value`: the scalar is replaced if it exists,
/// the missing mappings are created if not.
pub(crate) fn set_path<'a>(
    doc: &Document,
    view: impl View<'a>,
    path: &[&str],
    value: &str,
) -> Option<Edit> {
    let mapping = view.mapping();
    // Only a field written here is edited in place; one merged from an anchor is shared, so it
    // gets an override instead (`ensure_path`).
    match direct_field_at(mapping, path) {
        Some(f) if f.value_as_written().as_scalar().is_some() && !f.value().is_null() => {
            set_scalar(f, value)
        }
        Some(_) if path.len() > 1 => {
            // `key:` with an empty value, or a collection: only the null case is editable.
            ensure_path(doc, mapping, path, Value::scalar(value))
        }
        _ => ensure_path(doc, mapping, path, Value::scalar(value)),
    }
}

/// Whether a field holds the boolean `true` (in Kubernetes' YAML 1.1 reading).
pub(crate) fn is_true(f: Option<Field<'_>>) -> bool {
    f.and_then(|f| f.as_bool()) == Some(true)
}

/// Whether a field holds the boolean `false`.
pub(crate) fn is_false(f: Option<Field<'_>>) -> bool {
    f.and_then(|f| f.as_bool()) == Some(false)
}
