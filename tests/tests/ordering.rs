//! The parallel apply's order against the emulator, as the requests reach it (the fault
//! proxy records them in arrival order, with 20 ms added to each so that calls overlap as
//! they would against AWS): the seeded AFU-9 demo has two groups missing that other groups
//! reference, a role missing that the task definition names; every group is created before
//! any rule is authorized, every IAM write is done before the revision is registered, and no
//! new group's id is looked up.

use std::time::Duration;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_e2e::fault_proxy::{FaultConfig, FaultProxy, Record};
use afu9_e2e::{Emulator, repo_root, sdk_config_for};

fn positions(records: &[Record], pick: impl Fn(&Record) -> bool) -> Vec<usize> {
    records
        .iter()
        .enumerate()
        .filter(|(_, r)| pick(r))
        .map(|(i, _)| i)
        .collect()
}

#[tokio::test]
async fn groups_are_created_before_rules_name_them_and_roles_exist_before_the_task_definition() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();
    let proxy = FaultProxy::start(emulator.port(), 1);
    proxy.configure(FaultConfig {
        latency: Duration::from_millis(20),
        ..FaultConfig::default()
    });
    let aws = Aws::from_config(&sdk_config_for(&proxy.endpoint()));
    let engine = Engine::new(afu9_controller::kinds::standard());
    let mut state = afu9_spec::load_paths(&[repo_root().join("desired-state")]).expect("valid");
    // The placement kinds look a group created by the same apply up by name when their op
    // runs (docs/decisions/0034-groups-created-in-the-same-apply.md); this test is about the
    // security groups' own slots.
    state.db_instances.clear();
    state.ecs_clusters.clear();
    let plan = engine.plan(&aws, &state).await;
    proxy.clear_records();

    let report = engine.apply(&aws, &plan).await;

    assert_eq!(report.failed(), 0, "{report:?}");
    let records = proxy.records();
    let operations: Vec<&str> = records.iter().map(|r| r.operation.as_str()).collect();
    let creates = positions(&records, |r| r.operation == "CreateSecurityGroup");
    let authorizes = positions(&records, |r| {
        r.operation.starts_with("AuthorizeSecurityGroup")
    });
    assert_eq!(creates.len(), 2, "{operations:?}");
    assert!(!authorizes.is_empty(), "{operations:?}");
    assert!(
        creates.iter().max() < authorizes.iter().min(),
        "a rule was authorized before the groups were created: {operations:?}"
    );
    let iam_writes = positions(&records, |r| r.service == "iam" && !r.is_read());
    let registers = positions(&records, |r| r.operation == "RegisterTaskDefinition");
    assert!(
        iam_writes
            .iter()
            .any(|&i| records[i].operation == "CreateRole"),
        "{operations:?}"
    );
    assert_eq!(registers.len(), 1, "{operations:?}");
    assert!(
        iam_writes.iter().all(|&i| i < registers[0]),
        "the revision was registered before its roles were done: {operations:?}"
    );
    // The groups' own ops take new ids from their creates; the one look-up is the load
    // balancer's: `SetSecurityGroups` names afu9-alb, created in this apply, and the
    // `SecurityGroup` kind's id slots are not shared across kinds (decision record 0034).
    let lookups = positions(&records, |r| r.operation == "DescribeSecurityGroups");
    let attaches = positions(&records, |r| r.operation == "SetSecurityGroups");
    assert_eq!(
        lookups.len(),
        1,
        "only the load balancer may look a new group up: {operations:?}"
    );
    assert_eq!(attaches.len(), 1, "{operations:?}");
    assert!(
        creates.iter().max() < lookups.first() && lookups[0] < attaches[0],
        "the load balancer's groups were attached before they were created: {operations:?}"
    );
    // The roles' and groups' writes overlap with the other services' (not one at a time).
    let first_ecr = positions(&records, |r| r.service == "ecr")[0];
    assert!(
        first_ecr < *iam_writes.last().expect("IAM writes"),
        "ECR waited for IAM: {operations:?}"
    );
}
