//! The one trait a resource kind implements, its tagging capability, and its type-erased
//! form for the registry.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;

use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, ManifestKind, Resource};

use super::decide::{plan_resource, unobservable};
use super::import::{ImportError, ImportRequest, Imported, Importer, import_kind};
use super::orphans::{self, Pruner};
use crate::aws::{Aws, AwsError, Identity};
use crate::events::{EventKey, Events};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation, ResourcePlan};

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
    /// The CloudTrail write events that change the kind's resources, and how an event names
    /// them (`Events::NONE`, with a doc comment saying why, for a kind no event changes).
    /// The event source's rule listens for these; an event reconciles only what it names.
    const EVENTS: Events;

    /// Whether `plan` needs the caller's account (to build ARNs) for `state`; it is then
    /// read once per pass.
    fn needs_identity(_state: &DesiredState) -> bool {
        false
    }

    /// The id events name a live resource by when they do not name it by its manifest name
    /// (a security group's id); `None` for kinds whose events carry names.
    fn event_id(_have: &Self::Observed) -> Option<&str> {
        None
    }

    /// Whether one resource's plan needs the kind's other resources observed with it (a
    /// security group's rules name peer groups by manifest name): an event then observes
    /// the kind whole and plans only what it touched.
    const OBSERVED_TOGETHER: bool = false;

    /// How the kind's tags are managed, or that it has none (say which, explicitly).
    fn tagging() -> Tagging<Self>;

    /// How `afu9ctl import` lists the kind's live resources and writes their manifests.
    fn importer() -> Importer<Self>;

    /// Whether pruning deletes the kind's orphans (live resources with the ownership tag that
    /// no manifest names), and how; or why it never does, or cannot tell them.
    fn pruner() -> Pruner<Self>;

    /// The other managed resources `want`'s manifest refers to (a policy it attaches, a
    /// group a rule names), from the manifest alone; or none (say so, explicitly). Apply
    /// runs a resource's converging calls after those resources exist and stops them when
    /// one failed.
    fn depends_on(state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency>;

    /// The IAM actions the kind's reads (observe) and writes (its ops, its tag calls) need
    /// for `want`, its manifests in `state`, on the resources they act on: ARNs built with
    /// `scope` wherever the action supports resource-level permissions, `*` where not
    /// (the kind's `permissions.rs`). `afu9ctl permissions` merges every kind's.
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
    /// it (tags aside: the engine plans them through [`ManagedKind::tagging`]).
    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta;
}

/// How a kind's resources carry tags, which is also how ownership is told.
pub enum Tagging<K: ManagedKind + ?Sized> {
    /// The tag set is owned whole (less the posture's ignored keys) and the `managed-by` tag
    /// says the resource is ours: a live resource without it is left alone unless its
    /// manifest says `adopt: true`.
    Owned(TagOps<K>),
    /// The kind has no tags of its own to manage and no ownership tag to check (ECS task
    /// definitions: each revision carries its tags, and the family belongs to the
    /// application's deployment).
    Untagged,
}

/// What the engine needs to plan a kind's tags.
pub struct TagOps<K: ManagedKind + ?Sized> {
    /// The tags a manifest asks for (the posture's defaults and the ownership tag are added).
    pub desired: fn(&K::Spec) -> &Tags,
    /// The live resource's tags and the id its tag calls take, given the resource's name and
    /// what was observed; `None` when there is no live resource to tag.
    pub live: for<'a> fn(&'a str, &'a K::Observed) -> Option<LiveTags<'a>>,
    /// The call that adds or overwrites `tags` on the resource with the id `target`.
    pub tag: fn(target: String, tags: Tags) -> Box<dyn Operation>,
    /// The call that removes the tag `keys` from the resource with the id `target`.
    pub untag: fn(target: String, keys: Vec<String>) -> Box<dyn Operation>,
}

/// A live resource's tags and the id its tag calls take (an ARN, a group id, a role name).
#[derive(Debug, Clone, Copy)]
pub struct LiveTags<'a> {
    /// Every tag, the ones the controller does not manage included.
    pub tags: &'a Tags,
    /// What the tag calls name.
    pub target: &'a str,
}

/// A kind as the engine's registry holds it.
pub trait ErasedKind: Send + Sync {
    /// The manifest kind.
    fn kind(&self) -> &'static str;
    /// The AWS service its reads and writes go to.
    fn service(&self) -> &'static str;
    /// How many of its writes may be in flight at once.
    fn write_limit(&self) -> usize;
    /// The write events it declares.
    fn events(&self) -> Events;
    /// Whether `state` has manifests of this kind.
    fn declared(&self, state: &DesiredState) -> bool;
    /// The names of this kind's manifests in `state`.
    fn names<'a>(&self, state: &'a DesiredState) -> Vec<&'a str>;
    /// This kind's manifests in `state`: names, labels and what each depends on, from the
    /// manifests alone (no AWS call), for choosing resources before observing them.
    fn manifests<'a>(&self, state: &'a DesiredState) -> Vec<Manifest<'a>>;
    /// The IAM grants its calls need for its manifests in `state`.
    fn permissions(&self, state: &DesiredState, scope: &ArnScope) -> Vec<Grant>;
    /// Observes and plans the resources of this kind in `state` that `keys` name (every
    /// resource when `keys` is `None`).
    fn plan<'a>(
        &'a self,
        aws: &'a Aws,
        cx: Scope<'a>,
        keys: Option<&'a BTreeSet<EventKey>>,
    ) -> Pin<Box<dyn Future<Output = Vec<ResourcePlan>> + Send + 'a>>;
    /// The IAM grants that looking for its orphans takes, and with `prune` deleting them.
    fn orphan_permissions(&self, scope: &ArnScope, prune: bool) -> Vec<Grant>;
    /// The kind's orphans as plan entries: `orphaned`, or with `prune`, `delete` or
    /// `blocked` (see [`super::orphans`]).
    fn orphans<'a>(
        &'a self,
        aws: &'a Aws,
        state: &'a DesiredState,
        prune: bool,
    ) -> Pin<Box<dyn Future<Output = Vec<ResourcePlan>> + Send + 'a>>;
    /// The manifests of the live resources `request` selects; live ids of what it imported
    /// are added to `names` (later kinds name them by manifest name).
    fn import<'a>(
        &'a self,
        aws: &'a Aws,
        request: &'a ImportRequest,
        names: &'a mut BTreeMap<String, String>,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Imported>, ImportError>> + Send + 'a>>;
}

/// One manifest as a selection sees it (`afu9ctl plan --target`, `-l`).
#[derive(Debug, Clone)]
pub struct Manifest<'a> {
    /// `metadata.name`.
    pub name: &'a str,
    /// `metadata.labels`.
    pub labels: &'a BTreeMap<String, String>,
    /// The resources it depends on ([`ManagedKind::depends_on`]).
    pub depends_on: Vec<Dependency>,
}

/// What a pass plans against: the desired state and the events its kinds declare.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The whole desired state.
    pub state: &'a DesiredState,
    /// See [`PlanContext::events`].
    pub events: &'a [Events],
}

impl<K: ManagedKind> ErasedKind for K {
    fn kind(&self) -> &'static str {
        K::KIND
    }

    fn service(&self) -> &'static str {
        K::SERVICE
    }

    fn write_limit(&self) -> usize {
        K::WRITE_LIMIT
    }

    fn events(&self) -> Events {
        K::EVENTS
    }

    fn declared(&self, state: &DesiredState) -> bool {
        !K::Spec::resources(state).is_empty()
    }

    fn names<'a>(&self, state: &'a DesiredState) -> Vec<&'a str> {
        K::Spec::resources(state)
            .iter()
            .map(Resource::name)
            .collect()
    }

    fn manifests<'a>(&self, state: &'a DesiredState) -> Vec<Manifest<'a>> {
        K::Spec::resources(state)
            .iter()
            .map(|resource| Manifest {
                name: resource.name(),
                labels: &resource.metadata.labels,
                depends_on: K::depends_on(state, resource),
            })
            .collect()
    }

    fn permissions(&self, state: &DesiredState, scope: &ArnScope) -> Vec<Grant> {
        K::permissions(state, scope, K::Spec::resources(state))
    }

    fn plan<'a>(
        &'a self,
        aws: &'a Aws,
        scope: Scope<'a>,
        keys: Option<&'a BTreeSet<EventKey>>,
    ) -> Pin<Box<dyn Future<Output = Vec<ResourcePlan>> + Send + 'a>> {
        Box::pin(async move {
            let state = scope.state;
            let all = K::Spec::resources(state);
            // Named resources are observed alone; an id (which only the live resource
            // carries) needs the kind observed whole, then only the matching ones planned.
            let named: Option<Vec<Resource<K::Spec>>> = keys
                .filter(|keys| {
                    !K::OBSERVED_TOGETHER && keys.iter().all(|k| matches!(k, EventKey::Name(_)))
                })
                .map(|keys| {
                    all.iter()
                        .filter(|r| keys.contains(&EventKey::Name(r.name().to_owned())))
                        .cloned()
                        .collect()
                });
            let want = named.as_deref().unwrap_or(all);
            if want.is_empty() {
                return Vec::new();
            }
            let identity = if K::needs_identity(state) {
                match aws.identity().await {
                    Ok(identity) => Some(identity),
                    Err(err) => return unobservable::<K>(state, want, &err),
                }
            } else {
                None
            };
            let cx = PlanContext {
                state,
                identity,
                events: scope.events,
            };
            match self.observe(aws, want).await {
                Ok(observed) => want
                    .iter()
                    .zip(observed.iter().map(Option::as_ref))
                    .filter(|(resource, have)| touched::<K>(keys, resource, *have))
                    .map(|(resource, have)| {
                        let mut plan = plan_resource::<K>(&cx, resource, have);
                        plan.event_id = have.and_then(K::event_id).map(str::to_owned);
                        plan
                    })
                    .collect(),
                Err(err) => unobservable::<K>(state, want, &err),
            }
        })
    }

    fn orphan_permissions(&self, scope: &ArnScope, prune: bool) -> Vec<Grant> {
        orphans::permissions::<K>(scope, prune)
    }

    fn orphans<'a>(
        &'a self,
        aws: &'a Aws,
        state: &'a DesiredState,
        prune: bool,
    ) -> Pin<Box<dyn Future<Output = Vec<ResourcePlan>> + Send + 'a>> {
        Box::pin(orphans::find(self, aws, state, prune))
    }

    fn import<'a>(
        &'a self,
        aws: &'a Aws,
        request: &'a ImportRequest,
        names: &'a mut BTreeMap<String, String>,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Imported>, ImportError>> + Send + 'a>> {
        Box::pin(import_kind(self, aws, request, names))
    }
}

/// Whether `keys` (none: every resource) name `resource`, by name or by its live id.
fn touched<K: ManagedKind>(
    keys: Option<&BTreeSet<EventKey>>,
    resource: &Resource<K::Spec>,
    have: Option<&K::Observed>,
) -> bool {
    let Some(keys) = keys else { return true };
    keys.contains(&EventKey::Name(resource.name().to_owned()))
        || have
            .and_then(K::event_id)
            .is_some_and(|id| keys.contains(&EventKey::Id(id.to_owned())))
}
