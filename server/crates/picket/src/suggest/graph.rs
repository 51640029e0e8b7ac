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
/// Vertical room per edge ending at one side of a node.
const PER_EDGE: f64 = 16.0;
const GAP_Y: f64 = 18.0;
const GAP_X: f64 = 190.0;
const MARGIN: f64 = 20.0;

/// A point of the picture.
type Point = (f64, f64);

/// Where each node is drawn, and where each edge leaves and arrives.
struct Layout {
    /// Per node: left, top, height.
    boxes: Vec<(f64, f64, f64)>,
    /// Per edge: start and end points, and whether both ends are in one column.
    ends: Vec<(Point, Point, bool)>,
    width: f64,
    height: f64,
}

fn column_index(c: Column) -> usize {
    match c {
        Column::Clients => 0,
        Column::Workloads => 1,
        Column::Destinations => 2,
    }
}

/// Columns side by side; in each, nodes ordered by where their edges' other ends are (fewer
/// crossings) and tall enough for their edges to arrive apart; every edge leaves its source's
/// right side and arrives at its target's left side (at its right side when both are in one
/// column), spread over the side in the order of the other ends.
fn layout(g: &Graph) -> Layout {
    let n = g.nodes.len();
    let same = |e: &Edge| g.nodes[e.from].column == g.nodes[e.to].column;
    // Each node's edges, once: those on its right side (leaving, or arriving from its own
    // column) and on its left (arriving from another column).
    let mut right: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut left: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, e) in g.edges.iter().enumerate() {
        right[e.from].push(k);
        if same(e) {
            right[e.to].push(k);
        } else {
            left[e.to].push(k);
        }
    }
    let other_end = |i: usize, k: usize| {
        let e = &g.edges[k];
        if e.from == i { e.to } else { e.from }
    };
    // Order: workloads as found; the others by the mean position of their workloads.
    let rank: Vec<f64> = (0..n)
        .map(|i| {
            let ends = right[i].iter().chain(&left[i]);
            let (sum, count) = ends.fold((0.0, 0usize), |(s, c), &k| {
                (s + other_end(i, k) as f64, c + 1)
            });
            if g.nodes[i].column == Column::Workloads || count == 0 {
                i as f64
            } else {
                sum / count as f64 + i as f64 * 1e-6
            }
        })
        .collect();
    let side_count = |i: usize| right[i].len().max(left[i].len());
    let mut boxes = vec![(0.0, 0.0, 0.0); n];
    let mut height: f64 = 0.0;
    for column in [Column::Clients, Column::Workloads, Column::Destinations] {
        let x = MARGIN + column_index(column) as f64 * (NODE_W + GAP_X);
        let mut members: Vec<usize> = (0..n).filter(|&i| g.nodes[i].column == column).collect();
        members.sort_by(|a, b| rank[*a].total_cmp(&rank[*b]));
        let mut y = MARGIN + 20.0;
        for i in members {
            let h = NODE_H.max(PER_EDGE * side_count(i) as f64 + 10.0);
            boxes[i] = (x, y, h);
            y += h + GAP_Y;
        }
        height = height.max(y);
    }
    // Spread each side's edge ends, in the order of the other ends' heights.
    let mid = |i: usize| boxes[i].1 + boxes[i].2 / 2.0;
    let spread = |i: usize, mut edges: Vec<(usize, f64)>| -> Vec<(usize, f64)> {
        edges.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (_, top, h) = boxes[i];
        let k = edges.len() as f64;
        edges
            .into_iter()
            .enumerate()
            .map(|(j, (e, _))| (e, top + (j as f64 + 1.0) * h / (k + 1.0)))
            .collect()
    };
    let mut start: Vec<Point> = vec![(0.0, 0.0); g.edges.len()];
    let mut end: Vec<Point> = vec![(0.0, 0.0); g.edges.len()];
    for (i, &(x, _, _)) in boxes.iter().enumerate() {
        let ends = |side: &[usize]| side.iter().map(|&k| (k, mid(other_end(i, k)))).collect();
        for (k, y) in spread(i, ends(&right[i])) {
            if g.edges[k].from == i {
                start[k] = (x + NODE_W, y);
            } else {
                end[k] = (x + NODE_W, y);
            }
        }
        for (k, y) in spread(i, ends(&left[i])) {
            end[k] = (x, y);
        }
    }
    Layout {
        ends: g
            .edges
            .iter()
            .enumerate()
            .map(|(k, e)| (start[k], end[k], same(e)))
            .collect(),
        boxes,
        width: 2.0 * MARGIN + 3.0 * NODE_W + 2.0 * GAP_X,
        height,
    }
}

fn svg(g: &Graph) -> String {
    let l = layout(g);
    let (width, height) = (l.width, l.height);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"Helvetica, Arial, sans-serif\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
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
    for (e, &((x1, y1), (x2, y2), same)) in g.edges.iter().zip(&l.ends) {
        let (c1, c2) = if same {
            (x1 + 110.0, x2 + 110.0)
        } else {
            ((x1 + x2) / 2.0, (x1 + x2) / 2.0)
        };
        let _ = writeln!(
            out,
            "<path class=\"edge\" d=\"M {x1} {y1} C {c1} {y1}, {c2} {y2}, {x2} {y2}\" fill=\"none\" \
             stroke=\"#555\" marker-end=\"url(#arrow)\"/>"
        );
        // The label sits where the edge arrives, where the ends are spread apart.
        let (lx, anchor) = if same {
            (x2 + 10.0, "start")
        } else {
            (x2 - 10.0, "end")
        };
        let _ = writeln!(
            out,
            "<text x=\"{lx}\" y=\"{}\" text-anchor=\"{anchor}\" font-size=\"10\" fill=\"#333\">{}</text>",
            y2 - 3.0,
            xml_escape(&edge_label(e))
        );
    }
    for (n, &(x, y, h)) in g.nodes.iter().zip(&l.boxes) {
        let (fill, dash, weight) = match (n.column, n.unknown) {
            (Column::Workloads, _) => ("#e8f0fe", "", "bold"),
            (_, true) => ("#fff4e5", " stroke-dasharray=\"4 3\"", "normal"),
            _ => ("#f5f5f5", "", "normal"),
        };
        let _ = writeln!(
            out,
            "<g class=\"node\"><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{h}\" \
             rx=\"6\" fill=\"{fill}\" stroke=\"#444\"{dash}/><text x=\"{}\" y=\"{}\" \
             text-anchor=\"middle\" font-size=\"12\" font-weight=\"{weight}\">{}</text></g>",
            x + NODE_W / 2.0,
            y + h / 2.0 + 4.0,
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
