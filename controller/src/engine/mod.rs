//! The reconcile engine: kinds behind one small core trait and a few capability traits
//! (`kind`, `tags`, `import`, `orphans`, `evented`, `attest`), the registry that erases them
//! (`registry`), the one place that turns what a kind found into a plan (`decide`), and an
//! apply that executes exactly the operations of the plan it is given, resources at the same
//! time within each service's bound (`schedule`).

pub mod apply;
pub mod attest;
pub mod budget;
mod capability;
pub mod census;
mod decide;
pub mod evented;
pub mod guard;
pub mod import;
pub mod kind;
pub mod orphans;
pub mod registry;
mod schedule;
pub mod tags;

pub use apply::{ApplyReport, OpResult, ResourceResult};
pub use attest::Attests;
pub use census::{Census, TaggedType};
pub use evented::Evented;
pub use guard::{GuardError, check_target};
pub use import::{
    Discovery, ImportContext, ImportError, ImportRequest, Imported, Imports, ListedOwners,
};
pub use kind::{ManagedKind, PlanContext};
pub use orphans::{Deletion, Deletions, Orphan, PruneContext, Prunes};
pub use registry::{Capability, ErasedKind, Kind, Manifest, Scope};
pub use schedule::Bounds;
pub use tags::{LiveTags, Tagged};

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Instant;

use afu9_spec::DesiredState;
use futures_util::future::join_all;

use crate::aws::Aws;
use crate::events::{CloudTrailEvent, EventKey, Events, Target};
use crate::permissions::{self, ArnScope, Mode, Policy};
use crate::plan::Plan;

/// What a policy covers besides the manifests' calls.
#[derive(Debug, Clone, Default)]
pub struct PolicyOptions {
    /// What `--security-hub` needs to send findings.
    pub security_hub: bool,
    /// What pruning orphans writes (`apply --prune`), also when the Posture does not prune.
    pub prune: bool,
    /// What holding a lease in this DynamoDB table takes (`run --lease-table`).
    pub lease_table: Option<String>,
}

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

    /// The IAM policy `state` needs in `mode`: the grants of the kinds with manifests in it
    /// (`ManagedKind::permissions`), and of every kind what looking for its orphans reads
    /// (a whole plan does, whatever the manifests) and, when `prune` or the Posture's
    /// `prune` says so, what deleting them writes; in registry order, merged, and with
    /// `security_hub` what the findings export needs, what the Posture's notifications
    /// publish, and the census's read when a whole plan of `state` takes one
    /// ([`census`]). Makes no AWS call.
    pub fn permissions(
        &self,
        state: &DesiredState,
        scope: &ArnScope,
        mode: Mode,
        options: &PolicyOptions,
    ) -> Policy {
        let prune = options.prune || state.posture.prune;
        let export = options
            .security_hub
            .then(|| ("SecurityHub", permissions::security_hub(scope)));
        let notify = Some(("Notifications", permissions::notifications(state, scope)))
            .filter(|(_, grants)| !grants.is_empty());
        let lease = options
            .lease_table
            .as_deref()
            .map(|table| ("Controller", permissions::lease(scope, table)));
        let census = self
            .kinds
            .iter()
            .any(|kind| kind.census_service(state).is_some())
            .then(|| ("Census", census::grants()));
        permissions::policy(
            self.kinds
                .iter()
                .map(|kind| {
                    let mut grants = if kind.declared(state) {
                        kind.permissions(state, scope)
                    } else {
                        Vec::new()
                    };
                    grants.extend(kind.orphan_permissions(scope, prune));
                    (kind.kind(), grants)
                })
                .chain(export)
                .chain(notify)
                .chain(lease)
                .chain(census),
            mode,
        )
    }

    /// Observes every resource of the desired state and computes what would change.
    /// An observation failure becomes an `error` entry for the resources it concerns.
    ///
    /// Services are observed at the same time, the kinds of one service one after another
    /// (so each service sees at most the concurrency of one kind's reads); the plan lists
    /// resources in registry order whatever finished first. Each kind's time is logged at
    /// debug level under the target `afu9ctl::timing` (read by `scripts/bench`). The pass
    /// reads each listing at most once ([`Aws::for_pass`]).
    pub async fn plan(&self, aws: &Aws, state: &DesiredState) -> Plan {
        self.plan_some(&aws.for_pass(false), state, None).await
    }

    /// [`Engine::plan`] and the orphans of every kind that tells them, listed after the
    /// resources: what a whole plan of `plan`, `apply` and `run` shows. One pass: a kind's
    /// orphan search runs beside its observation and shares its listings (the list call
    /// that finds the manifests' resources also finds the orphans); the kinds without a
    /// manifest share one census of owned resources instead of listing ([`census`]).
    pub async fn plan_with_orphans(&self, aws: &Aws, state: &DesiredState, prune: bool) -> Plan {
        let aws = &aws.for_pass(true);
        let scope = Scope {
            state,
            events: &self.declared_events(state),
        };
        let census = &Census::of(self.kinds.iter().filter_map(|k| k.census_service(state)));
        let per_kind = self
            .in_lanes(|kind| async move {
                let started = Instant::now();
                let (plans, orphans) = futures_util::future::join(
                    kind.plan(aws, scope, None),
                    kind.orphans(aws, census, state, prune),
                )
                .await;
                log_kind(kind, plans.len(), started);
                Some((plans, orphans))
            })
            .await;
        let (resources, orphans): (Vec<_>, Vec<_>) = per_kind.into_iter().unzip();
        Plan {
            resources: resources.into_iter().chain(orphans).flatten().collect(),
            partial: None,
        }
    }

    /// Observes and plans only the resources `targets` name (what events touched), the
    /// kinds' reads as in [`Engine::plan`].
    pub async fn plan_targets(
        &self,
        aws: &Aws,
        state: &DesiredState,
        targets: &BTreeSet<Target>,
    ) -> Plan {
        let mut keys: BTreeMap<&str, BTreeSet<EventKey>> = BTreeMap::new();
        for target in targets {
            keys.entry(target.kind)
                .or_default()
                .insert(target.key.clone());
        }
        self.plan_some(&aws.for_pass(false), state, Some(&keys))
            .await
    }

    /// Plans the kinds `keys` lists (and only the resources it names), or every kind.
    async fn plan_some(
        &self,
        aws: &Aws,
        state: &DesiredState,
        keys: Option<&BTreeMap<&str, BTreeSet<EventKey>>>,
    ) -> Plan {
        let events = self.declared_events(state);
        let scope = Scope {
            state,
            events: &events,
        };
        let resources = self
            .in_lanes(|kind| async move {
                let kind_keys = match keys {
                    None => None,
                    Some(keys) => Some(keys.get(kind.kind())?),
                };
                let started = Instant::now();
                let plans = kind.plan(aws, scope, kind_keys).await;
                log_kind(kind, plans.len(), started);
                Some(plans)
            })
            .await;
        Plan {
            resources: resources.into_iter().flatten().collect(),
            partial: None,
        }
    }

    /// What `per_kind` returns for each kind (`None`: nothing, for a kind it skips), the
    /// services at the same time and a service's kinds one after another (so each service
    /// sees at most the concurrency of one kind's reads), in registry order whatever
    /// finished first.
    async fn in_lanes<'a, T, F, Fut>(&'a self, per_kind: F) -> Vec<T>
    where
        F: Fn(&'a dyn ErasedKind) -> Fut + Copy,
        Fut: Future<Output = Option<T>>,
    {
        let lanes = self.service_lanes().into_iter().map(|lane| async move {
            let mut planned = Vec::with_capacity(lane.len());
            for index in lane {
                if let Some(plans) = per_kind(self.kinds[index].as_ref()).await {
                    planned.push((index, plans));
                }
            }
            planned
        });
        let mut by_kind: Vec<(usize, T)> = join_all(lanes).await.into_iter().flatten().collect();
        by_kind.sort_by_key(|(index, _)| *index);
        by_kind.into_iter().map(|(_, plans)| plans).collect()
    }

    /// The registered kinds, in registry order.
    pub fn kinds(&self) -> impl Iterator<Item = &dyn ErasedKind> {
        self.kinds.iter().map(AsRef::as_ref)
    }

    /// The write events of the kinds that have manifests in `state`.
    pub fn declared_events(&self, state: &DesiredState) -> Vec<Events> {
        self.kinds
            .iter()
            .filter(|kind| kind.declared(state))
            .map(|kind| kind.events())
            .collect()
    }

    /// Whether `target` may be a managed resource: its name is a manifest's, or it is an id
    /// (which only observing tells).
    pub fn manages(&self, state: &DesiredState, target: &Target) -> bool {
        match &target.key {
            EventKey::Id(_) => true,
            EventKey::Name(name) => self.kinds.iter().any(|kind| {
                kind.kind() == target.kind && kind.names(state).contains(&name.as_str())
            }),
        }
    }

    /// The resources `event` touches, by the kinds that declared its name; empty when no
    /// kind did.
    pub fn route(&self, event: &CloudTrailEvent) -> Vec<Target> {
        let mut targets = Vec::new();
        for kind in &self.kinds {
            let events = kind.events();
            if events.declares(&event.source, &event.name) {
                targets.extend((events.keys)(event).into_iter().map(|key| Target {
                    kind: kind.kind(),
                    key,
                }));
            }
        }
        targets
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

    /// The manifests of the live resources `request` selects, kind by kind in registry
    /// order (so a role names the policies imported before it), with the kinds that could
    /// not be imported (unsupported, or a read failed) and why. One whole pass: each
    /// listing is read once.
    pub async fn import(
        &self,
        aws: &Aws,
        request: &ImportRequest,
    ) -> (Vec<Imported>, Vec<ImportError>) {
        let aws = &aws.for_pass(true);
        let mut names = BTreeMap::new();
        let mut imported = Vec::new();
        let mut failed = Vec::new();
        for kind in self.kinds.iter().filter(|k| request.selects_kind(k.kind())) {
            match kind.import(aws, request, &mut names).await {
                Ok(found) => imported.extend(found),
                Err(err) => failed.push(err),
            }
        }
        (imported, failed)
    }

    /// Executes the operations of `plan`: resources at the same time, at most each
    /// service's bound of writes in flight; a resource's operations in their order, its
    /// `Create`-phase ones first; a resource's converging operations after the resources it
    /// depends on exist (see `schedule.rs` for the exact rule). A failed operation stops
    /// the rest of its resource and what depends on it; other resources go on. The report
    /// lists resources in plan order.
    pub async fn apply(&self, aws: &Aws, plan: &Plan) -> ApplyReport {
        schedule::execute(aws, plan, &self.bounds(), &|| false).await
    }

    /// Like [`Engine::apply`], but starts no further operation once `stop` says so (those
    /// in flight finish); the rest are counted as skipped.
    pub async fn apply_until(
        &self,
        aws: &Aws,
        plan: &Plan,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> ApplyReport {
        schedule::execute(aws, plan, &self.bounds(), stop).await
    }

    /// Each kind's service and write bound, as the kinds declare them.
    pub fn bounds(&self) -> Bounds {
        let mut bounds = Bounds::default();
        for kind in &self.kinds {
            bounds.add(kind.kind(), kind.service(), kind.write_limit());
        }
        bounds
    }
}

/// Logs how long `kind` took to be observed and planned (`afu9ctl::timing`, debug).
fn log_kind(kind: &dyn ErasedKind, resources: usize, started: Instant) {
    tracing::debug!(
        target: "afu9ctl::timing",
        kind = kind.kind(),
        resources,
        seconds = started.elapsed().as_secs_f64(),
        "kind observed and planned"
    );
}

#[cfg(test)]
mod tests;
