//! Rules for `EcsCluster` manifests: guardrails (Security Hub ECS.2, ECS.12) and references
//! to security groups.

use super::{AssignPublicIp, ContainerInsights, EcsClusterSpec};
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::{check_tags, rule_error};

/// Guardrail: Container Insights off (ECS.12).
pub const NO_INSIGHTS: &str = "AFU9-CLUSTER-001";
/// Guardrail: tasks with public IPs (ECS.2).
pub const PUBLIC_IP: &str = "AFU9-CLUSTER-002";
/// A security group that no `SecurityGroup` manifest names.
pub const DANGLING_GROUP: &str = "AFU9-CLUSTER-003";
/// A service placed in no subnet or behind no group.
pub const EMPTY_PLACEMENT: &str = "AFU9-CLUSTER-004";

impl Validate for EcsClusterSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        for cluster in &state.ecs_clusters {
            check(state, cluster, errors);
            check_tags(&cluster.source, &cluster.spec.tags, errors);
        }
    }
}

fn check(
    state: &DesiredState,
    cluster: &Resource<EcsClusterSpec>,
    errors: &mut Vec<ManifestError>,
) {
    let error = rule_error(cluster);
    if cluster.spec.container_insights == Some(ContainerInsights::Disabled) {
        errors.push(
            error(
                "spec.containerInsights",
                NO_INSIGHTS,
                "Container Insights would be off; Security Hub ECS.12".to_owned(),
            )
            .hint("set containerInsights: enabled (or enhanced)"),
        );
    }
    for (service, placement) in &cluster.spec.services {
        let field = |name: &str| format!("spec.services.{service}.{name}");
        if placement.assign_public_ip == AssignPublicIp::Enabled {
            errors.push(
                error(
                    &field("assignPublicIp"),
                    PUBLIC_IP,
                    "the service's tasks would get public IPs; Security Hub ECS.2".to_owned(),
                )
                .hint("set assignPublicIp: DISABLED; reach the internet through a NAT gateway"),
            );
        }
        for (list, name) in [
            (&placement.subnets, "subnets"),
            (&placement.security_groups, "securityGroups"),
        ] {
            if list.is_empty() {
                errors.push(error(
                    &field(name),
                    EMPTY_PLACEMENT,
                    "must name at least one".to_owned(),
                ));
            }
        }
        for (index, group) in placement.security_groups.iter().enumerate() {
            if !state.security_groups.iter().any(|sg| sg.name() == group) {
                errors.push(
                    error(
                        &field(&format!("securityGroups[{index}]")),
                        DANGLING_GROUP,
                        format!("no SecurityGroup manifest is named `{group}`"),
                    )
                    .hint("name a SecurityGroup manifest of this desired state"),
                );
            }
        }
    }
}
