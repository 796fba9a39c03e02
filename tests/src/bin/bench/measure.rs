//! One measured run: `afu9ctl` as a child process under `/usr/bin/time`, which reports the
//! child's peak resident set (`%M`, from `wait4`'s rusage); wall time is taken around the
//! child; AWS calls come from `afu9ctl`'s own call counter (an SDK interceptor), which it logs
//! under the target `afu9ctl::calls`. Where the time goes: afu9ctl's own CPU time (GNU time's
//! `%U` + `%S`), the emulator's CPU time over the run (`/proc/PID/stat`), and afu9ctl's
//! `afu9ctl::timing` debug events (manifests loaded, each kind observed and planned). Where
//! the memory goes: afu9ctl's `afu9ctl::memory` debug events, its peak resident set at the
//! end of each phase (load, connect, plan, apply).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::Serialize;

/// The GNU time binary (Debian package `time`).
pub const TIME: &str = "/usr/bin/time";

/// What one run of `afu9ctl` cost.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// Wall time of the whole process, seconds.
    pub wall_s: f64,
    /// Peak resident set of the process, KiB.
    pub max_rss_kib: u64,
    /// Its exit code.
    pub exit: i32,
    /// AWS calls by `Service.Operation`.
    pub calls: BTreeMap<String, u64>,
    /// CPU time of afu9ctl (user + system), seconds.
    pub cpu_s: f64,
    /// CPU time the emulator spent while afu9ctl ran (user + system, all its processes),
    /// seconds.
    pub emulator_cpu_s: f64,
    /// Time afu9ctl took to load and validate the manifests, seconds.
    pub load_s: Option<f64>,
    /// Time each kind took to be observed and planned, seconds (kinds of one service run
    /// one after another, services at the same time).
    pub kinds_s: BTreeMap<String, f64>,
    /// The peak resident set at the end of each phase, KiB.
    pub phase_peak_kib: BTreeMap<String, u64>,
    /// afu9ctl's warnings and errors, one line each, and a failed run's output.
    #[serde(skip)]
    pub problems: Vec<String>,
}

/// Runs `afu9ctl -f manifests ARGS...` with `env` (the emulator's endpoint, or the latency
/// proxy's in front of it), against the emulator whose processes are `emulator_pids`.
pub fn afu9ctl(
    afu9ctl: &Path,
    env: &[(&'static str, String)],
    manifests: &Path,
    args: &[&str],
    emulator_pids: &[u32],
) -> Sample {
    let emulator_cpu = || {
        emulator_pids
            .iter()
            .map(|&pid| process_cpu_s(pid))
            .sum::<f64>()
    };
    let emulator_before = emulator_cpu();
    let started = Instant::now();
    let output = Command::new(TIME)
        .args(["-f", "AFU9BENCH %M %U %S"])
        .arg(afu9ctl)
        .args(["--log-format", "json", "-f"])
        .arg(manifests)
        .args(args)
        .envs(env.iter().cloned())
        .env(
            "RUST_LOG",
            "warn,afu9ctl::calls=info,afu9ctl::timing=debug,afu9ctl::memory=debug",
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|err| panic!("cannot run {TIME} {}: {err}", afu9ctl.display()));
    let wall_s = started.elapsed().as_secs_f64();
    let emulator_cpu_s = emulator_cpu() - emulator_before;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut max_rss_kib = None;
    let mut cpu_s = 0.0;
    let mut calls = None;
    let mut load_s = None;
    let mut kinds_s = BTreeMap::new();
    let mut phase_peak_kib = BTreeMap::new();
    let mut problems = Vec::new();
    for line in stderr.lines() {
        if let Some(usage) = line.strip_prefix("AFU9BENCH ") {
            let mut fields = usage.split_whitespace();
            max_rss_kib = fields.next().and_then(|rss| rss.parse().ok());
            cpu_s = fields.filter_map(|s| s.parse::<f64>().ok()).sum();
            continue;
        }
        let Ok(event) = serde_json::from_str::<serde_json::Value>(line) else {
            problems.push(line.to_owned());
            continue;
        };
        let fields = &event["fields"];
        if matches!(event["level"].as_str(), Some("WARN" | "ERROR")) {
            problems.push(fields["message"].as_str().unwrap_or(line).to_owned());
        }
        match event["target"].as_str() {
            Some("afu9ctl::calls") => {
                calls = fields["calls"]
                    .as_str()
                    .and_then(|text| serde_json::from_str(text).ok());
            }
            Some("afu9ctl::timing") => {
                match (fields["kind"].as_str(), fields["seconds"].as_f64()) {
                    (Some(kind), Some(seconds)) => {
                        kinds_s.insert(kind.to_owned(), seconds);
                    }
                    (None, Some(seconds)) => load_s = Some(seconds),
                    _ => {}
                }
            }
            Some("afu9ctl::memory") => {
                if let (Some(phase), Some(peak)) =
                    (fields["phase"].as_str(), fields["peak_kib"].as_u64())
                {
                    phase_peak_kib.insert(phase.to_owned(), peak);
                }
            }
            _ => {}
        }
    }
    let exit = output.status.code().unwrap_or(-1);
    if exit != 0 {
        problems.push(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let (Some(max_rss_kib), Some(calls)) = (max_rss_kib, calls) else {
        panic!("afu9ctl {args:?} (exit {exit}) reported no peak RSS or calls:\n{stderr}");
    };
    Sample {
        wall_s,
        max_rss_kib,
        exit,
        calls,
        cpu_s,
        emulator_cpu_s,
        load_s,
        kinds_s,
        phase_peak_kib,
        problems,
    }
}

/// The CPU time (user + system) process `pid` has used so far, seconds: fields 14 and 15 of
/// `/proc/PID/stat`, in clock ticks of 1/100 s (Linux's `USER_HZ` on every architecture
/// it exports to user space).
fn process_cpu_s(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .unwrap_or_else(|err| panic!("cannot read /proc/{pid}/stat (the emulator): {err}"));
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: f64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|field| field.parse::<f64>().unwrap_or(0.0))
        .sum();
    ticks / 100.0
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => f64::midpoint(sorted[n / 2 - 1], sorted[n / 2]),
    }
}

/// The calls of a service (`ECR`), summed over its operations.
pub fn by_service(calls: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (key, count) in calls {
        let service = key.split_once('.').map_or(key.as_str(), |(s, _)| s);
        *out.entry(service.to_owned()).or_default() += count;
    }
    out
}
