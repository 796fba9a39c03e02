//! The core trait every kind implements: what it reads, how it compares, what it needs.
//!
//! Everything a kind may do beyond that is a capability of its own, in the engine file that
//! uses it: [`super::tags::Tagged`], [`super::import::Imports`], [`super::orphans::Prunes`],
//! [`super::evented::Evented`]. The registry line (`Kind::new(..).tagged()..`, in
//! [`super::registry`]) says which a kind has, and why it lacks the others.

use std::future::Future;

use afu9_spec::{DesiredState, ManifestKind, Resource};

use crate::aws::{Aws, AwsError, Identity};
use crate::events::Events;
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency};

/// What a kind's pure `plan` may consult besides the two sides it compares.
#[derive(Debug, Clone, Copy)]
pub struct PlanContext<'a> {
    /// The whole desired state (posture defaults, other manifests).
    pub state: &'a DesiredState,
    /// The caller's account and partition, for kinds whose `needs_identity` said so.
    pub identity: Option<&'a Identity>,
    /// The write events of the registered kinds that have manifests in `state`, for the
    /// kind that sets up their delivery (`EventSource`).
    pub events: &'a [Events],
}

/// One AWS resource kind. `observe` does I/O; `plan` is pure and reports facts (a
/// [`Delta`]); the engine decides the action, ownership, tags and management policy.
pub trait ManagedKind: Send + Sync + 'static {
    /// The desired configuration, declared in the spec crate's kind list.
    type Spec: ManifestKind + Clone;
    /// The live configuration in the spec's vocabulary; no SDK types.
    type Observed: Send + Sync;
    /// The manifest kind (`EcrRepository`): the spec's.
    const KIND: &'static str = <Self::Spec as ManifestKind>::KIND;
    /// The AWS service its reads go to (`ECR`): the engine observes one kind of a service
    /// at a time, so a kind's own concurrency bound is the service's.
    const SERVICE: &'static str;
    /// What people call one resource of this kind (`repository`), for messages.
    const NOUN: &'static str;
    /// How many write calls to its service may be in flight at once during an apply; the
    /// service's bound is the least its kinds declare (IAM's write rate is low: 4).
    const WRITE_LIMIT: usize;
    /// Whether one resource's plan needs the kind's other resources observed with it (a
    /// security group's rules name peer groups by manifest name): a partial plan then
    /// observes the kind whole and plans only what it chose.
    const OBSERVED_TOGETHER: bool = false;
    /// Whether its resources are global to the account (IAM), not to a region: only the
    /// instance that manages global resources (`spec.manageGlobal`, default `true`) writes or
    /// prunes them; the others observe them.
    const GLOBAL: bool = false;

    /// Whether `plan` needs the caller's account (to build ARNs) for `state`; it is then
    /// read once per pass.
    fn needs_identity(_state: &DesiredState) -> bool {
        false
    }

    /// The other managed resources `want`'s manifest refers to (a policy it attaches, a
    /// group a rule names), from the manifest alone; none by default. Apply runs a
    /// resource's converging calls after those resources exist and stops them when one
    /// failed.
    fn depends_on(_state: &DesiredState, _want: &Resource<Self::Spec>) -> Vec<Dependency> {
        Vec::new()
    }

    /// The IAM actions the kind's reads (observe) and writes (its ops, its tag calls) need
    /// for `want`, its manifests in `state`, on the resources they act on: ARNs built with
    /// `scope` wherever the action supports resource-level permissions, `*` where not.
    /// `afu9ctl permissions` merges every kind's; looking for orphans reads what these
    /// grant on a wildcard probe.
    fn permissions(
        state: &DesiredState,
        scope: &ArnScope,
        want: &[Resource<Self::Spec>],
    ) -> Vec<Grant>;

    /// Reads the live state of every resource in `want` (`None`: it does not exist), in as
    /// few calls as the APIs allow. An error here fails the whole kind for this pass.
    fn observe<'a>(
        &'a self,
        aws: &'a Aws,
        want: &'a [Resource<Self::Spec>],
    ) -> impl Future<Output = Result<Vec<Option<Self::Observed>>, AwsError>> + Send + 'a;

    /// Compares one resource with its manifest and reports what differs and what converges
    /// it (tags aside: the engine plans them through [`super::tags::Tagged`]).
    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta;
}
