//! Pruning orphan roles: a role that an active ECS task-definition revision or a service
//! still names is kept, with what uses it; otherwise its inline policies are deleted, its
//! managed policies detached, it is taken out of its instance profiles, and deleted.

use super::{IamRoles, RoleOp};
use crate::aws::{Aws, AwsError};
use crate::engine::{Deletion, Deletions, Orphan, PruneContext, Prunes};
use crate::permissions::{Access, ArnScope, Grant};
use crate::plan::Operation;
use crate::refs::ecs::roles_in_use;

impl Prunes for IamRoles {
    fn pruning_grants(scope: &ArnScope) -> Vec<Grant> {
        let any_role = vec![scope.global_arn("iam", "role/*")];
        vec![
            Grant::any(
                Access::Read,
                &[
                    "ecs:DescribeTaskDefinition",
                    "ecs:ListClusters",
                    "ecs:ListServices",
                    "ecs:ListTaskDefinitions",
                ],
            ),
            Grant::new(
                Access::Read,
                &["ecs:DescribeServices"],
                vec![scope.arn("ecs", "service/*")],
            ),
            Grant::new(
                Access::Read,
                &["iam:ListInstanceProfilesForRole"],
                any_role.clone(),
            ),
            Grant::new(
                Access::Write,
                &[
                    "iam:DeleteRole",
                    "iam:DeleteRolePolicy",
                    "iam:DetachRolePolicy",
                    "iam:RemoveRoleFromInstanceProfile",
                ],
                any_role,
            ),
        ]
    }

    fn delete<'a>(
        aws: &'a Aws,
        cx: PruneContext<'a>,
        orphans: &'a [Orphan<'a, Self>],
    ) -> Deletions<'a> {
        delete(aws, cx, orphans)
    }
}

fn delete<'a>(
    aws: &'a Aws,
    _cx: PruneContext<'a>,
    orphans: &'a [Orphan<'a, IamRoles>],
) -> Deletions<'a> {
    Box::pin(async move {
        let in_use = roles_in_use(aws.ecs()).await?;
        let mut deletions = Vec::with_capacity(orphans.len());
        for orphan in orphans {
            if let Some(users) = in_use.get(orphan.name) {
                deletions.push(Deletion::Blocked(format!(
                    "the role is still used by {}",
                    users.join(", ")
                )));
                continue;
            }
            let role = orphan.name.to_owned();
            let mut calls: Vec<Box<dyn Operation>> = Vec::new();
            for policy in orphan.have.inline_policies.keys() {
                calls.push(Box::new(RoleOp::DeleteRolePolicy {
                    role: role.clone(),
                    policy: policy.clone(),
                }));
            }
            for arn in &orphan.have.managed_policies {
                calls.push(Box::new(RoleOp::DetachRolePolicy {
                    role: role.clone(),
                    arn: arn.clone(),
                }));
            }
            for profile in instance_profiles(aws.iam(), &role).await? {
                calls.push(Box::new(RoleOp::RemoveRoleFromInstanceProfile {
                    role: role.clone(),
                    profile,
                }));
            }
            calls.push(Box::new(RoleOp::DeleteRole { role }));
            deletions.push(Deletion::Delete(calls));
        }
        Ok(deletions)
    })
}

/// The instance profiles that hold the role `role`.
async fn instance_profiles(iam: &aws_sdk_iam::Client, role: &str) -> Result<Vec<String>, AwsError> {
    let mut profiles = Vec::new();
    let mut pages = iam
        .list_instance_profiles_for_role()
        .role_name(role)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            AwsError::from_sdk(
                format!("read instance profiles of iam role {role}"),
                "ListInstanceProfilesForRole",
                &err,
            )
        })?;
        profiles.extend(
            page.instance_profiles()
                .iter()
                .map(|p| p.instance_profile_name().to_owned()),
        );
    }
    Ok(profiles)
}
