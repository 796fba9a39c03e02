//! EC2 requests the operations build (permissions, tags) and the look-up of groups created
//! moments ago, which EC2 may not list yet.

use std::collections::HashMap;

use afu9_spec::security_group::rules::{DescribedRule, Peer};
use afu9_spec::tags::Tags;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, Tag, UserIdGroupPair};

use super::model::{GroupRef, PlannedRule};
use crate::aws::AwsError;
use crate::refs::groups::resolve_names;

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
