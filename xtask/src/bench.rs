//! `cargo xtask bench`: figures, not assertions.
//!
//! - `picket check` throughput over the shared corpus (all cores, and one core);
//! - through a real LSP session with the release server: open→diagnostics and
//!   edit→diagnostics latency on a small manifest, a 2,000-line manifest and the largest corpus
//!   file, and the server's peak memory on each;
//! - the targets of DESIGN.md and the peers' figures recorded in `../shared/peers/README.md`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use picket_test_utils::lsp::Client;
use serde_json::{Value, json};
use xshell::{Shell, cmd};

use crate::project_root;

/// Figures measured for the peers on this machine kind (`../shared/peers/README.md`).
const YAMLLS_EDIT_SMALL_MS: f64 = 270.0;
const YAMLLS_EDIT_ARGO_MS: f64 = 2520.0;
const YAMLLS_PEAK_ARGO_MIB: f64 = 798.0;
const YAMLLS_COMPLETION_ARGO_MS: f64 = 1050.0;
const YAMLLS_HOVER_ARGO_MS: f64 = 90.0;
const CHECKOV_CORPUS_S: f64 = 22.0 * 60.0 + 13.0;
const CHECKOV_ARGO_S: f64 = 15.3;

pub(crate) struct Options {
    pub(crate) corpus: Option<PathBuf>,
    pub(crate) runs: usize,
    pub(crate) edits: usize,
    pub(crate) sensor_only: bool,
}

pub(crate) fn run(opts: Options) -> anyhow::Result<()> {
    let root = project_root();
    let sh = Shell::new()?;
    sh.change_dir(&root);
    if opts.sensor_only {
        return sensor(&sh, &root);
    }
    eprintln!("building picket (release)…");
    cmd!(sh, "cargo build --release --locked -p picket").run()?;
    let exe = root.join("target/release/picket");

    let corpus = opts.corpus.clone().or_else(|| {
        let c = root.join("../shared/corpus");
        c.is_dir().then_some(c)
    });
    let Some(corpus) = corpus else {
        bail!("the shared corpus was not found at ../shared/corpus; pass --corpus DIR");
    };
    let corpus = corpus.canonicalize()?;
    println!("# picket bench ({})\n", chrono_free_date());
    println!(
        "machine: {} cores; corpus: {}\n",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        corpus.display()
    );

    // 1. `picket check` throughput.
    println!("## picket check\n");
    println!("| run | files | MB | median wall time | MB/s | files/s |");
    println!("|---|---:|---:|---:|---:|---:|");
    let all = check_throughput(&exe, &corpus, None, opts.runs)?;
    all.print("corpus, all cores");
    let one = check_throughput(&exe, &corpus, Some(1), opts.runs)?;
    one.print("corpus, 1 core");
    let largest = largest_file(&corpus)?;
    let argo = corpus.join("argo-cd/manifests/install.yaml");
    let argo_run = if argo.is_file() {
        Some(check_throughput(&exe, &argo, None, opts.runs)?)
    } else {
        None
    };
    if let Some(a) = &argo_run {
        a.print("argo-cd install.yaml");
    }
    println!();

    // 2. The language server.
    println!("## language server (edit → diagnostics, over pipes, push diagnostics, UTF-16)\n");
    let bench_dir = root.join("target/bench");
    std::fs::create_dir_all(&bench_dir)?;
    let two_thousand = bench_dir.join("deployment-2000.yaml");
    std::fs::write(&two_thousand, manifest_of_lines(2000))?;
    let small = corpus.join("bench/deployment-200.yaml");
    let small = if small.is_file() {
        small
    } else {
        root.join("fixtures/examples/web-app.yaml")
    };
    println!(
        "| file | lines | open→diagnostics | edit→diagnostics median | p95 | max | server peak memory |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut results = Vec::new();
    let row = |path: &Path, r: &LspResult| {
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.0} MiB |",
            short(path, &corpus, &root),
            r.lines,
            ms(r.open),
            ms(r.edit_median),
            ms(r.edit_p95),
            ms(r.edit_max),
            r.peak_kib as f64 / 1024.0
        );
    };
    for path in [&small, &two_thousand, &largest] {
        let r = lsp_session(&exe, path, opts.edits)?;
        row(path, &r);
        results.push(r);
    }
    let argo_lsp = if argo.is_file() && argo != largest {
        Some(lsp_session(&exe, &argo, opts.edits)?)
    } else {
        None
    };
    if let Some(r) = &argo_lsp {
        row(&argo, r);
    }
    println!();

    // 3. The workspace index and the editor features that use it.
    println!("## workspace index (the whole corpus as one workspace) and editor features\n");
    let ws = workspace_session(&exe, &corpus, &largest, opts.edits)?;
    println!("| measure | figure |");
    println!("|---|---:|");
    println!(
        "| index build, `initialized` → progress end | {} |",
        ms(ws.index)
    );
    println!(
        "| progress notifications (begin, reports, end) | {} |",
        ws.progress
    );
    println!("| index summary | {} |", ws.summary);
    println!(
        "| server peak memory, index built and {} open | {:.0} MiB |",
        short(&largest, &corpus, &root),
        ws.peak_kib as f64 / 1024.0
    );
    for (what, t) in &ws.features {
        println!(
            "| {what} on {} (median of {}) | {} |",
            short(&largest, &corpus, &root),
            opts.edits,
            t.map_or_else(|| "no answer".to_owned(), ms)
        );
    }
    // The file the peers' hover and completion figures were taken on.
    let argo_ws = if argo.is_file() && argo != largest {
        let ws = workspace_session(&exe, &corpus, &argo, opts.edits)?;
        for (what, t) in &ws.features {
            println!(
                "| {what} on {} (median of {}) | {} |",
                short(&argo, &corpus, &root),
                opts.edits,
                t.map_or_else(|| "no answer".to_owned(), ms)
            );
        }
        Some(ws)
    } else {
        None
    };
    println!();

    // 4. Against the targets and the peers.
    println!("## against DESIGN.md's targets and the peers' recorded figures\n");
    println!("| target | measured | verdict |");
    println!("|---|---|---|");
    let edit_2000 = results[1].edit_median;
    verdict(
        "keystroke → diagnostics, 2,000-line manifest < 5 ms",
        &ms(edit_2000),
        edit_2000 < Duration::from_millis(5),
    );
    let per_core = one.mb_per_s();
    verdict(
        "`picket check` ≥ 50 MB/s per core",
        &format!("{per_core:.1} MB/s on 1 core"),
        per_core >= 50.0,
    );
    let small_ratio = YAMLLS_EDIT_SMALL_MS / results[0].edit_median.as_secs_f64() / 1000.0;
    verdict(
        "≥ 20x faster than yaml-language-server per edit (215-line file: 270 ms)",
        &format!("{small_ratio:.0}x"),
        small_ratio >= 20.0,
    );
    if let Some(r) = argo_lsp.as_ref().or(if largest == argo {
        results.get(2)
    } else {
        None
    }) {
        let ratio = YAMLLS_EDIT_ARGO_MS / (r.edit_median.as_secs_f64() * 1000.0);
        verdict(
            "≥ 20x faster than yaml-language-server per edit (argo-cd: 2,520 ms)",
            &format!("{ratio:.0}x"),
            ratio >= 20.0,
        );
        let mem = r.peak_kib as f64 / 1024.0;
        verdict(
            "server memory ≤ 1/5 of yaml-language-server's on argo-cd (798 MiB)",
            &format!("{mem:.0} MiB ({:.1}x less)", YAMLLS_PEAK_ARGO_MIB / mem),
            mem <= YAMLLS_PEAK_ARGO_MIB / 5.0,
        );
    }
    let feature = |ws: &WorkspaceResult, prefix: &str| {
        ws.features
            .iter()
            .find(|(w, _)| w.starts_with(prefix))
            .and_then(|(_, t)| *t)
    };
    if let Some(ws) = &argo_ws {
        for (prefix, peer_ms, label) in [
            ("completion", YAMLLS_COMPLETION_ARGO_MS, "completion"),
            ("hover", YAMLLS_HOVER_ARGO_MS, "hover"),
        ] {
            if let Some(t) = feature(ws, prefix) {
                let ratio = peer_ms / (t.as_secs_f64() * 1000.0);
                verdict(
                    &format!(
                        "{label} ≥ 20x faster than yaml-language-server on argo-cd ({peer_ms:.0} ms)"
                    ),
                    &format!("{} ({ratio:.0}x)", ms(t)),
                    ratio >= 20.0,
                );
            }
        }
    }
    let checkov_ratio = CHECKOV_CORPUS_S / all.median.as_secs_f64();
    verdict(
        "≥ 50x faster than Checkov on the corpus (22 min 13 s)",
        &format!("{checkov_ratio:.0}x"),
        checkov_ratio >= 50.0,
    );
    if let Some(a) = &argo_run {
        let ratio = CHECKOV_ARGO_S / a.median.as_secs_f64();
        verdict(
            "≥ 50x faster than Checkov on argo-cd install.yaml (15.3 s)",
            &format!("{ratio:.0}x"),
            ratio >= 50.0,
        );
    }
    println!(
        "\nPeer figures are the ones recorded in ../shared/peers/README.md on this machine kind, not re-run here."
    );
    sensor(&sh, &root)
}

/// The runtime sensor's overhead on a connect loop and a syscall loop, through
/// `picket-sensor bench` (root and the eBPF toolchain; said and skipped otherwise).
fn sensor(sh: &Shell, root: &Path) -> anyhow::Result<()> {
    println!("\n## runtime sensor\n");
    let uid = cmd!(sh, "id -u").read().unwrap_or_default();
    if uid.trim() != "0" {
        println!("Skipped: measuring the sensor needs root (CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN).");
        return Ok(());
    }
    if cmd!(sh, "bpf-linker --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_err()
    {
        println!(
            "Skipped: the eBPF toolchain is missing (runtime-ebpf/scripts/install-ebpf-toolchain.sh)."
        );
        return Ok(());
    }
    eprintln!("building picket-sensor (release, with its eBPF programs)…");
    cmd!(
        sh,
        "cargo build --release --locked -p picket-sensor --features ebpf"
    )
    .run()?;
    let exe = root.join("target/release/picket-sensor");
    let out = cmd!(sh, "{exe} bench")
        .read()
        .context("picket-sensor bench")?;
    println!("{out}");
    let slowdown = out
        .lines()
        .find(|l| l.contains("TCP connect"))
        .and_then(|l| l.trim_end_matches('|').rsplit('|').next())
        .and_then(|v| v.trim().trim_end_matches('x').parse::<f64>().ok());
    if let Some(ratio) = slowdown {
        println!("\n| target | measured | |\n|---|---|---|");
        verdict(
            "sensor: under 5% slowdown of a connect-heavy loop",
            &format!("{:+.1}%", (ratio - 1.0) * 100.0),
            ratio < 1.05,
        );
    }
    Ok(())
}

fn verdict(what: &str, measured: &str, ok: bool) {
    println!(
        "| {what} | {measured} | {} |",
        if ok { "met" } else { "NOT met" }
    );
}

fn chrono_free_date() -> String {
    let out = std::process::Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d %H:%M UTC")
        .output();
    out.ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn short(path: &Path, corpus: &Path, root: &Path) -> String {
    path.strip_prefix(corpus)
        .or_else(|_| path.strip_prefix(root))
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
}

struct Throughput {
    files: u64,
    bytes: u64,
    median: Duration,
}

impl Throughput {
    fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.median.as_secs_f64()
    }

    fn print(&self, label: &str) {
        println!(
            "| {label} | {} | {:.1} | {:.3} s | {:.1} | {:.0} |",
            self.files,
            self.bytes as f64 / 1e6,
            self.median.as_secs_f64(),
            self.mb_per_s(),
            self.files as f64 / self.median.as_secs_f64()
        );
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn check_throughput(
    exe: &Path,
    target: &Path,
    threads: Option<usize>,
    runs: usize,
) -> anyhow::Result<Throughput> {
    let mut times = Vec::new();
    let mut summary = Value::Null;
    for _ in 0..runs.max(1) {
        let mut cmd = std::process::Command::new(exe);
        cmd.args(["check", "--format", "json", "--no-ignore"])
            .arg(target);
        if let Some(t) = threads {
            cmd.env("RAYON_NUM_THREADS", t.to_string());
        }
        let start = Instant::now();
        let out = cmd.output()?;
        times.push(start.elapsed());
        if out.status.code() == Some(101) {
            bail!("picket check panicked on {}", target.display());
        }
        let v: Value = serde_json::from_slice(&out.stdout).context("picket check --format json")?;
        summary = v["summary"].clone();
    }
    Ok(Throughput {
        files: summary["files"].as_u64().unwrap_or(0),
        bytes: summary["bytes"].as_u64().unwrap_or(0),
        median: median(times),
    })
}

fn largest_file(corpus: &Path) -> anyhow::Result<PathBuf> {
    picket_test_utils::yaml_files(corpus)
        .into_iter()
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .context("no YAML file in the corpus")
}

/// A valid single-document Deployment of about `lines` lines (many containers with env vars).
fn manifest_of_lines(lines: usize) -> String {
    let mut out = String::from(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: big\n  labels: {app: big}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: big}\n  template:\n    metadata:\n      labels: {app: big}\n    spec:\n      containers:\n",
    );
    let mut c = 0;
    while out.lines().count() < lines {
        out.push_str(&format!(
            "      - name: c{c}\n        image: registry.example.com/app:{c}.0\n        resources:\n          requests: {{cpu: 100m, memory: 64Mi}}\n          limits: {{memory: 128Mi}}\n        env:\n"
        ));
        for e in 0..40 {
            out.push_str(&format!(
                "        - name: VAR_{e}\n          value: \"value-{c}-{e}\"\n"
            ));
        }
        c += 1;
    }
    out
}

struct WorkspaceResult {
    index: Duration,
    progress: usize,
    summary: String,
    peak_kib: u64,
    /// Median latency of each request, `None` when the server gave no answer.
    features: Vec<(String, Option<Duration>)>,
}

/// A line of `text` near its middle that holds a block `key: value` with a plain value, the
/// next line no deeper (so that a new line below it is a sibling key, not the inside of a
/// block scalar), as (line number, indentation, key).
fn key_line(text: &str) -> Option<(u32, u32, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mid = lines.len() / 2;
    let indent_of = |l: &str| l.len() - l.trim_start().len();
    (mid..lines.len().saturating_sub(1))
        .chain(0..mid)
        .find_map(|i| {
            let l = lines[i];
            let indent = indent_of(l);
            let rest = &l[indent..];
            let key: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let value = rest[key.len()..].strip_prefix(": ")?;
            let ok = indent >= 4
                && !key.is_empty()
                && !value.starts_with(['|', '>', '&', '*', '!'])
                && lines.get(i + 1).is_some_and(|n| indent_of(n) <= indent);
            ok.then_some((i as u32, indent as u32, key))
        })
}

/// The median time of `runs` requests made by `request`; `None` if one got no answer.
fn time_requests(
    client: &mut Client,
    runs: usize,
    mut request: impl FnMut(&mut Client, usize) -> anyhow::Result<Value>,
) -> anyhow::Result<Option<Duration>> {
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs.max(1) {
        let start = Instant::now();
        let answer = request(client, i)?;
        times.push(start.elapsed());
        if answer.is_null() {
            return Ok(None);
        }
    }
    Ok(Some(median(times)))
}

/// The whole corpus as a workspace: how long the index takes to build, how the server
/// reports it, and how fast hover, completion, definition and references answer on `file`.
fn workspace_session(
    exe: &Path,
    corpus: &Path,
    file: &Path,
    runs: usize,
) -> anyhow::Result<WorkspaceResult> {
    let root = format!("file://{}", corpus.display());
    let mut client = Client::spawn(exe, &["lsp"], &[("PICKET_LOG", "warn")])?;
    client.timeout = Duration::from_secs(300);
    let start = Instant::now();
    client.initialize(
        json!({ "general": { "positionEncodings": ["utf-16"] }, "window": { "workDoneProgress": true } }),
        Some(&root),
    )?;
    let end = client.wait_notification("$/progress", |p| p["value"]["kind"] == "end")?;
    let index = start.elapsed();
    let progress = client.notifications_received("$/progress");
    let summary = end["value"]["message"].as_str().unwrap_or("").to_owned();

    let text = std::fs::read_to_string(file)?;
    let uri = format!("file://{}", file.display());
    client.did_open(&uri, 1, &text)?;
    client.diagnostics_for(&uri, 1)?;
    let mut features = Vec::new();
    // Edits with the whole corpus in the index: cross-resource rules see every object.
    let (line, col) = edit_point(&text);
    let times = time_edits(&mut client, &uri, (line, col), 2, runs.max(1))?;
    let mut version = 1 + runs.max(1) as i32;
    if version % 2 == 0 {
        // Leave the text as it was.
        version += 1;
        client.did_change(&uri, version, [[line, col], [line, col + 1]], "")?;
        client.diagnostics_for(&uri, version)?;
    }
    features.push((
        "edit → diagnostics, corpus indexed".to_owned(),
        Some(median(times)),
    ));
    if let Some((line, indent, key)) = key_line(&text) {
        let at = |line: u32, character: u32| json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        let hover = time_requests(&mut client, runs, |c, _| {
            Ok(c.request("textDocument/hover", at(line, indent + 1))?
                .unwrap_or(Value::Null))
        })?;
        features.push((format!("hover on the key `{key}`"), hover));
        let definition = time_requests(&mut client, runs, |c, _| {
            Ok(c.request("textDocument/definition", at(line, indent + 1))?
                .map(|_| json!(true))
                .unwrap_or(Value::Null))
        })?;
        features.push((
            "go-to-definition (answered, maybe empty)".to_owned(),
            definition,
        ));
        // Completion on a new, empty line below the key, at the key's indentation.
        let line_len = text
            .lines()
            .nth(line as usize)
            .map_or(0, |l| l.encode_utf16().count()) as u32;
        // The line is typed first (its diagnostics awaited), so only the request is timed.
        version += 1;
        client.did_change(
            &uri,
            version,
            [[line, line_len], [line, line_len]],
            &format!("\n{}", " ".repeat(indent as usize)),
        )?;
        client.diagnostics_for(&uri, version)?;
        let completion = time_requests(&mut client, runs, |c, _| {
            Ok(c.request("textDocument/completion", at(line + 1, indent))?
                .unwrap_or(Value::Null))
        })?;
        version += 1;
        client.did_change(&uri, version, [[line, line_len], [line + 1, indent]], "")?;
        client.diagnostics_for(&uri, version)?;
        features.push((
            format!("completion on a new line below `{key}`"),
            completion,
        ));
        let references = time_requests(&mut client, runs, |c, _| {
            let mut params = at(0, 0);
            let (l, ch) = first_name(&text);
            params["position"] = json!({ "line": l, "character": ch });
            params["context"] = json!({ "includeDeclaration": true });
            Ok(c.request("textDocument/references", params)?
                .map(|_| json!(true))
                .unwrap_or(Value::Null))
        })?;
        features.push((
            "find-references on the first object's name".to_owned(),
            references,
        ));
    }
    let peak_kib = client.peak_rss_kib().unwrap_or(0);
    client.shutdown()?;
    Ok(WorkspaceResult {
        index,
        progress,
        summary,
        peak_kib,
        features,
    })
}

/// The position of the first `  name: ` value (an object's `metadata.name`).
fn first_name(text: &str) -> (u32, u32) {
    text.lines()
        .enumerate()
        .find_map(|(i, l)| {
            l.strip_prefix("  name: ")
                .map(|_| (i as u32, "  name: ".len() as u32 + 1))
        })
        .unwrap_or((0, 0))
}

struct LspResult {
    lines: usize,
    open: Duration,
    edit_median: Duration,
    edit_p95: Duration,
    edit_max: Duration,
    peak_kib: u64,
}

/// Types and deletes a character at `at`, `runs` times from document version `first`, and
/// returns how long each took from sending the change to its diagnostics' arrival.
fn time_edits(
    client: &mut Client,
    uri: &str,
    (line, col): (u32, u32),
    first: i32,
    runs: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let version = first + i as i32;
        let start = Instant::now();
        if i % 2 == 0 {
            client.did_change(uri, version, [[line, col], [line, col]], "x")?;
        } else {
            client.did_change(uri, version, [[line, col], [line, col + 1]], "")?;
        }
        client.diagnostics_for(uri, version)?;
        // Until the message arrived, not until this client finished parsing it.
        let arrived = client.last_arrival().unwrap_or_else(Instant::now);
        times.push(arrived.saturating_duration_since(start));
    }
    Ok(times)
}

/// Where to type: inside the value of a `key: value` line near the middle of the file (one
/// character into it, so quoted values stay quoted and the edit keeps the YAML valid).
fn edit_point(text: &str) -> (u32, u32) {
    let lines: Vec<&str> = text.lines().collect();
    let mid = lines.len() / 2;
    let pick = (mid..lines.len())
        .chain(0..mid)
        .find(|&i| {
            let l = lines[i].trim_end();
            let Some((_, value)) = l.split_once(": ") else {
                return false;
            };
            value.len() >= 2 && !value.starts_with(['|', '>', '&', '*', '!', '[', '{', '#'])
        })
        .unwrap_or(mid);
    let line = lines[pick];
    let value_at = line.find(": ").map_or(0, |i| i + 3);
    (
        pick as u32,
        line[..value_at.min(line.len())].encode_utf16().count() as u32,
    )
}

fn lsp_session(exe: &Path, path: &Path, edits: usize) -> anyhow::Result<LspResult> {
    let text = std::fs::read_to_string(path)?;
    let uri = format!("file://{}", path.display());
    let mut client = Client::spawn(exe, &["lsp"], &[("PICKET_LOG", "warn")])?;
    client.initialize(
        json!({ "general": { "positionEncodings": ["utf-16"] } }),
        None,
    )?;
    let start = Instant::now();
    client.did_open(&uri, 1, &text)?;
    client.diagnostics_for(&uri, 1)?;
    // Until the message arrived, not until this client finished parsing it.
    let arrived = |c: &Client| c.last_arrival().unwrap_or_else(Instant::now);
    let open = arrived(&client).saturating_duration_since(start);
    let (line, col) = edit_point(&text);
    let mut times = time_edits(&mut client, &uri, (line, col), 2, edits)?;
    let peak_kib = client.peak_rss_kib().unwrap_or(0);
    client.shutdown()?;
    times.sort();
    let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
    Ok(LspResult {
        lines: text.lines().count(),
        open,
        edit_median: times[times.len() / 2],
        edit_p95: p95,
        edit_max: *times.last().unwrap_or(&Duration::ZERO),
        peak_kib,
    })
}
