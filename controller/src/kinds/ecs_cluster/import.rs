//! Importing clusters: every active cluster of the region (`ListClusters`) with its
//! Container Insights setting, and the `awsvpc` placement of each of its services
//! (`ListServices`) that the manifest can state: subnets by id (subnets are no kind), security
//! groups by the names of imported `SecurityGroup` manifests. A service behind a group no
//! imported manifest names, or not in `awsvpc` mode, is left out (its placement unmanaged):
//! the manifest names groups only by `SecurityGroup` manifest.

use std::collections::BTreeMap;

use afu9_spec::ecs_cluster::{AssignPublicIp, ContainerInsights, EcsClusterSpec, ServicePlacement};
use afu9_spec::tags::Tags;

use super::{AwsVpcObserved, EcsClusterObserved, EcsClusters};
use crate::aws::{Aws, AwsError};
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports};

const WHAT: &str = "import clusters";

impl Imports for EcsClusters {
    const FILE: &'static str = "data.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, EcsClusterSpec> {
        Box::pin(async move {
            let mut found = Vec::new();
            for cluster in list_clusters(aws).await? {
                let services = list_services(aws, &cluster).await?;
                found.push((cluster, probe(services)));
            }
            Ok(found)
        })
    }

    fn import(cx: ImportContext<'_>, name: &str, have: &EcsClusterObserved) -> EcsClusterSpec {
        import(cx, name, have)
    }
}

/// Every cluster's name (paginated `ListClusters`, which answers ARNs).
async fn list_clusters(aws: &Aws) -> Result<Vec<String>, AwsError> {
    let mut names = Vec::new();
    let mut pages = aws.ecs().list_clusters().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| AwsError::from_sdk(WHAT, "ListClusters", &err))?;
        names.extend(page.cluster_arns().iter().map(|arn| last_segment(arn)));
    }
    Ok(names)
}

/// The names of `cluster`'s services (paginated `ListServices`, which answers ARNs).
async fn list_services(aws: &Aws, cluster: &str) -> Result<Vec<String>, AwsError> {
    let what = format!("import cluster {cluster}");
    let mut names = Vec::new();
    let mut pages = aws
        .ecs()
        .list_services()
        .cluster(cluster)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| AwsError::from_sdk(&what, "ListServices", &err))?;
        names.extend(page.service_arns().iter().map(|arn| last_segment(arn)));
    }
    Ok(names)
}

/// The name at the end of a cluster or service ARN (`…:service/afu9/web` and the older
/// `…:service/web`).
fn last_segment(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_owned()
}

/// A manifest naming every service, so that `observe` reads each one's placement (and the
/// live subnets, by id); it names no subnet or group, so observe looks none up by name.
fn probe(services: Vec<String>) -> EcsClusterSpec {
    EcsClusterSpec {
        container_insights: None,
        services: services
            .into_iter()
            .map(|service| {
                (
                    service,
                    ServicePlacement {
                        assign_public_ip: AssignPublicIp::Disabled,
                        subnets: Vec::new(),
                        security_groups: Vec::new(),
                    },
                )
            })
            .collect(),
        tags: Tags::new(),
    }
}

fn import(cx: ImportContext<'_>, _name: &str, have: &EcsClusterObserved) -> EcsClusterSpec {
    EcsClusterSpec {
        // ECS reports no setting for a cluster created without one: off, as the plan reads it.
        container_insights: match have.container_insights.as_deref().unwrap_or("disabled") {
            "enabled" => Some(ContainerInsights::Enabled),
            "enhanced" => Some(ContainerInsights::Enhanced),
            "disabled" => Some(ContainerInsights::Disabled),
            _ => None,
        },
        services: have
            .services
            .iter()
            .filter_map(|(service, live)| {
                let awsvpc = live.as_ref()?.awsvpc.as_ref()?;
                Some((service.clone(), placement(cx, awsvpc)?))
            })
            .collect::<BTreeMap<_, _>>(),
        tags: manifest_tags(&have.tags),
    }
}

/// The placement as a manifest states it, or `None` when a group is not an imported
/// `SecurityGroup` manifest's.
fn placement(cx: ImportContext<'_>, live: &AwsVpcObserved) -> Option<ServicePlacement> {
    Some(ServicePlacement {
        assign_public_ip: match live.assign_public_ip.as_str() {
            "DISABLED" => AssignPublicIp::Disabled,
            "ENABLED" => AssignPublicIp::Enabled,
            _ => return None,
        },
        subnets: live.subnets.clone(),
        security_groups: live
            .security_groups
            .iter()
            .map(|id| cx.name_of(id).map(str::to_owned))
            .collect::<Option<_>>()?,
    })
}

#[cfg(test)]
mod tests;
