use std::path::Path;

use afu9_spec::load::load_str;
use aws_sdk_ecs::types::{
    ContainerDefinition, KeyValuePair, LogConfiguration, LogDriver, MountPoint, NetworkMode,
    PidMode, PortMapping, TaskDefinition,
};

use super::*;
use crate::engine::PlanContext;
use crate::kinds::ecs::EcsTaskDefinitions;
use crate::kinds::ecs::apply::hardened;
use crate::kinds::ecs::observe::from_sdk;
use crate::kinds::ecs::{Revision, ServiceObserved};
use crate::plan::{Action, Change, Dependency, ResourcePlan};

const ARN: &str = "arn:aws:ecs:eu-central-1:123456789012:task-definition/afu9-control-center:3";
const TASK_ROLE: &str = "arn:aws:iam::123456789012:role/afu9-task-role";
const EXECUTION_ROLE: &str = "arn:aws:iam::123456789012:role/afu9/afu9-task-execution-role";

fn manifests(family_spec: &str) -> String {
    let role = |name: &str, path: &str| {
        format!(
            "apiVersion: posture.afu9.io/v1alpha1\nkind: IamRole\nmetadata: {{name: {name}}}\n\
             spec: {{path: {path}, trustPolicy: {{service: ecs-tasks.amazonaws.com}}}}\n---\n"
        )
    };
    format!(
        "{}{}apiVersion: posture.afu9.io/v1alpha1\nkind: Secret\nmetadata: {{name: afu9/database}}\nspec: {{}}\n---\n\
         apiVersion: posture.afu9.io/v1alpha1\nkind: EcsTaskDefinition\nmetadata: {{name: afu9-control-center}}\n\
         spec: {family_spec}\n",
        role("afu9-task-role", "/"),
        role("afu9-task-execution-role", "/afu9/"),
    )
}

const CONTRACT: &str = r#"{taskRole: afu9-task-role, executionRole: afu9-task-execution-role, logGroup: /ecs/afu9-control-center,
  containers: {"*": {user: "1001", readonlyRootFilesystem: true, privileged: false, requireLimits: true}},
  secretsFrom: [afu9/database]}"#;

fn plan_for(spec: &str, have: Option<&TaskDefinitionObserved>) -> ResourcePlan {
    let state = load_str(Path::new("test.yaml"), &manifests(spec)).expect("valid manifests");
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: None,
    };
    crate::kinds::registered::<EcsTaskDefinitions>().plan_one(
        &cx,
        &state.ecs_task_definitions[0],
        have,
    )
}

fn container(name: &str) -> aws_sdk_ecs::types::builders::ContainerDefinitionBuilder {
    ContainerDefinition::builder()
        .name(name)
        .image("registry/afu9:1")
        .essential(true)
}

fn awslogs() -> LogConfiguration {
    LogConfiguration::builder()
        .log_driver(LogDriver::Awslogs)
        .options("awslogs-group", "/ecs/afu9-control-center")
        .build()
        .expect("log configuration")
}

/// A compliant revision, as ECS returns it after registration: empty `mountPoints` and
/// `volumesFrom`, `hostPort` filled in for awsvpc, `cpu: 0`, containers and variables in no
/// particular order.
fn compliant() -> TaskDefinition {
    let sidecar = container("sidecar")
        .user("1001")
        .readonly_root_filesystem(true)
        .privileged(false)
        .cpu(0)
        .set_mount_points(Some(Vec::<MountPoint>::new()))
        .set_volumes_from(Some(Vec::new()))
        .log_configuration(awslogs())
        .build();
    let web = container("web")
        .user("1001")
        .readonly_root_filesystem(true)
        .cpu(0)
        .port_mappings(
            PortMapping::builder()
                .container_port(8080)
                .host_port(8080)
                .build(),
        )
        .environment(KeyValuePair::builder().name("PORT").value("8080").build())
        .environment(
            KeyValuePair::builder()
                .name("LOG_LEVEL")
                .value("info")
                .build(),
        )
        .set_mount_points(Some(Vec::new()))
        .set_volumes_from(Some(Vec::new()))
        .log_configuration(awslogs())
        .build();
    TaskDefinition::builder()
        .task_definition_arn(ARN)
        .family("afu9-control-center")
        .revision(3)
        .task_role_arn(TASK_ROLE)
        .execution_role_arn(EXECUTION_ROLE)
        .network_mode(NetworkMode::Awsvpc)
        .cpu("512")
        .memory("1024")
        .container_definitions(web)
        .container_definitions(sidecar)
        .build()
}

fn observed(definition: TaskDefinition) -> TaskDefinitionObserved {
    from_sdk(definition, Vec::new(), Vec::new())
}

fn paths(plan: &ResourcePlan) -> Vec<&str> {
    plan.changes.iter().map(|c| c.path.as_str()).collect()
}

fn calls(plan: &ResourcePlan) -> Vec<&str> {
    plan.ops.iter().map(|op| op.call()).collect()
}

/// The revision the plan registers, read back as ECS would describe it.
fn registered(spec: &str, have: &TaskDefinitionObserved) -> TaskDefinitionObserved {
    let state = load_str(Path::new("test.yaml"), &manifests(spec)).expect("valid manifests");
    let findings = find(&state, &state.ecs_task_definitions[0], have);
    assert_eq!(
        findings.fixes.task_role_arn.as_deref(),
        Some(TASK_ROLE),
        "a role named in the contract becomes its ARN"
    );
    let mut next = hardened(have.base.definition(), &findings.fixes);
    next.revision += 1;
    next.task_definition_arn = Some(ARN.replace(":3", ":4"));
    observed(next)
}

#[test]
fn a_revision_as_ecs_returns_it_after_registration_is_in_sync() {
    let plan = plan_for(CONTRACT, Some(&observed(compliant())));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
    assert!(plan.ops.is_empty());
}

#[test]
fn absent_flags_read_as_false_and_an_empty_user_as_root() {
    let mut definition = compliant();
    let containers = definition
        .container_definitions
        .as_mut()
        .expect("containers");
    containers[1].privileged = None;
    containers[1].user = Some(String::new());
    let plan = plan_for(CONTRACT, Some(&observed(definition)));
    assert_eq!(paths(&plan), ["spec.containers.sidecar.user"]);
    assert_eq!(plan.changes[0].before, Some("root (no user)".into()));
}

/// Every fixable drift at once.
fn drifted() -> TaskDefinition {
    let mut definition = compliant();
    definition.task_role_arn = Some("arn:aws:iam::123456789012:role/AdminRole".to_owned());
    definition.pid_mode = Some(PidMode::Host);
    definition.cpu = None;
    definition.memory = None;
    let containers = definition
        .container_definitions
        .as_mut()
        .expect("containers");
    let web = &mut containers[0];
    web.user = Some("root".to_owned());
    web.privileged = Some(true);
    web.readonly_root_filesystem = Some(false);
    web.log_configuration = None;
    containers[1].cpu = 256;
    containers[1].memory = Some(512);
    definition
}

const CONTRACT_WITH_LIMITS: &str = r#"{taskRole: afu9-task-role, executionRole: afu9-task-execution-role, logGroup: /ecs/afu9-control-center,
  containers: {"*": {user: "1001", readonlyRootFilesystem: true, privileged: false, requireLimits: true, cpu: 256, memory: 512}},
  secretsFrom: [afu9/database]}"#;

#[test]
fn every_drifted_field_is_named_and_fixed_by_one_new_revision_that_then_plans_empty() {
    let have = observed(drifted());
    let plan = plan_for(CONTRACT_WITH_LIMITS, Some(&have));
    assert_eq!(plan.action, Action::Replace, "{:?}", plan.reason);
    assert_eq!(
        paths(&plan),
        [
            "spec.taskRole",
            "spec.pidMode",
            "spec.containers.web.user",
            "spec.containers.web.readonlyRootFilesystem",
            "spec.containers.web.privileged",
            "spec.containers.web.cpu",
            "spec.containers.web.memory",
            "spec.containers.web.logConfiguration",
        ]
    );
    assert_eq!(calls(&plan), ["RegisterTaskDefinition"]);

    let next = registered(CONTRACT_WITH_LIMITS, &have);
    let web = next
        .base
        .definition()
        .container_definitions
        .as_ref()
        .expect("containers")[0]
        .clone();
    assert_eq!(
        web.mount_points,
        Some(Vec::new()),
        "unmodelled fields are carried over"
    );
    assert_eq!(web.port_mappings.as_ref().map(Vec::len), Some(1));
    assert_eq!(
        web.log_configuration
            .and_then(|l| l.options)
            .and_then(|o| o.get("awslogs-region").cloned())
            .as_deref(),
        Some("eu-central-1")
    );
    let again = plan_for(CONTRACT_WITH_LIMITS, Some(&next));
    assert_eq!(again.action, Action::Noop, "{:?}", again.changes);
}

#[test]
fn limits_of_the_task_bound_every_container_and_missing_ones_need_values() {
    let mut definition = compliant();
    definition.cpu = None;
    let plan = plan_for(CONTRACT, Some(&observed(definition.clone())));
    assert_eq!(plan.action, Action::Blocked);
    assert_eq!(
        paths(&plan),
        ["spec.containers.sidecar.cpu", "spec.containers.web.cpu"]
    );
    assert!(plan.reason.unwrap_or_default().contains("has no cpu limit"));
    let plan = plan_for(CONTRACT_WITH_LIMITS, Some(&observed(definition)));
    assert_eq!(plan.action, Action::Replace);
}

#[test]
fn a_role_compares_by_name_whatever_its_path() {
    let mut definition = compliant();
    definition.execution_role_arn =
        Some("arn:aws:iam::123456789012:role/afu9-task-execution-role".to_owned());
    assert_eq!(
        plan_for(CONTRACT, Some(&observed(definition))).action,
        Action::Noop
    );
    assert_eq!(role_name(EXECUTION_ROLE), "afu9-task-execution-role");
}

#[test]
fn secret_looking_plain_variables_are_blocked_and_their_values_never_shown() {
    let mut definition = compliant();
    let web = &mut definition
        .container_definitions
        .as_mut()
        .expect("containers")[0];
    let environment = web.environment.get_or_insert_with(Vec::new);
    environment.push(
        KeyValuePair::builder()
            .name("DB_PASSWORD")
            .value("hunter2-plain-value")
            .build(),
    );
    environment.push(
        KeyValuePair::builder()
            .name("DATABASE_SECRET_ID")
            .value("afu9/database")
            .build(),
    );
    environment.push(
        KeyValuePair::builder()
            .name("CACHE_KEY")
            .value("not-a-secret")
            .build(),
    );
    let spec = CONTRACT.replace("secretsFrom:", "allowPlainEnv: [CACHE_KEY], secretsFrom:");
    let plan = plan_for(&spec, Some(&observed(definition)));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    assert_eq!(
        paths(&plan),
        [
            "spec.containers.web.environment.DATABASE_SECRET_ID",
            "spec.containers.web.environment.DB_PASSWORD"
        ]
    );
    // Each variable is shown leaving the plain environment, its value masked.
    assert!(plan.changes.iter().all(|c| c.sensitive
        && c.before == Some(serde_json::Value::from(Change::MASK))
        && c.after.is_none()));
    let reason = plan.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("holds the name of secret afu9/database"),
        "{reason}"
    );
    let everything = format!("{plan:?}");
    assert!(
        !everything.contains("hunter2"),
        "a value leaked: {everything}"
    );
}

#[test]
fn secret_looking_names() {
    for name in [
        "DB_PASSWORD",
        "GITHUB_TOKEN",
        "api-key",
        "OPENAI_APIKEY",
        "AWS_SECRET_ACCESS_KEY",
        "SSH_PRIVATE_KEY",
        "GHTOKEN",
    ] {
        assert!(looks_secret(name), "{name}");
    }
    for name in [
        "PORT",
        "LOG_LEVEL",
        "KEYCLOAK_URL",
        "TOKENIZER_MODEL",
        "MONKEY_PATCH",
    ] {
        assert!(!looks_secret(name), "{name}");
    }
}

#[test]
fn host_network_mode_is_fixed_only_with_a_target_mode() {
    let mut definition = compliant();
    definition.network_mode = Some(NetworkMode::Host);
    let plan = plan_for(CONTRACT, Some(&observed(definition.clone())));
    assert_eq!(plan.action, Action::Blocked);
    assert_eq!(paths(&plan), ["spec.networkMode"]);
    let spec = CONTRACT.replace("logGroup:", "networkMode: awsvpc, logGroup:");
    let plan = plan_for(&spec, Some(&observed(definition)));
    assert_eq!(plan.action, Action::Replace);
}

#[test]
fn listed_services_roll_to_the_new_revision_or_to_the_latest() {
    let spec = CONTRACT.replace(
        "secretsFrom:",
        "services: [{cluster: afu9, service: cc}], secretsFrom:",
    );
    let with_service = |running: Option<&str>, definition: TaskDefinition| {
        let mut have = observed(definition);
        have.services = vec![ServiceObserved {
            cluster: "afu9".to_owned(),
            service: "cc".to_owned(),
            task_definition: running.map(ToOwned::to_owned),
        }];
        have
    };
    let in_sync = plan_for(&spec, Some(&with_service(Some(ARN), compliant())));
    assert_eq!(in_sync.action, Action::Noop);
    let bare = plan_for(
        &spec,
        Some(&with_service(Some("afu9-control-center"), compliant())),
    );
    assert_eq!(
        bare.action,
        Action::Noop,
        "a bare family runs the latest revision"
    );

    let old = plan_for(
        &spec,
        Some(&with_service(Some("afu9-control-center:2"), compliant())),
    );
    assert_eq!(old.action, Action::Update);
    assert_eq!(paths(&old), ["spec.services.afu9/cc"]);
    assert_eq!(calls(&old), ["UpdateService"]);

    let drifted = plan_for(&spec, Some(&with_service(Some(ARN), drifted())));
    assert_eq!(calls(&drifted), ["RegisterTaskDefinition", "UpdateService"]);

    let missing = plan_for(&spec, Some(&with_service(None, compliant())));
    assert_eq!(missing.action, Action::Blocked);
}

#[test]
fn revisions_compare_by_family_and_number() {
    assert!(runs_revision(ARN, "afu9-control-center", 3));
    assert!(runs_revision(
        "afu9-control-center:3",
        "afu9-control-center",
        3
    ));
    assert!(runs_revision(
        "afu9-control-center",
        "afu9-control-center",
        3
    ));
    assert!(!runs_revision(
        "afu9-control-center:2",
        "afu9-control-center",
        3
    ));
    assert!(!runs_revision("other:3", "afu9-control-center", 3));
}

#[test]
fn a_family_without_revisions_is_blocked_and_a_contract_naming_no_container_too() {
    assert_eq!(plan_for(CONTRACT, None).action, Action::Blocked);
    let spec = CONTRACT.replace("\"*\":", "worker: {user: \"1001\"}, \"*\":");
    let plan = plan_for(&spec, Some(&observed(compliant())));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.reason.unwrap_or_default().contains("container worker"));
}

#[test]
fn the_revision_debug_text_hides_container_definitions() {
    let mut definition = compliant();
    definition
        .container_definitions
        .as_mut()
        .expect("containers")[0]
        .environment
        .get_or_insert_with(Vec::new)
        .push(KeyValuePair::builder().name("X").value("hunter2").build());
    let revision = Revision::new(definition, Vec::new());
    assert_eq!(format!("{revision:?}"), "Revision(afu9-control-center:3)");
}

#[test]
fn a_family_depends_on_the_iam_role_manifests_it_names_as_task_and_execution_role() {
    let plan = plan_for(CONTRACT, Some(&observed(compliant())));
    assert_eq!(
        plan.depends_on,
        [
            Dependency::done("IamRole", "afu9-task-role"),
            Dependency::done("IamRole", "afu9-task-execution-role"),
        ]
    );
}
