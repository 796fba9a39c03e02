//! The plan value: what differs, per resource, and the operations that converge it.
//!
//! A leaf: it names no kind and no engine. Kinds report a [`Delta`] per resource; the engine
//! turns it into a [`ResourcePlan`]; renderers and the run loop read [`Plan`]s.

mod delta;
mod fact;
mod provenance;

pub use delta::{Delta, Existence};
pub use fact::Fact;
pub use provenance::{EventOrigin, Provenance};

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use afu9_spec::{ManagementPolicy, SourceLocation};
use serde::Serialize;
use serde_json::Value;

use crate::aws::{Aws, AwsError, ErrorClass};
pub use crate::aws::{OpOutcome, WriteCall};

/// What the plan does to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// In sync.
    Noop,
    /// Missing: will be created.
    Create,
    /// Drifted: will be changed in place.
    Update,
    /// Drifted in a way only a new resource (or revision) fixes.
    Replace,
    /// Drifted in a way the controller will not fix on its own; see the reason.
    Blocked,
    /// Could not be observed; see the reason.
    Error,
    /// Carries the ownership tag but no manifest names it: left alone (pruning is off).
    Orphaned,
    /// An orphan that pruning deletes, after every other change of the apply.
    Delete,
}

impl Action {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Noop => "noop",
            Self::Create => "create",
            Self::Update => "update",
            Self::Replace => "replace",
            Self::Blocked => "blocked",
            Self::Error => "error",
            Self::Orphaned => "orphaned",
            Self::Delete => "delete",
        }
    }
}

/// One field that differs: its path in the manifest's vocabulary, live value, wanted value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// `spec.tagMutability`, `spec.tags.team`, `spec.lifecyclePolicy`.
    pub path: String,
    /// The live value; `None` when absent.
    pub before: Option<Value>,
    /// The wanted value; `None` when it will be removed.
    pub after: Option<Value>,
    /// Whether the values must never be shown (a present value is then [`Change::MASK`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

impl Change {
    /// What a sensitive change shows in place of a value that is there.
    pub const MASK: &'static str = "(sensitive value)";

    /// A field whose values must never be shown: only whether there is a value before and
    /// after, each as [`Change::MASK`].
    pub fn sensitive(path: impl Into<String>, before: bool, after: bool) -> Self {
        let mask = |present: bool| present.then(|| Value::from(Self::MASK));
        Self {
            path: path.into(),
            before: mask(before),
            after: mask(after),
            sensitive: true,
        }
    }

    /// A field that changes from `before` to `after`.
    pub fn new(path: impl Into<String>, before: Option<Value>, after: Option<Value>) -> Self {
        Self {
            path: path.into(),
            before,
            after,
            sensitive: false,
        }
    }
}

/// A boxed future of an operation's result.
pub type OpFuture<'a> = Pin<Box<dyn Future<Output = Result<OpOutcome, AwsError>> + Send + 'a>>;

/// When an operation runs within an apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Creating (or replacing) resources, for every resource before anything else, so that
    /// resources can refer to each other (security groups that reference one another).
    Create,
    /// Everything else, resource by resource.
    Converge,
}

/// One AWS write call with all its arguments decided at plan time. Idempotent. What it calls
/// and on what ([`WriteCall`]) is how errors, logs and the audit trail name it.
pub trait Operation: WriteCall + fmt::Debug + Send + Sync {
    /// When it runs; most operations converge an existing resource.
    fn phase(&self) -> Phase {
        Phase::Converge
    }
    /// Performs the call.
    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a>;
}

/// The plan for one resource.
#[derive(Debug)]
pub struct ResourcePlan {
    /// The manifest kind (`EcrRepository`).
    pub kind: &'static str,
    /// The resource's name.
    pub name: String,
    /// What happens to it.
    pub action: Action,
    /// Why, for `blocked`, `replace` and `error`.
    pub reason: Option<String>,
    /// The fields that differ.
    pub changes: Vec<Change>,
    /// The calls that converge it, in order. Empty for `observe` resources.
    pub ops: Vec<Box<dyn Operation>>,
    /// Enforce, or only observe.
    pub policy: ManagementPolicy,
    /// Where the resource is declared.
    pub source: SourceLocation,
    /// For `error`: how the observation failed.
    pub error_class: Option<ErrorClass>,
    /// The resources its operations wait for, as its manifest names them (a rule's peer
    /// group, an attached policy, a task's role); apply orders and stops by them.
    pub depends_on: Vec<Dependency>,
    /// The id events name the live resource by, when not its name (a security group's id).
    pub event_id: Option<String>,
    /// Whether no manifest names it: a live resource with the ownership tag, found by
    /// looking for orphans (`orphaned`, `delete`, or `blocked` by a protection).
    pub orphan: bool,
    /// Who made its drift and how, when the run loop knows (an event, or none).
    pub provenance: Option<Provenance>,
    /// The controls its live state proves or disproves (kinds that attest; empty for a
    /// resource that does not exist or could not be read).
    pub facts: Vec<Fact>,
}

/// A resource another one needs: its manifest kind and name, and how far it must have got.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dependency {
    /// The manifest kind (`IamPolicy`).
    pub kind: &'static str,
    /// The resource's name.
    pub name: String,
    /// What the dependent's converging calls wait for.
    pub until: Until,
}

/// How far a resource must have got before those that depend on it converge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Until {
    /// It exists: its `Create` calls are done (a rule's peer group needs only an id).
    Created,
    /// All its calls are done (a task's role with its policies). Only towards a resource
    /// earlier in the plan; towards a later one it means `Created`, so that references in
    /// both directions cannot wait for each other.
    Done,
}

impl Dependency {
    /// The resource `name` of `kind`, needed once it exists.
    pub fn created(kind: &'static str, name: impl Into<String>) -> Self {
        Self {
            kind,
            name: name.into(),
            until: Until::Created,
        }
    }

    /// The resource `name` of `kind`, needed once all its calls are done.
    pub fn done(kind: &'static str, name: impl Into<String>) -> Self {
        Self {
            kind,
            name: name.into(),
            until: Until::Done,
        }
    }
}

impl ResourcePlan {
    /// An in-sync plan for the resource `name` of `kind` declared at `source`; kinds fill in
    /// the action, changes and operations.
    pub fn new(kind: &'static str, name: &str, source: &SourceLocation) -> Self {
        Self {
            kind,
            name: name.to_owned(),
            action: Action::Noop,
            reason: None,
            changes: Vec::new(),
            ops: Vec::new(),
            policy: ManagementPolicy::Enforce,
            source: source.clone(),
            error_class: None,
            depends_on: Vec::new(),
            event_id: None,
            orphan: false,
            provenance: None,
            facts: Vec::new(),
        }
    }

    /// Whether the live resource differs from the desired state in a way an apply acts on or
    /// reports as blocked (an orphan left alone is not: no apply would change it).
    pub fn is_drift(&self) -> bool {
        !matches!(self.action, Action::Noop | Action::Error | Action::Orphaned)
    }
}

/// Counts of resources per action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Resources to create.
    pub create: usize,
    /// Resources to update in place.
    pub update: usize,
    /// Resources to replace.
    pub replace: usize,
    /// Resources that differ but will not be changed.
    pub blocked: usize,
    /// Resources in sync.
    pub noop: usize,
    /// Resources that could not be observed.
    pub error: usize,
    /// Orphans left alone (pruning is off).
    pub orphaned: usize,
    /// Orphans to delete.
    pub delete: usize,
}

/// The whole plan: every resource of the desired state, in apply order.
#[derive(Debug, Default)]
pub struct Plan {
    /// One entry per managed resource.
    pub resources: Vec<ResourcePlan>,
    /// When only some resources were chosen (`--target`, `-l`): how they were chosen, as
    /// the renderers say it (`--target EcrRepository/afu9/app`). `None`: every resource.
    pub partial: Option<String>,
}

impl Plan {
    /// Counts per action.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for resource in &self.resources {
            *match resource.action {
                Action::Noop => &mut summary.noop,
                Action::Create => &mut summary.create,
                Action::Update => &mut summary.update,
                Action::Replace => &mut summary.replace,
                Action::Blocked => &mut summary.blocked,
                Action::Error => &mut summary.error,
                Action::Orphaned => &mut summary.orphaned,
                Action::Delete => &mut summary.delete,
            } += 1;
        }
        summary
    }

    /// Whether any resource differs from its manifest.
    pub fn has_drift(&self) -> bool {
        self.resources.iter().any(ResourcePlan::is_drift)
    }

    /// Whether any resource could not be observed.
    pub fn has_errors(&self) -> bool {
        self.resources.iter().any(|r| r.action == Action::Error)
    }
}
