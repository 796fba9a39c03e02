//! The AFU-9 posture converged through an unreliable AWS: throttling, 5xx, dropped
//! connections, and writes that succeed but answer with an error. Passes are repeated as
//! `afu9ctl run` would; the account is then checked directly: nothing duplicated, nothing
//! missing, and a plan without faults is empty.

use afu9_controller::aws::{Aws, ErrorClass};
use afu9_controller::engine::Engine;
use afu9_controller::plan::Plan;
use afu9_e2e::fault_proxy::{Fault, FaultConfig, FaultProxy};
use afu9_e2e::inventory::Inventory;
use afu9_e2e::{Emulator, repo_root, sdk_config_for};
use afu9_spec::DesiredState;

/// The most passes a faulty run may take before it counts as not converging.
const MAX_PASSES: usize = 12;

fn afu9() -> DesiredState {
    afu9_spec::load_paths(&[repo_root().join("desired-state")]).expect("valid")
}

fn settled(plan: &Plan) -> bool {
    !plan.has_drift() && !plan.has_errors()
}

/// Passes (plan, then apply) through `aws` until every resource has been seen in sync (read
/// without an error and without drift) in some pass; returns how many. Nothing else changes
/// the account, so a resource once in sync stays so. Even with every read retried, a single
/// pass in which each of the posture's few hundred reads succeeds is rare under faults, so
/// waiting for one would measure luck, not convergence; `assert_converged` then checks the
/// account without the proxy.
async fn converge(engine: &Engine, aws: &Aws, state: &DesiredState) -> usize {
    let mut seen_in_sync = std::collections::BTreeSet::new();
    let mut unsettled = Vec::new();
    for pass in 1..=MAX_PASSES {
        let plan = engine.plan(aws, state).await;
        for resource in &plan.resources {
            if !resource.is_drift() && resource.error_class.is_none() {
                seen_in_sync.insert((resource.kind, resource.name.clone()));
            }
        }
        if settled(&plan) || seen_in_sync.len() == plan.resources.len() {
            return pass;
        }
        unsettled = plan
            .resources
            .iter()
            .filter(|r| !seen_in_sync.contains(&(r.kind, r.name.clone())))
            .map(|r| format!("{} {}: {:?} {:?}", r.kind, r.name, r.action, r.reason))
            .collect();
        engine.apply(aws, &plan).await;
    }
    panic!("not converged after {MAX_PASSES} passes: {unsettled:#?}");
}

/// Checks the account without the proxy: the posture exactly once, and an empty plan.
async fn assert_converged(emulator: &Emulator, engine: &Engine, state: &DesiredState) {
    Inventory::read(emulator).await.assert_exactly_afu9();
    let plan = engine
        .plan(&Aws::from_config(&emulator.sdk_config()), state)
        .await;
    let drift: Vec<_> = plan
        .resources
        .iter()
        .filter(|r| r.is_drift() || r.reason.is_some() && r.changes.is_empty() && r.is_drift())
        .map(|r| (&r.name, &r.reason))
        .collect();
    assert!(settled(&plan), "not converged: {drift:?}");
}

fn count(proxy: &FaultProxy, fault: Fault) -> usize {
    proxy.records().iter().filter(|r| r.fault == fault).count()
}

/// The seeded demo account behind a fault proxy (`seed`, `faults`), a client through the
/// proxy, and the engine with the AFU-9 posture.
struct Faulty {
    emulator: Emulator,
    proxy: FaultProxy,
    aws: Aws,
    engine: Engine,
    state: DesiredState,
}

impl Faulty {
    fn start(seed: u64, faults: FaultConfig) -> Self {
        let emulator = Emulator::start();
        emulator.seed_afu9_demo();
        let proxy = FaultProxy::start(emulator.port(), seed);
        proxy.configure(faults);
        let aws = Aws::from_config(&sdk_config_for(&proxy.endpoint()));
        Self {
            emulator,
            proxy,
            aws,
            engine: Engine::new(afu9_controller::kinds::standard()),
            state: afu9(),
        }
    }
}

/// The failed attempts the call counter (which feeds /metrics) has seen through `aws`.
fn failed_attempts(aws: &Aws) -> u64 {
    aws.calls
        .snapshot()
        .iter()
        .filter(|(k, _)| k.outcome == "error")
        .map(|(_, n)| n)
        .sum()
}

/// A brownout the retry quota sustains (15 % of requests fail): a first-attempt success
/// gives a token back and a retry that succeeds returns its own, so the quota stays full
/// and every failed call gets its retries (4 attempts in all).
#[tokio::test]
async fn the_posture_converges_through_throttling_server_errors_and_dropped_connections() {
    let Faulty {
        emulator,
        proxy,
        aws,
        engine,
        state,
    } = Faulty::start(
        7,
        FaultConfig {
            throttle: 0.1,
            server_error: 0.04,
            drop: 0.01,
            ..FaultConfig::default()
        },
    );
    let passes = converge(&engine, &aws, &state).await;
    let (throttled, errors, dropped) = (
        count(&proxy, Fault::Throttled),
        count(&proxy, Fault::ServerError),
        count(&proxy, Fault::Dropped),
    );
    eprintln!(
        "faults: {throttled} throttled, {errors} 5xx, {dropped} dropped of {} requests; converged in {passes} passes",
        proxy.records().len()
    );
    assert!(throttled > 10 && errors > 3, "the faults were not injected");
    // The retries are visible in the call counter that feeds /metrics.
    let failed = failed_attempts(&aws);
    assert!(
        failed >= (throttled + errors) as u64,
        "{failed} failed attempts counted"
    );
    assert_converged(&emulator, &engine, &state).await;
}

/// A heavy brownout (42 % of requests fail) drains the retry quota within a few passes, by
/// design: the controller then stops retrying instead of adding to the load. Those passes
/// may leave resources unconverged, but they duplicate nothing, every error they report is
/// classified as throttling or transient (so `run` backs off and tries again), and once the
/// brownout ends, passes through the same client converge the account.
#[tokio::test]
async fn a_heavy_brownout_damages_nothing_and_the_posture_converges_once_it_ends() {
    let Faulty {
        emulator,
        proxy,
        aws,
        engine,
        state,
    } = Faulty::start(
        7,
        FaultConfig {
            throttle: 0.3,
            server_error: 0.1,
            drop: 0.02,
            ..FaultConfig::default()
        },
    );
    let mut errors = Vec::new();
    for _ in 0..6 {
        let plan = engine.plan(&aws, &state).await;
        errors.extend(plan.resources.iter().filter_map(|r| r.error_class));
        engine.apply(&aws, &plan).await;
    }
    let injected = count(&proxy, Fault::Throttled) + count(&proxy, Fault::ServerError);
    eprintln!(
        "brownout: {injected} faults injected in {} requests, {} resource errors in 6 passes",
        proxy.records().len(),
        errors.len()
    );
    assert!(injected > 50, "the faults were not injected");
    assert!(
        errors.iter().all(|class| *class != ErrorClass::Terminal),
        "a fault was classified as terminal: {errors:?}"
    );
    Inventory::read(&emulator).await.assert_nothing_duplicated();
    proxy.configure(FaultConfig::default());
    let passes = converge(&engine, &aws, &state).await;
    eprintln!("converged in {passes} passes after the brownout");
    assert_converged(&emulator, &engine, &state).await;
}

#[tokio::test]
async fn writes_that_fail_after_they_took_effect_duplicate_nothing_and_leave_no_lasting_error() {
    let Faulty {
        emulator,
        proxy,
        aws,
        engine,
        state,
    } = Faulty::start(
        11,
        FaultConfig {
            fail_after_write: 0.5,
            ..FaultConfig::default()
        },
    );
    let passes = converge(&engine, &aws, &state).await;
    let injected = count(&proxy, Fault::FailedAfterWrite);
    let revisions = Inventory::read(&emulator).await.task_definition_revisions;
    eprintln!(
        "{injected} writes failed after taking effect; converged in {passes} passes; {revisions} task-definition revisions"
    );
    assert!(injected > 5, "the faults were not injected");
    // The last pass through the proxy was clean: no error that never clears.
    let plan = engine.plan(&aws, &state).await;
    assert!(!plan.has_errors());
    assert_converged(&emulator, &engine, &state).await;
}

#[tokio::test]
async fn throttling_in_each_protocols_shape_is_retried_and_classified_as_throttling() {
    // A plan against a proxy that throttles everything: every kind (query protocol: IAM;
    // EC2's own; JSON: ECR, Secrets Manager, ECS) fails with a classified throttling error
    // after the SDK's retries.
    let emulator = Emulator::start();
    let proxy = FaultProxy::start(emulator.port(), 1);
    proxy.configure(FaultConfig {
        throttle: 1.0,
        ..FaultConfig::default()
    });
    let aws = Aws::from_config(&sdk_config_for(&proxy.endpoint()));
    let plan = Engine::new(afu9_controller::kinds::standard())
        .plan(&aws, &afu9())
        .await;
    for resource in &plan.resources {
        assert_eq!(
            resource.error_class,
            Some(afu9_controller::aws::ErrorClass::Throttled),
            "{} {}: {:?}",
            resource.kind,
            resource.name,
            resource.reason
        );
    }
    let reasons: Vec<&str> = plan
        .resources
        .iter()
        .filter_map(|r| r.reason.as_deref())
        .collect();
    for code in ["Throttling", "RequestLimitExceeded", "ThrottlingException"] {
        assert!(
            reasons.iter().any(|r| r.contains(&format!(": {code}:"))),
            "no {code} in {reasons:?}"
        );
    }
    let attempts = proxy
        .records()
        .iter()
        .filter(|r| r.operation == "DescribeRepositories")
        .count();
    assert_eq!(
        attempts, 4,
        "the controller's retry policy makes 4 attempts"
    );
}
