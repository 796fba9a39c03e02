//! Pruning orphan security groups: one still attached to a network interface, or named by
//! another group's rules, is kept with what holds it; otherwise it is deleted.

use aws_sdk_ec2::types::Filter;

use super::{SecurityGroups, SgOp};
use crate::aws::{Aws, AwsError};
use crate::engine::{Deletion, Deletions, Orphan, PruneContext, Prunes};
use crate::permissions::{Access, ArnScope, Grant};

impl Prunes for SecurityGroups {
    fn pruning_grants(scope: &ArnScope) -> Vec<Grant> {
        vec![
            Grant::any(Access::Read, &["ec2:DescribeNetworkInterfaces"]),
            Grant::new(
                Access::Write,
                &["ec2:DeleteSecurityGroup"],
                vec![scope.arn("ec2", "security-group/*")],
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
    orphans: &'a [Orphan<'a, SecurityGroups>],
) -> Deletions<'a> {
    Box::pin(async move {
        let mut deletions = Vec::with_capacity(orphans.len());
        for orphan in orphans {
            let Some(group) = &orphan.have.group else {
                deletions.push(Deletion::Blocked("the group was not found".to_owned()));
                continue;
            };
            let mut holders = attached_interfaces(aws.ec2(), &group.id).await?;
            holders.extend(referencing_groups(aws.ec2(), &group.id).await?);
            deletions.push(if holders.is_empty() {
                Deletion::Delete(vec![Box::new(SgOp::DeleteSecurityGroup {
                    group_id: group.id.clone(),
                })])
            } else {
                Deletion::Blocked(format!("the group is still used: {}", holders.join(", ")))
            });
        }
        Ok(deletions)
    })
}

/// The network interfaces the group `id` is attached to (`attached to network interface
/// eni-1 (ELB app/web)`).
async fn attached_interfaces(ec2: &aws_sdk_ec2::Client, id: &str) -> Result<Vec<String>, AwsError> {
    let mut found = Vec::new();
    let mut pages = ec2
        .describe_network_interfaces()
        .filters(Filter::builder().name("group-id").values(id).build())
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            AwsError::from_sdk(
                format!("read the network interfaces of security group {id}"),
                "DescribeNetworkInterfaces",
                &err,
            )
        })?;
        found.extend(page.network_interfaces().iter().map(|eni| {
            let id = eni.network_interface_id().unwrap_or("?");
            match eni.description().filter(|d| !d.is_empty()) {
                Some(description) => format!("attached to network interface {id} ({description})"),
                None => format!("attached to network interface {id}"),
            }
        }));
    }
    Ok(found)
}

/// The other groups whose inbound or outbound rules name the group `id`.
async fn referencing_groups(ec2: &aws_sdk_ec2::Client, id: &str) -> Result<Vec<String>, AwsError> {
    let mut found = Vec::new();
    for filter in ["ip-permission.group-id", "egress.ip-permission.group-id"] {
        let mut pages = ec2
            .describe_security_groups()
            .filters(Filter::builder().name(filter).values(id).build())
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|err| {
                AwsError::from_sdk(
                    format!("look for rules naming security group {id}"),
                    "DescribeSecurityGroups",
                    &err,
                )
            })?;
            for group in page.security_groups() {
                let other = group.group_id().unwrap_or("?");
                let holder = format!(
                    "named by the rules of security group {other} ({})",
                    group.group_name().unwrap_or("?")
                );
                if other != id && !found.contains(&holder) {
                    found.push(holder);
                }
            }
        }
    }
    Ok(found)
}
