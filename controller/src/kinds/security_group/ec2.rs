//! EC2 requests the operations build (permissions, tags) and the look-up of groups created
//! moments ago, which EC2 may not list yet.

use std::collections::{BTreeMap, HashMap};

use afu9_spec::security_group::rules::{DescribedRule, Peer};
use afu9_spec::tags::Tags;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    Filter, IpPermission, IpRange, Ipv6Range, PrefixListId, Tag, UserIdGroupPair,
};

use super::model::{GroupRef, PlannedRule};
use crate::aws::write::retry_until_consistent;
use crate::aws::{AwsError, ErrorClass};

/// The id of the group an operation acts on: known, passed on by its create, or else looked
/// up by name.
pub(super) async fn resolve_group(ec2: &Client, group: &GroupRef) -> Result<String, AwsError> {
    match group {
        GroupRef::Id(id) => Ok(id.clone()),
        GroupRef::Named { name, vpc, created } => {
            if let Some(id) = created.get() {
                return Ok(id.clone());
            }
            let ids = resolve_names(ec2, &[(name.clone(), vpc.clone())]).await?;
            Ok(ids.get(name).cloned().unwrap_or_default())
        }
    }
}

/// Group ids of `groups` (name, VPC), waiting a little for groups created moments ago.
/// (Shared with the load balancer kind, which attaches groups by name.)
pub async fn resolve_names(
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
            Some((name, vpc)) => Err(AwsError::new(
                format!("find security group {name}"),
                "DescribeSecurityGroups",
                ErrorClass::Transient,
                format!("no group {name} in {vpc} yet"),
            )
            .with_code(NOT_FOUND_YET)),
            None => Ok(found),
        }
    };
    retry_until_consistent(NOT_FOUND_YET, lookup).await
}

/// Name → id of every security group in `vpc` (one paginated `DescribeSecurityGroups`):
/// how kinds that attach groups by manifest name (load balancers) read them.
pub async fn groups_in_vpc(ec2: &Client, vpc: &str) -> Result<BTreeMap<String, String>, AwsError> {
    let mut pages = ec2
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .max_results(1000)
        .into_paginator()
        .send();
    let mut groups = BTreeMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            AwsError::from_sdk(
                format!("read security groups of {vpc}"),
                "DescribeSecurityGroups",
                &err,
            )
        })?;
        groups.extend(
            page.security_groups
                .unwrap_or_default()
                .into_iter()
                .filter_map(|g| Some((g.group_name?, g.group_id?))),
        );
    }
    Ok(groups)
}

/// Our own code for a group that EC2 does not list yet.
const NOT_FOUND_YET: &str = "NotFoundYet";

/// The EC2 permission for a planned rule, its peer group's id taken from `peer_ids`; the
/// error says why the rule cannot be sent.
pub(super) fn planned_permission(
    rule: &PlannedRule,
    peer_ids: &HashMap<String, String>,
) -> Result<IpPermission, String> {
    match rule {
        PlannedRule::Known(rule) => Ok(permission(rule)),
        PlannedRule::PeerGroup { rule, group, .. } => {
            let id = peer_ids.get(group).cloned().unwrap_or_default();
            let described = rule
                .with_peer(Peer::group(&id, None, None))
                .map_err(|err| format!("rule to group {group}: {err}"))?;
            Ok(permission(&described))
        }
    }
}

/// The EC2 permission for one atomic rule.
pub(super) fn permission(rule: &DescribedRule) -> IpPermission {
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

/// Tags as EC2 takes them.
pub(super) fn ec2_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}
