//! Security-group write calls, one `SgOp` each, all idempotent. Operations on a group created
//! in the same apply, or rules that reference one, name the group; its id is looked up by
//! name and VPC when the operation runs (with a short wait, as EC2 is eventually consistent).

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use afu9_spec::ec2::CanonicalRule;
use afu9_spec::sg_rules::{DescribedRule, Direction, Peer};
use afu9_spec::tags::Tags;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    Filter, IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType, Tag, TagSpecification,
    UserIdGroupPair,
};
use backon::{ExponentialBuilder, Retryable};

use crate::aws::{Aws, AwsError, ErrorClass};
use crate::engine::{OpFuture, OpOutcome, Operation, Phase, WriteCall};

/// The group an operation acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupRef {
    /// An existing group.
    Id(String),
    /// A group created earlier in the same apply, found by name in its VPC.
    Named {
        /// Group name.
        name: String,
        /// VPC id.
        vpc: String,
    },
}

/// A rule to authorize.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlannedRule {
    /// Every part known at plan time.
    Known(DescribedRule),
    /// The peer is a managed group created in the same apply.
    PeerGroup {
        /// The rule, its peer still a name.
        rule: CanonicalRule,
        /// The peer group's manifest name.
        group: String,
        /// The peer group's VPC.
        vpc: String,
    },
}

impl PlannedRule {
    /// Ingress or egress.
    pub fn direction(&self) -> Direction {
        match self {
            Self::Known(rule) => rule.rule.direction,
            Self::PeerGroup { rule, .. } => rule.direction,
        }
    }
}

impl fmt::Display for PlannedRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known(rule) => write!(f, "{rule}"),
            Self::PeerGroup { rule, group, .. } => {
                let shown = rule
                    .with_peer(Peer::group("sg-new", None, None))
                    .map(|r| {
                        r.to_string()
                            .replace("sg-new", &format!("group {group} (id known after apply)"))
                    })
                    .unwrap_or_default();
                f.write_str(&shown)
            }
        }
    }
}

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
    },
    /// Delete a group that is being replaced.
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

    fn phase(&self) -> Phase {
        match self {
            Self::CreateSecurityGroup { .. } | Self::DeleteSecurityGroup { .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(&aws.ec2))
    }
}

impl WriteCall for SgOp {
    fn subject(&self) -> String {
        "update security group".to_owned()
    }
}

impl SgOp {
    async fn run(&self, ec2: &Client) -> Result<OpOutcome, AwsError> {
        match self {
            Self::CreateSecurityGroup {
                name,
                description,
                vpc,
                tags,
            } => {
                let result = self.done(
                    ec2.create_security_group()
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
                        .await,
                );
                already(
                    result,
                    "InvalidGroup.Duplicate",
                    "the group already exists; the next pass reconciles it",
                )
            }
            Self::DeleteSecurityGroup { group_id } => {
                let result = self.done(ec2.delete_security_group().group_id(group_id).send().await);
                already(result, "InvalidGroup.NotFound", "already gone")
            }
            Self::RevokeByPermission { group, rules } => {
                let group_id = resolve_group(ec2, group).await?;
                let permissions = rules.iter().map(permission).collect();
                let result = self.done(
                    ec2.revoke_security_group_egress()
                        .group_id(group_id)
                        .set_ip_permissions(Some(permissions))
                        .send()
                        .await,
                );
                already(result, "InvalidPermission.NotFound", "already revoked")
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

    async fn revoke_by_ids(
        &self,
        ec2: &Client,
        group_id: &str,
        direction: Direction,
        rule_ids: &[String],
    ) -> Result<OpOutcome, AwsError> {
        let result = match direction {
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
        };
        already(
            result,
            "InvalidSecurityGroupRuleId.NotFound",
            "already revoked",
        )
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
                PlannedRule::PeerGroup { group, vpc, .. } => Some((group.clone(), vpc.clone())),
                PlannedRule::Known(_) => None,
            })
            .collect();
        let peer_ids = resolve_names(ec2, &peers).await?;
        let permissions = rules
            .iter()
            .map(|r| planned_permission(r, &peer_ids))
            .collect::<Result<Vec<_>, _>>()?;
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

/// Treats the error code `code` as "already done".
fn already(
    result: Result<OpOutcome, AwsError>,
    code: &str,
    note: &str,
) -> Result<OpOutcome, AwsError> {
    match result {
        Err(err) if err.is_code(code) => Ok(OpOutcome::AlreadyDone(note.to_owned())),
        other => other,
    }
}

async fn resolve_group(ec2: &Client, group: &GroupRef) -> Result<String, AwsError> {
    match group {
        GroupRef::Id(id) => Ok(id.clone()),
        GroupRef::Named { name, vpc } => {
            let ids = resolve_names(ec2, &[(name.clone(), vpc.clone())]).await?;
            Ok(ids.get(name).cloned().unwrap_or_default())
        }
    }
}

/// Group ids of `groups` (name, VPC), waiting a little for groups created moments ago.
async fn resolve_names(
    ec2: &Client,
    groups: &[(String, String)],
) -> Result<HashMap<String, String>, AwsError> {
    if groups.is_empty() {
        return Ok(HashMap::new());
    }
    let lookup = || async {
        let names: Vec<String> = groups.iter().map(|(n, _)| n.clone()).collect();
        let output = ec2
            .describe_security_groups()
            .filters(
                Filter::builder()
                    .name("group-name")
                    .set_values(Some(names))
                    .build(),
            )
            .send()
            .await
            .map_err(|err| {
                AwsError::from_sdk("find new security groups", "DescribeSecurityGroups", &err)
            })?;
        let found: HashMap<String, String> = output
            .security_groups
            .unwrap_or_default()
            .into_iter()
            .filter(|g| {
                groups
                    .iter()
                    .any(|(n, v)| g.group_name() == Some(n) && g.vpc_id() == Some(v))
            })
            .filter_map(|g| Some((g.group_name?, g.group_id?)))
            .collect();
        match groups.iter().find(|(name, _)| !found.contains_key(name)) {
            Some((name, vpc)) => Err(AwsError {
                resource: format!("find security group {name}"),
                operation: "DescribeSecurityGroups",
                class: ErrorClass::Transient,
                code: Some("NotFoundYet".to_owned()),
                message: format!("no group {name} in {vpc} yet"),
            }),
            None => Ok(found),
        }
    };
    lookup
        .retry(
            ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(250))
                .with_max_times(5),
        )
        .when(|err: &AwsError| err.is_code("NotFoundYet"))
        .await
}

fn planned_permission(
    rule: &PlannedRule,
    peer_ids: &HashMap<String, String>,
) -> Result<IpPermission, AwsError> {
    match rule {
        PlannedRule::Known(rule) => Ok(permission(rule)),
        PlannedRule::PeerGroup { rule, group, .. } => {
            let id = peer_ids.get(group).cloned().unwrap_or_default();
            let described = rule
                .with_peer(Peer::group(&id, None, None))
                .map_err(|err| AwsError {
                    resource: format!("rule to group {group}"),
                    operation: "AuthorizeSecurityGroupIngress",
                    class: ErrorClass::Terminal,
                    code: None,
                    message: err.to_string(),
                })?;
            Ok(permission(&described))
        }
    }
}

/// The EC2 permission for one atomic rule.
fn permission(rule: &DescribedRule) -> IpPermission {
    let atomic = &rule.rule;
    let (from, to) = atomic.aws_ports();
    let description = rule.description.clone();
    let builder = IpPermission::builder()
        .ip_protocol(atomic.protocol.as_aws())
        .set_from_port(from)
        .set_to_port(to);
    match &atomic.peer {
        Peer::Ipv4(cidr) => builder.ip_ranges(
            IpRange::builder()
                .cidr_ip(cidr)
                .set_description(description)
                .build(),
        ),
        Peer::Ipv6(cidr) => builder.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(cidr)
                .set_description(description)
                .build(),
        ),
        Peer::Group { group_id, account } => builder.user_id_group_pairs(
            UserIdGroupPair::builder()
                .group_id(group_id)
                .set_user_id(account.clone())
                .set_description(description)
                .build(),
        ),
        Peer::PrefixList(id) => builder.prefix_list_ids(
            PrefixListId::builder()
                .prefix_list_id(id)
                .set_description(description)
                .build(),
        ),
    }
    .build()
}

fn ec2_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}
