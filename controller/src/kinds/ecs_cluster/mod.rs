//! `EcsCluster`: Container Insights on a cluster and the network placement of the services the
//! manifest names, adopted (the application's stack creates both).
//!
//! A kind of its own rather than part of `EcsTaskDefinition`: that kind's resource is a
//! task-definition family, untagged (the family belongs to the deployment), and it only
//! points services at a revision; placement is a property of the service and Container
//! Insights of the cluster, both taggable resources whose ownership the engine checks.
//!
//! Reads: one `DescribeClusters` for every managed cluster (settings and tags included), then
//! per cluster `DescribeServices` (ten a call), the named subnets (`DescribeSubnets`), their
//! route tables (`DescribeRouteTables`) and the named security groups' ids
//! (`DescribeSecurityGroups`).

mod apply;
mod attest;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;

use std::collections::BTreeMap;

use afu9_spec::ecs_cluster::EcsClusterSpec;
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation};
use crate::refs::groups::created_groups;

pub use apply::{ClusterOp, Placement};

use crate::refs::network::{PublicRoute, Subnet};

/// The ECS cluster kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct EcsClusters;

/// A cluster as ECS reports it, with what placement needs from EC2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcsClusterObserved {
    /// The cluster ARN (tagging needs it).
    pub arn: String,
    /// The `containerInsights` setting; `None` when ECS reports none.
    pub container_insights: Option<String>,
    /// All tags.
    pub tags: Tags,
    /// The named services, by name; `None` when the service does not exist.
    pub services: BTreeMap<String, Option<ServiceObserved>>,
    /// The manifest's subnet references (id or `Name` tag) and the subnets they match, and
    /// the services' other live subnets by id (to show them by name).
    pub subnets: BTreeMap<String, Vec<Subnet>>,
    /// The named subnets that route to an internet gateway, by subnet id.
    pub public_routes: BTreeMap<String, PublicRoute>,
    /// The named security groups' ids in the subnets' VPC (name → id).
    pub group_ids: BTreeMap<String, String>,
}

/// A service's network placement as ECS reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceObserved {
    /// The `awsvpc` configuration; `None` for a service whose tasks are not in `awsvpc`
    /// mode.
    pub awsvpc: Option<AwsVpcObserved>,
}

/// An `awsvpcConfiguration`, lists sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsVpcObserved {
    /// `ENABLED` or `DISABLED` (ECS's default when absent).
    pub assign_public_ip: String,
    /// Subnet ids.
    pub subnets: Vec<String>,
    /// Security group ids.
    pub security_groups: Vec<String>,
}

impl ManagedKind for EcsClusters {
    type Spec = EcsClusterSpec;
    type Observed = EcsClusterObserved;
    const SERVICE: &'static str = "ECS";
    const NOUN: &'static str = "cluster";
    /// ECS's bound (a posture has a few clusters and services).
    const WRITE_LIMIT: usize = 4;

    /// The `SecurityGroup` manifests its services name, created (their ids go into
    /// `UpdateService`; one created by the same apply is looked up by name when it runs).
    fn depends_on(state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency> {
        created_groups(
            state,
            want.spec.services.values().flat_map(|s| &s.security_groups),
        )
    }

    fn permissions(
        state: &DesiredState,
        scope: &ArnScope,
        want: &[Resource<Self::Spec>],
    ) -> Vec<Grant> {
        permissions::permissions(state, scope, want)
    }

    fn observe<'a>(
        &'a self,
        aws: &'a Aws,
        want: &'a [Resource<Self::Spec>],
    ) -> impl Future<Output = Result<Vec<Option<Self::Observed>>, AwsError>> + Send + 'a {
        observe::observe(aws, want)
    }

    fn plan(
        _cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(want, have)
    }
}

impl Tagged for EcsClusters {
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        Some(LiveTags {
            tags: &have.tags,
            target: &have.arn,
        })
    }

    fn tag(arn: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(ClusterOp::TagResource { arn, tags })
    }

    fn untag(arn: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(ClusterOp::UntagResource { arn, keys })
    }
}
