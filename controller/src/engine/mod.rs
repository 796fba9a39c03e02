//! The reconcile engine: kinds behind one small trait, a plan value, and an apply that
//! executes exactly the operations of the plan it is given.

pub mod apply;
pub mod guard;
pub mod kind;
pub mod plan;

pub use apply::{ApplyReport, OpResult, ResourceResult};
pub use guard::{GuardError, check_target};
pub use kind::{ErasedKind, ManagedKind, PlanContext};
pub use plan::{
    Action, Change, OpFuture, OpOutcome, Operation, Phase, Plan, ResourcePlan, Summary, WriteCall,
};

use afu9_spec::DesiredState;

use crate::aws::Aws;

/// The kinds the controller manages, in dependency order (a kind's resources are applied
/// after those of the kinds before it). Built explicitly; nothing registers itself.
pub struct Engine {
    kinds: Vec<Box<dyn ErasedKind>>,
}

impl Engine {
    /// An engine over `kinds`, applied in the order given.
    pub fn new(kinds: Vec<Box<dyn ErasedKind>>) -> Self {
        Self { kinds }
    }

    /// Every kind this release manages.
    pub fn standard() -> Self {
        Self::new(vec![
            Box::new(crate::kinds::iam::policy::IamPolicies),
            Box::new(crate::kinds::iam::role::IamRoles::default()),
            Box::new(crate::kinds::secrets::Secrets::default()),
            Box::new(crate::kinds::ecr::EcrRepositories),
            Box::new(crate::kinds::sg::SecurityGroups),
            Box::new(crate::kinds::ecs::EcsTaskDefinitions),
        ])
    }

    /// Observes every resource of the desired state and computes what would change.
    /// An observation failure becomes an `error` entry for the resources it concerns.
    pub async fn plan(&self, aws: &Aws, state: &DesiredState) -> Plan {
        let mut resources = Vec::with_capacity(state.len());
        for kind in &self.kinds {
            resources.extend(kind.plan(aws, state).await);
        }
        Plan { resources }
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
