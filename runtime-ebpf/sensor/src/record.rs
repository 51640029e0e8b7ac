//! `picket-sensor record`: watch cgroups for a while, then write their profiles.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use picket_profile::{SensorInfo, Stats};

use crate::attribution;
use crate::collect::{Attribution, Clock, Collector, Run};
use crate::names;
use crate::sensor::{Options, Sensor};

/// What `record` was asked to do.
#[derive(Clone, Debug)]
pub struct RecordOptions {
    /// Stop after this long; otherwise at Ctrl-C or SIGTERM.
    pub duration: Option<Duration>,
    /// Cgroups to watch: directories under the cgroup v2 mount, or paths relative to it.
    pub cgroups: Vec<PathBuf>,
    /// Watch every cgroup but the root and the sensor's own.
    pub all: bool,
    /// Where profiles go.
    pub out: PathBuf,
    /// Ring buffer size in bytes.
    pub ring_bytes: Option<u32>,
    /// Print a `stats` line every second.
    pub stats: bool,
    /// No live summary.
    pub quiet: bool,
    /// The host's root directory as this process sees it: `/`, or where a container mounts the
    /// host's `/proc` and container runtime state (`/host`).
    pub host_root: PathBuf,
}

/// What a run produced.
#[derive(Debug)]
pub struct Recorded {
    pub written: Vec<PathBuf>,
    pub stats: Stats,
    /// Events received from the kernel (including any it could not decode).
    pub received: u64,
}

/// The node's name: `NODE_NAME` (set from the downward API in the DaemonSet), else the host name.
pub fn node_name() -> String {
    if let Ok(name) = std::env::var("NODE_NAME")
        && !name.is_empty()
    {
        return name;
    }
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Resolves a `--cgroup` argument to a directory under the cgroup v2 mount.
pub fn resolve_cgroup(root: &Path, arg: &Path) -> anyhow::Result<PathBuf> {
    let candidate = if arg.starts_with(root) {
        arg.to_path_buf()
    } else {
        let rel = arg.strip_prefix("/").unwrap_or(arg);
        root.join(rel)
    };
    let dir = candidate.canonicalize().with_context(|| {
        format!(
            "--cgroup {}: no such cgroup ({} does not exist; cgroups are directories under {})",
            arg.display(),
            candidate.display(),
            root.display()
        )
    })?;
    if !dir.starts_with(root) || !dir.join("cgroup.procs").is_file() {
        bail!(
            "--cgroup {}: {} is not a cgroup v2 directory under {}",
            arg.display(),
            dir.display(),
            root.display()
        );
    }
    Ok(dir)
}

/// Records until the duration passes or a signal arrives; writes profiles into `options.out`.
pub fn record(options: &RecordOptions, err: &mut dyn Write) -> anyhow::Result<Recorded> {
    if !options.all && options.cgroups.is_empty() {
        bail!(
            "nothing to record: name cgroups with --cgroup PATH, or watch every container with --all"
        );
    }
    let root = attribution::find_cgroup2_mount()?;
    let mut targets = Vec::new();
    for arg in &options.cgroups {
        let dir = resolve_cgroup(&root, arg)?;
        let id =
            attribution::cgroup_id(&dir).with_context(|| format!("reading {}", dir.display()))?;
        targets.push((id, dir));
    }
    // Before anything is created: without the privileges nothing can be recorded.
    crate::sensor::check_privileges()?;
    std::fs::create_dir_all(&options.out)
        .with_context(|| format!("creating the output directory {}", options.out.display()))?;
    // Find out now, not after the recording, that the profiles could not be written.
    let probe = options
        .out
        .join(format!(".picket-sensor-{}.probe", std::process::id()));
    std::fs::write(&probe, b"").with_context(|| {
        format!(
            "the output directory {} is not writable",
            options.out.display()
        )
    })?;
    let _ = std::fs::remove_file(&probe);

    // The window opens before the programs attach: no fact predates it.
    let clock = Clock::now();
    let start_boot = clock.boot_now();
    let started = Instant::now();
    let start_text = clock.format_boot(start_boot);
    // Processes older than this (clock ticks since boot) ran before the programs were attached.
    let start_ticks = attribution::ticks_since_boot(&options.host_root.join("proc")).unwrap_or(0);
    let mut sensor = Sensor::load(&Options {
        cgroup_root: root.clone(),
        track_all: options.all,
        ring_bytes: options.ring_bytes,
        proc_root: options.host_root.join("proc"),
    })?;
    writeln!(err, "picket-sensor {}: hooks", env!("CARGO_PKG_VERSION"))?;
    for (hook, result) in &sensor.hooks {
        match result {
            Ok(()) => writeln!(err, "  active   {:<16} {}", hook.name(), hook.detail())?,
            Err(reason) => writeln!(err, "  MISSING  {:<16} {reason}", hook.name())?,
        }
    }
    for warning in &sensor.warnings {
        writeln!(err, "  warning: {warning}")?;
    }
    if sensor.hooks.iter().all(|(_, r)| r.is_err()) {
        bail!("no hook could be attached; nothing to record");
    }

    let mut index = attribution::CgroupIndex::scan(&root);
    let mut who: HashMap<u64, Attribution> = HashMap::new();
    let mut collector = Collector::default();
    for (id, dir) in &targets {
        sensor.track(*id)?;
        collector.touch(*id);
        who.insert(
            *id,
            attribute(
                &root,
                &options.host_root,
                &mut index,
                *id,
                Some(dir),
                start_ticks,
            ),
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal while the profiles are being written ends the process at once.
        signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(&stop))
            .context("installing the signal handler")?;
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("installing the signal handler")?;
    }
    let what = if options.all {
        "every container".to_string()
    } else {
        format!("{} cgroup(s)", targets.len())
    };
    let until = match options.duration {
        Some(d) => format!(
            "for {}",
            jiff::SignedDuration::try_from(d)
                .map(|d| format!("{d:#}"))
                .unwrap_or_default()
        ),
        None => "until Ctrl-C".to_string(),
    };
    writeln!(
        err,
        "recording {what} {until}; profiles go to {}",
        options.out.display()
    )?;

    let live = !options.quiet && std::io::stderr().is_terminal();
    let mut received = 0u64;
    let mut undecodable = 0u64;
    let mut last_tick = Instant::now();
    loop {
        let done = stop.load(Ordering::Relaxed)
            || options.duration.is_some_and(|d| started.elapsed() >= d);
        let n = sensor.drain(|e| collector.handle(&e), &mut undecodable);
        received += n as u64;
        // A cgroup is named at its first event, while it still exists.
        if n > 0 && collector.cgroup_count() > who.len() {
            for id in collector.cgroups().collect::<Vec<_>>() {
                who.entry(id).or_insert_with(|| {
                    attribute(&root, &options.host_root, &mut index, id, None, start_ticks)
                });
            }
        }
        if done {
            break;
        }
        if last_tick.elapsed() >= Duration::from_secs(1) {
            last_tick = Instant::now();
            collector.observe_syscalls(&sensor.syscall_counts(), clock.boot_now());
            let stats = sensor.stats()?;
            // Progress output is best effort: a closed terminal must not lose the profiles.
            if options.stats {
                let _ = writeln!(err, "{}", stats_line(&stats, received));
            }
            if live {
                let _ = write!(
                    err,
                    "\r\x1b[K{:>5}s  {} cgroups  {} facts  {} events  {} dropped",
                    started.elapsed().as_secs(),
                    who.len(),
                    collector.facts(),
                    received,
                    stats.drops
                );
                let _ = err.flush();
            }
        }
        sensor.wait(Duration::from_millis(100));
    }
    if live {
        let _ = writeln!(err);
    }

    // Detach first, then read what is left: nothing can arrive after the last read.
    sensor.stop();
    loop {
        let n = sensor.drain(|e| collector.handle(&e), &mut undecodable);
        received += n as u64;
        if n == 0 {
            break;
        }
    }
    let snapshot = sensor.snapshot()?;
    collector.observe_syscalls(&snapshot.syscalls, clock.boot_now());
    let stats = sensor.stats()?;
    // Name what only the maps knew, while it may still exist.
    for id in snapshot.cgroups() {
        who.entry(id).or_insert_with(|| {
            attribute(&root, &options.host_root, &mut index, id, None, start_ticks)
        });
    }
    let end_boot = clock.boot_now();
    let run = Run {
        start: start_text,
        end: clock.format_boot(end_boot),
        seconds: started.elapsed().as_secs(),
        node: node_name(),
        sensor: SensorInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            arch: names::arch().to_string(),
            hooks: sensor.active_hooks(),
            missing_hooks: sensor.missing_hooks(),
            stats,
        },
    };
    let profiles = collector.profiles(&snapshot, &clock, &run, &|id| {
        who.get(&id)
            .cloned()
            .unwrap_or_else(|| Attribution::unnamed(id))
    });
    let written = write_profiles(
        &options.out,
        profiles,
        Some(&stats),
        Existing::Accumulate,
        err,
    )?;
    let _ = writeln!(err, "{}", stats_line(&stats, received));
    if undecodable > 0 {
        let _ = writeln!(
            err,
            "warning: {undecodable} kernel records could not be decoded (sensor build mismatch?)"
        );
    }
    let _ = writeln!(
        err,
        "wrote {} profile(s) to {}",
        written.len(),
        options.out.display()
    );
    Ok(Recorded {
        written,
        stats,
        received,
    })
}

/// How [`write_profiles`] treats profiles already in the output directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Merge into them: a restarted sensor adds to what an earlier run learned.
    Accumulate,
    /// Replace them (`merge` writes the result of its inputs only).
    Replace,
}

/// Merges `profiles` (replicas of a workload become one) and writes them into `out`, each under
/// its subject's file name (with `.<arch>` added when profiles of several architectures share a
/// subject, since merging keeps those apart). A file already there that cannot be read is moved
/// aside to `<name>.unreadable`, never overwritten, and said on `err`. With `run_stats`, each
/// merged profile carries those counters once (they are one run's, repeated in all its profiles,
/// and merging the run's replicas would add them up).
pub fn write_profiles(
    out: &Path,
    profiles: Vec<picket_profile::Profile>,
    run_stats: Option<&Stats>,
    existing: Existing,
    err: &mut dyn Write,
) -> anyhow::Result<Vec<PathBuf>> {
    let merged = picket_profile::merge::merge(profiles);
    let mut names: HashMap<String, usize> = HashMap::new();
    for profile in &merged {
        *names
            .entry(picket_profile::io::file_name(&profile.subject))
            .or_default() += 1;
    }
    let mut written = Vec::new();
    for mut profile in merged {
        if let Some(stats) = run_stats {
            profile.sensor.stats = *stats;
        }
        let mut name = picket_profile::io::file_name(&profile.subject);
        if names[&name] > 1 {
            let stem = name.strip_suffix(".json").unwrap_or(&name).to_string();
            name = format!("{stem}.{}.json", profile.sensor.arch);
        }
        let path = out.join(&name);
        if existing == Existing::Accumulate
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            match picket_profile::Profile::from_json(&text) {
                Ok(earlier) => {
                    let merged = picket_profile::merge::merge(vec![earlier, profile.clone()]);
                    if let [one] = merged.as_slice() {
                        profile = one.clone();
                    }
                }
                Err(e) => {
                    let aside = out.join(format!("{name}.unreadable"));
                    std::fs::rename(&path, &aside)
                        .with_context(|| format!("moving {} aside", path.display()))?;
                    let _ = writeln!(
                        err,
                        "warning: {}: {e:#}; moved to {} and not merged",
                        path.display(),
                        aside.display()
                    );
                }
            }
        }
        written.push(picket_profile::io::write_atomic_named(
            out, &name, &profile,
        )?);
    }
    Ok(written)
}

/// `stats events=… drops=… lost_inserts=… read_errors=… received=…`
pub fn stats_line(stats: &Stats, received: u64) -> String {
    format!(
        "stats events={} drops={} lost_inserts={} read_errors={} received={received}",
        stats.events, stats.drops, stats.lost_inserts, stats.read_errors
    )
}

/// Names a cgroup while it still exists: its path, container, pod and workload.
fn attribute(
    root: &Path,
    host_root: &Path,
    index: &mut attribution::CgroupIndex,
    id: u64,
    dir: Option<&Path>,
    start_ticks: u64,
) -> Attribution {
    let path = match dir {
        Some(dir) => {
            Some(format!("/{}", dir.strip_prefix(root).unwrap_or(dir).display()).replace("//", "/"))
        }
        None => index.resolve(id),
    };
    let Some(path) = path else {
        return Attribution::unnamed(id);
    };
    let container = attribution::parse_cgroup_path(&path);
    let meta = container
        .as_ref()
        .and_then(|c| attribution::read_runtime_metadata(host_root, c));
    let (subject, replica) = attribution::subject_for(&path, meta.as_ref());
    let mut partial_reasons = Vec::new();
    let dir = root.join(path.trim_start_matches('/'));
    let procs = attribution::read_cgroup_procs(&dir).unwrap_or_default();
    if attribution::started_before(&procs, &host_root.join("proc"), start_ticks) {
        partial_reasons.push("processes in it started before the sensor".to_string());
    }
    Attribution {
        subject,
        replica,
        partial_reasons,
        skip: meta.is_some_and(|m| m.sandbox),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nginx() -> picket_profile::Profile {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/profiles/shop_Deployment-web_nginx.json"
        );
        picket_profile::Profile::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn a_restarted_sensor_adds_to_the_profiles_already_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut err = Vec::new();
        let first = write_profiles(
            dir.path(),
            vec![nginx()],
            None,
            Existing::Accumulate,
            &mut err,
        )
        .unwrap();
        write_profiles(
            dir.path(),
            vec![nginx()],
            None,
            Existing::Accumulate,
            &mut err,
        )
        .unwrap();
        let text = std::fs::read_to_string(&first[0]).unwrap();
        let twice = picket_profile::Profile::from_json(&text).unwrap();
        let once = nginx();
        assert_eq!(
            twice.executables[0].evidence.count,
            2 * once.executables[0].evidence.count
        );
        // `merge` replaces instead.
        write_profiles(dir.path(), vec![nginx()], None, Existing::Replace, &mut err).unwrap();
        let text = std::fs::read_to_string(&first[0]).unwrap();
        let replaced = picket_profile::Profile::from_json(&text).unwrap();
        assert_eq!(
            replaced.executables[0].evidence.count,
            once.executables[0].evidence.count
        );
    }

    #[test]
    fn an_unreadable_profile_is_moved_aside_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let name = picket_profile::io::file_name(&nginx().subject);
        std::fs::write(dir.path().join(&name), b"{ not json").unwrap();
        let mut err = Vec::new();
        write_profiles(
            dir.path(),
            vec![nginx()],
            None,
            Existing::Accumulate,
            &mut err,
        )
        .unwrap();
        let aside = dir.path().join(format!("{name}.unreadable"));
        assert_eq!(std::fs::read(&aside).unwrap(), b"{ not json");
        let err = String::from_utf8(err).unwrap();
        assert!(err.contains("moved to") && err.contains(&name), "{err}");
        assert!(
            picket_profile::Profile::from_json(
                &std::fs::read_to_string(dir.path().join(&name)).unwrap()
            )
            .is_ok()
        );
    }

    #[test]
    fn profiles_of_two_architectures_do_not_overwrite_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let x86 = nginx();
        let mut arm = nginx();
        arm.sensor.arch = "aarch64".into();
        let mut err = Vec::new();
        let written = write_profiles(
            dir.path(),
            vec![x86, arm],
            None,
            Existing::Replace,
            &mut err,
        )
        .unwrap();
        assert_eq!(written.len(), 2, "{written:?}");
        assert_ne!(written[0], written[1]);
        assert!(
            written
                .iter()
                .any(|p| p.to_string_lossy().ends_with(".aarch64.json")),
            "{written:?}"
        );
    }
}
