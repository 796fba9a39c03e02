//! The results: a table for people, JSON for tools, and the machine they came from.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::ansible::AnsibleRuns;
use crate::custodian::CustodianRuns;
use crate::measure::{Sample, by_service, median};
use crate::posture::Posture;

/// One scenario of one posture.
#[derive(Debug, Serialize)]
pub struct Scenario {
    /// `afu9`, `n=100`.
    pub posture: String,
    /// Managed resources.
    pub resources: usize,
    /// `plan, steady state`, `plan, 10 % drift`, `apply from empty`.
    pub name: &'static str,
    /// Resources changed out of band (drift only).
    pub drifted: Option<usize>,
    /// Median wall time, seconds.
    pub median_wall_s: f64,
    /// The highest peak RSS of the runs, KiB.
    pub max_rss_kib: u64,
    /// Median CPU time of afu9ctl, seconds.
    pub median_cpu_s: f64,
    /// Median CPU time of the emulator during a run, seconds.
    pub median_emulator_cpu_s: f64,
    /// Median time to load the manifests, seconds.
    pub median_load_s: Option<f64>,
    /// Median time each kind took to be observed and planned, seconds.
    pub median_kinds_s: BTreeMap<String, f64>,
    /// Calls of the first run by `Service.Operation`.
    pub calls: BTreeMap<String, u64>,
    /// Calls of the first run by service.
    pub calls_by_service: BTreeMap<String, u64>,
    /// Whether the runs made different numbers of calls.
    pub calls_vary: bool,
    /// Every run.
    pub runs: Vec<Sample>,
}

impl Scenario {
    /// Summarises the runs of a scenario.
    pub fn new(
        posture: Posture,
        scenario: &'static str,
        runs: Vec<Sample>,
        drifted: Option<usize>,
    ) -> Self {
        let walls: Vec<f64> = runs.iter().map(|r| r.wall_s).collect();
        let calls = runs.first().map(|r| r.calls.clone()).unwrap_or_default();
        let of = |value: fn(&Sample) -> f64| median(&runs.iter().map(value).collect::<Vec<_>>());
        let loads: Vec<f64> = runs.iter().filter_map(|r| r.load_s).collect();
        let mut kinds: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for run in &runs {
            for (kind, seconds) in &run.kinds_s {
                kinds.entry(kind.clone()).or_default().push(*seconds);
            }
        }
        Self {
            median_cpu_s: of(|r| r.cpu_s),
            median_emulator_cpu_s: of(|r| r.emulator_cpu_s),
            median_load_s: (!loads.is_empty()).then(|| median(&loads)),
            median_kinds_s: kinds
                .into_iter()
                .map(|(kind, seconds)| (kind, median(&seconds)))
                .collect(),
            posture: posture.label(),
            resources: posture.resources(),
            name: scenario,
            drifted,
            median_wall_s: median(&walls),
            max_rss_kib: runs.iter().map(|r| r.max_rss_kib).max().unwrap_or(0),
            calls_by_service: by_service(&calls),
            calls_vary: runs.iter().any(|r| r.calls != calls),
            calls,
            runs,
        }
    }

    fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }
}

/// Everything one bench run measured.
#[derive(Debug, Serialize)]
pub struct Results {
    /// The machine: `nproc`, memory, CPU model.
    pub machine: BTreeMap<&'static str, String>,
    /// The `afu9ctl` binary measured.
    pub afu9ctl: String,
    /// The delay the proxy added to every call, milliseconds (0: straight to the emulator).
    pub latency_ms: u128,
    /// Whether EC2 and ECR had an emulator process each (`--split-emulator`).
    pub split_emulator: bool,
    /// `/proc/loadavg` when the run started and when it ended (other work on the machine).
    pub load: Vec<String>,
    /// Every scenario.
    pub scenarios: Vec<Scenario>,
    /// The Ansible baseline, if it ran.
    pub ansible: Option<AnsibleRuns>,
    /// Ansible's median `--check` time over afu9ctl's median steady-state plan of the 14
    /// resources the playbook covers (`afu9-core`), made right after each Ansible run.
    pub ansible_ratio: Option<f64>,
    /// The Cloud Custodian detection peer, if it ran.
    pub custodian: Option<CustodianRuns>,
    /// Custodian's median `run --dryrun` time over afu9ctl's median steady-state plan of
    /// `afu9-core`, made right after each Custodian run.
    pub custodian_ratio: Option<f64>,
}

impl Results {
    /// Empty results for `afu9ctl`, each call delayed by `latency`.
    pub fn new(afu9ctl: &Path, latency: std::time::Duration, split_emulator: bool) -> Self {
        Self {
            machine: machine(),
            afu9ctl: afu9ctl.display().to_string(),
            latency_ms: latency.as_millis(),
            split_emulator,
            load: vec![load_average()],
            scenarios: Vec::new(),
            ansible: None,
            ansible_ratio: None,
            custodian: None,
            custodian_ratio: None,
        }
    }

    /// Notes the load average at the end of the run.
    pub fn finished(&mut self) {
        self.load.push(load_average());
    }

    /// Adds a scenario.
    pub fn push(&mut self, scenario: Scenario) {
        self.scenarios.push(scenario);
    }

    /// A peer's median wall time, afu9ctl's median steady plan of `afu9-core` made right
    /// after the peer's runs, their ratio.
    fn ratio_to(peer: &[f64], ours: &[f64]) -> Option<(f64, f64, f64)> {
        if peer.is_empty() || ours.is_empty() {
            return None;
        }
        let (theirs, ours) = (median(peer), median(ours));
        Some((theirs, ours, theirs / ours))
    }

    fn ratio(&self) -> Option<(f64, f64, f64)> {
        let runs = self.ansible.as_ref()?;
        Self::ratio_to(&runs.wall_s, &runs.afu9ctl_alongside_s)
    }

    fn custodian_ratio(&self) -> Option<(f64, f64, f64)> {
        let runs = self.custodian.as_ref()?;
        Self::ratio_to(&runs.wall_s, &runs.afu9ctl_alongside_s)
    }

    /// The table people read.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "\n| posture | resources | scenario | calls | calls by service | median wall | afu9ctl CPU | emulator CPU | peak RSS |\n| --- | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: |\n",
        );
        for s in &self.scenarios {
            let services = s
                .calls_by_service
                .iter()
                .map(|(service, n)| format!("{service} {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                out,
                "| {} | {} | {}{} | {}{} | {services} | {:.3} s | {:.2} s | {:.2} s | {:.1} MiB |",
                s.posture,
                s.resources,
                s.name,
                s.drifted
                    .map(|d| format!(" ({d} drifted)"))
                    .unwrap_or_default(),
                s.total_calls(),
                if s.calls_vary { " (varies)" } else { "" },
                s.median_wall_s,
                s.median_cpu_s,
                s.median_emulator_cpu_s,
                kib_to_mib(s.max_rss_kib),
            );
        }
        out.push_str("\nWhere a plan's time goes (medians; kinds of one service in turn, services at once):\n");
        for s in self
            .scenarios
            .iter()
            .filter(|s| !s.median_kinds_s.is_empty())
        {
            let kinds = s
                .median_kinds_s
                .iter()
                .map(|(kind, seconds)| format!("{kind} {seconds:.2} s"))
                .collect::<Vec<_>>()
                .join(", ");
            let load = s.median_load_s.map_or_else(String::new, |load| {
                format!("manifests loaded {load:.2} s; ")
            });
            let _ = writeln!(out, "- {} {}: {load}{kinds}", s.posture, s.name);
        }
        out.push_str("\nPeak RSS at the end of each phase (the highest of the runs):\n");
        for s in &self.scenarios {
            let mut phases: BTreeMap<&str, u64> = BTreeMap::new();
            for run in &s.runs {
                for (phase, kib) in &run.phase_peak_kib {
                    let peak = phases.entry(phase.as_str()).or_default();
                    *peak = (*peak).max(*kib);
                }
            }
            let phases = ["load", "connect", "plan", "apply"]
                .iter()
                .filter_map(|phase| {
                    let kib = phases.get(phase)?;
                    Some(format!("{phase} {:.1} MiB", kib_to_mib(*kib)))
                })
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(out, "- {} {}: {phases}", s.posture, s.name);
        }
        self.peers(&mut out);
        let _ = writeln!(
            out,
            "\nlatency added per call: {} ms; emulator: {}; load average (1, 5, 15 min) at start and end: {}",
            self.latency_ms,
            if self.split_emulator {
                "EC2, ECR and the rest in 3 processes"
            } else {
                "one process"
            },
            self.load.join(" / ")
        );
        let _ = writeln!(
            out,
            "\nmachine: {}",
            self.machine
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("; ")
        );
        out
    }

    /// The peers' lines: each one's median and its ratio to afu9ctl's steady plan.
    fn peers(&self, out: &mut String) {
        if let (Some((ansible, ours, ratio)), Some(runs)) = (self.ratio(), &self.ansible) {
            let _ = writeln!(
                out,
                "\nAnsible --check --diff (afu9-core): median {ansible:.2} s; afu9ctl steady plan after each run {ours:.3} s ({} plans); ratio {ratio:.0}x ({})",
                runs.afu9ctl_alongside_s.len(),
                runs.recap
            );
        }
        if let (Some((custodian, ours, ratio)), Some(runs)) =
            (self.custodian_ratio(), &self.custodian)
        {
            let found: usize = runs.matched.values().sum();
            let _ = writeln!(
                out,
                "Cloud Custodian run --dryrun (afu9-core, {} policies): median {custodian:.2} s; afu9ctl steady plan after each run {ours:.3} s ({} plans); ratio {ratio:.1}x ({found} resources matched)",
                runs.matched.len(),
                runs.afu9ctl_alongside_s.len()
            );
        }
    }

    /// Writes the JSON to `path`, creating its directory.
    pub fn write(&mut self, path: &Path) {
        self.ansible_ratio = self.ratio().map(|(_, _, ratio)| ratio);
        self.custodian_ratio = self.custodian_ratio().map(|(_, _, ratio)| ratio);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create the results directory");
        }
        let json = serde_json::to_string_pretty(self).expect("results serialise");
        std::fs::write(path, json + "\n").expect("write the results");
    }
}

/// The first three fields of `/proc/loadavg`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn kib_to_mib(kib: u64) -> f64 {
    f64::from(u32::try_from(kib).unwrap_or(u32::MAX)) / 1024.0
}

fn machine() -> BTreeMap<&'static str, String> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let field = |text: &str, name: &str| {
        text.lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_once(':'))
            .map(|(_, value)| value.trim().to_owned())
            .unwrap_or_default()
    };
    BTreeMap::from([
        (
            "nproc",
            std::thread::available_parallelism().map_or_else(|_| "?".to_owned(), |n| n.to_string()),
        ),
        ("cpu", field(&cpuinfo, "model name")),
        ("memory", field(&meminfo, "MemTotal")),
        ("os", std::env::consts::OS.to_owned()),
    ])
}
