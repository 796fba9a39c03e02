//! The apply's schedule: resources at the same time, each resource's operations in its own
//! order, at most a bound of writes in flight per AWS service, and a resource's operations
//! after those of the resources it depends on.
//!
//! What waits for what:
//! - a resource's `Create` operations wait for nothing but a free slot of their service
//!   (creating calls refer to no other resource, so all creations can start at once);
//! - its `Converge` operations wait for its own `Create` operations and, for each resource
//!   it depends on, for that one's `Create` operations ([`Until::Created`]) or all its
//!   operations ([`Until::Done`]). `Done` holds only towards a resource earlier in the plan
//!   (the registry's kind order, then the manifests'); towards a later one it is `Created`,
//!   so references in both directions (two groups that allow each other) cannot wait for
//!   each other, and no chain of references makes creations wait in line.
//!
//! Deletions (pruned orphans) come last: once every other resource is done, kind by kind in
//! reverse plan order (a role before the policies it had attached, a group's rules' peers
//! after it), the orphans of one kind at the same time.
//!
//! A failed operation stops the rest of its resource; a resource whose converging
//! operations wait for one that failed (or stopped) before getting as far as they need does
//! not start them, and stops in turn. Nothing else stops. Once `stop` says so, no operation
//! starts; those in flight finish.

use std::collections::{BTreeMap, HashMap};

use futures_util::future::join_all;
use tokio::sync::{Semaphore, watch};

use super::apply::{ApplyReport, OpResult, ResourceResult};
use crate::aws::Aws;
use crate::plan::{Action, Phase, Plan, ResourcePlan, Until};

/// Where each kind's writes go and how many may be in flight there at once.
#[derive(Debug, Clone, Default)]
pub struct Bounds {
    /// Kind → service.
    services: HashMap<&'static str, &'static str>,
    /// Service → writes in flight at most.
    limits: HashMap<&'static str, usize>,
}

impl Bounds {
    /// Declares that `kind` writes to `service`, at most `limit` at a time; a service's
    /// bound is the least its kinds declare.
    pub fn add(&mut self, kind: &'static str, service: &'static str, limit: usize) {
        self.services.insert(kind, service);
        let bound = self.limits.entry(service).or_insert(limit);
        *bound = (*bound).min(limit).max(1);
    }

    /// The service of `kind`; a kind nobody declared is a service of its own.
    fn service(&self, kind: &'static str) -> &'static str {
        self.services.get(kind).copied().unwrap_or(kind)
    }

    /// The bound of `service`: one write at a time unless declared.
    fn limit(&self, service: &str) -> usize {
        self.limits.get(service).copied().unwrap_or(1)
    }
}

/// What the resources that depend on one learn about it: whether its `Create` operations,
/// then all its operations, succeeded (`None` while not known yet).
#[derive(Debug, Clone, Copy, Default)]
struct Milestones {
    created: Option<bool>,
    finished: Option<bool>,
}

/// One apply in progress.
struct Schedule<'a> {
    aws: &'a Aws,
    plan: &'a Plan,
    stop: &'a (dyn Fn() -> bool + Sync),
    bounds: &'a Bounds,
    /// One semaphore per service.
    lanes: HashMap<&'static str, Semaphore>,
    /// Per resource, by plan index.
    milestones: Vec<watch::Sender<Milestones>>,
    /// Per resource, the plan indices of the resources it depends on and how far each must
    /// have got.
    depends: Vec<Vec<(usize, Until)>>,
}

/// Executes every operation of `plan` as the module comment says; the report lists the
/// resources that had operations, in plan order.
pub(super) async fn execute(
    aws: &Aws,
    plan: &Plan,
    bounds: &Bounds,
    stop: &(dyn Fn() -> bool + Sync),
) -> ApplyReport {
    let mut lanes = HashMap::new();
    for resource in &plan.resources {
        let service = bounds.service(resource.kind);
        lanes
            .entry(service)
            .or_insert_with(|| Semaphore::new(bounds.limit(service)));
    }
    let schedule = Schedule {
        aws,
        plan,
        stop,
        bounds,
        lanes,
        milestones: plan
            .resources
            .iter()
            .map(|_| watch::Sender::new(Milestones::default()))
            .collect(),
        depends: dependency_indices(plan),
    };
    let (deletions, changes): (Vec<usize>, Vec<usize>) = (0..plan.resources.len())
        .partition(|&index| plan.resources[index].action == Action::Delete);
    let mut results: Vec<(usize, ResourceResult)> =
        join_all(changes.into_iter().map(|index| schedule.run_indexed(index))).await;
    for wave in deletion_waves(plan, deletions) {
        results.extend(join_all(wave.into_iter().map(|index| schedule.run_indexed(index))).await);
    }
    results.sort_by_key(|(index, _)| *index);
    ApplyReport {
        resources: results
            .into_iter()
            .map(|(_, result)| result)
            .filter(|r| !r.ops.is_empty() || r.skipped > 0)
            .collect(),
    }
}

/// The deletions grouped by kind, the kind planned last first.
fn deletion_waves(plan: &Plan, deletions: Vec<usize>) -> Vec<Vec<usize>> {
    let mut waves: Vec<(&'static str, Vec<usize>)> = Vec::new();
    for index in deletions {
        let kind = plan.resources[index].kind;
        match waves.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, wave)) => wave.push(index),
            None => waves.push((kind, vec![index])),
        }
    }
    waves.into_iter().rev().map(|(_, wave)| wave).collect()
}

/// Per resource, the plan indices of the resources it depends on and what it waits for
/// (`Done` only towards an earlier resource); references to resources that are not in the
/// plan, and to itself, wait for nothing.
fn dependency_indices(plan: &Plan) -> Vec<Vec<(usize, Until)>> {
    let index: HashMap<(&str, &str), usize> = plan
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.kind, r.name.as_str()), i))
        .collect();
    plan.resources
        .iter()
        .enumerate()
        .map(|(own, resource)| {
            let mut depends: BTreeMap<usize, Until> = BTreeMap::new();
            for dependency in &resource.depends_on {
                let Some(&at) = index.get(&(dependency.kind, dependency.name.as_str())) else {
                    continue;
                };
                if at == own {
                    continue;
                }
                let until = if at < own {
                    dependency.until
                } else {
                    Until::Created
                };
                let entry = depends.entry(at).or_insert(until);
                *entry = (*entry).max(until);
            }
            depends.into_iter().collect()
        })
        .collect()
}

impl Schedule<'_> {
    /// [`Schedule::run`], with the resource's plan index.
    async fn run_indexed(&self, index: usize) -> (usize, ResourceResult) {
        (index, self.run(index).await)
    }

    /// Runs one resource's operations, `Create` first, then `Converge` once what it waits
    /// for is there.
    async fn run(&self, index: usize) -> ResourceResult {
        let resource = &self.plan.resources[index];
        let milestones = &self.milestones[index];
        let mut result = ResourceResult {
            kind: resource.kind,
            name: resource.name.clone(),
            ops: Vec::new(),
            skipped: 0,
        };
        if resource.ops.is_empty() {
            milestones.send_replace(Milestones {
                created: Some(true),
                finished: Some(true),
            });
            return result;
        }
        let mut ok = self
            .run_phase(resource, Phase::Create, true, &mut result)
            .await;
        milestones.send_modify(|m| m.created = Some(ok));
        ok = ok && self.ready(index).await;
        ok = self
            .run_phase(resource, Phase::Converge, ok, &mut result)
            .await;
        milestones.send_modify(|m| m.finished = Some(ok));
        result
    }

    /// Runs the operations of `resource` in `phase`, in order, while `ok`; counts the rest
    /// as skipped. Returns whether every one succeeded.
    async fn run_phase(
        &self,
        resource: &ResourcePlan,
        phase: Phase,
        mut ok: bool,
        result: &mut ResourceResult,
    ) -> bool {
        let lane = &self.lanes[self.bounds.service(resource.kind)];
        for op in resource.ops.iter().filter(|op| op.phase() == phase) {
            if !ok {
                result.skipped += 1;
                continue;
            }
            let permit = lane.acquire().await;
            if permit.is_err() || (self.stop)() {
                ok = false;
                result.skipped += 1;
                continue;
            }
            let outcome = op.execute(self.aws).await;
            drop(permit);
            match &outcome {
                Ok(done) => {
                    tracing::info!(kind = resource.kind, name = %resource.name, call = op.call(), ?done, "applied");
                }
                Err(err) => {
                    ok = false;
                    tracing::warn!(kind = resource.kind, name = %resource.name, call = op.call(), class = ?err.class, "{err}");
                }
            }
            result.ops.push(OpResult {
                call: op.call(),
                result: outcome,
            });
        }
        ok
    }

    /// Whether every resource that resource `index` depends on got as far as it needs, once
    /// each is known.
    async fn ready(&self, index: usize) -> bool {
        for &(at, until) in &self.depends[index] {
            let pick: fn(&Milestones) -> Option<bool> = match until {
                Until::Created => |m| m.created,
                Until::Done => |m| m.finished,
            };
            if !self.reached(at, pick).await {
                return false;
            }
        }
        true
    }

    /// Waits until the milestone `pick` of resource `index` is known; whether it succeeded.
    async fn reached(&self, index: usize, pick: fn(&Milestones) -> Option<bool>) -> bool {
        let mut watch = self.milestones[index].subscribe();
        watch
            .wait_for(|m| pick(m).is_some())
            .await
            .is_ok_and(|m| pick(&m) == Some(true))
    }
}

#[cfg(test)]
mod tests;
