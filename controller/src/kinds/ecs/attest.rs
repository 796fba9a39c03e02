//! What a live family proves, read off its latest ACTIVE revision as Security Hub reads it: no
//! container runs privileged (ECS.4), every root filesystem is read-only (ECS.5), every
//! container has a log configuration (ECS.9); and, when the manifest manages its superseded
//! revisions, that no older ACTIVE revision would fail one of those (`AFU9.ECS.1`: Security Hub
//! judges only the latest, while `ecs:RunTask` runs any ACTIVE revision). Judged on the live
//! revisions, never on the manifest's contract.

use afu9_spec::Resource;
use afu9_spec::ecs::EcsTaskDefinitionSpec;
use serde_json::{Value, json};

use super::{ContainerObserved, EcsTaskDefinitions, TaskDefinitionObserved};
use crate::engine::Attests;
use crate::plan::Fact;

/// No ACTIVE revision older than the latest runs a container privileged, with a writable root
/// filesystem or without logs.
pub const SUPERSEDED_REVISIONS: &str = "AFU9.ECS.1";

impl Attests for EcsTaskDefinitions {
    fn facts(_want: &Resource<EcsTaskDefinitionSpec>, have: &TaskDefinitionObserved) -> Vec<Fact> {
        let mut facts = Vec::new();
        for container in &have.containers {
            let field = |leaf: &str| format!("containers.{}.{leaf}", container.name);
            facts.push(Fact::judged(
                "ECS.4",
                field("privileged"),
                Some(Value::Bool(container.privileged)),
                !container.privileged,
                (
                    "the container runs unprivileged",
                    "the container runs privileged",
                ),
            ));
            facts.push(Fact::judged(
                "ECS.5",
                field("readonlyRootFilesystem"),
                Some(Value::Bool(container.readonly_root_filesystem)),
                container.readonly_root_filesystem,
                (
                    "the root filesystem is read-only",
                    "the root filesystem is writable",
                ),
            ));
            facts.push(Fact::judged(
                "ECS.9",
                field("logConfiguration"),
                Some(Value::Bool(container.has_log_configuration)),
                container.has_log_configuration,
                (
                    "the container's logs are sent to a log driver",
                    "the container has no log configuration",
                ),
            ));
        }
        if let Some(superseded) = &have.superseded {
            let unsafe_revisions: Vec<Value> = superseded
                .revisions
                .iter()
                .filter_map(|old| {
                    let found = unsafe_to_run(&old.containers);
                    (!found.is_empty()).then(
                        || json!({"revision": old.revision, "status": "ACTIVE", "breaks": found}),
                    )
                })
                .collect();
            let holds = unsafe_revisions.is_empty();
            facts.push(Fact::judged(
                SUPERSEDED_REVISIONS,
                "supersededRevisions",
                Some(Value::Array(unsafe_revisions)),
                holds,
                (
                    "no older ACTIVE revision runs privileged, writable or without logs",
                    "an older revision that runs privileged, writable or without logs is still \
                     ACTIVE: anyone allowed ecs:RunTask can run it",
                ),
            ));
        }
        facts
    }
}

/// The controls a revision's `containers` would fail as the latest (`web: ECS.4 privileged`).
fn unsafe_to_run(containers: &[ContainerObserved]) -> Vec<String> {
    let mut found = Vec::new();
    for container in containers {
        let name = &container.name;
        if container.privileged {
            found.push(format!("{name}: ECS.4 privileged"));
        }
        if !container.readonly_root_filesystem {
            found.push(format!("{name}: ECS.5 writable root filesystem"));
        }
        if !container.has_log_configuration {
            found.push(format!("{name}: ECS.9 no log configuration"));
        }
    }
    found
}

#[cfg(test)]
mod tests;
