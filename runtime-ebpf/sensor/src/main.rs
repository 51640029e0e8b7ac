//! `picket-sensor`: learn what containers do with eBPF, and merge what was learned.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use picket_sensor::record::{RecordOptions, record};

/// Picket's runtime sensor: watches what containers do (programs run, network peers,
/// capabilities, syscalls, files written) with eBPF and writes one behaviour profile per
/// container. Linux with cgroup v2; needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN (or root).
#[derive(Parser)]
#[command(name = "picket-sensor", version, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Record what cgroups do, then write their profiles (at the end of --duration, or at Ctrl-C).
    #[command(after_help = "Examples:\n  \
        picket-sensor record --all --duration 10m --out profiles/\n  \
        picket-sensor record --cgroup /sys/fs/cgroup/system.slice/nginx.service --out profiles/\n  \
        picket-sensor record --cgroup /system.slice/docker-<id>.scope --out profiles/\n\n\
        A cgroup is watched alone, not the cgroups below it: name the container's own cgroup (a \
        .scope or a container id directory), not a pod or QoS slice.")]
    Record {
        /// Stop after this long (`30s`, `10m`, `2h`); without it, record until Ctrl-C or SIGTERM.
        #[arg(long, value_parser = parse_duration)]
        duration: Option<Duration>,
        /// A cgroup to watch: its directory under the cgroup v2 mount, or its path relative to
        /// the mount. Repeat for more. Only that cgroup, not the ones below it.
        #[arg(long = "cgroup", value_name = "PATH", required_unless_present = "all")]
        cgroups: Vec<PathBuf>,
        /// Watch every cgroup except the root and the sensor's own.
        #[arg(long, conflicts_with = "cgroups")]
        all: bool,
        /// Directory to write the profiles into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Print a `stats events=… drops=…` line every second.
        #[arg(long)]
        stats: bool,
        /// No live summary on the terminal.
        #[arg(long, short)]
        quiet: bool,
        /// Size of the kernel-to-user ring buffer in bytes (a power of two; default 4 MiB).
        #[arg(long, value_name = "BYTES", value_parser = parse_ring_size)]
        ring_size: Option<u32>,
        /// The host's root as this process sees it: where the host's /proc and container runtime
        /// state (/run/containerd, /run/containers) are mounted when running in a container.
        #[arg(long, value_name = "DIR", default_value = "/")]
        host_root: PathBuf,
    },
    /// Merge profiles from many nodes and replicas into one per workload container.
    Merge {
        /// Directories (searched for *.json) or profile files.
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
        /// Directory to write the merged profiles into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Measure what the sensor costs a connect loop and a syscall loop on this machine (root).
    Bench {
        /// TCP connections per round.
        #[arg(long, default_value_t = 20_000)]
        connections: u64,
        /// Null syscalls per round.
        #[arg(long, default_value_t = 2_000_000)]
        syscalls: u64,
        /// Rounds, alternating without and with the sensor; the best of each is compared.
        #[arg(long, default_value_t = 3)]
        rounds: u32,
    },
    /// A scripted workload with known behaviour (for tests and benchmarks).
    #[command(hide = true)]
    Workload {
        #[command(flatten)]
        script: picket_sensor::workload::Script,
        /// Instead: accept TCP connections on this address until killed.
        #[arg(long)]
        serve: Option<std::net::SocketAddr>,
        /// Instead: receive UDP datagrams on this address until killed.
        #[arg(long, conflicts_with = "serve")]
        serve_udp: Option<std::net::SocketAddr>,
        /// With --serve-udp: answer DNS queries with these addresses.
        #[arg(long, requires = "serve_udp")]
        answer: Vec<std::net::IpAddr>,
    },
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let d: jiff::SignedDuration = text
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write it like 30s, 10m or 2h"))?;
    Duration::try_from(d).map_err(|_| format!("`{text}`: the duration must be positive"))
}

fn parse_ring_size(text: &str) -> Result<u32, String> {
    let n: u32 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of bytes"))?;
    if n < 4096 || !n.is_power_of_two() {
        return Err(format!(
            "`{text}`: the ring size must be a power of two of at least 4096 bytes"
        ));
    }
    Ok(n)
}

#[allow(clippy::print_stderr)]
fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut err = std::io::stderr();
    let result = match cli.command {
        Command::Record {
            duration,
            cgroups,
            all,
            out,
            stats,
            quiet,
            ring_size,
            host_root,
        } => record(
            &RecordOptions {
                duration,
                cgroups,
                all,
                out,
                ring_bytes: ring_size,
                stats,
                quiet,
                host_root,
            },
            &mut err,
        )
        .map(|_| ()),
        Command::Merge { inputs, out } => merge(&inputs, &out, &mut err),
        Command::Bench {
            connections,
            syscalls,
            rounds,
        } => picket_sensor::bench::run(
            &picket_sensor::bench::BenchOptions {
                connections,
                syscalls,
                rounds: rounds.max(1),
            },
            &mut std::io::stdout(),
        )
        .map(|_| ()),
        Command::Workload {
            script,
            serve,
            serve_udp,
            answer,
        } => match (serve, serve_udp) {
            (Some(addr), _) => picket_sensor::workload::serve(addr, &mut std::io::stdout()),
            (None, Some(addr)) => {
                picket_sensor::workload::serve_udp(addr, &answer, &mut std::io::stdout())
            }
            (None, None) => picket_sensor::workload::run(&script).and_then(|t| {
                writeln!(
                    std::io::stdout(),
                    "timing exec_ns={} connect_ns={} syscalls_ns={}",
                    t.exec_ns,
                    t.connect_ns,
                    t.syscalls_ns
                )?;
                Ok(())
            }),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn merge(inputs: &[PathBuf], out: &std::path::Path, err: &mut dyn Write) -> anyhow::Result<()> {
    let mut profiles = Vec::new();
    for input in inputs {
        if input.is_dir() {
            profiles.extend(
                picket_profile::io::read_dir(input)?
                    .into_iter()
                    .map(|(_, p)| p),
            );
        } else {
            let text = std::fs::read_to_string(input)
                .with_context(|| format!("reading {}", input.display()))?;
            profiles.push(
                picket_profile::Profile::from_json(&text)
                    .with_context(|| format!("{}", input.display()))?,
            );
        }
    }
    if profiles.is_empty() {
        anyhow::bail!(
            "no profiles found in {}",
            inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let count = profiles.len();
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let written = picket_sensor::record::write_profiles(
        out,
        profiles,
        None,
        picket_sensor::record::Existing::Replace,
        err,
    )?;
    writeln!(
        err,
        "merged {count} profile(s) into {} in {}",
        written.len(),
        out.display()
    )?;
    Ok(())
}
