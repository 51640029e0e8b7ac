//! Shared by the reliability rules: which pods run to completion, and the canonical form of
//! a probe.

use picket_syntax::{Node, NodeKind};

use crate::rule::PodCx;

/// Whether the pod runs to completion (a Job's or a CronJob's, or a Pod with
/// `restartPolicy: Never` or `OnFailure`) rather than serving for as long as it can.
pub(crate) fn runs_to_completion(pod: PodCx<'_>) -> bool {
    let o = pod.object;
    o.is(&["batch"], "Job")
        || o.is(&["batch"], "CronJob")
        || matches!(
            pod.spec.restart_policy().and_then(|f| f.text()),
            Some("Never" | "OnFailure")
        )
}

/// The defaults of a probe's timing fields, left out of its canonical form.
const PROBE_DEFAULTS: &[(&str, &str)] = &[
    ("initialDelaySeconds", "0"),
    ("timeoutSeconds", "1"),
    ("periodSeconds", "10"),
    ("successThreshold", "1"),
    ("failureThreshold", "3"),
];

/// A probe as text that ignores layout, key order, quoting, comments and fields set to their
/// defaults: two probes that behave alike read alike.
pub(crate) fn canonical_probe(node: Node<'_>) -> String {
    let mut out = String::new();
    canonical(node, true, &mut out, 0);
    out
}

fn canonical(node: Node<'_>, top: bool, out: &mut String, depth: usize) {
    let node = node.resolve();
    if depth > 32 {
        return;
    }
    match node.kind() {
        NodeKind::Mapping => {
            let Some(m) = node.as_mapping() else { return };
            let mut budget = picket_syntax::MergeBudget::default();
            let mut entries: Vec<(String, String)> = m
                .effective_entries(&mut budget)
                .into_iter()
                .filter_map(|e| {
                    let key = e.key_str()?.to_owned();
                    let mut value = String::new();
                    canonical(e.value, false, &mut value, depth + 1);
                    let default = top
                        && PROBE_DEFAULTS
                            .iter()
                            .any(|(k, d)| *k == key && format!("{d:?}") == value);
                    (!default && !e.value.resolve().is_null()).then_some((key, value))
                })
                .collect();
            entries.sort();
            out.push('{');
            for (k, v) in entries {
                out.push_str(&k);
                out.push(':');
                out.push_str(&v);
                out.push(',');
            }
            out.push('}');
        }
        NodeKind::Sequence => {
            out.push('[');
            for item in node.children() {
                canonical(item, false, out, depth + 1);
                out.push(',');
            }
            out.push(']');
        }
        _ => {
            if let Some(s) = node.as_scalar() {
                out.push_str(&format!("{:?}", s.value()));
            }
        }
    }
}
