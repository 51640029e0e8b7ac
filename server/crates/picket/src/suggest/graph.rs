//! `picket suggest --graph FILE`: the observed traffic as a Graphviz DOT file and an SVG
//! picture of it.
//!
//! The picture needs no layout engine: every edge joins a profiled workload to a peer, so
//! three columns (clients, workloads, destinations) place every node, and an edge between two
//! workloads bends out to the right of their column.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use picket_policy::netpol::ObservedFlow;
use picket_profile::{Direction, Protocol};

use super::Outcome;
use crate::fix::write_atomically;

/// A node's place and look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Column {
    Clients,
    Workloads,
    Destinations,
}

struct Node {
    label: String,
    column: Column,
    /// A peer no policy could name.
    unknown: bool,
}

struct Edge {
    from: usize,
    to: usize,
    protocol: Protocol,
    port: u16,
    count: u64,
}

struct Graph {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
    }
}

fn build(outcome: &Outcome) -> Graph {
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut node = |label: &str, column: Column, unknown: bool, nodes: &mut Vec<Node>| {
        let i = *index.entry(label.to_owned()).or_insert_with(|| {
            nodes.push(Node {
                label: label.to_owned(),
                column,
                unknown,
            });
            nodes.len() - 1
        });
        // A workload stays in the middle; a peer that is a destination anywhere goes right.
        if column < nodes[i].column || nodes[i].column == Column::Workloads {
            return i;
        }
        nodes[i].column = column;
        i
    };
    for n in &outcome.networks {
        node(&n.label, Column::Workloads, false, &mut nodes);
    }
    let mut edges: BTreeMap<(usize, usize, Protocol, u16), u64> = BTreeMap::new();
    for n in &outcome.networks {
        let me = node(&n.label, Column::Workloads, false, &mut nodes);
        for f in &n.review.flows {
            add_flow(me, f, &mut edges, &mut |label, column, unknown| {
                node(label, column, unknown, &mut nodes)
            });
        }
    }
    Graph {
        nodes,
        edges: edges
            .into_iter()
            .map(|((from, to, protocol, port), count)| Edge {
                from,
                to,
                protocol,
                port,
                count,
            })
            .collect(),
    }
}

fn add_flow(
    me: usize,
    f: &ObservedFlow,
    edges: &mut BTreeMap<(usize, usize, Protocol, u16), u64>,
    node: &mut impl FnMut(&str, Column, bool) -> usize,
) {
    let unknown = matches!(f.peer, picket_policy::netpol::ResolvedPeer::Unknown { .. });
    let label = f.peer.label();
    let key = match f.direction {
        Direction::Egress => (
            me,
            node(&label, Column::Destinations, unknown),
            f.protocol,
            f.port,
        ),
        Direction::Ingress => (
            node(&label, Column::Clients, unknown),
            me,
            f.protocol,
            f.port,
        ),
    };
    let count = edges.entry(key).or_default();
    *count = count.saturating_add(f.count);
}

fn edge_label(e: &Edge) -> String {
    format!("{} {} ×{}", protocol_name(e.protocol), e.port, e.count)
}

/// `s` as the inside of a DOT double-quoted string.
fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', " ")
}

fn dot(g: &Graph) -> String {
    let mut out = String::from(
        "// The traffic picket suggest's profiles saw (render: dot -Tsvg).\n\
         digraph picket {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n  \
         edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for (i, n) in g.nodes.iter().enumerate() {
        let (shape, style) = match (n.column, n.unknown) {
            (Column::Workloads, _) => ("box", "bold"),
            (_, true) => ("ellipse", "dashed"),
            _ => ("ellipse", "solid"),
        };
        let _ = writeln!(
            out,
            "  n{i} [label=\"{}\", shape={shape}, style={style}];",
            dot_escape(&n.label)
        );
    }
    for e in &g.edges {
        let _ = writeln!(
            out,
            "  n{} -> n{} [label=\"{}\"];",
            e.from,
            e.to,
            dot_escape(&edge_label(e))
        );
    }
    out.push_str("}\n");
    out
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const NODE_W: f64 = 300.0;
const NODE_H: f64 = 34.0;
const GAP_Y: f64 = 18.0;
const GAP_X: f64 = 170.0;
const MARGIN: f64 = 20.0;

fn svg(g: &Graph) -> String {
    let columns = [Column::Clients, Column::Workloads, Column::Destinations];
    let mut place: Vec<(f64, f64)> = vec![(0.0, 0.0); g.nodes.len()];
    let mut height: f64 = 0.0;
    for (c, column) in columns.iter().enumerate() {
        let x = MARGIN + c as f64 * (NODE_W + GAP_X);
        let mut y = MARGIN + 20.0;
        for (i, n) in g.nodes.iter().enumerate() {
            if n.column == *column {
                place[i] = (x, y);
                y += NODE_H + GAP_Y;
            }
        }
        height = height.max(y);
    }
    let width = 2.0 * MARGIN + 3.0 * NODE_W + 2.0 * GAP_X;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"Helvetica, Arial, sans-serif\">\n\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>\n"
    );
    for (c, title) in ["clients", "workloads", "destinations"].iter().enumerate() {
        let x = MARGIN + c as f64 * (NODE_W + GAP_X) + NODE_W / 2.0;
        let _ = writeln!(
            out,
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#777\">{title}</text>",
            MARGIN + 4.0
        );
    }
    for e in &g.edges {
        let (fx, fy) = place[e.from];
        let (tx, ty) = place[e.to];
        let (x1, y1) = (fx + NODE_W, fy + NODE_H / 2.0);
        let same = g.nodes[e.from].column == g.nodes[e.to].column;
        let (x2, y2) = if same {
            (tx + NODE_W, ty + NODE_H / 2.0)
        } else {
            (tx, ty + NODE_H / 2.0)
        };
        let (c1, c2) = if same {
            (x1 + 90.0, x2 + 90.0)
        } else {
            ((x1 + x2) / 2.0, (x1 + x2) / 2.0)
        };
        let _ = writeln!(
            out,
            "<path class=\"edge\" d=\"M {x1} {y1} C {c1} {y1}, {c2} {y2}, {x2} {y2}\" fill=\"none\" \
             stroke=\"#555\" marker-end=\"url(#arrow)\"/>"
        );
        let (lx, ly) = if same {
            (x1 + 70.0, (y1 + y2) / 2.0)
        } else {
            ((x1 + x2) / 2.0, (y1 + y2) / 2.0 - 3.0)
        };
        let _ = writeln!(
            out,
            "<text x=\"{lx}\" y=\"{ly}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#333\">{}</text>",
            xml_escape(&edge_label(e))
        );
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let (x, y) = place[i];
        let (fill, dash, weight) = match (n.column, n.unknown) {
            (Column::Workloads, _) => ("#e8f0fe", "", "bold"),
            (_, true) => ("#fff4e5", " stroke-dasharray=\"4 3\"", "normal"),
            _ => ("#f5f5f5", "", "normal"),
        };
        let _ = writeln!(
            out,
            "<g class=\"node\"><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" \
             rx=\"6\" fill=\"{fill}\" stroke=\"#444\"{dash}/><text x=\"{}\" y=\"{}\" \
             text-anchor=\"middle\" font-size=\"12\" font-weight=\"{weight}\">{}</text></g>",
            x + NODE_W / 2.0,
            y + NODE_H / 2.0 + 4.0,
            xml_escape(&n.label)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Writes the DOT file at `path` and the SVG beside it; false when one could not be written.
pub(crate) fn write(path: &Path, outcome: &Outcome) -> bool {
    let g = build(outcome);
    let svg_path = path.with_extension("svg");
    if svg_path == path {
        eprintln!(
            "error: {}: --graph names the DOT file; the SVG goes beside it, so give it another \
             extension (e.g. traffic.dot)",
            path.display()
        );
        return false;
    }
    let mut ok = true;
    for (p, text) in [(path.to_path_buf(), dot(&g)), (svg_path, svg(&g))] {
        match write_atomically(&p, &text) {
            Ok(()) => eprintln!("wrote {}", p.display()),
            Err(e) => {
                eprintln!("error: {}: cannot write: {e}", p.display());
                ok = false;
            }
        }
    }
    ok
}
