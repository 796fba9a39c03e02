//! Which IAM roles ECS uses: the task and execution roles of every active task-definition
//! revision, and the role of every service. `IamRole`'s pruning reads it before it deletes a
//! role (ECS's references to roles, read from ECS, not from the `EcsTaskDefinition` kind).

use std::collections::BTreeMap;

use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::TaskDefinitionStatus;

use super::iam::role_name;
use crate::aws::AwsError;
use crate::aws::read::windowed;

/// How many describe calls run at once.
const READS: usize = 8;

/// Role name → what uses it (`task definition app:3 (taskRoleArn)`, `service web in cluster
/// main`), every active revision and every service of the region read.
pub async fn roles_in_use(ecs: &Client) -> Result<BTreeMap<String, Vec<String>>, AwsError> {
    let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut revisions = Vec::new();
    let mut pages = ecs
        .list_task_definitions()
        .status(TaskDefinitionStatus::Active)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            AwsError::from_sdk("list ecs task definitions", "ListTaskDefinitions", &err)
        })?;
        revisions.extend(page.task_definition_arns().iter().cloned());
    }
    let described = windowed(
        revisions.iter().map(|arn| async move {
            ecs.describe_task_definition()
                .task_definition(arn)
                .send()
                .await
                .map_err(|err| {
                    AwsError::from_sdk(
                        format!("read ecs task definition {arn}"),
                        "DescribeTaskDefinition",
                        &err,
                    )
                })
        }),
        READS,
    )
    .await?;
    for output in described {
        let Some(definition) = output.task_definition() else {
            continue;
        };
        let revision = format!(
            "{}:{}",
            definition.family().unwrap_or_default(),
            definition.revision()
        );
        for (field, role) in [
            ("taskRoleArn", definition.task_role_arn()),
            ("executionRoleArn", definition.execution_role_arn()),
        ] {
            if let Some(role) = role {
                users
                    .entry(role_name(role).to_owned())
                    .or_default()
                    .push(format!("task definition {revision} ({field})"));
            }
        }
    }
    for (cluster, service, role) in service_roles(ecs).await? {
        users
            .entry(role_name(&role).to_owned())
            .or_default()
            .push(format!("service {service} in cluster {cluster}"));
    }
    Ok(users)
}

/// Every service that names a role: its cluster's name, its name, the role.
async fn service_roles(ecs: &Client) -> Result<Vec<(String, String, String)>, AwsError> {
    let mut clusters = Vec::new();
    let mut pages = ecs.list_clusters().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|err| AwsError::from_sdk("list ecs clusters", "ListClusters", &err))?;
        clusters.extend(page.cluster_arns().iter().cloned());
    }
    let mut roles = Vec::new();
    for cluster in &clusters {
        let mut services = Vec::new();
        let mut pages = ecs.list_services().cluster(cluster).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|err| {
                AwsError::from_sdk(format!("list services of {cluster}"), "ListServices", &err)
            })?;
            services.extend(page.service_arns().iter().cloned());
        }
        for chunk in services.chunks(10) {
            let described = ecs
                .describe_services()
                .cluster(cluster)
                .set_services(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(|err| {
                    AwsError::from_sdk(
                        format!("read services of {cluster}"),
                        "DescribeServices",
                        &err,
                    )
                })?;
            for service in described.services() {
                if let Some(role) = service.role_arn() {
                    roles.push((
                        role_name(cluster).to_owned(),
                        service.service_name().unwrap_or_default().to_owned(),
                        role.to_owned(),
                    ));
                }
            }
        }
    }
    Ok(roles)
}
