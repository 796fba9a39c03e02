//! Security-group write calls, one `SgOp` each, all idempotent. Operations on a group created
//! in the same apply, or rules that reference one, take its id from the slot its create filled;
//! only when the create found the group already there (a retry after a write that succeeded)
//! is the id looked up by name and VPC (`ec2.rs`, with a short wait, as EC2 is eventually
//! consistent).

use std::collections::HashMap;

use afu9_spec::security_group::rules::{DescribedRule, Direction};
use afu9_spec::tags::Tags;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{IpPermission, ResourceType, Tag, TagSpecification};

use super::ec2::{ec2_tags, permission, planned_permission, resolve_group};
use super::model::{CreatedId, GroupRef, PlannedRule};
use crate::aws::{Aws, AwsError, ErrorClass, OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};
use crate::refs::groups::resolve_names;

/// One EC2 call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SgOp {
    /// Create the group with its tags.
    CreateSecurityGroup {
        /// Group name.
        name: String,
        /// Description.
        description: String,
        /// VPC id.
        vpc: String,
        /// Every tag, the ownership tag included.
        tags: Tags,
        /// Receives the new group's id.
        created: CreatedId,
    },
    /// Delete a group that is being replaced, or an orphan that pruning deletes.
    DeleteSecurityGroup {
        /// Group id.
        group_id: String,
    },
    /// Revoke rules by their content (a new group's default egress).
    RevokeByPermission {
        /// The group.
        group: GroupRef,
        /// Rules to revoke.
        rules: Vec<DescribedRule>,
    },
    /// Revoke rules by their ids.
    RevokeByIds {
        /// Group id.
        group_id: String,
        /// Ingress or egress.
        direction: Direction,
        /// `sgr-…` ids.
        rule_ids: Vec<String>,
    },
    /// Change rule descriptions in place.
    UpdateDescriptions {
        /// Group id.
        group_id: String,
        /// Ingress or egress.
        direction: Direction,
        /// The rules with their new descriptions.
        rules: Vec<DescribedRule>,
    },
    /// Authorize rules.
    Authorize {
        /// The group.
        group: GroupRef,
        /// Ingress or egress.
        direction: Direction,
        /// Rules to add.
        rules: Vec<PlannedRule>,
    },
    /// Add or overwrite tags.
    CreateTags {
        /// Group id.
        group_id: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    DeleteTags {
        /// Group id.
        group_id: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
}

impl Operation for SgOp {
    fn phase(&self) -> Phase {
        match self {
            Self::CreateSecurityGroup { .. } | Self::DeleteSecurityGroup { .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws.ec2()))
    }
}

impl WriteCall for SgOp {
    fn call(&self) -> &'static str {
        match self {
            Self::CreateSecurityGroup { .. } => "CreateSecurityGroup",
            Self::DeleteSecurityGroup { .. } => "DeleteSecurityGroup",
            Self::RevokeByPermission { .. }
            | Self::RevokeByIds {
                direction: Direction::Egress,
                ..
            } => "RevokeSecurityGroupEgress",
            Self::RevokeByIds { .. } => "RevokeSecurityGroupIngress",
            Self::UpdateDescriptions {
                direction: Direction::Ingress,
                ..
            } => "UpdateSecurityGroupRuleDescriptionsIngress",
            Self::UpdateDescriptions { .. } => "UpdateSecurityGroupRuleDescriptionsEgress",
            Self::Authorize {
                direction: Direction::Ingress,
                ..
            } => "AuthorizeSecurityGroupIngress",
            Self::Authorize { .. } => "AuthorizeSecurityGroupEgress",
            Self::CreateTags { .. } => "CreateTags",
            Self::DeleteTags { .. } => "DeleteTags",
        }
    }

    fn subject(&self) -> String {
        match self {
            Self::CreateSecurityGroup { name, vpc, .. } => {
                format!("create security group {name} in {vpc}")
            }
            Self::RevokeByPermission { group, .. } | Self::Authorize { group, .. } => {
                format!("update security group {group}")
            }
            Self::DeleteSecurityGroup { group_id }
            | Self::RevokeByIds { group_id, .. }
            | Self::UpdateDescriptions { group_id, .. }
            | Self::CreateTags { group_id, .. }
            | Self::DeleteTags { group_id, .. } => format!("update security group {group_id}"),
        }
    }
}

/// Whether a revoke's error says the work is done already: the rule (by id on AWS, by id or
/// content on moto) or its whole group is gone.
fn is_gone(err: &AwsError) -> bool {
    err.is_code("InvalidSecurityGroupRuleId.NotFound")
        || err.is_code("InvalidPermission.NotFound")
        || err.is_code("InvalidGroup.NotFound")
}

impl SgOp {
    async fn run(&self, ec2: &Client) -> Result<OpOutcome, AwsError> {
        match self {
            Self::CreateSecurityGroup {
                name,
                description,
                vpc,
                tags,
                created,
            } => {
                let result = ec2
                    .create_security_group()
                    .group_name(name)
                    .description(description)
                    .vpc_id(vpc)
                    .tag_specifications(
                        TagSpecification::builder()
                            .resource_type(ResourceType::SecurityGroup)
                            .set_tags(Some(ec2_tags(tags)))
                            .build(),
                    )
                    .send()
                    .await;
                if let Ok(output) = &result
                    && let Some(id) = output.group_id()
                {
                    let _ = created.set(id.to_owned());
                }
                self.done_unless(
                    result,
                    "InvalidGroup.Duplicate",
                    "the group already exists; the next pass reconciles it",
                )
            }
            Self::DeleteSecurityGroup { group_id } => self.done_unless(
                ec2.delete_security_group().group_id(group_id).send().await,
                "InvalidGroup.NotFound",
                "already gone",
            ),
            Self::RevokeByPermission { group, rules } => {
                let group_id = resolve_group(ec2, group).await?;
                let permissions = rules.iter().map(permission).collect();
                match self.done(
                    ec2.revoke_security_group_egress()
                        .group_id(group_id)
                        .set_ip_permissions(Some(permissions))
                        .send()
                        .await,
                ) {
                    Err(err) if is_gone(&err) => {
                        Ok(OpOutcome::AlreadyDone("already revoked".to_owned()))
                    }
                    other => other,
                }
            }
            Self::RevokeByIds {
                group_id,
                direction,
                rule_ids,
            } => {
                self.revoke_by_ids(ec2, group_id, *direction, rule_ids)
                    .await
            }
            Self::UpdateDescriptions {
                group_id,
                direction,
                rules,
            } => {
                self.update_descriptions(ec2, group_id, *direction, rules)
                    .await
            }
            Self::Authorize {
                group,
                direction,
                rules,
            } => self.authorize(ec2, group, *direction, rules).await,
            Self::CreateTags { group_id, tags } => self.done(
                ec2.create_tags()
                    .resources(group_id)
                    .set_tags(Some(ec2_tags(tags)))
                    .send()
                    .await,
            ),
            Self::DeleteTags { group_id, keys } => {
                let tags = keys.iter().map(|k| Tag::builder().key(k).build()).collect();
                self.done(
                    ec2.delete_tags()
                        .resources(group_id)
                        .set_tags(Some(tags))
                        .send()
                        .await,
                )
            }
        }
    }

    /// Revokes `rule_ids` in one call. A rule already gone (another controller, or a person,
    /// revoked it meanwhile) fails the whole call (`InvalidSecurityGroupRuleId.NotFound` on
    /// AWS, `InvalidPermission.NotFound` on moto) and revokes none: the rules are then revoked
    /// one by one, each one gone counted as done; a group gone is done as well.
    async fn revoke_by_ids(
        &self,
        ec2: &Client,
        group_id: &str,
        direction: Direction,
        rule_ids: &[String],
    ) -> Result<OpOutcome, AwsError> {
        match self.send_revoke(ec2, group_id, direction, rule_ids).await {
            Err(err) if is_gone(&err) && rule_ids.len() > 1 => {
                let mut gone = 0;
                for rule_id in rule_ids {
                    match self
                        .send_revoke(ec2, group_id, direction, std::slice::from_ref(rule_id))
                        .await
                    {
                        Err(err) if is_gone(&err) => gone += 1,
                        other => {
                            other?;
                        }
                    }
                }
                Ok(OpOutcome::AlreadyDone(format!(
                    "{gone} of the rules were revoked already"
                )))
            }
            Err(err) if is_gone(&err) => Ok(OpOutcome::AlreadyDone("already revoked".to_owned())),
            other => other,
        }
    }

    async fn send_revoke(
        &self,
        ec2: &Client,
        group_id: &str,
        direction: Direction,
        rule_ids: &[String],
    ) -> Result<OpOutcome, AwsError> {
        match direction {
            Direction::Ingress => self.done(
                ec2.revoke_security_group_ingress()
                    .group_id(group_id)
                    .set_security_group_rule_ids(Some(rule_ids.to_vec()))
                    .send()
                    .await,
            ),
            Direction::Egress => self.done(
                ec2.revoke_security_group_egress()
                    .group_id(group_id)
                    .set_security_group_rule_ids(Some(rule_ids.to_vec()))
                    .send()
                    .await,
            ),
        }
    }

    async fn update_descriptions(
        &self,
        ec2: &Client,
        group_id: &str,
        direction: Direction,
        rules: &[DescribedRule],
    ) -> Result<OpOutcome, AwsError> {
        let permissions: Vec<IpPermission> = rules.iter().map(permission).collect();
        match direction {
            Direction::Ingress => self.done(
                ec2.update_security_group_rule_descriptions_ingress()
                    .group_id(group_id)
                    .set_ip_permissions(Some(permissions))
                    .send()
                    .await,
            ),
            Direction::Egress => self.done(
                ec2.update_security_group_rule_descriptions_egress()
                    .group_id(group_id)
                    .set_ip_permissions(Some(permissions))
                    .send()
                    .await,
            ),
        }
    }

    /// Authorizes `rules` in one call; when EC2 answers that one of them exists already,
    /// authorizes them one by one, counting each duplicate as done.
    async fn authorize(
        &self,
        ec2: &Client,
        group: &GroupRef,
        direction: Direction,
        rules: &[PlannedRule],
    ) -> Result<OpOutcome, AwsError> {
        let group_id = resolve_group(ec2, group).await?;
        let peers: Vec<(String, String)> = rules
            .iter()
            .filter_map(|r| match r {
                PlannedRule::PeerGroup {
                    group,
                    vpc,
                    created,
                    ..
                } if created.get().is_none() => Some((group.clone(), vpc.clone())),
                _ => None,
            })
            .collect();
        let mut peer_ids = resolve_names(ec2, &peers).await?;
        for rule in rules {
            if let PlannedRule::PeerGroup { group, created, .. } = rule
                && let Some(id) = created.get()
            {
                peer_ids.insert(group.clone(), id.clone());
            }
        }
        let permissions = self.permissions(rules, &peer_ids)?;
        match self
            .send_authorize(ec2, &group_id, direction, permissions.clone())
            .await
        {
            Err(err) if err.is_code("InvalidPermission.Duplicate") => {
                let mut duplicates = 0;
                for permission in permissions {
                    match self
                        .send_authorize(ec2, &group_id, direction, vec![permission])
                        .await
                    {
                        Err(err) if err.is_code("InvalidPermission.Duplicate") => duplicates += 1,
                        other => {
                            other?;
                        }
                    }
                }
                Ok(OpOutcome::AlreadyDone(format!(
                    "{duplicates} of the rules existed already"
                )))
            }
            other => other,
        }
    }

    /// The permissions of `rules`, or this call's error for the first that cannot be sent.
    fn permissions(
        &self,
        rules: &[PlannedRule],
        peer_ids: &HashMap<String, String>,
    ) -> Result<Vec<IpPermission>, AwsError> {
        rules
            .iter()
            .map(|rule| {
                planned_permission(rule, peer_ids)
                    .map_err(|message| self.failure(ErrorClass::Terminal, message))
            })
            .collect()
    }

    async fn send_authorize(
        &self,
        ec2: &Client,
        group_id: &str,
        direction: Direction,
        permissions: Vec<IpPermission>,
    ) -> Result<OpOutcome, AwsError> {
        match direction {
            Direction::Ingress => self.done(
                ec2.authorize_security_group_ingress()
                    .group_id(group_id)
                    .set_ip_permissions(Some(permissions))
                    .send()
                    .await,
            ),
            Direction::Egress => self.done(
                ec2.authorize_security_group_egress()
                    .group_id(group_id)
                    .set_ip_permissions(Some(permissions))
                    .send()
                    .await,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use afu9_spec::security_group::rules::{Direction, Protocol};
    use afu9_spec::security_group::{CanonicalRule, RulePeer};

    use super::{GroupRef, PlannedRule, SgOp};

    /// A rule to a group created in the same apply whose ports cannot form a rule.
    fn unsendable(direction: Direction) -> SgOp {
        SgOp::Authorize {
            group: GroupRef::Id("sg-1".to_owned()),
            direction,
            rules: vec![PlannedRule::PeerGroup {
                rule: CanonicalRule {
                    direction,
                    protocol: Protocol::Tcp,
                    from: Some(70_000),
                    to: Some(70_000),
                    peer: RulePeer::Managed("afu9-alb".to_owned()),
                    description: None,
                },
                group: "afu9-alb".to_owned(),
                vpc: "vpc-1".to_owned(),
                created: super::CreatedId::default(),
            }],
        }
    }

    #[test]
    fn a_rule_that_cannot_be_sent_is_an_error_of_its_own_direction_s_call() {
        for (direction, call) in [
            (Direction::Ingress, "AuthorizeSecurityGroupIngress"),
            (Direction::Egress, "AuthorizeSecurityGroupEgress"),
        ] {
            let op = unsendable(direction);
            let SgOp::Authorize { rules, .. } = &op else {
                unreachable!("built as Authorize")
            };
            let err = op
                .permissions(rules, &HashMap::new())
                .expect_err("ports over 65535 make no rule");
            assert_eq!(err.operation, call);
            assert!(err.resource.contains("sg-1"), "{err}");
            assert!(err.message.contains("afu9-alb"), "{err}");
        }
    }
}
