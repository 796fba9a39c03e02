use std::path::Path;

use afu9_spec::load::load_str;
use aws_sdk_ecs::types::{ContainerDefinition, LogConfiguration, LogDriver, TaskDefinition};

use super::*;
use crate::kinds::ecs::container::container;
use crate::kinds::ecs::observe::from_sdk;
use crate::kinds::ecs::{OldRevision, SupersededObserved};

const FAMILY: &str = "afu9-control-center";

/// A manifest that asks for the hardened contract: the facts must still follow what runs.
fn want() -> Resource<EcsTaskDefinitionSpec> {
    let text = format!(
        "apiVersion: posture.afu9.io/v1alpha1\nkind: EcsTaskDefinition\nmetadata: {{name: {FAMILY}}}\n\
         spec: {{logGroup: /ecs/afu9, containers: {{\"*\": {{user: \"1001\", readonlyRootFilesystem: true, privileged: false}}}},\n\
         supersededRevisions: {{keepCompliant: 3}}}}\n"
    );
    let state = load_str(Path::new("ecs.yaml"), &text).expect("valid manifest");
    state.ecs_task_definitions[0].clone()
}

fn web(safe: bool) -> ContainerDefinition {
    let builder = ContainerDefinition::builder().name("web").image("afu9:1");
    if safe {
        builder
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
        builder.privileged(true).build()
    }
}

fn family(latest_safe: bool, superseded: Option<Vec<(i32, bool)>>) -> TaskDefinitionObserved {
    let definition = TaskDefinition::builder()
        .family(FAMILY)
        .revision(9)
        .container_definitions(web(latest_safe))
        .build();
    let mut have = from_sdk(definition, Vec::new(), Vec::new());
    have.superseded = superseded.map(|old| SupersededObserved {
        revisions: old
            .into_iter()
            .map(|(revision, safe)| OldRevision {
                revision,
                containers: vec![container(&web(safe))],
            })
            .collect(),
        users: None,
    });
    have
}

fn judged(facts: &[Fact]) -> Vec<(&str, &str, bool)> {
    facts
        .iter()
        .map(|f| (f.control, f.field.as_str(), f.holds))
        .collect()
}

#[test]
fn the_latest_revision_is_judged_on_what_runs_not_on_the_contract() {
    let facts = EcsTaskDefinitions::facts(&want(), &family(false, None));
    assert_eq!(
        judged(&facts),
        [
            ("ECS.4", "containers.web.privileged", false),
            ("ECS.5", "containers.web.readonlyRootFilesystem", false),
            ("ECS.9", "containers.web.logConfiguration", false),
        ]
    );
    let facts = EcsTaskDefinitions::facts(&want(), &family(true, None));
    assert!(facts.iter().all(|f| f.holds), "{facts:?}");
}

#[test]
fn an_unsafe_superseded_revision_still_active_fails_and_names_its_number() {
    let facts =
        EcsTaskDefinitions::facts(&want(), &family(true, Some(vec![(8, true), (3, false)])));
    let superseded = facts
        .iter()
        .find(|f| f.control == SUPERSEDED_REVISIONS)
        .expect("the superseded revisions' fact");
    assert!(!superseded.holds);
    assert_eq!(superseded.field, "supersededRevisions");
    let live = superseded.live.clone().expect("live");
    assert_eq!(live[0]["revision"], 3);
    assert_eq!(live.as_array().map(Vec::len), Some(1));
    assert!(
        live[0]["breaks"][0]
            .as_str()
            .is_some_and(|b| b.contains("ECS.4"))
    );
    let compliant = EcsTaskDefinitions::facts(&want(), &family(true, Some(vec![(8, true)])));
    assert!(compliant.iter().all(|f| f.holds), "{compliant:?}");
}
