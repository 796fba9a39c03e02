//! The event capability: a kind whose resources change through CloudTrail write events
//! declares them, so `afu9ctl run` reconciles what an event names seconds after the change.
//!
//! The `EventSource`'s rule listens for the union of the declarations of the kinds present;
//! the engine routes each event to the kinds that declared its name. A kind registered
//! `.no_events(why)` is reconciled by the interval pass only.

use super::kind::ManagedKind;
use crate::events::Events;

/// A kind whose resources change through CloudTrail write events.
pub trait Evented: ManagedKind {
    /// The write events that change the kind's resources, and how an event names them.
    const EVENTS: Events;

    /// The id events name a live resource by when they do not name it by its manifest name
    /// (a security group's id); `None` for kinds whose events carry names.
    fn event_id(_have: &Self::Observed) -> Option<&str> {
        None
    }
}

/// An evented kind's capability as the registry keeps it.
pub struct EventOps<K: ManagedKind + ?Sized> {
    /// See [`Evented::EVENTS`].
    pub events: Events,
    /// See [`Evented::event_id`].
    pub event_id: fn(&K::Observed) -> Option<&str>,
}

impl<K: Evented> EventOps<K> {
    /// The capability of `K`.
    pub fn of() -> Self {
        Self {
            events: K::EVENTS,
            event_id: K::event_id,
        }
    }
}
