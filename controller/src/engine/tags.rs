//! The tagging capability: a kind whose resources carry tags lets the engine own them.
//!
//! The engine plans the tag diff (less the posture's ignored keys, plus its default tags and
//! the ownership tag), the tag calls, and the ownership rule: a live resource without
//! `managed-by: afu9-posture` is left alone unless its manifest says `adopt: true`. A kind
//! registered `.untagged(why)` has no tags to manage and no owner to check.

use afu9_spec::tags::{TaggedSpec, Tags};

use super::kind::ManagedKind;
use crate::plan::Operation;

/// A kind whose resources carry tags (the manifest's `spec.tags`, through [`TaggedSpec`]).
pub trait Tagged: ManagedKind<Spec: TaggedSpec> {
    /// The live resource's tags and the id its tag calls take, given the resource's name
    /// and what was observed; `None` when there is no live resource to tag.
    fn live_tags<'a>(name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>>;

    /// The call that adds or overwrites `tags` on the resource with the id `target`.
    fn tag(target: String, tags: Tags) -> Box<dyn Operation>;

    /// The call that removes the tag `keys` from the resource with the id `target`.
    fn untag(target: String, keys: Vec<String>) -> Box<dyn Operation>;
}

/// A live resource's tags and the id its tag calls take (an ARN, a group id, a role name).
#[derive(Debug, Clone, Copy)]
pub struct LiveTags<'a> {
    /// Every tag, the ones the controller does not manage included.
    pub tags: &'a Tags,
    /// What the tag calls name.
    pub target: &'a str,
}

/// A tagged kind's capability as the registry keeps it, for code that only knows
/// [`ManagedKind`].
pub struct TagOps<K: ManagedKind + ?Sized> {
    /// The tags a manifest asks for (the posture's defaults and the ownership tag are added).
    pub desired: fn(&K::Spec) -> &Tags,
    /// See [`Tagged::live_tags`].
    pub live: for<'a> fn(&'a str, &'a K::Observed) -> Option<LiveTags<'a>>,
    /// See [`Tagged::tag`].
    pub tag: fn(String, Tags) -> Box<dyn Operation>,
    /// See [`Tagged::untag`].
    pub untag: fn(String, Vec<String>) -> Box<dyn Operation>,
}

impl<K: Tagged> TagOps<K> {
    /// The capability of `K`.
    pub fn of() -> Self {
        Self {
            desired: <K::Spec as TaggedSpec>::tags,
            live: K::live_tags,
            tag: K::tag,
            untag: K::untag,
        }
    }
}

impl<K: ManagedKind + ?Sized> Clone for TagOps<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: ManagedKind + ?Sized> Copy for TagOps<K> {}
