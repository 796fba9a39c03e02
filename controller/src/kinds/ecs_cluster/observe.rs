//! Reading clusters: one `DescribeClusters` (settings and tags) for all of them, then per
//! cluster its named services (ten a `DescribeServices`), the named subnets, their route
//! tables and the named groups' ids.

use std::collections::BTreeMap;

use afu9_spec::Resource;
use afu9_spec::ecs_cluster::EcsClusterSpec;
use aws_sdk_ecs::types::{Cluster, ClusterField, ClusterSettingName};

use super::{AwsVpcObserved, EcsClusterObserved, ServiceObserved};
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};
use crate::refs::groups::group_ids;
use crate::refs::network::{public_routes, resolve_subnets};

/// The most clusters one `DescribeClusters` takes.
const CLUSTERS_PER_CALL: usize = 100;
/// The most services one `DescribeServices` takes.
const SERVICES_PER_CALL: usize = 10;
/// How many clusters' follow-up reads run at once.
const CONCURRENCY: usize = 4;

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<EcsClusterSpec>],
) -> Result<Vec<Option<EcsClusterObserved>>, AwsError> {
    let names: Vec<String> = want.iter().map(|r| r.name().to_owned()).collect();
    let mut clusters = BTreeMap::new();
    for chunk in names.chunks(CLUSTERS_PER_CALL) {
        let answer = aws
            .ecs()
            .describe_clusters()
            .set_clusters(Some(chunk.to_vec()))
            .include(ClusterField::Settings)
            .include(ClusterField::Tags)
            .send()
            .await
            .map_err(|err| AwsError::from_sdk("observe clusters", "DescribeClusters", &err))?;
        for cluster in answer.clusters.unwrap_or_default() {
            if cluster.status() != Some("INACTIVE")
                && let Some(name) = cluster.cluster_name.clone()
            {
                clusters.insert(name, cluster);
            }
        }
    }
    windowed(
        want.iter().map(|resource| {
            let cluster = clusters.remove(resource.name());
            async move {
                match cluster {
                    Some(cluster) => details(aws, resource, cluster).await.map(Some),
                    None => Ok(None),
                }
            }
        }),
        CONCURRENCY,
    )
    .await
}

async fn details(
    aws: &Aws,
    resource: &Resource<EcsClusterSpec>,
    cluster: Cluster,
) -> Result<EcsClusterObserved, AwsError> {
    let what = format!("observe cluster {}", resource.name());
    let services = describe_services(aws, &what, resource).await?;
    let refs = resource
        .spec
        .services
        .values()
        .flat_map(|s| s.subnets.iter().cloned());
    let mut subnets = resolve_subnets(aws.ec2(), &what, refs).await?;
    // Live subnets the manifest does not name, read only to show them by name (no call when
    // the service is where the manifest wants it).
    let unnamed: Vec<String> = services
        .values()
        .flatten()
        .filter_map(|s| s.awsvpc.as_ref())
        .flat_map(|a| a.subnets.iter())
        .filter(|id| !subnets.values().flatten().any(|s| &s.id == *id))
        .cloned()
        .collect();
    if !unnamed.is_empty() {
        subnets.extend(resolve_subnets(aws.ec2(), &what, unnamed).await?);
    }
    let by_id: BTreeMap<String, String> = subnets
        .values()
        .flatten()
        .map(|s| (s.id.clone(), s.vpc.clone()))
        .collect();
    let mut vpcs: Vec<&String> = by_id.values().collect();
    vpcs.sort();
    vpcs.dedup();
    let groups = async {
        match vpcs.as_slice() {
            [vpc] => {
                let names = resource
                    .spec
                    .services
                    .values()
                    .flat_map(|s| s.security_groups.iter().cloned());
                group_ids(aws.ec2(), &what, vpc, names).await
            }
            _ => Ok(BTreeMap::new()),
        }
    };
    let (public, groups) =
        futures_util::try_join!(public_routes(aws.ec2(), &what, &by_id), groups)?;
    Ok(EcsClusterObserved {
        arn: cluster.cluster_arn().unwrap_or_default().to_owned(),
        container_insights: cluster
            .settings()
            .iter()
            .find(|s| s.name() == Some(&ClusterSettingName::ContainerInsights))
            .and_then(|s| s.value().map(str::to_owned)),
        tags: cluster
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
            .collect(),
        services,
        subnets,
        public_routes: public,
        group_ids: groups,
    })
}

async fn describe_services(
    aws: &Aws,
    what: &str,
    resource: &Resource<EcsClusterSpec>,
) -> Result<BTreeMap<String, Option<ServiceObserved>>, AwsError> {
    let names: Vec<String> = resource.spec.services.keys().cloned().collect();
    let mut found: BTreeMap<String, Option<ServiceObserved>> =
        names.iter().map(|n| (n.clone(), None)).collect();
    for chunk in names.chunks(SERVICES_PER_CALL) {
        let answer = aws
            .ecs()
            .describe_services()
            .cluster(resource.name())
            .set_services(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|err| AwsError::from_sdk(what, "DescribeServices", &err))?;
        for service in answer.services.unwrap_or_default() {
            if service.status() == Some("INACTIVE") {
                continue;
            }
            let awsvpc = service
                .network_configuration()
                .and_then(|n| n.awsvpc_configuration())
                .map(|c| {
                    let mut subnets = c.subnets().to_vec();
                    subnets.sort();
                    let mut groups = c.security_groups().to_vec();
                    groups.sort();
                    AwsVpcObserved {
                        assign_public_ip: c
                            .assign_public_ip()
                            .map_or("DISABLED", |a| a.as_str())
                            .to_owned(),
                        subnets,
                        security_groups: groups,
                    }
                });
            if let Some(name) = service.service_name() {
                found.insert(name.to_owned(), Some(ServiceObserved { awsvpc }));
            }
        }
    }
    Ok(found)
}
