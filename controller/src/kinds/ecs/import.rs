//! Importing task-definition families: each family's contract as its latest ACTIVE revision
//! keeps it. Roles by name (the `IamRole` manifest's name is the role's), per-container
//! user, read-only root filesystem, privileged mode and whether it has CPU and memory limits
//! (what every container shares under `"*"`, the rest under its own name), the `awslogs`
//! group the containers share, and the imported `Secret` manifests the containers take as
//! secrets.
//!
//! What the kind reports as drift whatever the contract says (host network or PID mode, a
//! container without a log configuration, a plain variable that looks like a secret) stays
//! drift after import: the contract cannot state it, and import adds no exceptions. Neither
//! does a role that does not exist: no `IamRole` manifest has its name, which `validate`
//! refuses (AFU9-ECS-002), as it refuses a root user. The services to roll are left out
//! (none is listed: the team lists them).

use std::collections::{BTreeMap, BTreeSet};

use afu9_spec::ecs::{ALL_CONTAINERS, ContainerContract, EcsTaskDefinitionSpec};
use aws_sdk_ecs::types::{ContainerDefinition, LogDriver, TaskDefinitionFamilyStatus};

use super::{EcsTaskDefinitions, TaskDefinitionObserved};
use crate::aws::{Aws, AwsError};
use crate::engine::{Discovery, ImportContext, Imports};
use crate::refs::iam::role_name;

impl Imports for EcsTaskDefinitions {
    const FILE: &'static str = "ecs.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, EcsTaskDefinitionSpec> {
        Box::pin(async move {
            let mut found = Vec::new();
            let mut pages = aws
                .ecs()
                .list_task_definition_families()
                .status(TaskDefinitionFamilyStatus::Active)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|err| {
                    AwsError::from_sdk(
                        "list ecs task-definition families",
                        "ListTaskDefinitionFamilies",
                        &err,
                    )
                })?;
                found.extend(
                    page.families
                        .unwrap_or_default()
                        .into_iter()
                        .map(|family| (family, EcsTaskDefinitionSpec::default())),
                );
            }
            Ok(found)
        })
    }

    fn import(
        cx: ImportContext<'_>,
        name: &str,
        have: &TaskDefinitionObserved,
    ) -> EcsTaskDefinitionSpec {
        import(cx, name, have)
    }
}

/// The family's contract as its latest ACTIVE revision keeps it.
fn import(
    cx: ImportContext<'_>,
    _name: &str,
    have: &TaskDefinitionObserved,
) -> EcsTaskDefinitionSpec {
    let definition = have.base.definition();
    let own_account = account(&have.arn);
    let role = |arn: &Option<String>| {
        arn.as_deref()
            .filter(|arn| arn.starts_with("arn:") && account(arn) == own_account)
            .map(|arn| role_name(arn).to_owned())
    };
    let containers = definition.container_definitions();
    let log_groups: BTreeSet<&str> = containers
        .iter()
        .filter_map(|c| c.log_configuration.as_ref())
        .filter(|log| log.log_driver == LogDriver::Awslogs)
        .filter_map(|log| log.options.as_ref()?.get("awslogs-group"))
        .map(String::as_str)
        .collect();
    let secrets: BTreeSet<String> = containers
        .iter()
        .flat_map(ContainerDefinition::secrets)
        .filter_map(|secret| secret_manifest(cx, &secret.value_from))
        .collect();
    EcsTaskDefinitionSpec {
        task_role: role(&have.task_role_arn),
        execution_role: role(&have.execution_role_arn),
        network_mode: None,
        log_group: match log_groups.into_iter().collect::<Vec<_>>().as_slice() {
            [one] => Some((*one).to_owned()),
            _ => None,
        },
        containers: contracts(have),
        secrets_from: secrets.into_iter().collect(),
        allow_plain_env: Vec::new(),
        services: Vec::new(),
        // A retention policy, not a live value: the team chooses it.
        superseded_revisions: None,
    }
}

/// The account of an ARN (its fifth field).
fn account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4)
}

/// Each container's contract as it is: what all of them share under `"*"`, the rest under
/// the container's name. A container without a user (root) leaves the user unchecked.
fn contracts(have: &TaskDefinitionObserved) -> BTreeMap<String, ContainerContract> {
    let own: Vec<(&str, ContainerContract)> = have
        .containers
        .iter()
        .map(|c| {
            let limited = (c.cpu > 0 || have.task_cpu.is_some())
                && (c.memory.is_some() || have.task_memory.is_some());
            let contract = ContainerContract {
                user: c.user.clone(),
                readonly_root_filesystem: Some(c.readonly_root_filesystem),
                privileged: Some(c.privileged),
                require_limits: limited.then_some(true),
                cpu: None,
                memory: None,
            };
            (c.name.as_str(), contract)
        })
        .collect();
    let shared = ContainerContract {
        user: common(&own, |c| c.user.clone()),
        readonly_root_filesystem: common(&own, |c| c.readonly_root_filesystem),
        privileged: common(&own, |c| c.privileged),
        require_limits: common(&own, |c| c.require_limits),
        cpu: None,
        memory: None,
    };
    let mut contracts = BTreeMap::new();
    for (name, contract) in &own {
        let differs = ContainerContract {
            user: contract.user.clone().filter(|_| shared.user.is_none()),
            readonly_root_filesystem: contract
                .readonly_root_filesystem
                .filter(|_| shared.readonly_root_filesystem.is_none()),
            privileged: contract.privileged.filter(|_| shared.privileged.is_none()),
            require_limits: contract
                .require_limits
                .filter(|_| shared.require_limits.is_none()),
            cpu: None,
            memory: None,
        };
        if differs != ContainerContract::default() {
            contracts.insert((*name).to_owned(), differs);
        }
    }
    if shared != ContainerContract::default() {
        contracts.insert(ALL_CONTAINERS.to_owned(), shared);
    }
    contracts
}

/// The value every container's contract has for a field, if they all have the same one.
fn common<T: PartialEq>(
    contracts: &[(&str, ContainerContract)],
    field: impl Fn(&ContainerContract) -> Option<T>,
) -> Option<T> {
    let mut values = contracts.iter().map(|(_, c)| field(c));
    let first = values.next()??;
    values.all(|v| v.as_ref() == Some(&first)).then_some(first)
}

/// The imported `Secret` manifest a container secret's `valueFrom` names: its ARN, or the
/// partial ARN ECS also takes (without Secrets Manager's six-character suffix), either
/// followed by a JSON key and version (`:key:stage:id`).
fn secret_manifest(cx: ImportContext<'_>, value_from: &str) -> Option<String> {
    let (scope, rest) = value_from.split_once(":secret:")?;
    let wanted = rest.split(':').next()?;
    cx.names.iter().find_map(|(arn, name)| {
        let (arn_scope, arn_name) = arn.split_once(":secret:")?;
        let partial = arn_name
            .rsplit_once('-')
            .filter(|(_, suffix)| suffix.len() == 6)
            .map(|(base, _)| base);
        (arn_scope == scope && (arn_name == wanted || partial == Some(wanted)))
            .then(|| name.clone())
    })
}

#[cfg(test)]
mod tests;
