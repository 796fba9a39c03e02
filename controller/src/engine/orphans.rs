//! Orphans: live resources that carry the ownership tag (`managed-by: afu9-posture`) but that
//! no manifest names any more, and pruning them.
//!
//! A kind finds its orphans through what `afu9ctl import` already has: its discovery lists
//! every live resource with a probe manifest, its own `observe` reads them, and its tagging
//! tells whose they are. So a kind that imports and carries tags can tell its orphans; its
//! registration says whether pruning deletes them ([`Prunes`]: the calls, and the
//! protections that hold one back), keeps them, or never looks. The listing is the pass's
//! shared one (the kind's observation reads it too), and where it shows tags only the
//! resources it shows owned are observed. The engine decides the rest: an orphan is `orphaned` (left
//! alone) unless pruning is on, then `delete` or `blocked` with the protection's reason; an
//! observe-only posture keeps the calls out. Only a whole plan looks for orphans: a partial
//! one (`--target`, an event's reconcile) cannot tell what no manifest names.

use std::future::Future;
use std::pin::Pin;

use afu9_spec::posture::OrphanEntry;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Owner};
use afu9_spec::{DesiredState, ManagementPolicy, ManifestKind, Resource, SourceLocation};

use super::census::{Census, TaggedType};
use super::import::{ImportOps, Imports, probes};
use super::kind::ManagedKind;
use super::tags::{TagOps, Tagged};
use crate::aws::{Aws, AwsError};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Action, Operation, ResourcePlan};

/// A kind whose orphans pruning deletes (it imports, so its discovery lists them, and
/// carries tags, so the ownership tag tells them).
pub trait Prunes: Imports + Tagged {
    /// What pruning adds: the protections' reads and the deleting calls, on any resource of
    /// the kind.
    fn pruning_grants(scope: &ArnScope) -> Vec<Grant>;

    /// Whether the live resource is already on its way out (a secret in its recovery
    /// window): it is then no orphan to list or delete again.
    fn leaving(_have: &Self::Observed) -> bool {
        false
    }

    /// For each orphan, in order: the calls that delete it, or the protection that holds it
    /// back. May read what the protections need (a repository's images, the task
    /// definitions that use a role), once for all the kind's orphans.
    fn delete<'a>(
        aws: &'a Aws,
        cx: PruneContext<'a>,
        orphans: &'a [Orphan<'a, Self>],
    ) -> Deletions<'a>;
}

/// What a kind does with its orphans, as its registration says.
pub enum Orphans<K: ManagedKind + ?Sized> {
    /// Pruning deletes them through these calls, unless a protection holds one back.
    Prunes(PruneOps<K>),
    /// They are listed but never deleted, for this reason (a KMS key: what it encrypted
    /// would be lost).
    Keeps(&'static str),
    /// The kind cannot or must not tell them, for this reason (no ownership tag; adopted
    /// from another stack).
    Untracked(&'static str),
}

/// A pruning kind's capability as the registry keeps it.
pub struct PruneOps<K: ManagedKind + ?Sized> {
    /// See [`Prunes::pruning_grants`].
    pub pruning: fn(&ArnScope) -> Vec<Grant>,
    /// See [`Prunes::leaving`].
    pub leaving: fn(&K::Observed) -> bool,
    /// See [`Prunes::delete`].
    pub delete: for<'a> fn(&'a Aws, PruneContext<'a>, &'a [Orphan<'a, K>]) -> Deletions<'a>,
}

impl<K: Prunes> PruneOps<K> {
    /// The capability of `K`.
    pub fn of() -> Self {
        Self {
            pruning: K::pruning_grants,
            leaving: K::leaving,
            delete: K::delete,
        }
    }
}

/// How a kind tells its orphans: its import's discovery lists them (and says what that
/// reads) and its tags tell whose they are.
pub struct Finder<K: ManagedKind + ?Sized> {
    /// The kind's import.
    pub import: ImportOps<K>,
    /// The kind's tagging.
    pub tags: TagOps<K>,
}

/// The IAM actions that finding a kind's orphans takes, and with `prune` deleting them.
pub(super) fn permissions<K: ManagedKind>(
    orphans: &Orphans<K>,
    finder: Option<&Finder<K>>,
    scope: &ArnScope,
    prune: bool,
) -> Vec<Grant> {
    let Some(finder) = finder else {
        return Vec::new();
    };
    let mut grants = (finder.import.reads)(scope);
    match orphans {
        Orphans::Prunes(ops) if prune => grants.extend((ops.pruning)(scope)),
        Orphans::Untracked(_) => return Vec::new(),
        _ => {}
    }
    grants
}

/// One orphan as its kind observed it.
pub struct Orphan<'a, K: ManagedKind + ?Sized> {
    /// The name its manifest had (what import would name it).
    pub name: &'a str,
    /// Its live state.
    pub have: &'a K::Observed,
}

/// What deciding a kind's deletions returns, one per orphan.
pub type Deletions<'a> = Pin<Box<dyn Future<Output = Result<Vec<Deletion>, AwsError>> + Send + 'a>>;

/// What pruning does to one orphan.
#[derive(Debug)]
pub enum Deletion {
    /// These calls, in order, delete it.
    Delete(Vec<Box<dyn Operation>>),
    /// A protection holds it back, for this reason.
    Blocked(String),
}

/// What a kind's deletions may consult.
#[derive(Debug, Clone, Copy)]
pub struct PruneContext<'a> {
    /// The kind.
    pub kind: &'static str,
    /// The Posture's orphan entries (what pruning may do beyond its protections).
    pub entries: &'a [OrphanEntry],
}

impl PruneContext<'_> {
    /// The orphan entry for the kind's orphan `name`, if the Posture has one.
    pub fn entry(&self, name: &str) -> Option<&OrphanEntry> {
        OrphanEntry::find(self.entries, self.kind, name)
    }
}

/// Where an orphan's plan entry says it was declared: nowhere.
fn no_manifest() -> SourceLocation {
    SourceLocation::new("(no manifest)", 0, 0)
}

/// Whether a whole pass looks for the orphans of kind `K` in `state` at all.
fn looks<K: ManagedKind>(
    orphans_of: &Orphans<K>,
    finder: Option<&Finder<K>>,
    state: &DesiredState,
) -> bool {
    finder.is_some()
        && !matches!(orphans_of, Orphans::Untracked(_))
        && (!K::GLOBAL || state.posture.manages_global())
}

/// The type by which the pass's census tells whether kind `K` has owned resources to look
/// at, when its orphan search would list only for itself (no manifest of the kind in
/// `state`). Never for a global kind: the census is regional.
pub(super) fn census_type<K: ManagedKind>(
    orphans_of: &Orphans<K>,
    finder: Option<&Finder<K>>,
    state: &DesiredState,
) -> Option<TaggedType> {
    let tagged = finder?.import.tagged?;
    let lists_for_itself = K::Spec::resources(state).is_empty() && !K::GLOBAL;
    (looks(orphans_of, finder, state) && lists_for_itself).then_some(tagged)
}

/// The orphans of kind `K` as plan entries: `orphaned` unless `prune`, else `delete` or
/// `blocked`. A failed read is one `error` entry for the kind (named `*`). A kind without a
/// manifest whose resources `census` shows none owned lists nothing.
pub(super) async fn find<K: ManagedKind>(
    kind: &K,
    orphans_of: &Orphans<K>,
    finder: Option<&Finder<K>>,
    aws: &Aws,
    census: &Census,
    state: &DesiredState,
    prune: bool,
) -> Vec<ResourcePlan> {
    if !looks(orphans_of, finder, state) {
        return Vec::new();
    }
    let Some(Finder { import, tags }) = finder else {
        return Vec::new();
    };
    if let Some(tagged) = census_type(orphans_of, finder, state)
        && census.shows_owned(aws, tagged).await == Some(false)
    {
        return Vec::new();
    }
    let mut probes = match candidates(import, aws, state).await {
        Ok(probes) => probes,
        Err(err) => return failed::<K>(&err),
    };
    match (import.owners)(aws).await {
        Ok(Some(owned)) => probes.retain(|probe| owned.contains(probe.name())),
        Ok(None) => {}
        Err(err) => return failed::<K>(&err),
    }
    if probes.is_empty() {
        return Vec::new();
    }
    let observed = match kind.observe(aws, &probes).await {
        Ok(observed) => observed,
        Err(err) => return failed::<K>(&err),
    };
    let owner = state.posture.owner();
    let orphans = owned(&owner, orphans_of, tags, &probes, &observed);
    if orphans.is_empty() {
        return Vec::new();
    }
    let policy = state.posture.management_policy;
    let entry = |name: &str, action: Action, reason: String| ResourcePlan {
        action,
        reason: Some(reason),
        policy,
        orphan: true,
        ..ResourcePlan::new(K::KIND, name, &no_manifest())
    };
    let unnamed = format!(
        "no manifest names this {} any more, and it carries `{MANAGED_BY_KEY}: {MANAGED_BY_VALUE}`",
        K::NOUN
    );
    let blocked = |name: &str, why: &str| {
        entry(
            name,
            Action::Blocked,
            format!("{unnamed}; not pruned: {why}"),
        )
    };
    let ops = match orphans_of {
        _ if !prune => {
            return orphans
                .iter()
                .map(|o| {
                    let reason = format!("{unnamed}; pruning is off, so it is left alone");
                    entry(o.name, Action::Orphaned, reason)
                })
                .collect();
        }
        Orphans::Prunes(ops) => ops,
        Orphans::Keeps(why) => return orphans.iter().map(|o| blocked(o.name, why)).collect(),
        Orphans::Untracked(_) => return Vec::new(),
    };
    let cx = PruneContext {
        kind: K::KIND,
        entries: &state.posture.orphans,
    };
    let deletions = match (ops.delete)(aws, cx, &orphans).await {
        Ok(deletions) => deletions,
        Err(err) => return failed::<K>(&err),
    };
    orphans
        .iter()
        .zip(deletions)
        .map(|(o, deletion)| match deletion {
            Deletion::Delete(calls) => {
                let reason = format!("{unnamed}; pruning deletes it");
                let mut plan = entry(o.name, Action::Delete, reason);
                if policy != ManagementPolicy::Observe {
                    plan.ops = calls;
                }
                plan
            }
            Deletion::Blocked(why) => blocked(o.name, &why),
        })
        .collect()
}

/// The one `error` entry of a kind whose orphans could not be looked for.
fn failed<K: ManagedKind>(err: &AwsError) -> Vec<ResourcePlan> {
    vec![ResourcePlan {
        action: Action::Error,
        reason: Some(format!("cannot look for orphans: {err}")),
        error_class: Some(err.class),
        orphan: true,
        ..ResourcePlan::new(K::KIND, "*", &no_manifest())
    }]
}

/// A probe manifest for every live resource of kind `K` that no manifest in `state` names.
async fn candidates<K: ManagedKind>(
    import: &ImportOps<K>,
    aws: &Aws,
    state: &DesiredState,
) -> Result<Vec<Resource<K::Spec>>, AwsError> {
    let declared: Vec<&str> = K::Spec::resources(state)
        .iter()
        .map(Resource::name)
        .collect();
    probes(
        import,
        aws,
        |name| !declared.contains(&name),
        &no_manifest(),
    )
    .await
}

/// The observed candidates that carry this instance's ownership tags (another instance's
/// resources are never its orphans) and are not already on their way out.
fn owned<'a, K: ManagedKind>(
    owner: &Owner,
    orphans_of: &Orphans<K>,
    tags: &TagOps<K>,
    probes: &'a [Resource<K::Spec>],
    observed: &'a [Option<K::Observed>],
) -> Vec<Orphan<'a, K>> {
    probes
        .iter()
        .zip(observed)
        .filter_map(|(probe, have)| {
            let have = have.as_ref()?;
            if let Orphans::Prunes(ops) = orphans_of
                && (ops.leaving)(have)
            {
                return None;
            }
            let live = (tags.live)(probe.name(), have)?;
            owner.owns(live.tags).then(|| Orphan {
                name: probe.name(),
                have,
            })
        })
        .collect()
}
