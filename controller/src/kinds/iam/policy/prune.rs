//! Pruning orphan policies: one still attached to a role, user or group is kept, naming
//! them (a role pruned in the same apply lets go of it, and the next pass deletes it);
//! otherwise its other versions are deleted, then the policy.

use super::{IamPolicies, PolicyOp};
use crate::aws::{Aws, AwsError};
use crate::engine::{Deletion, Deletions, Orphan, PruneContext, Prunes};
use crate::permissions::{Access, ArnScope, Grant};
use crate::plan::Operation;

impl Prunes for IamPolicies {
    fn pruning_grants(scope: &ArnScope) -> Vec<Grant> {
        let any_policy = vec![scope.global_arn("iam", "policy/*")];
        vec![
            Grant::new(
                Access::Read,
                &["iam:ListEntitiesForPolicy"],
                any_policy.clone(),
            ),
            Grant::new(
                Access::Write,
                &["iam:DeletePolicy", "iam:DeletePolicyVersion"],
                any_policy,
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
    orphans: &'a [Orphan<'a, IamPolicies>],
) -> Deletions<'a> {
    Box::pin(async move {
        let mut deletions = Vec::with_capacity(orphans.len());
        for orphan in orphans {
            let arn = &orphan.have.arn;
            let attached = attachments(aws.iam(), arn).await?;
            if !attached.is_empty() {
                deletions.push(Deletion::Blocked(format!(
                    "the policy is still attached to {}",
                    attached.join(", ")
                )));
                continue;
            }
            let mut calls: Vec<Box<dyn Operation>> = orphan
                .have
                .versions
                .iter()
                .filter(|v| !v.is_default)
                .map(|v| -> Box<dyn Operation> {
                    Box::new(PolicyOp::DeletePolicyVersion {
                        arn: arn.clone(),
                        version: v.id.clone(),
                    })
                })
                .collect();
            calls.push(Box::new(PolicyOp::DeletePolicy { arn: arn.clone() }));
            deletions.push(Deletion::Delete(calls));
        }
        Ok(deletions)
    })
}

/// The roles, users and groups the policy `arn` is attached to (`role afu9-task`).
async fn attachments(iam: &aws_sdk_iam::Client, arn: &str) -> Result<Vec<String>, AwsError> {
    let mut attached = Vec::new();
    let mut pages = iam
        .list_entities_for_policy()
        .policy_arn(arn)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            AwsError::from_sdk(
                format!("read the attachments of iam policy {arn}"),
                "ListEntitiesForPolicy",
                &err,
            )
        })?;
        let named = |what: &str, name: Option<&str>| format!("{what} {}", name.unwrap_or("?"));
        attached.extend(
            page.policy_roles()
                .iter()
                .map(|r| named("role", r.role_name())),
        );
        attached.extend(
            page.policy_users()
                .iter()
                .map(|u| named("user", u.user_name())),
        );
        attached.extend(
            page.policy_groups()
                .iter()
                .map(|g| named("group", g.group_name())),
        );
    }
    Ok(attached)
}
