//! The reconcile engine: kinds behind one small trait, the one place that turns what a kind
//! found into a plan (`decide`), and an apply that executes exactly the operations of the
//! plan it is given.

pub mod apply;
mod decide;
pub mod guard;
pub mod kind;

pub use apply::{ApplyReport, OpResult, ResourceResult};
pub use decide::plan_resource;
pub use guard::{GuardError, check_target};
pub use kind::{ErasedKind, ManagedKind, PlanContext, TagOps, Tagging};

use afu9_spec::DesiredState;
use futures_util::future::join_all;

use crate::aws::Aws;
use crate::plan::{Plan, ResourcePlan};

/// The kinds the controller manages, in dependency order (a kind's resources are applied
/// after those of the kinds before it). Built explicitly from a list
/// (`standard()` in the kinds module); nothing registers itself, and the engine names no
/// kind.
pub struct Engine {
    kinds: Vec<Box<dyn ErasedKind>>,
}

impl Engine {
    /// An engine over `kinds`, applied in the order given.
    pub fn new(kinds: Vec<Box<dyn ErasedKind>>) -> Self {
        Self { kinds }
    }

    /// Observes every resource of the desired state and computes what would change.
    /// An observation failure becomes an `error` entry for the resources it concerns.
    ///
    /// Services are observed at the same time, the kinds of one service one after another
    /// (so each service sees at most the concurrency of one kind's reads); the plan lists
    /// resources in registry order whatever finished first.
    pub async fn plan(&self, aws: &Aws, state: &DesiredState) -> Plan {
        let lanes = self.service_lanes().into_iter().map(|lane| async move {
            let mut planned = Vec::with_capacity(lane.len());
            for index in lane {
                planned.push((index, self.kinds[index].plan(aws, state).await));
            }
            planned
        });
        let mut by_kind: Vec<(usize, Vec<ResourcePlan>)> =
            join_all(lanes).await.into_iter().flatten().collect();
        by_kind.sort_by_key(|(index, _)| *index);
        Plan {
            resources: by_kind.into_iter().flat_map(|(_, plans)| plans).collect(),
        }
    }

    /// The kinds' indices grouped by service, in registry order within a service and by
    /// each service's first kind across services.
    fn service_lanes(&self) -> Vec<Vec<usize>> {
        let mut lanes: Vec<(&'static str, Vec<usize>)> = Vec::new();
        for (index, kind) in self.kinds.iter().enumerate() {
            match lanes
                .iter_mut()
                .find(|(service, _)| *service == kind.service())
            {
                Some((_, lane)) => lane.push(index),
                None => lanes.push((kind.service(), vec![index])),
            }
        }
        lanes.into_iter().map(|(_, lane)| lane).collect()
    }

    /// Executes the operations of `plan`: first every resource's `Create`-phase operations,
    /// then every resource's others, each sweep in plan order. A failed operation stops the
    /// rest of its resource; other resources go on.
    pub async fn apply(&self, aws: &Aws, plan: &Plan) -> ApplyReport {
        apply::execute(aws, plan, &|| false).await
    }

    /// Like [`Engine::apply`], but starts no further operation once `stop` says so (the
    /// one in flight finishes); the rest are counted as skipped.
    pub async fn apply_until(
        &self,
        aws: &Aws,
        plan: &Plan,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> ApplyReport {
        apply::execute(aws, plan, stop).await
    }
}

#[cfg(test)]
mod tests;
