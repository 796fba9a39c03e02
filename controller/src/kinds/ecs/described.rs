//! A described revision in the contract's vocabulary, for the latest revision (`observe`)
//! and the superseded ones (`superseded::read`) alike, and what a service's reference to one
//! names.
//!
//! What ECS adds on read is normalised here: an absent flag is `false`, `cpu: 0` is no CPU
//! limit, an empty user is none, containers and variables are sorted by name. Everything else
//! (empty `mountPoints`, `hostPort` filled in for `awsvpc`, …) is outside the contract and is
//! carried over to the next revision untouched.

use aws_sdk_ecs::types::{ContainerDefinition, Tag, TaskDefinition};

use super::{ContainerObserved, EnvVar, Revision, ServiceObserved, TaskDefinitionObserved};

/// A described revision in the contract's vocabulary.
pub(super) fn from_sdk(
    definition: TaskDefinition,
    tags: Vec<Tag>,
    services: Vec<ServiceObserved>,
) -> TaskDefinitionObserved {
    let mut containers: Vec<ContainerObserved> = definition
        .container_definitions
        .iter()
        .flatten()
        .map(container)
        .collect();
    containers.sort_by(|a, b| a.name.cmp(&b.name));
    TaskDefinitionObserved {
        arn: definition.task_definition_arn.clone().unwrap_or_default(),
        revision: definition.revision,
        task_role_arn: definition.task_role_arn.clone().filter(|a| !a.is_empty()),
        execution_role_arn: definition
            .execution_role_arn
            .clone()
            .filter(|a| !a.is_empty()),
        network_mode: definition
            .network_mode
            .as_ref()
            .map(|m| m.as_str().to_owned()),
        pid_mode: definition.pid_mode.as_ref().map(|m| m.as_str().to_owned()),
        task_cpu: definition.cpu.clone().filter(|c| !c.is_empty()),
        task_memory: definition.memory.clone().filter(|m| !m.is_empty()),
        containers,
        services,
        base: Revision::new(definition, tags),
        superseded: None,
    }
}

pub(super) fn container(definition: &ContainerDefinition) -> ContainerObserved {
    let mut environment: Vec<EnvVar> = definition
        .environment
        .iter()
        .flatten()
        .filter_map(|pair| {
            Some(EnvVar {
                name: pair.name.clone()?,
                value: pair.value.clone().unwrap_or_default(),
            })
        })
        .collect();
    environment.sort_by(|a, b| a.name.cmp(&b.name));
    ContainerObserved {
        name: definition.name.clone().unwrap_or_default(),
        user: definition.user.clone().filter(|u| !u.trim().is_empty()),
        readonly_root_filesystem: definition.readonly_root_filesystem.unwrap_or(false),
        privileged: definition.privileged.unwrap_or(false),
        cpu: definition.cpu,
        memory: definition.memory.filter(|m| *m > 0),
        environment,
        has_log_configuration: definition.log_configuration.is_some(),
    }
}

/// Whether a service's task definition (ARN, `family:revision` or bare `family`, which ECS
/// resolves to the latest ACTIVE revision) is `family`'s revision `revision`.
pub(super) fn runs_revision(running: &str, family: &str, revision: i32) -> bool {
    let reference = running.rsplit('/').next().unwrap_or(running);
    match reference.rsplit_once(':') {
        Some((name, number)) => name == family && number.parse::<i32>().ok() == Some(revision),
        None => reference == family,
    }
}
