//! A container definition as ECS returns it, in the contract's vocabulary: an absent flag is
//! `false`, an empty user is none, `memory: 0` is no limit, variables sorted by name. Read by
//! the latest revision's observation and by the superseded revisions' alike.

use aws_sdk_ecs::types::{ContainerDefinition, TaskDefinition};

use super::{ContainerObserved, EnvVar};

/// Every container of a described revision, by name.
pub(super) fn containers(definition: &TaskDefinition) -> Vec<ContainerObserved> {
    let mut containers: Vec<ContainerObserved> = definition
        .container_definitions
        .iter()
        .flatten()
        .map(container)
        .collect();
    containers.sort_by(|a, b| a.name.cmp(&b.name));
    containers
}

/// One container of a described revision.
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
