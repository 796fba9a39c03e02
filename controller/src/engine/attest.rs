//! The attest capability: a kind whose live state is evidence for security controls reads
//! them off what it observed ([`Fact`]s), judged against the controls, never against its
//! manifest. The checklist report judges its items on these facts.
//!
//! A kind registered `.attests_nothing(why)` is evidence for no control (a metric filter
//! is judged through the alarm that reads it).

use afu9_spec::Resource;

use super::kind::ManagedKind;
use crate::plan::Fact;

/// A kind whose live resources are evidence for controls.
pub trait Attests: ManagedKind {
    /// The facts `have`, the live resource `want` names, proves or disproves.
    fn facts(want: &Resource<Self::Spec>, have: &Self::Observed) -> Vec<Fact>;
}

/// An attesting kind's capability as the registry keeps it.
pub struct AttestOps<K: ManagedKind + ?Sized> {
    /// See [`Attests::facts`].
    pub facts: fn(&Resource<K::Spec>, &K::Observed) -> Vec<Fact>,
}

impl<K: Attests> AttestOps<K> {
    /// The capability of `K`.
    pub fn of() -> Self {
        Self { facts: K::facts }
    }
}
