//! The one trait a resource kind implements, and its type-erased form for the registry.

use std::future::Future;
use std::pin::Pin;

use afu9_spec::{DesiredState, ManagementPolicy, Resource};

use super::plan::{Action, ResourcePlan};
use crate::aws::{Aws, AwsError, Identity};

/// What a kind's pure `plan` may consult besides the two sides it compares.
#[derive(Debug, Clone, Copy)]
pub struct PlanContext<'a> {
    /// The whole desired state (posture defaults, other manifests).
    pub state: &'a DesiredState,
    /// The caller's account and partition, for kinds whose `needs_identity` said so.
    pub identity: Option<&'a Identity>,
}

/// One AWS resource kind. `observe` does I/O; `plan` is pure.
pub trait ManagedKind: Send + Sync + 'static {
    /// The manifest kind (`EcrRepository`).
    const KIND: &'static str;
    /// The AWS service its reads go to (`ECR`): the engine observes one kind of a service
    /// at a time, so a kind's own concurrency bound is the service's.
    const SERVICE: &'static str;
    /// Whether `plan` needs the caller's account (to build ARNs) for `state`; it is then
    /// read once per pass.
    fn needs_identity(_state: &DesiredState) -> bool {
        false
    }
    /// The desired configuration, from the spec crate.
    type Spec: Sync + 'static;
    /// The live configuration in the spec's vocabulary; no SDK types.
    type Observed: Send + Sync;

    /// This kind's manifests in the desired state.
    fn resources(state: &DesiredState) -> &[Resource<Self::Spec>];

    /// Reads the live state of every resource in `want` (`None`: it does not exist), in as
    /// few calls as the APIs allow. An error here fails the whole kind for this pass.
    fn observe<'a>(
        &'a self,
        aws: &'a Aws,
        want: &'a [Resource<Self::Spec>],
    ) -> impl Future<Output = Result<Vec<Option<Self::Observed>>, AwsError>> + Send + 'a;

    /// Compares one resource and decides the operations that converge it.
    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> ResourcePlan;
}

/// A kind as the engine's registry holds it.
pub trait ErasedKind: Send + Sync {
    /// The manifest kind.
    fn kind(&self) -> &'static str;
    /// The AWS service its reads go to.
    fn service(&self) -> &'static str;
    /// Observes and plans every resource of this kind in `state`.
    fn plan<'a>(
        &'a self,
        aws: &'a Aws,
        state: &'a DesiredState,
    ) -> Pin<Box<dyn Future<Output = Vec<ResourcePlan>> + Send + 'a>>;
}

impl<K: ManagedKind> ErasedKind for K {
    fn kind(&self) -> &'static str {
        K::KIND
    }

    fn service(&self) -> &'static str {
        K::SERVICE
    }

    fn plan<'a>(
        &'a self,
        aws: &'a Aws,
        state: &'a DesiredState,
    ) -> Pin<Box<dyn Future<Output = Vec<ResourcePlan>> + Send + 'a>> {
        Box::pin(async move {
            let want = K::resources(state);
            if want.is_empty() {
                return Vec::new();
            }
            let identity = if K::needs_identity(state) {
                match aws.identity().await {
                    Ok(identity) => Some(identity),
                    Err(err) => return failed::<K>(state, want, &err),
                }
            } else {
                None
            };
            let cx = PlanContext { state, identity };
            match self.observe(aws, want).await {
                Ok(observed) => want
                    .iter()
                    .zip(observed.iter().map(Option::as_ref))
                    .map(|(resource, have)| {
                        let mut plan = K::plan(&cx, resource, have);
                        plan.policy = state.management_policy(&resource.metadata);
                        if plan.policy == ManagementPolicy::Observe {
                            plan.ops.clear();
                        }
                        plan
                    })
                    .collect(),
                Err(err) => failed::<K>(state, want, &err),
            }
        })
    }
}

/// Every resource of a kind that could not be observed, as `error` entries.
fn failed<K: ManagedKind>(
    state: &DesiredState,
    want: &[Resource<K::Spec>],
    err: &AwsError,
) -> Vec<ResourcePlan> {
    want.iter()
        .map(|resource| ResourcePlan {
            action: Action::Error,
            reason: Some(err.to_string()),
            policy: state.management_policy(&resource.metadata),
            error_class: Some(err.class),
            ..ResourcePlan::new(K::KIND, resource.name(), &resource.source)
        })
        .collect()
}
