//! One measured run: `afu9ctl` as a child process under `/usr/bin/time`, which reports the
//! child's peak resident set (`%M`, from `wait4`'s rusage); wall time is taken around the
//! child; AWS calls come from `afu9ctl`'s own call counter (an SDK interceptor), which it logs
//! under the target `afu9ctl::calls`.

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
}

/// Runs `afu9ctl -f manifests ARGS...` with `env` (the emulator's endpoint, or the latency
/// proxy's in front of it).
pub fn afu9ctl(
    afu9ctl: &Path,
    env: &[(&'static str, String)],
    manifests: &Path,
    args: &[&str],
) -> Sample {
    let started = Instant::now();
    let output = Command::new(TIME)
        .args(["-f", "AFU9BENCH %M"])
        .arg(afu9ctl)
        .args(["--log-format", "json", "-f"])
        .arg(manifests)
        .args(args)
        .envs(env.iter().cloned())
        .env("RUST_LOG", "warn,afu9ctl::calls=info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|err| panic!("cannot run {TIME} {}: {err}", afu9ctl.display()));
    let wall_s = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut max_rss_kib = None;
    let mut calls = None;
    for line in stderr.lines() {
        if let Some(rss) = line.strip_prefix("AFU9BENCH ") {
            max_rss_kib = rss.trim().parse().ok();
        } else if let Ok(event) = serde_json::from_str::<serde_json::Value>(line)
            && event["target"] == "afu9ctl::calls"
        {
            calls = event["fields"]["calls"]
                .as_str()
                .and_then(|text| serde_json::from_str(text).ok());
        }
    }
    let exit = output.status.code().unwrap_or(-1);
    let (Some(max_rss_kib), Some(calls)) = (max_rss_kib, calls) else {
        panic!("afu9ctl {args:?} (exit {exit}) reported no peak RSS or calls:\n{stderr}");
    };
    Sample {
        wall_s,
        max_rss_kib,
        exit,
        calls,
    }
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
