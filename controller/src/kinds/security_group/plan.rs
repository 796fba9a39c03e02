//! The pure part of the security-group kind: desired rules resolved against the managed
//! groups that exist, compared with the live rules as sets, ordered revoke → redescribe →
//! authorize so that a group never allows more on the way than at either end.

use std::collections::HashMap;

use afu9_spec::Resource;
use afu9_spec::security_group::rules::{
    AtomicRule, DescribedRule, Direction, Peer, Ports, Protocol, diff_rules,
};
use afu9_spec::security_group::{RulePeer, SecurityGroupSpec};
use serde_json::Value;

use super::apply::SgOp;
use super::model::{CreatedId, GroupRef, PlannedRule};
use super::{LiveGroup, SecurityGroupObserved};
use crate::engine::PlanContext;
use crate::plan::{Change, Delta};

pub(super) fn plan(
    cx: &PlanContext<'_>,
    want: &Resource<SecurityGroupSpec>,
    have: Option<&SecurityGroupObserved>,
) -> Delta {
    let Some(have) = have else {
        return Delta::unavailable("the security group was not observed");
    };
    let vpc = match &have.vpc {
        Ok(vpc) => vpc.clone(),
        Err(reason) => {
            return Delta::unavailable(format!("{reason}; the VPC is not managed by afu9-posture"));
        }
    };
    let rules = desired_rules(want, have);
    let tags = cx.state.desired_tags(&want.spec.tags);
    let mut ops: Vec<SgOp> = Vec::new();
    let mut delta = match &have.group {
        None => {
            let mut delta = Delta::missing();
            create(want, have, &vpc, tags, &rules, &mut delta.changes, &mut ops);
            delta
        }
        Some(group) if group.description != want.spec.description => {
            let mut delta = Delta::exists();
            delta.change(Change::new(
                "spec.description",
                Some(group.description.as_str().into()),
                Some(want.spec.description.as_str().into()),
            ));
            if want.spec.allow_replacement {
                delta.replace = Some(
                    "a security group's description cannot change: the group is deleted and created again \
                     (allowReplacement), which gives it a new id; AWS refuses while anything uses it"
                        .to_owned(),
                );
                ops.push(SgOp::DeleteSecurityGroup {
                    group_id: group.id.clone(),
                });
                create(want, have, &vpc, tags, &rules, &mut delta.changes, &mut ops);
            } else {
                delta.block(
                    "a security group's description cannot change in place; set allowReplacement: true to \
                     delete and recreate the group, or change the manifest",
                );
                converge(group, &rules, &mut delta.changes, &mut ops);
            }
            delta
        }
        Some(group) => {
            let mut delta = Delta::exists();
            converge(group, &rules, &mut delta.changes, &mut ops);
            delta
        }
    };
    delta.ops(ops);
    delta
}

/// The manifest's rules: those whose peer is known, atomic; those that reference a managed
/// group that does not exist yet, pending until apply creates it.
struct DesiredRules {
    known: Vec<DescribedRule>,
    pending: Vec<PlannedRule>,
}

fn desired_rules(want: &Resource<SecurityGroupSpec>, have: &SecurityGroupObserved) -> DesiredRules {
    let mut rules = DesiredRules {
        known: Vec::new(),
        pending: Vec::new(),
    };
    let spec = &want.spec;
    for (direction, list) in [
        (Direction::Ingress, &spec.ingress),
        (Direction::Egress, &spec.egress),
    ] {
        // Validation has parsed every rule already; one that fails here cannot happen.
        for canonical in list
            .iter()
            .filter_map(|rule| rule.canonical(direction).ok())
        {
            let peer = match &canonical.peer {
                RulePeer::Resolved(peer) => Some(peer.clone()),
                RulePeer::Managed(name) => have
                    .group_ids
                    .get(name)
                    .map(|id| Peer::group(id, None, None)),
            };
            match (peer, &canonical.peer) {
                (Some(peer), _) => rules.known.extend(canonical.with_peer(peer).ok()),
                (None, RulePeer::Managed(name)) => rules.pending.push(PlannedRule::PeerGroup {
                    vpc: have.group_vpcs.get(name).cloned().unwrap_or_default(),
                    group: name.clone(),
                    rule: canonical.clone(),
                    created: created_slot(have, name),
                }),
                (None, RulePeer::Resolved(_)) => {}
            }
        }
    }
    rules
}

/// The allow-all egress rule EC2 gives every new group.
fn default_egress() -> DescribedRule {
    let rule = AtomicRule {
        direction: Direction::Egress,
        protocol: Protocol::All,
        ports: Ports::All,
        peer: Peer::Ipv4("0.0.0.0/0".to_owned()),
    };
    DescribedRule::new(rule, None)
}

fn rule_path(direction: Direction) -> &'static str {
    match direction {
        Direction::Ingress => "spec.ingress",
        Direction::Egress => "spec.egress",
    }
}

/// The slot the create of the managed group `name` fills with its id; a fresh one (the id is
/// then looked up by name) for a group observation did not list as missing.
fn created_slot(have: &SecurityGroupObserved, name: &str) -> CreatedId {
    have.created.get(name).cloned().unwrap_or_default()
}

fn create(
    want: &Resource<SecurityGroupSpec>,
    have: &SecurityGroupObserved,
    vpc: &str,
    tags: afu9_spec::tags::Tags,
    rules: &DesiredRules,
    changes: &mut Vec<Change>,
    ops: &mut Vec<SgOp>,
) {
    let created = created_slot(have, want.name());
    let group = GroupRef::Named {
        name: want.name().to_owned(),
        vpc: vpc.to_owned(),
        created: created.clone(),
    };
    changes.push(Change::new(
        "spec.description",
        None,
        Some(want.spec.description.as_str().into()),
    ));
    ops.push(SgOp::CreateSecurityGroup {
        name: want.name().to_owned(),
        description: want.spec.description.clone(),
        vpc: vpc.to_owned(),
        tags,
        created,
    });
    let default = default_egress();
    if !rules.known.iter().any(|r| r.rule == default.rule) {
        ops.push(SgOp::RevokeByPermission {
            group: group.clone(),
            rules: vec![default],
        });
    }
    let planned: Vec<PlannedRule> = rules
        .known
        .iter()
        .filter(|r| r.rule != default_egress().rule)
        .cloned()
        .map(PlannedRule::Known)
        .chain(rules.pending.iter().cloned())
        .collect();
    authorize(&group, &planned, changes, ops);
}

fn converge(
    group: &LiveGroup,
    rules: &DesiredRules,
    changes: &mut Vec<Change>,
    ops: &mut Vec<SgOp>,
) {
    let have: Vec<DescribedRule> = group.rules.iter().map(|r| r.rule.clone()).collect();
    let diff = diff_rules(&rules.known, &have);
    let ids: HashMap<&AtomicRule, &str> = group
        .rules
        .iter()
        .map(|r| (&r.rule.rule, r.id.as_str()))
        .collect();
    for direction in [Direction::Ingress, Direction::Egress] {
        let revoked: Vec<String> = diff
            .remove
            .iter()
            .filter(|r| r.direction == direction)
            .filter_map(|r| {
                changes.push(Change::new(
                    rule_path(direction),
                    Some(r.to_string().into()),
                    None,
                ));
                ids.get(r).map(|id| (*id).to_owned())
            })
            .collect();
        if !revoked.is_empty() {
            ops.push(SgOp::RevokeByIds {
                group_id: group.id.clone(),
                direction,
                rule_ids: revoked,
            });
        }
    }
    for direction in [Direction::Ingress, Direction::Egress] {
        let redescribed: Vec<DescribedRule> = diff
            .redescribe
            .iter()
            .filter(|r| r.rule.direction == direction)
            .cloned()
            .collect();
        for rule in &redescribed {
            let before = have
                .iter()
                .find(|h| h.rule == rule.rule)
                .map(|h| Value::from(h.to_string()));
            changes.push(Change::new(
                rule_path(direction),
                before,
                Some(rule.to_string().into()),
            ));
        }
        if !redescribed.is_empty() {
            ops.push(SgOp::UpdateDescriptions {
                group_id: group.id.clone(),
                direction,
                rules: redescribed,
            });
        }
    }
    let planned: Vec<PlannedRule> = diff
        .add
        .iter()
        .cloned()
        .map(PlannedRule::Known)
        .chain(rules.pending.iter().cloned())
        .collect();
    authorize(&GroupRef::Id(group.id.clone()), &planned, changes, ops);
}

/// One authorize call per direction for `rules`, with a change per rule.
fn authorize(
    group: &GroupRef,
    rules: &[PlannedRule],
    changes: &mut Vec<Change>,
    ops: &mut Vec<SgOp>,
) {
    for direction in [Direction::Ingress, Direction::Egress] {
        let batch: Vec<PlannedRule> = rules
            .iter()
            .filter(|r| r.direction() == direction)
            .cloned()
            .collect();
        for rule in &batch {
            changes.push(Change::new(
                rule_path(direction),
                None,
                Some(rule.to_string().into()),
            ));
        }
        if !batch.is_empty() {
            ops.push(SgOp::Authorize {
                group: group.clone(),
                direction,
                rules: batch,
            });
        }
    }
}

#[cfg(test)]
mod tests;
