//! What a kind reports about one resource: facts, not decisions. The engine turns a
//! [`Delta`] into the resource's plan (action, ownership, tags, management policy), so no kind
//! repeats that logic (crossplane-runtime's `ExternalObservation`, ACK's `Delta`).

use super::{Change, Operation};

/// Whether the live resource exists, as the kind found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existence {
    /// There is no live resource; the delta's operations, if any, create it.
    Missing,
    /// The live resource exists.
    Exists,
    /// The resource cannot be worked on now, and the reason says why (a secret scheduled for
    /// deletion, a group whose VPC is not found): nothing is compared or written.
    Unavailable(String),
}

/// One resource compared with its manifest: what differs, the calls that converge it, what
/// cannot be fixed and why.
#[derive(Debug)]
pub struct Delta {
    /// Whether the resource exists.
    pub existence: Existence,
    /// The fields that differ, in the manifest's vocabulary. Tags are the engine's.
    pub changes: Vec<Change>,
    /// The calls that converge the resource, in order (tag calls are the engine's).
    pub ops: Vec<Box<dyn Operation>>,
    /// Why some drift will not be fixed (an immutable field, a value only its owner can
    /// set). The fixable rest still converges.
    pub blocked: Vec<String>,
    /// Why the resource is replaced rather than changed in place, when it is.
    pub replace: Option<String>,
    /// Something the reader of the plan should know that changes no decision.
    pub note: Option<String>,
}

impl Delta {
    /// A delta for a resource that does not exist.
    pub fn missing() -> Self {
        Self::with(Existence::Missing)
    }

    /// A delta for a resource that exists.
    pub fn exists() -> Self {
        Self::with(Existence::Exists)
    }

    /// A delta for a resource that cannot be worked on now, for `reason`.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self::with(Existence::Unavailable(reason.into()))
    }

    fn with(existence: Existence) -> Self {
        Self {
            existence,
            changes: Vec::new(),
            ops: Vec::new(),
            blocked: Vec::new(),
            replace: None,
            note: None,
        }
    }

    /// Adds a differing field.
    pub fn change(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// Adds a call, after those already planned.
    pub fn op(&mut self, op: impl Operation + 'static) {
        self.ops.push(Box::new(op));
    }

    /// Adds calls, after those already planned.
    pub fn ops<O: Operation + 'static>(&mut self, ops: impl IntoIterator<Item = O>) {
        self.ops
            .extend(ops.into_iter().map(|op| Box::new(op) as Box<dyn Operation>));
    }

    /// Records drift that will not be fixed, and why.
    pub fn block(&mut self, reason: impl Into<String>) {
        self.blocked.push(reason.into());
    }
}
