//! Importing security groups: every group of the region with its VPC (by id), description,
//! whole rule set and tags. A rule whose peer is an imported group (the group itself
//! included) names it by its manifest name; any other group stays a `groupId`.
//!
//! A manifest's name is the group name, and a name is unique only within a VPC (every VPC has
//! a `default` group): of the groups sharing a name, the one in the default VPC is imported,
//! else the one in the first VPC by id; the others are left out.

use std::collections::BTreeMap;

use afu9_spec::security_group::rules::{DescribedRule, Direction, Peer, Ports, Protocol};
use afu9_spec::security_group::{Icmp, PeerSpec, PortRange, RuleSpec, SecurityGroupSpec, VpcRef};
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::{SecurityGroupObserved, SecurityGroups, observe};
use crate::aws::{Aws, AwsError};
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports, ListedOwners};
use crate::permissions::{ArnScope, Grant};

impl Imports for SecurityGroups {
    const FILE: &'static str = "network.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, SecurityGroupSpec> {
        Box::pin(async move {
            let default_vpc = default_vpc(aws).await?;
            // Per name: (not in the default VPC, VPC id), least first.
            let mut chosen: BTreeMap<String, (bool, String)> = BTreeMap::new();
            for group in &*observe::list_groups(aws).await? {
                let (Some(name), Some(vpc)) = (group.group_name.clone(), group.vpc_id.clone())
                else {
                    continue;
                };
                let rank = (default_vpc.as_deref() != Some(vpc.as_str()), vpc);
                chosen
                    .entry(name)
                    .and_modify(|best| *best = std::cmp::min(best.clone(), rank.clone()))
                    .or_insert(rank);
            }
            Ok(chosen
                .into_iter()
                .map(|(name, (_, vpc))| (name, probe(vpc)))
                .collect())
        })
    }

    fn live_id(have: &SecurityGroupObserved) -> Option<String> {
        have.group.as_ref().map(|group| group.id.clone())
    }

    fn import(
        cx: ImportContext<'_>,
        name: &str,
        have: &SecurityGroupObserved,
    ) -> SecurityGroupSpec {
        import(cx, name, have)
    }

    fn listed_owners(aws: &Aws) -> ListedOwners<'_> {
        Box::pin(async move {
            Ok(Some(
                observe::list_groups(aws)
                    .await?
                    .iter()
                    .filter(|group| {
                        group.tags().iter().any(|tag| {
                            tag.key() == Some(MANAGED_BY_KEY)
                                && tag.value() == Some(MANAGED_BY_VALUE)
                        })
                    })
                    .filter_map(|group| group.group_name.clone())
                    .collect(),
            ))
        })
    }

    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::discovery(scope)
    }
}

/// The id of the region's default VPC, if it has one (from the pass's shared listing).
async fn default_vpc(aws: &Aws) -> Result<Option<String>, AwsError> {
    Ok(observe::list_vpcs(aws)
        .await?
        .iter()
        .find(|vpc| vpc.is_default == Some(true))
        .and_then(|vpc| vpc.vpc_id.clone()))
}

/// A manifest naming the group's VPC by id, so that `observe` reads it there; the rules are
/// read whole whatever the manifest says.
fn probe(vpc: String) -> SecurityGroupSpec {
    SecurityGroupSpec {
        vpc: VpcRef::Id(vpc),
        description: String::new(),
        allow_replacement: false,
        ingress: Vec::new(),
        egress: Vec::new(),
        guardrail_exceptions: Vec::new(),
        tags: afu9_spec::tags::Tags::new(),
    }
}

/// The group as a manifest (a group gone between listing and reading: its VPC alone).
fn import(cx: ImportContext<'_>, _name: &str, have: &SecurityGroupObserved) -> SecurityGroupSpec {
    let mut spec = probe(have.vpc.clone().unwrap_or_default());
    let Some(group) = &have.group else {
        return spec;
    };
    let mut rules: Vec<&DescribedRule> = group.rules.iter().map(|live| &live.rule).collect();
    rules.sort();
    spec.description.clone_from(&group.description);
    for rule in rules {
        let written = rule_spec(cx, rule);
        match rule.rule.direction {
            Direction::Ingress => spec.ingress.push(written),
            Direction::Egress => spec.egress.push(written),
        }
    }
    spec.tags = manifest_tags(&group.tags);
    spec
}

/// One live rule as the manifest writes it.
fn rule_spec(cx: ImportContext<'_>, described: &DescribedRule) -> RuleSpec {
    let rule = &described.rule;
    let (ports, icmp) = match rule.ports {
        Ports::All => (None, None),
        Ports::Range { from, to } if from == to => (Some(PortRange(from.to_string())), None),
        Ports::Range { from, to } => (Some(PortRange(format!("{from}-{to}"))), None),
        Ports::Icmp { type_, code } => (None, Some(Icmp { kind: type_, code })),
    };
    let peer = match &rule.peer {
        Peer::Ipv4(cidr) | Peer::Ipv6(cidr) => PeerSpec::Cidr(cidr.clone()),
        Peer::Group {
            group_id,
            account: None,
        } => cx.name_of(group_id).map_or_else(
            || PeerSpec::GroupId(group_id.clone()),
            |name| PeerSpec::SecurityGroup(name.to_owned()),
        ),
        Peer::Group {
            group_id,
            account: Some(account),
        } => PeerSpec::GroupId(format!("{account}/{group_id}")),
        Peer::PrefixList(id) => PeerSpec::PrefixList(id.clone()),
    };
    let (from, to) = match rule.direction {
        Direction::Ingress => (Some(peer), None),
        Direction::Egress => (None, Some(peer)),
    };
    RuleSpec {
        protocol: match rule.protocol {
            Protocol::All => "all".to_owned(),
            other => other.as_aws(),
        },
        ports,
        icmp,
        from,
        to,
        description: described.description.clone(),
    }
}

#[cfg(test)]
mod tests;
