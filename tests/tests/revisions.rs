//! Superseded task-definition revisions end to end against the emulator: unsafe revisions
//! nobody runs are deregistered and the newest compliant ones kept, in one apply; a revision
//! a service or a running task uses is never deregistered, whatever it is; the latest that
//! this plan supersedes goes in the same apply, after the listed service is rolled off it.

use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::plan::{Plan, ResourcePlan};
use afu9_e2e::Emulator;
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use aws_sdk_ecs::types::{
    AwsVpcConfiguration, Compatibility, ContainerDefinition, LaunchType, LogConfiguration,
    LogDriver, NetworkConfiguration, NetworkMode, TaskDefinitionStatus,
};

const FAMILY: &str = "afu9-control-center";

fn desired(keep: u32, services: &str) -> DesiredState {
    let yaml = format!(
        r#"
apiVersion: posture.afu9.io/v1alpha1
kind: EcsTaskDefinition
metadata: {{name: {FAMILY}}}
spec:
  logGroup: /ecs/afu9-control-center
  containers:
    "*": {{user: "1001", readonlyRootFilesystem: true, privileged: false}}
  supersededRevisions: {{keepCompliant: {keep}}}
  services: [{services}]
"#
    );
    load_str(Path::new("ecs.yaml"), &yaml).expect("valid test manifest")
}

/// Registers the next revision of the family: hardened, or privileged, root, writable and
/// without logs.
async fn register(ecs: &aws_sdk_ecs::Client, safe: bool) -> i32 {
    let web = ContainerDefinition::builder()
        .name("web")
        .image("registry.example/afu9/control-center:1")
        // moto's RunTask sums the containers' own memory (docs/emulator-quirks.md).
        .memory(512);
    let web = if safe {
        web.user("1001")
            .readonly_root_filesystem(true)
            .privileged(false)
            .log_configuration(
                LogConfiguration::builder()
                    .log_driver(LogDriver::Awslogs)
                    .options("awslogs-group", "/ecs/afu9-control-center")
                    .build()
                    .expect("log configuration"),
            )
    } else {
        web.user("root")
            .privileged(true)
            .readonly_root_filesystem(false)
    };
    ecs.register_task_definition()
        .family(FAMILY)
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .container_definitions(web.build())
        .send()
        .await
        .expect("register a revision")
        .task_definition
        .expect("definition")
        .revision
}

/// The cluster `afu9` and a subnet and group for awsvpc services and tasks.
async fn cluster(emulator: &Emulator) -> NetworkConfiguration {
    let ec2 = emulator.ec2();
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .send()
        .await
        .expect("vpc")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("vpc id");
    // moto's awsvpc RunTask names the ENI's DNS name: the VPC needs DNS hostnames.
    ec2.modify_vpc_attribute()
        .vpc_id(&vpc)
        .enable_dns_hostnames(
            aws_sdk_ec2::types::AttributeBooleanValue::builder()
                .value(true)
                .build(),
        )
        .send()
        .await
        .expect("vpc DNS hostnames");
    let subnet = ec2
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block("10.0.1.0/24")
        .send()
        .await
        .expect("subnet")
        .subnet
        .and_then(|s| s.subnet_id)
        .expect("subnet id");
    let group = ec2
        .create_security_group()
        .group_name("afu9-tasks")
        .description("tasks")
        .vpc_id(&vpc)
        .send()
        .await
        .expect("security group")
        .group_id
        .expect("group id");
    emulator
        .ecs()
        .create_cluster()
        .cluster_name("afu9")
        .send()
        .await
        .expect("cluster");
    NetworkConfiguration::builder()
        .awsvpc_configuration(
            AwsVpcConfiguration::builder()
                .subnets(subnet)
                .security_groups(group)
                .build()
                .expect("awsvpc configuration"),
        )
        .build()
}

async fn service(
    ecs: &aws_sdk_ecs::Client,
    network: &NetworkConfiguration,
    name: &str,
    revision: i32,
) {
    ecs.create_service()
        .cluster("afu9")
        .service_name(name)
        .task_definition(format!("{FAMILY}:{revision}"))
        .desired_count(1)
        .launch_type(LaunchType::Fargate)
        .network_configuration(network.clone())
        .send()
        .await
        .expect("service");
}

/// The ACTIVE revisions of the family, as ECS lists them.
async fn active(ecs: &aws_sdk_ecs::Client) -> Vec<i32> {
    let mut numbers: Vec<i32> = ecs
        .list_task_definitions()
        .family_prefix(FAMILY)
        .status(TaskDefinitionStatus::Active)
        .send()
        .await
        .expect("list")
        .task_definition_arns
        .unwrap_or_default()
        .iter()
        .filter_map(|arn| arn.rsplit(':').next()?.parse().ok())
        .collect();
    numbers.sort_unstable();
    numbers
}

fn family(plan: &Plan) -> &ResourcePlan {
    plan.resources
        .iter()
        .find(|r| r.kind == "EcsTaskDefinition")
        .expect("the family is in the plan")
}

fn deregistrations(resource: &ResourcePlan) -> Vec<String> {
    resource
        .ops
        .iter()
        .filter(|op| op.call() == "DeregisterTaskDefinition")
        .map(|op| op.subject())
        .collect()
}

/// Revisions 1-6: 1 (unsafe) runs in the unlisted service `batch`, 2 (unsafe) in a running
/// task, 3 (unsafe) nowhere, 4 and 5 compliant, 6 the latest. Keeping one compliant revision:
/// 3 and 4 are deregistered, 5 kept for rollback, 1 and 2 kept because they are in use.
#[tokio::test]
async fn unsafe_and_surplus_revisions_go_and_those_in_use_stay() {
    let emulator = Emulator::start();
    let ecs = emulator.ecs();
    for safe in [false, false, false, true, true, true] {
        register(&ecs, safe).await;
    }
    let network = cluster(&emulator).await;
    service(&ecs, &network, "batch", 1).await;
    ecs.run_task()
        .cluster("afu9")
        .task_definition(format!("{FAMILY}:2"))
        .launch_type(LaunchType::Fargate)
        .network_configuration(network.clone())
        .send()
        .await
        .expect("run a task");
    let state = desired(1, "");
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());

    let plan = engine.plan(&aws, &state).await;
    let resource = family(&plan);
    assert_eq!(
        deregistrations(resource),
        [
            format!("deregister ecs task definition {FAMILY}:4"),
            format!("deregister ecs task definition {FAMILY}:3"),
        ]
    );
    let paths: Vec<&str> = resource.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            format!("spec.supersededRevisions[{FAMILY}:4]"),
            format!("spec.supersededRevisions[{FAMILY}:3]"),
        ]
    );
    let why = resource.changes[1].before.clone().expect("before")["why"].to_string();
    assert!(
        why.contains("web: privileged") && why.contains("web: runs as root"),
        "{why}"
    );
    let note = resource.reason.clone().unwrap_or_default();
    assert!(note.contains("kept for rollback (compliant): 5"), "{note}");
    assert!(note.contains("2 (running task afu9/"), "{note}");
    assert!(note.contains("1 (service afu9/batch)"), "{note}");

    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    assert_eq!(active(&ecs).await, [1, 2, 5, 6], "what ECS keeps ACTIVE");

    let counting = Aws::from_config(&emulator.sdk_config());
    let again = engine.plan(&counting, &state).await;
    assert!(!again.has_drift(), "second plan still has drift: {again:?}");
    assert!(deregistrations(family(&again)).is_empty());
    let calls = counting.calls.by_operation();
    let ecs_calls: Vec<(&str, u64)> = calls
        .iter()
        .filter(|(k, _)| k.starts_with("ECS."))
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    // The latest, the list, one read per superseded revision (5, 2, 1), and who runs what:
    // unsafe revisions 1 and 2 are still there, so the users are read every pass.
    assert_eq!(
        ecs_calls,
        [
            ("ECS.DescribeServices", 1),
            ("ECS.DescribeTaskDefinition", 4),
            ("ECS.DescribeTasks", 1),
            ("ECS.ListClusters", 1),
            ("ECS.ListServices", 1),
            ("ECS.ListTaskDefinitions", 1),
            ("ECS.ListTasks", 1),
        ],
        "{calls:?}"
    );
}

/// The demo's case: the listed service runs the unsafe revision 1. One apply registers the
/// hardened revision 2, rolls the service to it and deregisters 1; the next plan is empty and
/// reads no users (nothing could go).
#[tokio::test]
async fn the_latest_superseded_by_the_apply_goes_in_the_same_apply() {
    let emulator = Emulator::start();
    let ecs = emulator.ecs();
    register(&ecs, false).await;
    let network = cluster(&emulator).await;
    service(&ecs, &network, "web", 1).await;
    let state = desired(3, "{cluster: afu9, service: web}");
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());

    let plan = engine.plan(&aws, &state).await;
    let calls: Vec<&str> = family(&plan).ops.iter().map(|op| op.call()).collect();
    assert_eq!(
        calls,
        [
            "RegisterTaskDefinition",
            "UpdateService",
            "DeregisterTaskDefinition"
        ]
    );
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    assert_eq!(active(&ecs).await, [2]);

    let counting = Aws::from_config(&emulator.sdk_config());
    let again = engine.plan(&counting, &state).await;
    assert!(!again.has_drift(), "second plan still has drift: {again:?}");
    let calls = counting.calls.by_operation();
    assert_eq!(calls.get("ECS.ListTaskDefinitions"), Some(&1));
    assert_eq!(calls.get("ECS.ListClusters"), None, "{calls:?}");
}

/// A service the plan does not roll keeps the unsafe latest ACTIVE even once a hardened
/// revision replaces it: the service still runs it.
#[tokio::test]
async fn a_revision_an_unlisted_service_runs_is_never_deregistered() {
    let emulator = Emulator::start();
    let ecs = emulator.ecs();
    register(&ecs, false).await;
    let network = cluster(&emulator).await;
    service(&ecs, &network, "web", 1).await;
    let state = desired(3, "");
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());

    let plan = engine.plan(&aws, &state).await;
    assert!(deregistrations(family(&plan)).is_empty());
    let note = family(&plan).reason.clone().unwrap_or_default();
    assert!(note.contains("1 (service afu9/web)"), "{note}");
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    assert_eq!(
        active(&ecs).await,
        [1, 2],
        "revision 1 still runs in afu9/web"
    );
    let again = engine.plan(&aws, &state).await;
    assert!(!again.has_drift(), "{again:?}");
    assert!(deregistrations(family(&again)).is_empty());
}
