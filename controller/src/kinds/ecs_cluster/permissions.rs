//! The IAM actions of `EcsCluster`: the cluster and service calls name their ARNs; the private-subnet check's EC2 `Describe*` take no resource (`*`).

use afu9_spec::ecs_cluster::EcsClusterSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};
use crate::refs::network;

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<EcsClusterSpec>],
) -> Vec<Grant> {
    let clusters: Vec<String> = want
        .iter()
        .map(|r| scope.arn("ecs", &format!("cluster/{}", r.name())))
        .collect();
    let services: Vec<String> = want
        .iter()
        .flat_map(|r| {
            r.spec
                .services
                .keys()
                .map(|service| scope.arn("ecs", &format!("service/{}/{service}", r.name())))
        })
        .collect();
    let both: Vec<String> = clusters.iter().chain(&services).cloned().collect();
    let mut grants = vec![
        Grant::any(Access::Read, network::READS),
        Grant::new(Access::Read, &["ecs:DescribeClusters"], clusters.clone()),
        Grant::new(Access::Read, &["ecs:DescribeServices"], services.clone()),
        Grant::new(Access::Write, &["ecs:UpdateCluster"], clusters),
        Grant::new(Access::Write, &["ecs:UpdateService"], services),
        Grant::new(
            Access::Write,
            &["ecs:TagResource", "ecs:UntagResource"],
            both,
        ),
    ];
    grants.retain(|grant| !grant.resources.is_empty());
    grants
}
