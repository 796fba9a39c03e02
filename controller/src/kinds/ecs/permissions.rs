//! The IAM actions of `EcsTaskDefinition`: `DescribeTaskDefinition` and `RegisterTaskDefinition` take no resource (`*`); tagging a revision names `task-definition/FAMILY:*`, `UpdateService` the services, `iam:PassRole` the task and execution roles. A family that manages its superseded revisions also lists its revisions and deregisters them (no resource type), and reads who runs what in every cluster of the account (the list calls take no resource; the services and tasks described are any cluster's).

use afu9_spec::ecs::EcsTaskDefinitionSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};
use crate::refs::iam::role_arn;

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<EcsTaskDefinitionSpec>],
) -> Vec<Grant> {
    let families: Vec<String> = want
        .iter()
        .map(|r| scope.arn("ecs", &format!("task-definition/{}:*", r.name())))
        .collect();
    let services: Vec<String> = want
        .iter()
        .flat_map(|r| &r.spec.services)
        .map(|s| scope.arn("ecs", &format!("service/{}/{}", s.cluster, s.service)))
        .collect();
    let roles: Vec<String> = want
        .iter()
        .flat_map(|r| [&r.spec.task_role, &r.spec.execution_role])
        .flatten()
        .map(|name| role_arn(state, &scope.partition, &scope.account, name))
        .collect();
    let mut grants = vec![
        Grant::any(Access::Read, &["ecs:DescribeTaskDefinition"]),
        Grant::new(Access::Read, &["ecs:DescribeServices"], services.clone()),
        Grant::any(Access::Write, &["ecs:RegisterTaskDefinition"]),
        Grant::new(Access::Write, &["ecs:TagResource"], families),
        Grant::new(Access::Write, &["ecs:UpdateService"], services),
        Grant::new(Access::Write, &["iam:PassRole"], roles),
    ];
    if want.iter().any(|r| r.spec.superseded_revisions.is_some()) {
        grants.extend([
            Grant::any(
                Access::Read,
                &[
                    "ecs:ListClusters",
                    "ecs:ListServices",
                    "ecs:ListTaskDefinitions",
                    "ecs:ListTasks",
                ],
            ),
            Grant::new(
                Access::Read,
                &["ecs:DescribeServices"],
                vec![scope.arn("ecs", "service/*/*")],
            ),
            Grant::new(
                Access::Read,
                &["ecs:DescribeTasks"],
                vec![scope.arn("ecs", "task/*/*")],
            ),
            Grant::any(Access::Write, &["ecs:DeregisterTaskDefinition"]),
        ]);
    }
    grants.retain(|grant| !grant.resources.is_empty());
    grants
}
