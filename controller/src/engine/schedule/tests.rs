//! The apply's schedule with fake operations that log when they start and end and give way to
//! the others a few times while in flight (no clock, no AWS): dependencies order operations,
//! references in both directions still converge, a failure stops its dependents and no
//! other, each service's bound holds and is used, a resource's own operations keep their
//! order, `stop` starts nothing more, and the report is in plan order.

use std::sync::{Arc, Mutex};

use afu9_spec::SourceLocation;
use aws_config::{BehaviorVersion, SdkConfig};

use super::{Bounds, execute};
use crate::aws::{Aws, ErrorClass, OpOutcome, WriteCall};
use crate::plan::{Dependency, OpFuture, Operation, Phase, Plan, ResourcePlan};

/// Per service: (service, in flight now, most in flight at once).
type InFlight = Arc<Mutex<Vec<(&'static str, usize, usize)>>>;

/// `(resource, op label, started)`, in the order it happened.
type Log = Arc<Mutex<Vec<(String, &'static str, bool)>>>;

#[derive(Debug)]
struct FakeOp {
    resource: String,
    label: &'static str,
    phase: Phase,
    fails: bool,
    /// How many times it gives way while in flight.
    yields: usize,
    log: Log,
    in_flight: InFlight,
    service: &'static str,
}

impl WriteCall for FakeOp {
    fn call(&self) -> &'static str {
        self.label
    }

    fn subject(&self) -> String {
        self.resource.clone()
    }
}

impl Operation for FakeOp {
    fn phase(&self) -> Phase {
        self.phase
    }

    fn execute<'a>(&'a self, _aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(async move {
            self.count(1);
            self.log
                .lock()
                .unwrap()
                .push((self.resource.clone(), self.label, true));
            for _ in 0..self.yields {
                tokio::task::yield_now().await;
            }
            self.log
                .lock()
                .unwrap()
                .push((self.resource.clone(), self.label, false));
            self.count(-1);
            if self.fails {
                Err(self.failure(ErrorClass::Terminal, "injected"))
            } else {
                Ok(OpOutcome::Done)
            }
        })
    }
}

impl FakeOp {
    fn count(&self, delta: isize) {
        let mut all = self.in_flight.lock().unwrap();
        let index = if let Some(index) = all.iter().position(|(s, _, _)| *s == self.service) {
            index
        } else {
            all.push((self.service, 0, 0));
            all.len() - 1
        };
        let entry = &mut all[index];
        entry.1 = entry.1.checked_add_signed(delta).expect("never below zero");
        entry.2 = entry.2.max(entry.1);
    }
}

/// Builds plans of fake resources and runs them.
#[derive(Default)]
struct Bench {
    log: Log,
    in_flight: InFlight,
    plan: Plan,
    bounds: Bounds,
}

impl Bench {
    /// A resource `name` of `kind` (service `service`, `limit` writes at once) with `ops`
    /// (label, phase, fails) that depends on `depends_on`.
    fn resource(
        &mut self,
        (kind, service, limit): (&'static str, &'static str, usize),
        name: &str,
        ops: &[(&'static str, Phase, bool)],
        depends_on: &[Dependency],
    ) {
        self.bounds.add(kind, service, limit);
        let mut resource = ResourcePlan::new(kind, name, &SourceLocation::new("t.yaml", 1, 1));
        resource.depends_on = depends_on.to_vec();
        resource.ops = ops
            .iter()
            .map(|&(label, phase, fails)| {
                Box::new(FakeOp {
                    resource: name.to_owned(),
                    label,
                    phase,
                    fails,
                    yields: 3,
                    log: Arc::clone(&self.log),
                    in_flight: Arc::clone(&self.in_flight),
                    service,
                }) as Box<dyn Operation>
            })
            .collect();
        self.plan.resources.push(resource);
    }

    async fn run(&self, stop: &(dyn Fn() -> bool + Sync)) -> crate::engine::ApplyReport {
        let aws = Aws::from_config(
            &SdkConfig::builder()
                .behavior_version(BehaviorVersion::latest())
                .build(),
        );
        execute(&aws, &self.plan, &self.bounds, stop).await
    }

    fn log(&self) -> Vec<(String, &'static str, bool)> {
        self.log.lock().unwrap().clone()
    }

    /// Where `(resource, label, started)` is in the log.
    fn at(&self, resource: &str, label: &str, started: bool) -> usize {
        let log = self.log();
        log.iter()
            .position(|(r, l, s)| r == resource && *l == label && *s == started)
            .unwrap_or_else(|| panic!("{resource} {label} {started} not in {log:?}"))
    }

    fn most_in_flight(&self, service: &str) -> usize {
        self.in_flight
            .lock()
            .unwrap()
            .iter()
            .find(|(s, _, _)| *s == service)
            .map_or(0, |(_, _, most)| *most)
    }
}

const GROUP: (&str, &str, usize) = ("Group", "EC2", 8);
const POLICY: (&str, &str, usize) = ("Policy", "IAM", 4);
const ROLE: (&str, &str, usize) = ("Role", "IAM", 4);
const TASK: (&str, &str, usize) = ("Task", "ECS", 4);

const CREATE: Phase = Phase::Create;
const CONVERGE: Phase = Phase::Converge;

#[tokio::test]
async fn a_group_referenced_by_another_is_created_before_the_rule_that_names_it() {
    let mut bench = Bench::default();
    // `web` allows `alb`, which comes after it; `db` allows `web`, which comes before it.
    bench.resource(
        GROUP,
        "web",
        &[("create", CREATE, false), ("authorize", CONVERGE, false)],
        &[Dependency::created("Group", "alb")],
    );
    bench.resource(
        GROUP,
        "alb",
        &[("create", CREATE, false), ("authorize", CONVERGE, false)],
        &[Dependency::created("Group", "web")],
    );
    bench.resource(
        GROUP,
        "db",
        &[("create", CREATE, false), ("authorize", CONVERGE, false)],
        &[Dependency::created("Group", "web")],
    );

    let report = bench.run(&|| false).await;

    assert_eq!(report.failed(), 0);
    assert_eq!(report.succeeded(), 6);
    // The two groups that allow each other are both created before either rule is sent.
    for (rule, peer) in [("web", "alb"), ("alb", "web"), ("db", "web")] {
        assert!(
            bench.at(peer, "create", false) < bench.at(rule, "authorize", true),
            "{rule}'s rule before {peer} exists: {:?}",
            bench.log()
        );
    }
    // Creations wait for nothing: a chain of references does not make them wait in line.
    assert!(bench.at("db", "create", true) < bench.at("web", "create", false));
}

#[tokio::test]
async fn a_role_exists_with_its_policy_before_the_task_definition_that_uses_it_is_registered() {
    let mut bench = Bench::default();
    bench.resource(POLICY, "boundary", &[("CreatePolicy", CREATE, false)], &[]);
    bench.resource(
        ROLE,
        "task-role",
        &[
            ("CreateRole", CREATE, false),
            ("AttachRolePolicy", CONVERGE, false),
            ("PutRolePolicy", CONVERGE, false),
        ],
        &[Dependency::done("Policy", "boundary")],
    );
    bench.resource(
        TASK,
        "app",
        &[("RegisterTaskDefinition", CONVERGE, false)],
        &[Dependency::done("Role", "task-role")],
    );
    // Independent of the others: it does not wait for them.
    bench.resource(
        TASK,
        "other",
        &[("RegisterTaskDefinition", CONVERGE, false)],
        &[],
    );

    let report = bench.run(&|| false).await;

    assert_eq!(report.failed(), 0);
    assert!(
        bench.at("boundary", "CreatePolicy", false)
            < bench.at("task-role", "AttachRolePolicy", true)
    );
    assert!(
        bench.at("task-role", "PutRolePolicy", false)
            < bench.at("app", "RegisterTaskDefinition", true)
    );
    assert!(
        bench.at("other", "RegisterTaskDefinition", true)
            < bench.at("task-role", "CreateRole", false),
        "an independent resource waited: {:?}",
        bench.log()
    );
}

#[tokio::test]
async fn a_failed_resource_stops_its_dependents_and_no_other() {
    let mut bench = Bench::default();
    bench.resource(POLICY, "broken", &[("CreatePolicy", CREATE, true)], &[]);
    bench.resource(POLICY, "fine", &[("CreatePolicy", CREATE, false)], &[]);
    bench.resource(
        ROLE,
        "uses-broken",
        &[
            ("CreateRole", CREATE, false),
            ("AttachRolePolicy", CONVERGE, false),
        ],
        &[Dependency::done("Policy", "broken")],
    );
    bench.resource(
        ROLE,
        "uses-fine",
        &[
            ("CreateRole", CREATE, false),
            ("AttachRolePolicy", CONVERGE, false),
        ],
        &[Dependency::done("Policy", "fine")],
    );
    bench.resource(
        TASK,
        "behind-broken",
        &[("RegisterTaskDefinition", CONVERGE, false)],
        &[Dependency::done("Role", "uses-broken")],
    );
    bench.resource(
        TASK,
        "behind-fine",
        &[("RegisterTaskDefinition", CONVERGE, false)],
        &[Dependency::done("Role", "uses-fine")],
    );

    let report = bench.run(&|| false).await;

    let outcome: Vec<(&str, usize, usize, usize)> = report
        .resources
        .iter()
        .map(|r| {
            let ok = r.ops.iter().filter(|op| op.result.is_ok()).count();
            (r.name.as_str(), ok, r.ops.len() - ok, r.skipped)
        })
        .collect();
    // (name, succeeded, failed, skipped), in plan order.
    assert_eq!(
        outcome,
        [
            ("broken", 0, 1, 0),
            ("fine", 1, 0, 0),
            ("uses-broken", 1, 0, 1),
            ("uses-fine", 2, 0, 0),
            ("behind-broken", 0, 0, 1),
            ("behind-fine", 1, 0, 0),
        ]
    );
}

#[tokio::test]
async fn a_failed_operation_stops_the_rest_of_its_resource_which_keeps_its_order() {
    let mut bench = Bench::default();
    bench.resource(
        GROUP,
        "a",
        &[
            ("revoke", CONVERGE, false),
            ("authorize", CONVERGE, true),
            ("tag", CONVERGE, false),
        ],
        &[],
    );
    bench.resource(
        GROUP,
        "b",
        &[
            ("tag", CONVERGE, false),
            ("create", CREATE, false),
            ("revoke", CONVERGE, false),
        ],
        &[],
    );

    let report = bench.run(&|| false).await;

    let calls = |index: usize| -> Vec<&str> {
        report.resources[index]
            .ops
            .iter()
            .map(|op| op.call)
            .collect()
    };
    assert_eq!(calls(0), ["revoke", "authorize"]);
    assert_eq!(report.resources[0].skipped, 1);
    // `Create` first, then the others in the order planned.
    assert_eq!(calls(1), ["create", "tag", "revoke"]);
    assert!(bench.at("b", "create", false) < bench.at("b", "tag", true));
    assert!(bench.at("b", "tag", false) < bench.at("b", "revoke", true));
}

#[tokio::test]
async fn each_service_has_at_most_its_bound_in_flight_and_uses_it() {
    let mut bench = Bench::default();
    for index in 0..10 {
        bench.resource(
            ROLE,
            &format!("role-{index}"),
            &[
                ("CreateRole", CREATE, false),
                ("PutRolePolicy", CONVERGE, false),
            ],
            &[],
        );
        bench.resource(
            GROUP,
            &format!("group-{index}"),
            &[("create", CREATE, false)],
            &[],
        );
    }
    // A kind of the same service with a lower bound lowers the service's.
    bench.bounds.add("Policy", "IAM", 3);

    let report = bench.run(&|| false).await;

    assert_eq!(report.succeeded(), 30);
    assert_eq!(bench.most_in_flight("IAM"), 3);
    assert_eq!(bench.most_in_flight("EC2"), 8);
    let names: Vec<&str> = report.resources.iter().map(|r| r.name.as_str()).collect();
    let planned: Vec<&str> = bench
        .plan
        .resources
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, planned, "the report is in plan order");
}

#[tokio::test]
async fn once_asked_to_stop_no_operation_starts_and_those_in_flight_finish() {
    let mut bench = Bench::default();
    for index in 0..6 {
        bench.resource(
            ROLE,
            &format!("role-{index}"),
            &[
                ("CreateRole", CREATE, false),
                ("PutRolePolicy", CONVERGE, false),
            ],
            &[],
        );
    }
    let log = Arc::clone(&bench.log);
    // Stop once the first operation has ended.
    let stop = move || log.lock().unwrap().iter().any(|(_, _, started)| !started);

    let report = bench.run(&stop).await;

    let log = bench.log();
    let first_end = log.iter().position(|(_, _, started)| !started).unwrap();
    assert!(
        log[first_end..].iter().all(|(_, _, started)| !started),
        "an operation started after stop: {log:?}"
    );
    let started = log.iter().filter(|(_, _, started)| *started).count();
    assert_eq!(
        started, 4,
        "the four in flight (IAM's bound) finish: {log:?}"
    );
    assert_eq!(report.succeeded(), 4);
    assert_eq!(
        report.resources.iter().map(|r| r.skipped).sum::<usize>(),
        12 - 4
    );
}

#[tokio::test]
async fn deletions_start_once_everything_else_is_done_the_last_kind_first() {
    let mut bench = Bench::default();
    bench.resource(POLICY, "old-policy", &[("delete", CONVERGE, false)], &[]);
    bench.resource(ROLE, "old-role", &[("delete", CONVERGE, false)], &[]);
    for deletion in &mut bench.plan.resources {
        deletion.action = crate::plan::Action::Delete;
    }
    bench.resource(
        GROUP,
        "web",
        &[("create", CREATE, false), ("authorize", CONVERGE, false)],
        &[],
    );
    bench.resource(TASK, "app", &[("register", CREATE, false)], &[]);

    let report = bench.run(&|| false).await;

    assert_eq!(report.succeeded(), 5);
    let last_change = bench
        .at("web", "authorize", false)
        .max(bench.at("app", "register", false));
    assert!(
        last_change < bench.at("old-role", "delete", true),
        "{:?}",
        bench.log()
    );
    assert!(
        bench.at("old-role", "delete", false) < bench.at("old-policy", "delete", true),
        "the role, planned after the policy, is deleted first: {:?}",
        bench.log()
    );
    let order: Vec<&str> = report.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        order,
        ["old-policy", "old-role", "web", "app"],
        "plan order"
    );
}
