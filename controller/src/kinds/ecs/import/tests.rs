use std::collections::BTreeMap;

use aws_sdk_ecs::types::{
    ContainerDefinition, LogConfiguration, NetworkMode, Secret, TaskDefinition,
};

use super::*;
use crate::kinds::ecs::observe::from_sdk;
use crate::kinds::round_trip::round_trip_alongside;
use crate::plan::Action;

const ARN: &str = "arn:aws:ecs:eu-central-1:123456789012:task-definition/afu9-control-center:4";
const SECRET_ARN: &str =
    "arn:aws:secretsmanager:eu-central-1:123456789012:secret:afu9/database-Ab12Cd";

/// The roles and the secret the family names, as their imported manifests.
const ALONGSIDE: &str = "\
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {name: afu9-task-role}
spec: {trustPolicy: {service: ecs-tasks.amazonaws.com}}
---
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {name: afu9-task-execution-role}
spec: {path: /afu9/, trustPolicy: {service: ecs-tasks.amazonaws.com}}
---
apiVersion: posture.afu9.io/v1alpha1
kind: Secret
metadata: {name: afu9/database}
spec: {}
";

fn names() -> BTreeMap<String, String> {
    [(SECRET_ARN.to_owned(), "afu9/database".to_owned())].into()
}

fn awslogs() -> LogConfiguration {
    LogConfiguration::builder()
        .log_driver(LogDriver::Awslogs)
        .options("awslogs-group", "/ecs/afu9-control-center")
        .options("awslogs-stream-prefix", "afu9-control-center")
        .build()
        .expect("log configuration")
}

/// A revision with `containers`, task-level limits and the AFU-9 roles.
fn revision(task_role: &str, containers: Vec<ContainerDefinition>) -> TaskDefinitionObserved {
    let definition = TaskDefinition::builder()
        .task_definition_arn(ARN)
        .family("afu9-control-center")
        .revision(4)
        .task_role_arn(task_role)
        .execution_role_arn("arn:aws:iam::123456789012:role/afu9/afu9-task-execution-role")
        .network_mode(NetworkMode::Awsvpc)
        .cpu("512")
        .memory("1024")
        .set_container_definitions(Some(containers))
        .build();
    from_sdk(definition, Vec::new(), Vec::new())
}

/// A hardened container taking the database password from the secret by its partial ARN.
fn web() -> ContainerDefinition {
    ContainerDefinition::builder()
        .name("web")
        .image("registry/afu9:4")
        .user("1001")
        .readonly_root_filesystem(true)
        .log_configuration(awslogs())
        .secrets(
            Secret::builder()
                .name("DATABASE_PASSWORD")
                .value_from("arn:aws:secretsmanager:eu-central-1:123456789012:secret:afu9/database")
                .build()
                .expect("secret"),
        )
        .build()
}

fn plan_of(have: &TaskDefinitionObserved) -> crate::plan::ResourcePlan {
    round_trip_alongside::<EcsTaskDefinitions>(
        ALONGSIDE,
        &[("afu9-control-center", have)],
        &names(),
        None,
    )
    .pop()
    .expect("one plan")
}

#[test]
fn a_hardened_revision_imports_as_the_contract_it_keeps_and_is_in_sync() {
    let sidecar = ContainerDefinition::builder()
        .name("sidecar")
        .image("registry/git-sync:1")
        .user("1001")
        .readonly_root_filesystem(true)
        .privileged(false)
        .log_configuration(awslogs())
        .build();
    let have = revision(
        "arn:aws:iam::123456789012:role/afu9-task-role",
        vec![web(), sidecar],
    );
    let spec = import(
        ImportContext { names: &names() },
        "afu9-control-center",
        &have,
    );
    assert_eq!(spec.task_role.as_deref(), Some("afu9-task-role"));
    assert_eq!(
        spec.execution_role.as_deref(),
        Some("afu9-task-execution-role")
    );
    assert_eq!(spec.log_group.as_deref(), Some("/ecs/afu9-control-center"));
    assert_eq!(spec.secrets_from, ["afu9/database"]);
    let shared = &spec.containers[ALL_CONTAINERS];
    assert_eq!(
        (
            shared.user.as_deref(),
            shared.readonly_root_filesystem,
            shared.privileged,
            shared.require_limits
        ),
        (Some("1001"), Some(true), Some(false), Some(true)),
        "{:?}",
        spec.containers
    );
    assert_eq!(spec.containers.len(), 1, "{:?}", spec.containers);
    let plan = plan_of(&have);
    assert_eq!(
        plan.action,
        Action::Noop,
        "{:?} {:?}",
        plan.changes,
        plan.reason
    );
}

#[test]
fn containers_that_differ_keep_their_own_contracts() {
    let proxy = ContainerDefinition::builder()
        .name("proxy")
        .image("registry/proxy:1")
        .user("2000")
        .readonly_root_filesystem(false)
        .cpu(128)
        .log_configuration(awslogs())
        .build();
    let have = revision(
        "arn:aws:iam::123456789012:role/afu9-task-role",
        vec![web(), proxy],
    );
    let spec = import(
        ImportContext { names: &names() },
        "afu9-control-center",
        &have,
    );
    let proxy = spec.contract_for("proxy");
    let web = spec.contract_for("web");
    assert_eq!(
        (proxy.user.as_deref(), proxy.readonly_root_filesystem),
        (Some("2000"), Some(false))
    );
    assert_eq!(
        (web.user.as_deref(), web.readonly_root_filesystem),
        (Some("1001"), Some(true))
    );
    assert_eq!(spec.containers[ALL_CONTAINERS].privileged, Some(false));
    let plan = plan_of(&have);
    assert_eq!(
        plan.action,
        Action::Noop,
        "{:?} {:?}",
        plan.changes,
        plan.reason
    );
}

#[test]
fn a_role_of_another_account_and_a_container_without_a_user_are_left_unchecked() {
    let root = ContainerDefinition::builder()
        .name("web")
        .image("registry/afu9:4")
        .log_configuration(awslogs())
        .build();
    let have = revision("arn:aws:iam::210987654321:role/partner-role", vec![root]);
    let spec = import(
        ImportContext { names: &names() },
        "afu9-control-center",
        &have,
    );
    assert_eq!(spec.task_role, None);
    assert_eq!(spec.containers[ALL_CONTAINERS].user, None);
    assert!(spec.secrets_from.is_empty(), "{:?}", spec.secrets_from);
    let plan = plan_of(&have);
    assert_eq!(
        plan.action,
        Action::Noop,
        "{:?} {:?}",
        plan.changes,
        plan.reason
    );
}
