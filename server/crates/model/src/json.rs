//! A YAML node as a `serde_json::Value`, for consumers that work on plain values (the policy
//! crate reads Services, workloads and NetworkPolicies of the workspace this way).

use picket_syntax::{Node, NodeKind, ScalarValue};
use serde_json::{Map, Number, Value};

/// At most this many values are produced for one conversion: aliases can make a small file
/// stand for an exponential tree (a "billion laughs" document), and the rest becomes `null`.
const MAX_VALUES: usize = 1 << 20;

/// `node` as a JSON value, the way Kubernetes' decoder reads it: scalars resolved (YAML 1.1
/// booleans, octal, `~`), aliases followed, merge keys applied (written keys win), non-string
/// keys turned into their text. Past [`MAX_VALUES`] values (an alias bomb), the rest is `null`.
pub fn to_json(node: Node<'_>) -> Value {
    let mut budget = MAX_VALUES;
    convert(node, &mut budget, 0)
}

/// Deeper than this, a value is `null`: no manifest nests this far, and recursion stays bounded.
const MAX_DEPTH: usize = 256;

fn convert(node: Node<'_>, budget: &mut usize, depth: usize) -> Value {
    if *budget == 0 || depth > MAX_DEPTH {
        return Value::Null;
    }
    *budget -= 1;
    let node = node.resolve();
    if let Some(scalar) = node.as_scalar() {
        return match scalar.resolved() {
            ScalarValue::Null => Value::Null,
            ScalarValue::Bool(b) => Value::Bool(b),
            ScalarValue::Int(i) => i64::try_from(i)
                .map(Number::from)
                .or_else(|_| u64::try_from(i).map(Number::from))
                .map_or_else(|_| Value::String(scalar.value().to_owned()), Value::Number),
            ScalarValue::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
            ScalarValue::Str(s) => Value::String(s.to_owned()),
        };
    }
    if let Some(seq) = node.as_sequence() {
        return Value::Array(
            seq.items()
                .map(|item| convert(item, budget, depth + 1))
                .collect(),
        );
    }
    if let Some(mapping) = node.as_mapping() {
        let mut out = Map::new();
        let mut merged = Vec::new();
        for entry in mapping.entries() {
            if entry.is_merge() {
                merged.push(entry.value);
                continue;
            }
            let key = match entry.key.resolve().as_scalar() {
                Some(s) => s.value().to_owned(),
                None => entry.key.text().to_owned(),
            };
            let value = convert(entry.value, budget, depth + 1);
            out.entry(key).or_insert(value);
        }
        // Merge sources: earlier ones win over later ones, written keys over all.
        for source in merged {
            let sources: Vec<Node<'_>> = match source.resolve().kind() {
                NodeKind::Sequence => source
                    .resolve()
                    .as_sequence()
                    .map(|s| s.items().collect())
                    .unwrap_or_default(),
                _ => vec![source],
            };
            for source in sources {
                if let Value::Object(fields) = convert(source, budget, depth + 1) {
                    for (k, v) in fields {
                        out.entry(k).or_insert(v);
                    }
                }
            }
        }
        return Value::Object(out);
    }
    Value::Null
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn of(text: &str) -> Value {
        let doc = picket_syntax::parse_document(text, &picket_syntax::Limits::default());
        to_json(doc.root().expect("a root"))
    }

    #[test]
    fn scalars_are_read_the_way_kubernetes_reads_them() {
        assert_eq!(
            of("a: yes\nb: 0644\nc: ~\nd: \"8080\"\ne: 1.5\nf: text\ng: 18446744073709551615\n"),
            json!({"a": true, "b": 420, "c": null, "d": "8080", "e": 1.5, "f": "text",
                   "g": 18446744073709551615u64})
        );
    }

    #[test]
    fn aliases_and_merge_keys_are_followed() {
        assert_eq!(
            of("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nl: [*b]\n"),
            json!({"base": {"x": 1, "y": 2}, "m": {"y": 3, "x": 1}, "l": [{"x": 1, "y": 2}]})
        );
    }

    #[test]
    fn an_alias_bomb_is_cut_short() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let value = of(&text);
        let mut count = 0usize;
        fn walk(v: &Value, count: &mut usize) {
            *count += 1;
            match v {
                Value::Array(a) => a.iter().for_each(|v| walk(v, count)),
                Value::Object(o) => o.values().for_each(|v| walk(v, count)),
                _ => {}
            }
        }
        walk(&value, &mut count);
        // Once the budget is spent, each value still being built ends in one `null` per item.
        assert!(count <= MAX_VALUES + 100, "{count} values");
    }
}
