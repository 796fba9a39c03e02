//! Reading families: `DescribeTaskDefinition` by family name (ECS answers with the latest
//! ACTIVE revision; tags in the same call), a few at a time, and `DescribeServices` per
//! cluster for the listed services (ten a call); then the superseded revisions of the families
//! that manage them (`superseded::read`).
//!
//! What ECS adds on read is normalised here: an absent flag is `false`, `cpu: 0` is no CPU
//! limit, an empty user is none, containers and variables are sorted by name. Everything else
//! (empty `mountPoints`, `hostPort` filled in for `awsvpc`, …) is outside the contract and is
//! carried over to the next revision untouched.

use std::collections::{BTreeMap, HashMap};

use afu9_spec::Resource;
use afu9_spec::ecs::EcsTaskDefinitionSpec;
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{Tag, TaskDefinition, TaskDefinitionField};

use super::container::containers;
use super::{Revision, ServiceObserved, TaskDefinitionObserved};
use crate::aws::AwsError;
use crate::aws::read::windowed;

/// How many families are read at once.
const CONCURRENCY: usize = 8;
/// The most services one `DescribeServices` call takes.
const SERVICES_PER_CALL: usize = 10;

pub(super) async fn observe(
    ecs: &Client,
    want: &[Resource<EcsTaskDefinitionSpec>],
) -> Result<Vec<Option<TaskDefinitionObserved>>, AwsError> {
    let services = describe_services(ecs, want).await?;
    let described = windowed(
        want.iter()
            .map(|resource| describe_family(ecs, resource.name())),
        CONCURRENCY,
    )
    .await?;
    let mut observed: Vec<_> = want
        .iter()
        .zip(described)
        .map(|(resource, described)| {
            described.map(|(definition, tags)| {
                let listed = resource
                    .spec
                    .services
                    .iter()
                    .map(|s| ServiceObserved {
                        cluster: s.cluster.clone(),
                        service: s.service.clone(),
                        task_definition: services
                            .get(&(s.cluster.clone(), s.service.clone()))
                            .cloned(),
                    })
                    .collect();
                from_sdk(definition, tags, listed)
            })
        })
        .collect();
    super::superseded::read(ecs, want, &mut observed).await?;
    Ok(observed)
}

/// The latest ACTIVE revision of `family`, or `None` when it has none.
async fn describe_family(
    ecs: &Client,
    family: &str,
) -> Result<Option<(TaskDefinition, Vec<Tag>)>, AwsError> {
    match ecs
        .describe_task_definition()
        .task_definition(family)
        .include(TaskDefinitionField::Tags)
        .send()
        .await
    {
        Ok(output) => Ok(output
            .task_definition
            .map(|definition| (definition, output.tags.unwrap_or_default()))),
        Err(err) => {
            let err = AwsError::from_sdk(
                format!("observe ecs task definition {family}"),
                "DescribeTaskDefinition",
                &err,
            );
            if err.is_code("ClientException") && err.message.contains("Unable to describe") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

/// (cluster, service) → the task definition each listed service runs, for those that exist.
async fn describe_services(
    ecs: &Client,
    want: &[Resource<EcsTaskDefinitionSpec>],
) -> Result<HashMap<(String, String), String>, AwsError> {
    let mut by_cluster: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for resource in want {
        for service in &resource.spec.services {
            by_cluster
                .entry(service.cluster.as_str())
                .or_default()
                .push(service.service.as_str());
        }
    }
    let mut found = HashMap::new();
    for (cluster, names) in by_cluster {
        for chunk in names.chunks(SERVICES_PER_CALL) {
            let output = ecs
                .describe_services()
                .cluster(cluster)
                .set_services(Some(chunk.iter().map(|s| (*s).to_owned()).collect()))
                .send()
                .await
                .map_err(|err| {
                    AwsError::from_sdk(
                        format!("observe ecs services in cluster {cluster}"),
                        "DescribeServices",
                        &err,
                    )
                })?;
            for service in output.services.unwrap_or_default() {
                if let (Some(name), Some(definition)) =
                    (service.service_name, service.task_definition)
                    && service.status.as_deref() != Some("INACTIVE")
                {
                    found.insert((cluster.to_owned(), name), definition);
                }
            }
        }
    }
    Ok(found)
}

/// A described revision in the contract's vocabulary.
pub(super) fn from_sdk(
    definition: TaskDefinition,
    tags: Vec<Tag>,
    services: Vec<ServiceObserved>,
) -> TaskDefinitionObserved {
    let containers = containers(&definition);
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
