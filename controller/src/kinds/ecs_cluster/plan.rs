//! The pure part of the `EcsCluster` kind: Container Insights, and per named service its
//! `awsvpc` placement compared by subnet and group ids (a manifest may name a subnet by id or
//! by `Name` tag), with public subnets, unknown subnets and missing groups blocked.

use std::collections::BTreeMap;

use afu9_spec::Resource;
use afu9_spec::ecs_cluster::{EcsClusterSpec, ServicePlacement};
use serde_json::Value;

use super::EcsClusterObserved;
use super::apply::{ClusterOp, Placement};
use crate::diff::compare_field;
use crate::plan::{Change, Delta};
use crate::refs::groups::GroupId;

pub(super) fn plan(want: &Resource<EcsClusterSpec>, have: Option<&EcsClusterObserved>) -> Delta {
    let cluster = want.name();
    let Some(have) = have else {
        return Delta::unavailable(format!(
            "cluster {cluster} does not exist; the application's stack creates it (afu9-posture \
             adopts clusters, it never creates one)"
        ));
    };
    let mut delta = Delta::exists();
    if let Some(insights) = want.spec.container_insights
        && compare_field(
            &mut delta.changes,
            "spec.containerInsights",
            Some(insights.as_str().to_owned()),
            have.container_insights
                .clone()
                .unwrap_or_else(|| "disabled".to_owned()),
        )
    {
        delta.op(ClusterOp::UpdateClusterSettings {
            cluster: cluster.to_owned(),
            container_insights: insights.as_str().to_owned(),
        });
    }
    for (service, placement) in &want.spec.services {
        plan_service(cluster, service, placement, have, &mut delta);
    }
    delta
}

fn plan_service(
    cluster: &str,
    service: &str,
    want: &ServicePlacement,
    have: &EcsClusterObserved,
    delta: &mut Delta,
) {
    let Some(Some(live)) = have.services.get(service) else {
        delta.block(format!(
            "service {service} does not exist in cluster {cluster}; the application's stack \
             creates it"
        ));
        return;
    };
    let Some(live) = &live.awsvpc else {
        delta.block(format!(
            "service {service} has no awsvpc network configuration (its task definition's \
             network mode is not awsvpc); set networkMode: awsvpc on its EcsTaskDefinition"
        ));
        return;
    };
    let path = |field: &str| format!("spec.services.{service}.{field}");
    let mut blocked = Vec::new();
    let subnets = wanted_subnets(service, want, have, &mut blocked);
    let groups = wanted_groups(service, want, have, &mut blocked);
    let names = subnet_names(have);
    let mut differs = compare_field(
        &mut delta.changes,
        &path("assignPublicIp"),
        Some(want.assign_public_ip.as_str().to_owned()),
        live.assign_public_ip.clone(),
    );
    if subnets.as_ref() != Some(&live.subnets) {
        differs = true;
        delta.change(Change::new(
            path("subnets"),
            Some(shown(&live.subnets, &names)),
            Some(
                want.subnets
                    .iter()
                    .map(|s| Value::from(s.as_str()))
                    .collect(),
            ),
        ));
    }
    if groups.as_deref().and_then(known_ids).as_ref() != Some(&live.security_groups) {
        differs = true;
        delta.change(Change::new(
            path("securityGroups"),
            Some(shown(&live.security_groups, &invert(&have.group_ids))),
            Some(
                want.security_groups
                    .iter()
                    .map(|s| Value::from(s.as_str()))
                    .collect(),
            ),
        ));
    }
    if !blocked.is_empty() {
        for reason in blocked {
            delta.block(reason);
        }
        return;
    }
    if let (true, Some(subnets), Some(groups)) = (differs, subnets, groups) {
        delta.op(ClusterOp::UpdateService {
            cluster: cluster.to_owned(),
            service: service.to_owned(),
            placement: Placement {
                assign_public_ip: want.assign_public_ip.as_str().to_owned(),
                subnets,
                security_groups: groups,
            },
        });
    }
}

/// The subnet ids the manifest names, sorted, or `None` (with the reasons) when one is
/// unknown, ambiguous or public.
fn wanted_subnets(
    service: &str,
    want: &ServicePlacement,
    have: &EcsClusterObserved,
    blocked: &mut Vec<String>,
) -> Option<Vec<String>> {
    let mut ids = Vec::new();
    let before = blocked.len();
    for reference in &want.subnets {
        match have.subnets.get(reference).map(Vec::as_slice) {
            None | Some([]) => blocked.push(format!(
                "service {service}: no subnet is {reference} (by id or Name tag)"
            )),
            Some([subnet]) => {
                if let Some(route) = have.public_routes.get(&subnet.id) {
                    blocked.push(format!(
                        "service {service}: {route}; its tasks must run in private subnets"
                    ));
                }
                ids.push(subnet.id.clone());
            }
            Some(many) => blocked.push(format!(
                "service {service}: {} subnets are named {reference}; name it by id",
                many.len()
            )),
        }
    }
    ids.sort();
    ids.dedup();
    (blocked.len() == before).then_some(ids)
}

/// The security groups the manifest names: their ids, or for a managed group that does not
/// exist yet (created by the same apply) its name in the subnets' VPC. `None` when the subnets
/// are in no single VPC.
fn wanted_groups(
    service: &str,
    want: &ServicePlacement,
    have: &EcsClusterObserved,
    blocked: &mut Vec<String>,
) -> Option<Vec<GroupId>> {
    let mut vpcs: Vec<&str> = have
        .subnets
        .values()
        .flatten()
        .map(|s| s.vpc.as_str())
        .collect();
    vpcs.sort_unstable();
    vpcs.dedup();
    let mut groups = Vec::new();
    for name in &want.security_groups {
        match (have.group_ids.get(name), vpcs.as_slice()) {
            (Some(id), _) => groups.push(GroupId::Known(id.clone())),
            (None, [vpc]) => groups.push(GroupId::Created {
                name: name.clone(),
                vpc: (*vpc).to_owned(),
            }),
            (None, _) => {
                blocked.push(format!(
                    "service {service}: its subnets are not in one VPC, so security group \
                     {name} cannot be found"
                ));
                return None;
            }
        }
    }
    groups.sort_by_key(GroupId::shown);
    groups.dedup();
    Some(groups)
}

/// The ids of `groups` when all are known.
fn known_ids(groups: &[GroupId]) -> Option<Vec<String>> {
    let mut ids: Vec<String> = groups
        .iter()
        .map(|g| match g {
            GroupId::Known(id) => Some(id.clone()),
            GroupId::Created { .. } => None,
        })
        .collect::<Option<_>>()?;
    ids.sort();
    Some(ids)
}

/// Subnet id → the `Name` tag it was found by.
fn subnet_names(have: &EcsClusterObserved) -> BTreeMap<String, String> {
    have.subnets
        .values()
        .flatten()
        .filter_map(|s| Some((s.id.clone(), s.name.clone()?)))
        .collect()
}

fn invert(map: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    map.iter().map(|(k, v)| (v.clone(), k.clone())).collect()
}

/// Live ids, each shown by its name where one is known.
fn shown(ids: &[String], names: &BTreeMap<String, String>) -> Value {
    ids.iter()
        .map(|id| Value::from(names.get(id).map_or(id.as_str(), String::as_str)))
        .collect()
}

#[cfg(test)]
mod tests;
