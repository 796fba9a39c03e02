//! Memory by phase: at the end of each phase of a command (manifests loaded, plan observed
//! and decided, apply done) the process's peak resident set so far (`VmHWM`) and its
//! current one (`VmRSS`) with its anonymous and file-backed parts (`RssAnon`: the heap and
//! stacks; `RssFile`: the binary's pages touched so far), from `/proc/self/status`, logged
//! at debug level under the target `afu9ctl::memory` (read by `scripts/bench`). Nothing is
//! read unless that target is on, and nothing on a system without `/proc`.

/// Logs the memory figures at the end of `phase`.
pub fn phase_end(phase: &'static str) {
    if !tracing::enabled!(target: "afu9ctl::memory", tracing::Level::DEBUG) {
        return;
    }
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return;
    };
    let field = |name: &str| {
        status.lines().find_map(|line| {
            let value = line.strip_prefix(name)?.trim().strip_suffix("kB")?;
            value.trim().parse::<u64>().ok()
        })
    };
    tracing::debug!(
        target: "afu9ctl::memory",
        phase,
        peak_kib = field("VmHWM:"),
        rss_kib = field("VmRSS:"),
        anon_kib = field("RssAnon:"),
        file_kib = field("RssFile:"),
        "phase ended"
    );
}
