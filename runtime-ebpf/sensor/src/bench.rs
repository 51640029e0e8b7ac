//! `picket-sensor bench`: what the sensor costs the workloads it watches.
//!
//! A connect loop (connect, accept, reset) and a null-syscall loop (`getppid`) run in a fresh
//! cgroup, as child processes, alternately without the sensor and with every hook attached and
//! the cgroup tracked. The best of each is compared, in one run, as a ratio.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

use crate::attribution;
use crate::sensor::{Options, Sensor};

/// What to measure.
#[derive(Clone, Copy, Debug)]
pub struct BenchOptions {
    pub connections: u64,
    pub syscalls: u64,
    pub rounds: u32,
}

/// Best per-operation times, in nanoseconds.
#[derive(Clone, Copy, Debug)]
pub struct Figures {
    pub connect_ns: f64,
    pub syscall_ns: f64,
}

struct Cgroup(PathBuf);

/// A child process killed (and reaped) when dropped, so no error path leaves it running.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        for _ in 0..50 {
            if std::fs::remove_dir(&self.0).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

/// Starts `picket-sensor workload <args>` inside `cgroup`.
fn spawn_in(cgroup: &Path, args: &[String], stdout: Stdio) -> anyhow::Result<Child> {
    let exe = std::env::current_exe().context("locating picket-sensor")?;
    let script = format!(
        "echo $$ > '{}/cgroup.procs' && exec \"$0\" \"$@\"",
        cgroup.display()
    );
    Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .arg(exe)
        .arg("workload")
        .args(args)
        .stdout(stdout)
        .spawn()
        .context("starting the workload")
}

fn one_round(cgroup: &Path, port: u16, options: &BenchOptions) -> anyhow::Result<Figures> {
    let child = spawn_in(
        cgroup,
        &[
            "--connect".into(),
            format!("127.0.0.1:{port}"),
            "--count".into(),
            options.connections.to_string(),
            "--syscalls".into(),
            options.syscalls.to_string(),
        ],
        Stdio::piped(),
    )?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("the workload failed: {}", out.status);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| -> anyhow::Result<f64> {
        text.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse::<f64>().ok())
            .with_context(|| format!("the workload printed no {name}: {text}"))
    };
    Ok(Figures {
        connect_ns: field("connect_ns")? / options.connections.max(1) as f64,
        syscall_ns: field("syscalls_ns")? / options.syscalls.max(1) as f64,
    })
}

/// Runs the benchmark and prints its table to `out`.
pub fn run(options: &BenchOptions, out: &mut dyn Write) -> anyhow::Result<(Figures, Figures)> {
    let root = attribution::find_cgroup2_mount()?;
    let cgroup = Cgroup(root.join(format!("picket-bench-{}", std::process::id())));
    std::fs::create_dir(&cgroup.0).with_context(|| format!("creating {}", cgroup.0.display()))?;
    let id = attribution::cgroup_id(&cgroup.0)?;

    // The server runs in the same cgroup, so both ends of each connection pay.
    // Declared after the cgroup, so dropped (killed) before the cgroup is removed.
    let mut server = KillOnDrop(spawn_in(
        &cgroup.0,
        &["--serve".into(), "127.0.0.1:0".into()],
        Stdio::piped(),
    )?);
    let mut line = String::new();
    BufReader::new(server.0.stdout.as_mut().context("server stdout")?).read_line(&mut line)?;
    let port: u16 = line
        .trim()
        .strip_prefix("listening ")
        .and_then(|p| p.parse().ok())
        .with_context(|| format!("the server said {line:?}"))?;

    let result = (|| -> anyhow::Result<(Figures, Figures)> {
        let mut best_off = Figures {
            connect_ns: f64::MAX,
            syscall_ns: f64::MAX,
        };
        let mut best_on = best_off;
        let keep_best = |best: &mut Figures, f: Figures| {
            best.connect_ns = best.connect_ns.min(f.connect_ns);
            best.syscall_ns = best.syscall_ns.min(f.syscall_ns);
        };
        // Warm up (page cache, socket tables), unmeasured.
        one_round(
            &cgroup.0,
            port,
            &BenchOptions {
                connections: 1000,
                syscalls: 10_000,
                rounds: 1,
            },
        )?;
        for round in 1..=options.rounds {
            writeln!(out, "round {round}/{}…", options.rounds)?;
            keep_best(&mut best_off, one_round(&cgroup.0, port, options)?);
            let mut sensor = Sensor::load(&Options {
                cgroup_root: root.clone(),
                track_all: false,
                ring_bytes: None,
                proc_root: "/proc".into(),
            })?;
            if let Some((hook, Err(reason))) = sensor.hooks.iter().find(|(_, r)| r.is_err()) {
                writeln!(
                    out,
                    "note: hook {} is missing ({reason}); measured without it",
                    hook.name()
                )?;
            }
            sensor.track(id)?;
            keep_best(&mut best_on, one_round(&cgroup.0, port, options)?);
            let mut undecodable = 0;
            sensor.drain(|_| {}, &mut undecodable);
            drop(sensor);
        }
        Ok((best_off, best_on))
    })();
    drop(server);
    let (off, on) = result?;

    writeln!(
        out,
        "\n| loop (best of {}) | without sensor | with sensor | slowdown |",
        options.rounds
    )?;
    writeln!(out, "|---|---:|---:|---:|")?;
    writeln!(
        out,
        "| TCP connect + accept + reset, {} connections | {:.2} µs | {:.2} µs | {:.2}x |",
        options.connections,
        off.connect_ns / 1000.0,
        on.connect_ns / 1000.0,
        on.connect_ns / off.connect_ns
    )?;
    writeln!(
        out,
        "| getppid syscall, {} calls | {:.3} µs | {:.3} µs | {:.2}x |",
        options.syscalls,
        off.syscall_ns / 1000.0,
        on.syscall_ns / 1000.0,
        on.syscall_ns / off.syscall_ns
    )?;
    Ok((off, on))
}
