use std::collections::BTreeMap;
use std::path::Path;

use afu9_spec::load::load_str;
use aws_sdk_ecs::types::{ContainerDefinition, LogConfiguration, LogDriver, TaskDefinition};

use super::*;
use crate::kinds::ecs::ServiceObserved;
use crate::kinds::ecs::observe::from_sdk;

const FAMILY: &str = "afu9-control-center";

fn want(keep: u32) -> Resource<EcsTaskDefinitionSpec> {
    let text = format!(
        "apiVersion: posture.afu9.io/v1alpha1\nkind: EcsTaskDefinition\nmetadata: {{name: {FAMILY}}}\n\
         spec: {{logGroup: /ecs/afu9, containers: {{\"*\": {{user: \"1001\", readonlyRootFilesystem: true, privileged: false}}}},\n\
         services: [{{cluster: afu9, service: web}}], supersededRevisions: {{keepCompliant: {keep}}}}}\n"
    );
    let state = load_str(Path::new("ecs.yaml"), &text).expect("valid manifest");
    state.ecs_task_definitions[0].clone()
}

fn web(safe: bool) -> ContainerDefinition {
    let builder = ContainerDefinition::builder().name("web").image("afu9:1");
    if safe {
        builder
            .user("1001")
            .readonly_root_filesystem(true)
            .privileged(false)
            .log_configuration(
                LogConfiguration::builder()
                    .log_driver(LogDriver::Awslogs)
                    .build()
                    .expect("log configuration"),
            )
            .build()
    } else {
        builder
            .user("root")
            .privileged(true)
            .readonly_root_filesystem(false)
            .build()
    }
}

fn old(revision: i32, safe: bool) -> OldRevision {
    OldRevision {
        revision,
        containers: vec![crate::kinds::ecs::container::container(&web(safe))],
    }
}

/// The latest revision `latest` (safe or not), run by the listed service `web` at `running`.
fn latest(
    latest: i32,
    safe: bool,
    running: i32,
    revisions: Vec<OldRevision>,
    users: Option<BTreeMap<i32, Vec<User>>>,
) -> TaskDefinitionObserved {
    let definition = TaskDefinition::builder()
        .task_definition_arn(format!(
            "arn:aws:ecs:eu-central-1:123456789012:task-definition/{FAMILY}:{latest}"
        ))
        .family(FAMILY)
        .revision(latest)
        .container_definitions(web(safe))
        .build();
    let service = ServiceObserved {
        cluster: "afu9".to_owned(),
        service: "web".to_owned(),
        task_definition: Some(format!("{FAMILY}:{running}")),
    };
    let mut have = from_sdk(definition, Vec::new(), vec![service]);
    have.superseded = Some(SupersededObserved { revisions, users });
    have
}

fn deregistered(delta: &Delta) -> Vec<String> {
    delta
        .ops
        .iter()
        .filter(|op| op.call() == "DeregisterTaskDefinition")
        .map(|op| op.subject())
        .collect()
}

fn task(id: &str) -> User {
    User::Task {
        cluster: "afu9".to_owned(),
        task: id.to_owned(),
    }
}

#[test]
fn an_unsafe_revision_nobody_runs_is_deregistered_and_the_compliant_ones_kept() {
    let have = latest(
        5,
        true,
        5,
        vec![old(4, true), old(3, false), old(2, true)],
        Some(BTreeMap::new()),
    );
    let mut delta = Delta::exists();
    plan(&want(3), &have, false, &mut delta);
    assert_eq!(
        deregistered(&delta),
        vec![format!("deregister ecs task definition {FAMILY}:3")]
    );
    let change = &delta.changes[0];
    assert_eq!(change.path, format!("spec.supersededRevisions[{FAMILY}:3]"));
    let why = change.before.as_ref().expect("before")["why"].to_string();
    assert!(
        why.contains("web: privileged") && why.contains("web: runs as root"),
        "{why}"
    );
    assert!(why.contains("writable root filesystem") && why.contains("no log configuration"));
    let note = delta.note.expect("a note");
    assert!(
        note.contains("kept for rollback (compliant): 4, 2"),
        "{note}"
    );
}

#[test]
fn a_revision_a_running_task_or_an_unlisted_service_uses_is_kept_and_said_so() {
    let mut users = BTreeMap::new();
    users.insert(3, vec![task("abc123")]);
    users.insert(
        2,
        vec![User::Service {
            cluster: "other".to_owned(),
            service: "batch".to_owned(),
        }],
    );
    let have = latest(4, true, 4, vec![old(3, false), old(2, false)], Some(users));
    let mut delta = Delta::exists();
    plan(&want(3), &have, false, &mut delta);
    assert!(deregistered(&delta).is_empty());
    let note = delta.note.expect("a note");
    assert!(note.contains("3 (running task afu9/abc123)"), "{note}");
    assert!(note.contains("2 (service other/batch)"), "{note}");
}

#[test]
fn compliant_revisions_beyond_the_kept_number_go_oldest_first() {
    let have = latest(
        4,
        true,
        4,
        vec![old(3, true), old(2, true), old(1, true)],
        Some(BTreeMap::new()),
    );
    let mut delta = Delta::exists();
    plan(&want(1), &have, false, &mut delta);
    assert_eq!(
        deregistered(&delta),
        vec![
            format!("deregister ecs task definition {FAMILY}:2"),
            format!("deregister ecs task definition {FAMILY}:1"),
        ]
    );
    assert!(
        delta.changes[0].before.as_ref().expect("before")["why"]
            .to_string()
            .contains("older than the 1 kept")
    );
}

/// The plan registers a new revision and rolls the listed service off the latest: the latest
/// is superseded in the same apply and, unsafe, deregistered after the roll; a running task
/// of it would keep it.
#[test]
fn the_latest_superseded_by_this_plan_goes_once_its_listed_service_is_rolled() {
    let mut users = BTreeMap::new();
    users.insert(
        1,
        vec![User::Service {
            cluster: "afu9".to_owned(),
            service: "web".to_owned(),
        }],
    );
    let have = latest(1, false, 1, Vec::new(), Some(users.clone()));
    let mut delta = Delta::exists();
    plan(&want(3), &have, true, &mut delta);
    assert_eq!(
        deregistered(&delta),
        vec![format!("deregister ecs task definition {FAMILY}:1")]
    );

    users.get_mut(&1).expect("users").push(task("t1"));
    let have = latest(1, false, 1, Vec::new(), Some(users));
    let mut delta = Delta::exists();
    plan(&want(3), &have, true, &mut delta);
    assert!(deregistered(&delta).is_empty());
    assert!(delta.note.expect("note").contains("running task afu9/t1"));
}

#[test]
fn without_the_users_read_nothing_is_deregistered() {
    let have = latest(3, true, 3, vec![old(2, false)], None);
    let mut delta = Delta::exists();
    plan(&want(3), &have, false, &mut delta);
    assert!(deregistered(&delta).is_empty());
}
