//! What the sensor's root tests (`live.rs`, `e2e.rs`) share: whether this machine can run
//! them, and `picket-sensor record` run in the background.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

use picket_profile::Profile;

pub(crate) const SENSOR: &str = env!("CARGO_BIN_EXE_picket-sensor");

/// Why this machine cannot load the sensor, if it cannot: not root, or no cgroup v2.
pub(crate) fn unsupported() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid_line = status.lines().find(|l| l.starts_with("Uid:"))?;
    if uid_line.split_whitespace().nth(2) != Some("0") {
        return Some("needs root (CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN; cgroups)".into());
    }
    if picket_sensor::attribution::find_cgroup2_mount().is_err() {
        return Some("no cgroup v2 hierarchy is mounted".into());
    }
    None
}

/// `picket-sensor record --out OUT ARGS…`, running until [`Recorder::finish`]; killed on
/// drop, should the test fail midway.
pub(crate) struct Recorder {
    child: Child,
    stderr: BufReader<ChildStderr>,
    log: String,
    out: PathBuf,
}

impl Recorder {
    /// Starts it and waits until it says it is recording.
    pub(crate) fn start(out: &Path, args: &[OsString]) -> Recorder {
        let mut child = Command::new(SENSOR)
            .arg("record")
            .arg("--out")
            .arg(out)
            .args(args)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let mut rec = Recorder {
            child,
            stderr,
            log: String::new(),
            out: out.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let mut line = String::new();
            if rec.stderr.read_line(&mut line).unwrap() == 0 {
                panic!("picket-sensor record exited before recording:\n{}", rec.log);
            }
            rec.log.push_str(&line);
            if line.starts_with("recording ") {
                return rec;
            }
            assert!(
                Instant::now() < deadline,
                "picket-sensor record did not start:\n{}",
                rec.log
            );
        }
    }

    /// Stops it with SIGINT (as Ctrl-C would); its log.
    pub(crate) fn finish(mut self) -> String {
        let status = Command::new("kill")
            .arg("-INT")
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).unwrap();
        self.log.push_str(&rest);
        let status = self.child.wait().unwrap();
        let log = std::mem::take(&mut self.log);
        assert!(
            status.success(),
            "picket-sensor record failed ({status}):\n{log}"
        );
        log
    }

    /// Stops it, then reads the profiles it wrote; with its log.
    #[allow(dead_code)] // Each test crate uses one of the two ways to finish.
    pub(crate) fn finish_with_profiles(self) -> (Vec<Profile>, String) {
        let out = self.out.clone();
        let log = self.finish();
        let profiles = picket_profile::io::read_dir(&out)
            .unwrap_or_else(|e| panic!("{e:#}\n{log}"))
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        (profiles, log)
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        // Already waited for after `finish`; otherwise the test failed midway.
        if self.child.try_wait().is_ok_and(|s| s.is_none()) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
