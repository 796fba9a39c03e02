//! `bench`: what a pass of afu9-posture costs — AWS API calls by service and operation, wall
//! time and peak RSS of `afu9ctl` — for the AFU-9 posture and for generated postures of N
//! resources, in three scenarios: `plan` in steady state, `plan` with about 10 % drift
//! injected through the SDK, and `apply` from empty. With an `ansible-playbook` (environment
//! `AFU9_ANSIBLE_PLAYBOOK`), the AFU-9 posture is also run as an Ansible playbook in
//! `--check --diff` mode against the same emulator, as the peer baseline, beside the 14
//! resources of the AFU-9 posture it covers (`afu9-core`); with a `custodian` (environment
//! `AFU9_CUSTODIAN`), Cloud Custodian's detection of the same violations over the same
//! resources (`custodian run --dryrun`) beside it.
//!
//! Run it through `scripts/bench`, which builds `afu9ctl` and installs the emulator and
//! Ansible. The `afu9ctl` measured is `AFU9CTL`, or the one next to this binary.
//! Usage: `bench [--sizes 10,100,1000] [--out results.json] [--max-runs N] [--latency 50ms]
//! [--no-afu9]`; `bench --manifests N` prints the generated posture of N resources.
//! `--latency` puts the fault proxy (`afu9_e2e::fault_proxy`) between `afu9ctl` and the
//! emulator, adding that delay to every call as AWS's network and service time would;
//! seeding and drift go to the emulator directly. `--no-afu9` leaves out the AFU-9 posture.
//! `--split-emulator` runs EC2 (with ECS, RDS and Elastic Load Balancing, which must see EC2's subnets, and ACM
//! and WAF, which a load balancer's listener and web ACL name) and ECR each in a moto process
//! of their own (and the other services in a third): one moto process handles one request at a time (Python's global
//! interpreter lock), so with one process for every service the emulator's CPU time, not
//! afu9ctl, bounds a large pass; AWS's services do not share a process.
//! `bench --events N [--event-window 1s]` measures event to converged instead (see
//! `events.rs`); `bench --storm N` the drain of a backlog of N events (see `storm.rs`).

mod ansible;
mod custodian;
mod events;
mod measure;
mod posture;
mod report;
mod storm;

use std::path::{Path, PathBuf};
use std::time::Duration;

use afu9_e2e::Emulator;
use afu9_e2e::fault_proxy::{FaultConfig, FaultProxy};
use measure::Sample;
use posture::Posture;
use report::{Results, Scenario};

/// With `--split-emulator`, the groups of services with an emulator process of their own (the
/// rest share one): the two a large posture's plan spends most of the emulator's time in,
/// with the services that name EC2's subnets (an ECS service's network configuration, a
/// database's subnet group, a load balancer's subnets) beside EC2, and those a load balancer's
/// listener and web ACL name (ACM's certificate, WAF's association) beside it.
const SPLIT_SERVICES: &[&[&str]] = &[
    &["ec2", "ecs", "rds", "elasticloadbalancing", "acm", "wafv2"],
    &["ecr"],
];

struct Options {
    sizes: Vec<usize>,
    out: PathBuf,
    max_runs: usize,
    ansible: Option<PathBuf>,
    custodian: Option<PathBuf>,
    latency: Duration,
    afu9: bool,
    split: bool,
    events: Option<usize>,
    event_window: String,
    storm: Option<usize>,
}

fn options() -> Options {
    let mut options = Options {
        sizes: vec![10, 100, 1000],
        out: PathBuf::from("target/bench/results.json"),
        max_runs: usize::MAX,
        ansible: std::env::var_os("AFU9_ANSIBLE_PLAYBOOK").map(PathBuf::from),
        custodian: std::env::var_os("AFU9_CUSTODIAN").map(PathBuf::from),
        latency: Duration::ZERO,
        afu9: true,
        split: false,
        events: None,
        event_window: "1s".to_owned(),
        storm: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--no-afu9" {
            options.afu9 = false;
            continue;
        }
        if arg == "--split-emulator" {
            options.split = true;
            continue;
        }
        let value = args.next().unwrap_or_else(|| usage(&arg));
        match arg.as_str() {
            "--sizes" => {
                options.sizes = value
                    .split(',')
                    .map(|n| n.trim().parse().unwrap_or_else(|_| usage(&arg)))
                    .collect();
            }
            "--out" => options.out = PathBuf::from(value),
            "--manifests" => {
                let n = value.parse().unwrap_or_else(|_| usage(&arg));
                print!("{}", posture::generate(n));
                std::process::exit(0);
            }
            "--events" => options.events = Some(value.parse().unwrap_or_else(|_| usage(&arg))),
            "--event-window" => options.event_window = value,
            "--storm" => options.storm = Some(value.parse().unwrap_or_else(|_| usage(&arg))),
            "--max-runs" => options.max_runs = value.parse().unwrap_or_else(|_| usage(&arg)),
            "--latency" => {
                let ms = value.strip_suffix("ms").unwrap_or(&value);
                options.latency = Duration::from_millis(ms.parse().unwrap_or_else(|_| usage(&arg)));
            }
            _ => usage(&arg),
        }
    }
    options
}

fn usage(arg: &str) -> ! {
    eprintln!(
        "bad argument {arg}
usage: bench [--sizes 10,100,1000] [--out PATH] [--max-runs N] [--latency 50ms] [--no-afu9] [--split-emulator] | bench --events N [--event-window 1s] | bench --storm N | bench --manifests N"
    );
    std::process::exit(2)
}

/// How many runs of (plan, apply) a posture gets: fewer as it grows, at most `max`.
fn runs(posture: Posture, max: usize) -> (usize, usize) {
    let (plan, apply) = match posture.resources() {
        n if n <= 20 => (7, 3),
        n if n <= 200 => (5, 3),
        _ => (3, 1),
    };
    (plan.min(max), apply.min(max))
}

/// The afu9ctl measured: `AFU9CTL`, or the one beside this binary.
fn afu9ctl_binary() -> PathBuf {
    let afu9ctl = std::env::var_os("AFU9CTL").map_or_else(
        || {
            std::env::current_exe()
                .expect("own path")
                .with_file_name("afu9ctl")
        },
        PathBuf::from,
    );
    assert!(
        afu9ctl.exists(),
        "{} is missing: build it first (scripts/bench does)",
        afu9ctl.display()
    );
    afu9ctl
}

fn main() {
    let options = options();
    let afu9ctl = afu9ctl_binary();
    if let Some(events) = options.storm {
        storm::run(&afu9ctl, events);
        return;
    }
    if let Some(samples) = options.events {
        events::run(&afu9ctl, samples, &options.event_window);
        return;
    }
    assert!(
        Path::new(measure::TIME).exists(),
        "{} is missing: install GNU time (Debian package `time`; scripts/bench does)",
        measure::TIME
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let emulator = if options.split {
        Emulator::start_split(SPLIT_SERVICES)
    } else {
        Emulator::start()
    };
    let workdir = std::env::temp_dir().join(format!("afu9-bench-{}", std::process::id()));
    std::fs::create_dir_all(&workdir).expect("work dir");
    // With latency, afu9ctl talks to the proxy; the proxy must outlive every run.
    let (_proxy, env) = endpoint(&emulator, options.latency);
    let mut results = Results::new(&afu9ctl, options.latency, options.split);
    let postures = options
        .afu9
        .then_some([Posture::Core, Posture::Afu9])
        .into_iter()
        .flatten()
        .chain(options.sizes.iter().map(|&n| Posture::Generated(n)));
    for posture in postures {
        let manifests = posture.manifests(&workdir);
        let run =
            |args: &[&str]| measure::afu9ctl(&afu9ctl, &env, &manifests, args, &emulator.pids());
        let (plan_runs, apply_runs) = runs(posture, options.max_runs);
        eprintln!(
            "== {} ({} resources): apply x{apply_runs}, plan x{plan_runs}",
            posture.label(),
            posture.resources()
        );
        let apply = (0..apply_runs)
            .map(|_| {
                emulator.reset();
                runtime.block_on(posture.seed(&emulator));
                expect(
                    run(&["apply", "-o", "json"]),
                    0,
                    posture,
                    "apply from empty",
                )
            })
            .collect();
        results.push(Scenario::new(posture, "apply from empty", apply, None));
        let plan = ["plan", "-o", "json", "--detailed-exitcode"];
        let steady = (0..plan_runs)
            .map(|_| expect(run(&plan), 0, posture, "steady plan"))
            .collect();
        results.push(Scenario::new(posture, "plan, steady state", steady, None));
        if posture == Posture::Core {
            let steady = || expect(run(&plan), 0, posture, "steady plan").wall_s;
            run_peers(
                &options,
                &emulator,
                &workdir,
                plan_runs,
                &steady,
                &mut results,
            );
        }
        let drifted = runtime.block_on(posture.drift(&emulator));
        let drift = (0..plan_runs)
            .map(|_| expect(run(&plan), 2, posture, "drift plan"))
            .collect();
        results.push(Scenario::new(
            posture,
            "plan, 10 % drift",
            drift,
            Some(drifted),
        ));
    }
    let _ = std::fs::remove_dir_all(&workdir);
    results.finished();
    print!("{}", results.table());
    results.write(&options.out);
    eprintln!("results written to {}", options.out.display());
}

/// How many steady plans of the core posture afu9ctl makes right after each run of a peer:
/// a peer's ratio is taken against those, made under the same load as the peer's own runs
/// (on a shared 2-core machine the speed of both drifts by a quarter within minutes).
pub const PLANS_AFTER_EACH_PEER_RUN: usize = 3;

/// The peers over the core posture, right after afu9ctl's steady plans of it: Ansible's
/// `--check --diff` and Custodian's `run --dryrun`, each against the same converged account,
/// [`PLANS_AFTER_EACH_PEER_RUN`] of afu9ctl's steady plans (`steady`, its wall time) after
/// each of their runs.
fn run_peers(
    options: &Options,
    emulator: &Emulator,
    workdir: &Path,
    plan_runs: usize,
    steady: &dyn Fn() -> f64,
    results: &mut Results,
) {
    let alongside = &mut || (0..PLANS_AFTER_EACH_PEER_RUN).map(|_| steady()).collect();
    if let Some(playbook) = &options.ansible {
        // An Ansible run takes tens of seconds: three are enough for a median.
        let ansible_runs = plan_runs.min(3);
        eprintln!("== ansible-playbook --check --diff (AFU-9) x{ansible_runs}");
        results.ansible = Some(ansible::run(playbook, emulator, ansible_runs, alongside));
    }
    if let Some(custodian) = &options.custodian {
        let custodian_runs = plan_runs.min(5);
        eprintln!("== custodian run --dryrun (afu9-core) x{custodian_runs}");
        let runs = custodian::run(custodian, emulator, workdir, custodian_runs, alongside);
        assert!(
            runs.matched.values().all(|n| *n == 0),
            "Custodian finds violations in the converged account: {:?}",
            runs.matched
        );
        results.custodian = Some(runs);
    }
}

/// The environment `afu9ctl` runs with: the emulator's endpoint, or with `latency` that of
/// a fault proxy in front of it that delays every call (returned, to be kept alive).
fn endpoint(
    emulator: &Emulator,
    latency: Duration,
) -> (Option<FaultProxy>, Vec<(&'static str, String)>) {
    if latency.is_zero() {
        return (None, emulator.env());
    }
    let proxy = FaultProxy::start_routed(emulator.upstreams(), 1);
    proxy.configure(FaultConfig {
        latency,
        ..FaultConfig::default()
    });
    let env = afu9_e2e::env_for(&proxy.endpoint());
    (Some(proxy), env)
}

/// The sample, if `afu9ctl` exited as the scenario requires: a steady plan that is not in
/// sync, or a failed apply, would make the figures meaningless.
fn expect(sample: Sample, exit: i32, posture: Posture, scenario: &str) -> Sample {
    assert_eq!(
        sample.exit,
        exit,
        "{} {scenario}: afu9ctl exited {} (expected {exit}); calls {:?}; it said:\n{}",
        posture.label(),
        sample.exit,
        sample.calls,
        sample.problems.join("\n")
    );
    sample
}
