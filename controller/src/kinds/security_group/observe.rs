//! Reading groups for all managed groups at once: one `DescribeVpcs` (only when a manifest
//! names its VPC by tags), one `DescribeSecurityGroups` filtered by the managed names, one
//! `DescribeSecurityGroupRules` filtered by their ids (each paginated; filters chunked at
//! 200 values).
//!
//! The VPCs are the pass's shared listing (import finds the default VPC in it too). A whole
//! pass (one that looks for orphans) lists every group anyway: observation then picks its
//! groups out of that shared listing instead of a second, filtered `DescribeSecurityGroups`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use afu9_spec::Resource;
use afu9_spec::security_group::rules::{AtomicRule, Direction, Peer, explode, parse_cidr};
use afu9_spec::security_group::{SecurityGroupSpec, VpcRef};
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, SecurityGroup, SecurityGroupRule, Vpc};

use super::{CreatedId, LiveGroup, LiveRule, SecurityGroupObserved};
use crate::aws::{Aws, AwsError};

const WHAT: &str = "observe security groups";
/// EC2 takes at most this many values in one filter.
const FILTER_VALUES: usize = 200;

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<SecurityGroupSpec>],
) -> Result<Vec<Option<SecurityGroupObserved>>, AwsError> {
    let ec2 = aws.ec2();
    let vpcs = resolve_vpcs(aws, want).await?;
    let names: Vec<String> = want.iter().map(|g| g.name().to_owned()).collect();
    let groups: Arc<Vec<SecurityGroup>> = if aws.whole_pass() {
        list_groups(aws).await?
    } else {
        Arc::new(describe_groups(ec2, &names).await?)
    };
    let mut found: HashMap<&str, &SecurityGroup> = HashMap::new();
    for (resource, vpc) in want.iter().zip(&vpcs) {
        if let Ok(vpc) = vpc
            && let Some(group) = groups.iter().find(|g| {
                g.group_name() == Some(resource.name()) && g.vpc_id() == Some(vpc.as_str())
            })
        {
            found.insert(resource.name(), group);
        }
    }
    let ids: Vec<String> = found.values().filter_map(|g| g.group_id.clone()).collect();
    let mut rules = describe_rules(ec2, &ids).await?;
    let group_ids: Arc<BTreeMap<String, String>> = Arc::new(
        found
            .iter()
            .filter_map(|(name, g)| Some(((*name).to_owned(), g.group_id.clone()?)))
            .collect(),
    );
    let group_vpcs: Arc<BTreeMap<String, String>> = Arc::new(
        want.iter()
            .zip(&vpcs)
            .filter_map(|(resource, vpc)| Some((resource.name().to_owned(), vpc.clone().ok()?)))
            .collect(),
    );
    let created: Arc<BTreeMap<String, CreatedId>> = Arc::new(
        want.iter()
            .filter(|resource| !found.contains_key(resource.name()))
            .map(|resource| (resource.name().to_owned(), CreatedId::default()))
            .collect(),
    );
    Ok(want
        .iter()
        .zip(vpcs)
        .map(|(resource, vpc)| {
            let group = found
                .get(resource.name())
                .map(|group| live_group(group, &mut rules));
            Some(SecurityGroupObserved {
                vpc,
                group,
                group_ids: Arc::clone(&group_ids),
                group_vpcs: Arc::clone(&group_vpcs),
                created: Arc::clone(&created),
            })
        })
        .collect())
}

/// Every VPC of the region (the pass's shared listing).
pub(super) async fn list_vpcs(aws: &Aws) -> Result<Arc<Vec<Vpc>>, AwsError> {
    aws.listing("EC2.DescribeVpcs", || async {
        let mut vpcs = Vec::new();
        let mut pages = aws.ec2().describe_vpcs().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|err| AwsError::from_sdk(WHAT, "DescribeVpcs", &err))?;
            vpcs.extend(page.vpcs.unwrap_or_default());
        }
        Ok(vpcs)
    })
    .await
}

/// The VPC id of each manifest, or why it matched no single VPC.
async fn resolve_vpcs(
    aws: &Aws,
    want: &[Resource<SecurityGroupSpec>],
) -> Result<Vec<Result<String, String>>, AwsError> {
    let by_tags = want.iter().any(|g| matches!(g.spec.vpc, VpcRef::Tags(_)));
    let mut vpcs: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    if by_tags {
        for vpc in &*list_vpcs(aws).await? {
            let tags = vpc
                .tags()
                .iter()
                .filter_map(|t| Some((t.key.clone()?, t.value.clone()?)))
                .collect();
            vpcs.push((vpc.vpc_id.clone().unwrap_or_default(), tags));
        }
    }
    Ok(want
        .iter()
        .map(|group| match &group.spec.vpc {
            VpcRef::Id(id) => Ok(id.clone()),
            VpcRef::Tags(wanted) => {
                let matches: Vec<&str> = vpcs
                    .iter()
                    .filter(|(_, tags)| wanted.iter().all(|(k, v)| tags.get(k) == Some(v)))
                    .map(|(id, _)| id.as_str())
                    .collect();
                let shown = wanted
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                match matches.as_slice() {
                    [one] => Ok((*one).to_owned()),
                    [] => Err(format!("no VPC has the tags {shown}")),
                    many => Err(format!(
                        "{} VPCs have the tags {shown} ({}); name the VPC by id",
                        many.len(),
                        many.join(", ")
                    )),
                }
            }
        })
        .collect())
}

async fn describe_groups(ec2: &Client, names: &[String]) -> Result<Vec<SecurityGroup>, AwsError> {
    let mut groups = Vec::new();
    for chunk in names.chunks(FILTER_VALUES) {
        let filter = Filter::builder()
            .name("group-name")
            .set_values(Some(chunk.to_vec()))
            .build();
        groups.extend(describe_pages(ec2, Some(filter)).await?);
    }
    Ok(groups)
}

/// Every security group of the region, in every VPC (the pass's shared listing: import, the
/// orphan search and a whole pass's observation).
pub(super) async fn list_groups(aws: &Aws) -> Result<Arc<Vec<SecurityGroup>>, AwsError> {
    aws.listing("EC2.DescribeSecurityGroups", || {
        describe_pages(aws.ec2(), None)
    })
    .await
}

/// Every page of `DescribeSecurityGroups` with `filter` (none: every group).
async fn describe_pages(
    ec2: &Client,
    filter: Option<Filter>,
) -> Result<Vec<SecurityGroup>, AwsError> {
    let mut groups = Vec::new();
    let mut pages = ec2
        .describe_security_groups()
        .set_filters(filter.map(|f| vec![f]))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| AwsError::from_sdk(WHAT, "DescribeSecurityGroups", &err))?;
        groups.extend(page.security_groups.unwrap_or_default());
    }
    Ok(groups)
}

async fn describe_rules(ec2: &Client, ids: &[String]) -> Result<Vec<SecurityGroupRule>, AwsError> {
    let mut rules = Vec::new();
    for chunk in ids.chunks(FILTER_VALUES) {
        let mut pages = ec2
            .describe_security_group_rules()
            .filters(
                Filter::builder()
                    .name("group-id")
                    .set_values(Some(chunk.to_vec()))
                    .build(),
            )
            .max_results(1000)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|err| AwsError::from_sdk(WHAT, "DescribeSecurityGroupRules", &err))?;
            rules.extend(page.security_group_rules.unwrap_or_default());
        }
    }
    Ok(rules)
}

/// The group with its rules (taken out of `rules`), in the manifest's vocabulary.
fn live_group(group: &SecurityGroup, rules: &mut Vec<SecurityGroupRule>) -> LiveGroup {
    let id = group.group_id.clone().unwrap_or_default();
    let owner = group.owner_id.as_deref();
    let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(rules)
        .into_iter()
        .partition(|r| r.group_id.as_deref() == Some(&id));
    *rules = others;
    let descriptions = permission_descriptions(group, owner);
    let mut live: Vec<LiveRule> = mine
        .iter()
        .filter_map(|rule| live_rule(rule, owner))
        .collect();
    for rule in &mut live {
        if rule.rule.description.is_none() {
            rule.rule.description = descriptions.get(&rule.rule.rule).cloned();
        }
    }
    LiveGroup {
        description: group.description.clone().unwrap_or_default(),
        tags: group
            .tags()
            .iter()
            .filter_map(|t| Some((t.key.clone()?, t.value.clone()?)))
            .collect(),
        rules: live,
        id,
    }
}

/// Rule descriptions as `DescribeSecurityGroups` reports them in the group's permissions.
/// `DescribeSecurityGroupRules` is the source of rule ids; where it leaves a description out
/// (moto does for rules that reference a group), the permissions read in the same pass
/// still have it.
fn permission_descriptions(
    group: &SecurityGroup,
    owner: Option<&str>,
) -> HashMap<AtomicRule, String> {
    let mut descriptions = HashMap::new();
    let sides = [
        (Direction::Ingress, group.ip_permissions()),
        (Direction::Egress, group.ip_permissions_egress()),
    ];
    for (direction, permissions) in sides {
        for permission in permissions {
            let Some(protocol) = permission.ip_protocol.as_deref() else {
                continue;
            };
            for pair in permission.user_id_group_pairs() {
                let (Some(id), Some(description)) =
                    (pair.group_id.as_deref(), pair.description.as_deref())
                else {
                    continue;
                };
                let peer = Peer::group(id, pair.user_id.as_deref(), owner);
                let exploded = explode(
                    direction,
                    protocol,
                    permission.from_port,
                    permission.to_port,
                    &[peer],
                    Some(description),
                );
                for rule in exploded.unwrap_or_default() {
                    descriptions.insert(rule.rule, description.to_owned());
                }
            }
        }
    }
    descriptions
}

/// One live rule in canonical form; a rule this release cannot read is left out of the
/// comparison (and so never revoked) rather than misread.
fn live_rule(rule: &SecurityGroupRule, owner: Option<&str>) -> Option<LiveRule> {
    let peer = if let Some(cidr) = rule.cidr_ipv4.as_deref().or(rule.cidr_ipv6.as_deref()) {
        parse_cidr(cidr).ok()?
    } else if let Some(list) = &rule.prefix_list_id {
        Peer::PrefixList(list.clone())
    } else {
        let group = rule.referenced_group_info.as_ref()?;
        Peer::group(group.group_id.as_deref()?, group.user_id.as_deref(), owner)
    };
    let direction = if rule.is_egress == Some(true) {
        Direction::Egress
    } else {
        Direction::Ingress
    };
    let described = explode(
        direction,
        rule.ip_protocol.as_deref()?,
        rule.from_port,
        rule.to_port,
        &[peer],
        rule.description.as_deref(),
    )
    .ok()?
    .pop()?;
    Some(LiveRule {
        id: rule.security_group_rule_id.clone()?,
        rule: described,
    })
}
