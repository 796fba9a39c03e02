//! The IAM actions of `DbInstance`: `DescribeDBInstances` filters by identifier instead of naming one (`*`), as the private-subnet check's EC2 `Describe*`; the rest names the instance (`db:NAME`) and its parameter group (`pg:NAME`).

use afu9_spec::db_instance::DbInstanceSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};
use crate::refs::network;

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<DbInstanceSpec>],
) -> Vec<Grant> {
    let instances: Vec<String> = want
        .iter()
        .map(|r| scope.arn("rds", &format!("db:{}", r.name())))
        .collect();
    let groups: Vec<String> = want
        .iter()
        .filter_map(|r| r.spec.parameter_group.as_ref())
        .map(|group| scope.arn("rds", &format!("pg:{}", group.name)))
        .collect();
    let both: Vec<String> = instances.iter().chain(&groups).cloned().collect();
    let mut grants = vec![
        Grant::any(Access::Read, network::READS),
        Grant::any(Access::Read, &["rds:DescribeDBInstances"]),
        Grant::new(Access::Read, &["rds:DescribeDBParameters"], groups.clone()),
        Grant::new(
            Access::Write,
            &["rds:CreateDBParameterGroup", "rds:ModifyDBParameterGroup"],
            groups,
        ),
        Grant::new(
            Access::Write,
            &[
                "rds:AddTagsToResource",
                "rds:ModifyDBInstance",
                "rds:RemoveTagsFromResource",
            ],
            both,
        ),
    ];
    grants.retain(|grant| !grant.resources.is_empty());
    grants
}
