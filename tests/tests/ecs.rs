//! `EcsTaskDefinition` end to end against the emulator: a revision registered out of band
//! with every kind of hardening drift, a plan that names each field, an apply that registers
//! a hardened revision and rolls the listed service to it, and a second plan that is empty.

use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::plan::{Action, Plan, ResourcePlan};
use afu9_e2e::Emulator;
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use aws_sdk_ecs::types::{
    AwsVpcConfiguration, Compatibility, ContainerDefinition, KeyValuePair, LaunchType,
    LogConfiguration, LogDriver, NetworkConfiguration, NetworkMode, PortMapping,
};

const FAMILY: &str = "afu9-control-center";

fn manifests(family_spec: &str) -> String {
    format!(
        r"
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {{name: afu9-task-role}}
spec: {{trustPolicy: {{service: ecs-tasks.amazonaws.com}}}}
---
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {{name: afu9-task-execution-role}}
spec: {{trustPolicy: {{service: ecs-tasks.amazonaws.com}}}}
---
apiVersion: posture.afu9.io/v1alpha1
kind: Secret
metadata: {{name: afu9/database}}
spec: {{create: true}}
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcsTaskDefinition
metadata: {{name: {FAMILY}}}
spec: {family_spec}
"
    )
}

const CONTRACT: &str = r#"
  taskRole: afu9-task-role
  executionRole: afu9-task-execution-role
  logGroup: /ecs/afu9-control-center
  containers:
    "*": {user: "1001", readonlyRootFilesystem: true, privileged: false, requireLimits: true}
  secretsFrom: [afu9/database]"#;

fn desired(yaml: &str) -> DesiredState {
    load_str(Path::new("test.yaml"), yaml).expect("valid test manifests")
}

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::123456789012:role/{name}")
}

/// A Fargate revision the way a careless deployment registers it. `web` carries the drift;
/// `proxy` is hardened already.
async fn register_drifted(ecs: &aws_sdk_ecs::Client, environment: &[(&str, &str)]) -> String {
    let mut web = ContainerDefinition::builder()
        .name("web")
        .image("registry.example/afu9/control-center:1")
        .user("root")
        .privileged(true)
        .readonly_root_filesystem(false)
        .port_mappings(PortMapping::builder().container_port(8080).build());
    for (name, value) in environment {
        web = web.environment(KeyValuePair::builder().name(*name).value(*value).build());
    }
    let proxy = ContainerDefinition::builder()
        .name("proxy")
        .image("registry.example/afu9/proxy:1")
        .user("1001")
        .readonly_root_filesystem(true)
        .log_configuration(
            LogConfiguration::builder()
                .log_driver(LogDriver::Awslogs)
                .options("awslogs-group", "/ecs/afu9-control-center")
                .build()
                .expect("log configuration"),
        );
    ecs.register_task_definition()
        .family(FAMILY)
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("512")
        .memory("1024")
        .task_role_arn(role_arn("AdminRole"))
        .execution_role_arn(role_arn("afu9-task-execution-role"))
        .container_definitions(web.build())
        .container_definitions(proxy.build())
        .tags(
            aws_sdk_ecs::types::Tag::builder()
                .key("app")
                .value("control-center")
                .build(),
        )
        .send()
        .await
        .expect("register the drifted revision")
        .task_definition
        .and_then(|t| t.task_definition_arn)
        .expect("arn")
}

/// A cluster, a subnet and a security group (moto needs both for an awsvpc service) and a service on revision 1.
async fn create_service(emulator: &Emulator) {
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
        .group_name("afu9-control-center")
        .description("control center tasks")
        .vpc_id(&vpc)
        .send()
        .await
        .expect("security group")
        .group_id
        .expect("group id");
    let ecs = emulator.ecs();
    ecs.create_cluster()
        .cluster_name("afu9")
        .send()
        .await
        .expect("cluster");
    ecs.create_service()
        .cluster("afu9")
        .service_name("control-center")
        .task_definition(format!("{FAMILY}:1"))
        .desired_count(1)
        .launch_type(LaunchType::Fargate)
        .network_configuration(
            NetworkConfiguration::builder()
                .awsvpc_configuration(
                    AwsVpcConfiguration::builder()
                        .subnets(subnet)
                        .security_groups(group)
                        .build()
                        .expect("awsvpc configuration"),
                )
                .build(),
        )
        .send()
        .await
        .expect("service");
}

fn family(plan: &Plan) -> &ResourcePlan {
    plan.resources
        .iter()
        .find(|r| r.kind == "EcsTaskDefinition")
        .expect("the family is in the plan")
}

fn paths(resource: &ResourcePlan) -> Vec<&str> {
    resource.changes.iter().map(|c| c.path.as_str()).collect()
}

#[tokio::test]
async fn a_drifted_revision_is_hardened_by_a_new_one_and_the_service_rolls_to_it() {
    let emulator = Emulator::start();
    let ecs = emulator.ecs();
    register_drifted(&ecs, &[("PORT", "8080")]).await;
    create_service(&emulator).await;
    let state = desired(&manifests(&format!(
        "{CONTRACT}\n  services: [{{cluster: afu9, service: control-center}}]"
    )));
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());

    let plan = engine.plan(&aws, &state).await;
    let resource = family(&plan);
    assert_eq!(resource.action, Action::Replace, "{:?}", resource.reason);
    assert_eq!(
        paths(resource),
        [
            "spec.taskRole",
            "spec.containers.web.user",
            "spec.containers.web.readonlyRootFilesystem",
            "spec.containers.web.privileged",
            "spec.containers.web.logConfiguration",
            "spec.services.afu9/control-center",
        ]
    );
    let calls: Vec<&str> = resource.ops.iter().map(|op| op.call()).collect();
    assert_eq!(calls, ["RegisterTaskDefinition", "UpdateService"]);

    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");

    // The account, read independently: revision 2 is hardened and kept everything else.
    let latest = ecs
        .describe_task_definition()
        .task_definition(FAMILY)
        .include(aws_sdk_ecs::types::TaskDefinitionField::Tags)
        .send()
        .await
        .expect("describe");
    let tags = latest.tags.unwrap_or_default();
    let definition = latest.task_definition.expect("definition");
    assert_eq!(definition.revision, 2);
    assert_eq!(
        definition.task_role_arn.as_deref(),
        Some(role_arn("afu9-task-role").as_str())
    );
    assert_eq!(definition.cpu.as_deref(), Some("512"));
    assert_eq!(definition.network_mode, Some(NetworkMode::Awsvpc));
    let containers = definition.container_definitions.unwrap_or_default();
    let web = containers
        .iter()
        .find(|c| c.name.as_deref() == Some("web"))
        .expect("web");
    assert_eq!(web.user.as_deref(), Some("1001"));
    assert_eq!(web.privileged, Some(false));
    assert_eq!(web.readonly_root_filesystem, Some(true));
    assert!(web.log_configuration.is_some());
    assert_eq!(
        web.port_mappings.as_ref().map(Vec::len),
        Some(1),
        "unmanaged fields are carried over"
    );
    assert_eq!(
        web.environment
            .as_ref()
            .and_then(|e| e.first())
            .and_then(|e| e.value.as_deref()),
        Some("8080")
    );
    assert!(tags.iter().any(|t| t.key.as_deref() == Some("app")));
    let service = ecs
        .describe_services()
        .cluster("afu9")
        .services("control-center")
        .send()
        .await
        .expect("describe services")
        .services
        .unwrap_or_default()
        .remove(0);
    assert!(
        service
            .task_definition
            .as_deref()
            .is_some_and(|t| t.ends_with(&format!("{FAMILY}:2"))),
        "{:?}",
        service.task_definition
    );

    let counting = Aws::from_config(&emulator.sdk_config());
    let again = engine.plan(&counting, &state).await;
    assert!(!again.has_drift(), "second plan still has drift: {again:?}");
    let calls = counting.calls.by_operation();
    let ecs_calls: Vec<(&String, &u64)> = calls
        .iter()
        .filter(|(k, _)| k.starts_with("ECS."))
        .collect();
    assert_eq!(
        ecs_calls,
        [
            (&"ECS.DescribeServices".to_owned(), &1),
            (&"ECS.DescribeTaskDefinition".to_owned(), &1)
        ],
        "{calls:?}"
    );
}

#[tokio::test]
async fn plain_variables_that_look_like_or_hold_secrets_are_named_blocked_and_never_shown() {
    let emulator = Emulator::start();
    let ecs = emulator.ecs();
    register_drifted(
        &ecs,
        &[
            ("PORT", "8080"),
            ("DB_PASSWORD", "hunter2-in-plain-text"),
            ("DATABASE_SECRET", "afu9/database"),
        ],
    )
    .await;
    let state = desired(&manifests(CONTRACT));
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());

    let plan = engine.plan(&aws, &state).await;
    let resource = family(&plan);
    assert_eq!(resource.action, Action::Blocked);
    assert_eq!(
        paths(resource),
        [
            "spec.taskRole",
            "spec.containers.web.user",
            "spec.containers.web.readonlyRootFilesystem",
            "spec.containers.web.privileged",
            "spec.containers.web.environment.DATABASE_SECRET",
            "spec.containers.web.environment.DB_PASSWORD",
            "spec.containers.web.logConfiguration",
        ]
    );
    let reason = resource.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("DB_PASSWORD that looks like a secret"),
        "{reason}"
    );
    assert!(
        reason.contains("DATABASE_SECRET that holds the name of secret afu9/database"),
        "{reason}"
    );
    let json = afu9_controller::render::json::plan(&plan);
    let text = afu9_controller::render::text::plan(&plan);
    for output in [&json, &text, &format!("{plan:?}")] {
        assert!(
            !output.contains("hunter2"),
            "a plain value leaked:\n{output}"
        );
    }

    // What can be fixed is fixed; the variables stay blocked for the application to move.
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let again = engine.plan(&aws, &state).await;
    let resource = family(&again);
    assert_eq!(resource.action, Action::Blocked);
    assert_eq!(
        paths(resource),
        [
            "spec.containers.web.environment.DATABASE_SECRET",
            "spec.containers.web.environment.DB_PASSWORD",
        ]
    );
    assert!(resource.ops.is_empty());
}

#[tokio::test]
async fn a_family_without_a_revision_is_blocked_for_one_call() {
    let emulator = Emulator::start();
    let state = desired(&manifests(CONTRACT));
    let aws = Aws::from_config(&emulator.sdk_config());
    let plan = Engine::new(afu9_controller::kinds::standard())
        .plan(&aws, &state)
        .await;
    let resource = family(&plan);
    assert_eq!(resource.action, Action::Blocked);
    assert!(resource.ops.is_empty());
    assert_eq!(
        aws.calls.by_operation().get("ECS.DescribeTaskDefinition"),
        Some(&1)
    );
}
