//! The registry: each kind with the capabilities its registration line gives it, erased to
//! one type the engine can hold in a list, and the per-kind plan algorithm over it.
//!
//! `Kind::new(SnsTopics).tagged().imports().prunes().evented()` says what a kind can do;
//! `.never_prunes("adopted: the stack creates it")` says what it cannot, and why. A
//! capability neither provided nor declined is a registration error that
//! [`ErasedKind::undeclared`] reports (the kinds module's test fails on it).

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;

use afu9_spec::{DesiredState, ManifestKind, Resource};

use super::attest::{AttestOps, Attests};
pub use super::capability::Capability;
use super::census::Census;
use super::decide::{plan_resource, unobservable};
use super::evented::{EventOps, Evented};
use super::import::{ImportError, ImportOps, ImportRequest, Imported, Imports, import_kind};
use super::kind::{ManagedKind, PlanContext};
use super::orphans::{self, Finder, Orphans, PruneOps, Prunes};
use super::tags::{TagOps, Tagged};
use crate::aws::Aws;
use crate::events::{EventKey, Events};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Dependency, ResourcePlan};

/// A kind and its capabilities, as its registration line builds it.
pub struct Kind<K: ManagedKind> {
    inner: K,
    tags: Capability<TagOps<K>>,
    import: Capability<ImportOps<K>>,
    orphans: Option<(Orphans<K>, Option<Finder<K>>)>,
    events: Capability<EventOps<K>>,
    attest: Capability<AttestOps<K>>,
}

impl<K: ManagedKind> Kind<K> {
    /// The kind, with no capability declared yet.
    pub fn new(kind: K) -> Self {
        Self {
            inner: kind,
            tags: Capability::Undeclared,
            import: Capability::Undeclared,
            orphans: None,
            events: Capability::Undeclared,
            attest: Capability::Undeclared,
        }
    }

    /// The same registration over another instance of the kind (a clock or a read
    /// strategy a test sets).
    #[must_use]
    pub fn with(mut self, inner: K) -> Self {
        self.inner = inner;
        self
    }

    /// Its resources carry tags, which the engine owns (and tells ownership by).
    #[must_use]
    pub fn tagged(mut self) -> Self
    where
        K: Tagged,
    {
        self.tags = Capability::Provided(TagOps::of());
        self
    }

    /// Its resources have no tags to manage and no owner to check, for this reason.
    #[must_use]
    pub fn untagged(mut self, why: &'static str) -> Self {
        self.tags = Capability::Declined(why);
        self
    }

    /// `afu9ctl import` writes its live resources back as manifests.
    #[must_use]
    pub fn imports(mut self) -> Self
    where
        K: Imports,
    {
        self.import = Capability::Provided(ImportOps::of());
        self
    }

    /// `afu9ctl import` cannot write its resources back, for this reason (asking for it
    /// is an error that says so).
    #[must_use]
    pub fn never_imports(mut self, why: &'static str) -> Self {
        self.import = Capability::Declined(why);
        self
    }

    /// Pruning deletes its orphans.
    #[must_use]
    pub fn prunes(mut self) -> Self
    where
        K: Prunes,
    {
        self.orphans = Some((Orphans::Prunes(PruneOps::of()), Some(finder::<K>())));
        self
    }

    /// Its orphans are listed, never deleted, for this reason.
    #[must_use]
    pub fn keeps_orphans(mut self, why: &'static str) -> Self
    where
        K: Imports + Tagged,
    {
        self.orphans = Some((Orphans::Keeps(why), Some(finder::<K>())));
        self
    }

    /// Its orphans are never looked for, for this reason (no ownership tag; adopted from
    /// another stack).
    #[must_use]
    pub fn never_prunes(mut self, why: &'static str) -> Self {
        self.orphans = Some((Orphans::Untracked(why), None));
        self
    }

    /// CloudTrail write events change its resources; `run` reconciles what they name.
    #[must_use]
    pub fn evented(mut self) -> Self
    where
        K: Evented,
    {
        self.events = Capability::Provided(EventOps::of());
        self
    }

    /// No event changes its resources, for this reason: the periodic pass reconciles them.
    #[must_use]
    pub fn no_events(mut self, why: &'static str) -> Self {
        self.events = Capability::Declined(why);
        self
    }

    /// Its live resources are evidence for security controls: plans carry their facts.
    #[must_use]
    pub fn attests(mut self) -> Self
    where
        K: Attests,
    {
        self.attest = Capability::Provided(AttestOps::of());
        self
    }

    /// Its live resources are evidence for no control, for this reason.
    #[must_use]
    pub fn attests_nothing(mut self, why: &'static str) -> Self {
        self.attest = Capability::Declined(why);
        self
    }

    /// The plan of one observed resource, with this registration's capabilities: the
    /// kind's pure comparison, then the engine's decision (what a pass does; unit tests
    /// call it too).
    pub fn plan_one(
        &self,
        cx: &PlanContext<'_>,
        want: &Resource<K::Spec>,
        have: Option<&K::Observed>,
    ) -> ResourcePlan {
        let mut plan = plan_resource::<K>(cx, self.tags.provided(), want, have);
        if let (Some(ops), Some(have)) = (self.attest.provided(), have) {
            plan.facts = (ops.facts)(want, have);
        }
        plan
    }

    /// The kind's import, if it has one.
    pub fn import_ops(&self) -> Option<&ImportOps<K>> {
        self.import.provided()
    }

    /// The kind's tagging, if it has one.
    pub fn tag_ops(&self) -> Option<&TagOps<K>> {
        self.tags.provided()
    }
}

fn finder<K: Imports + Tagged>() -> Finder<K> {
    Finder {
        import: ImportOps::of(),
        tags: TagOps::of(),
    }
}

impl<K: ManagedKind> From<Kind<K>> for Box<dyn ErasedKind> {
    fn from(kind: Kind<K>) -> Self {
        Box::new(kind)
    }
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

/// A future the erased registry returns.
type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A registered kind as the engine holds it.
pub trait ErasedKind: Send + Sync {
    /// The manifest kind.
    fn kind(&self) -> &'static str;
    /// The AWS service its reads and writes go to.
    fn service(&self) -> &'static str;
    /// How many of its writes may be in flight at once.
    fn write_limit(&self) -> usize;
    /// The write events it declares (none when it declined events).
    fn events(&self) -> Events;
    /// What the registration says it can do, and why not where it cannot (one phrase per
    /// capability: `tagged`, `not imports: …`).
    fn capabilities(&self) -> Vec<String>;
    /// The capabilities its registration neither provides nor declines.
    fn undeclared(&self) -> Vec<&'static str>;
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
    ) -> Boxed<'a, Vec<ResourcePlan>>;
    /// The IAM grants that looking for its orphans takes, and with `prune` deleting them.
    fn orphan_permissions(&self, scope: &ArnScope, prune: bool) -> Vec<Grant>;
    /// The service whose census a whole pass's orphan search for this kind consults
    /// (see [`super::census`]): when the kind tells orphans, the Tagging API lists it and
    /// `state` has no manifest of it.
    fn census_service(&self, state: &DesiredState) -> Option<&'static str>;
    /// The kind's orphans as plan entries: `orphaned`, or with `prune`, `delete` or
    /// `blocked` (see [`super::orphans`]); the pass's `census` may tell there are none to
    /// look for.
    fn orphans<'a>(
        &'a self,
        aws: &'a Aws,
        census: &'a Census,
        state: &'a DesiredState,
        prune: bool,
    ) -> Boxed<'a, Vec<ResourcePlan>>;
    /// The manifests of the live resources `request` selects; live ids of what it imported
    /// are added to `names` (later kinds name them by manifest name).
    fn import<'a>(
        &'a self,
        aws: &'a Aws,
        request: &'a ImportRequest,
        names: &'a mut BTreeMap<String, String>,
    ) -> Boxed<'a, Result<Vec<Imported>, ImportError>>;
    /// The registration itself, for code that knows its kind's type (unit tests).
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<K: ManagedKind> ErasedKind for Kind<K> {
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
        self.events
            .provided()
            .map_or(Events::NONE, |ops| ops.events)
    }

    fn capabilities(&self) -> Vec<String> {
        let orphans = match &self.orphans {
            Some((Orphans::Prunes(_), _)) => "prunes".to_owned(),
            Some((Orphans::Keeps(why), _)) => format!("keeps orphans: {why}"),
            Some((Orphans::Untracked(why), _)) => format!("never prunes: {why}"),
            None => "prunes: undeclared".to_owned(),
        };
        vec![
            self.tags.describe("tagged"),
            self.import.describe("imports"),
            orphans,
            self.events.describe("evented"),
            self.attest.describe("attests"),
        ]
    }

    fn undeclared(&self) -> Vec<&'static str> {
        [
            (self.tags.declared(), "tagged"),
            (self.import.declared(), "imports"),
            (self.orphans.is_some(), "prunes"),
            (self.events.declared(), "evented"),
            (self.attest.declared(), "attests"),
        ]
        .into_iter()
        .filter(|(declared, _)| !declared)
        .map(|(_, name)| name)
        .collect()
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
    ) -> Boxed<'a, Vec<ResourcePlan>> {
        Box::pin(self.plan_kind(aws, scope, keys))
    }

    fn orphan_permissions(&self, scope: &ArnScope, prune: bool) -> Vec<Grant> {
        match &self.orphans {
            Some((orphans, finder)) => orphans::permissions(orphans, finder.as_ref(), scope, prune),
            None => Vec::new(),
        }
    }

    fn census_service(&self, state: &DesiredState) -> Option<&'static str> {
        let (orphans, finder) = self.orphans.as_ref()?;
        orphans::census_type(orphans, finder.as_ref(), state).map(|tagged| tagged.service)
    }

    fn orphans<'a>(
        &'a self,
        aws: &'a Aws,
        census: &'a Census,
        state: &'a DesiredState,
        prune: bool,
    ) -> Boxed<'a, Vec<ResourcePlan>> {
        Box::pin(async move {
            let Some((orphans, finder)) = &self.orphans else {
                return Vec::new();
            };
            let finder = finder.as_ref();
            orphans::find(&self.inner, orphans, finder, aws, census, state, prune).await
        })
    }

    fn import<'a>(
        &'a self,
        aws: &'a Aws,
        request: &'a ImportRequest,
        names: &'a mut BTreeMap<String, String>,
    ) -> Boxed<'a, Result<Vec<Imported>, ImportError>> {
        Box::pin(async move {
            match &self.import {
                Capability::Provided(ops) => {
                    import_kind(
                        &self.inner,
                        *ops,
                        self.tags.provided().copied(),
                        aws,
                        request,
                        names,
                    )
                    .await
                }
                Capability::Declined(why) => Err(ImportError::Unsupported(K::KIND, why)),
                Capability::Undeclared => Err(ImportError::Unsupported(K::KIND, "undeclared")),
            }
        })
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

impl<K: ManagedKind> Kind<K> {
    /// Observes and plans the resources of this kind in `scope` that `keys` name (all
    /// when `None`).
    async fn plan_kind(
        &self,
        aws: &Aws,
        scope: Scope<'_>,
        keys: Option<&BTreeSet<EventKey>>,
    ) -> Vec<ResourcePlan> {
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
        match self.inner.observe(aws, want).await {
            Ok(observed) => want
                .iter()
                .zip(observed.iter().map(Option::as_ref))
                .filter(|(resource, have)| self.touched(keys, resource, *have))
                .map(|(resource, have)| {
                    let mut plan = self.plan_one(&cx, resource, have);
                    plan.event_id = self.event_id(have).map(str::to_owned);
                    plan
                })
                .collect(),
            Err(err) => unobservable::<K>(state, want, &err),
        }
    }

    /// Whether `keys` (none: every resource) name `resource`, by name or by its live id.
    fn touched(
        &self,
        keys: Option<&BTreeSet<EventKey>>,
        resource: &Resource<K::Spec>,
        have: Option<&K::Observed>,
    ) -> bool {
        let Some(keys) = keys else { return true };
        keys.contains(&EventKey::Name(resource.name().to_owned()))
            || self
                .event_id(have)
                .is_some_and(|id| keys.contains(&EventKey::Id(id.to_owned())))
    }

    /// The id events name the live resource by, if its kind has one.
    fn event_id<'a>(&self, have: Option<&'a K::Observed>) -> Option<&'a str> {
        let ops = self.events.provided()?;
        (ops.event_id)(have?)
    }
}
