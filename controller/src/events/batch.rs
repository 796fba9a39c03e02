//! Coalescing: the events received within a short window become one reconcile per touched
//! resource, and each message is settled by how its resources' reconciles went.

use std::collections::BTreeSet;
use std::time::{Instant, SystemTime};

use super::EventKey;

/// A resource an event touched: its manifest kind and how the event names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target {
    /// The manifest kind (`SecurityGroup`).
    pub kind: &'static str,
    /// Its name or id.
    pub key: EventKey,
}

/// Messages received since the window opened, each with the resources its event touched.
#[derive(Debug)]
pub struct Batch<H> {
    opened: Option<Instant>,
    messages: Vec<Pending<H>>,
}

#[derive(Debug)]
struct Pending<H> {
    handle: H,
    targets: Vec<Target>,
    time: Option<SystemTime>,
}

/// How the messages of a batch ended.
#[derive(Debug)]
pub struct Settled<H> {
    /// Every resource it touched was reconciled: delete the message. With its event's time.
    pub done: Vec<(H, Option<SystemTime>)>,
    /// A reconcile failed: leave the message, which comes back after its visibility timeout.
    pub retry: Vec<H>,
}

impl<H> Default for Batch<H> {
    fn default() -> Self {
        Self {
            opened: None,
            messages: Vec::new(),
        }
    }
}

impl<H> Batch<H> {
    /// Adds a message whose event (made at `time`) touched `targets`.
    pub fn add(&mut self, handle: H, targets: Vec<Target>, time: Option<SystemTime>) {
        self.opened.get_or_insert_with(Instant::now);
        self.messages.push(Pending {
            handle,
            targets,
            time,
        });
    }

    /// When the first message of the batch arrived.
    pub fn opened(&self) -> Option<Instant> {
        self.opened
    }

    /// How many messages it holds.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether it holds no message.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Every resource touched, once however many events named it.
    pub fn targets(&self) -> BTreeSet<Target> {
        self.messages
            .iter()
            .flat_map(|m| m.targets.iter().cloned())
            .collect()
    }

    /// Each message, in the order received, with the resources its event touched.
    pub fn messages(&self) -> impl Iterator<Item = (&H, &[Target])> {
        self.messages
            .iter()
            .map(|m| (&m.handle, m.targets.as_slice()))
    }

    /// Splits the messages into those whose resources all reconciled and those to retry,
    /// showing each reconciled message and its targets to `done`.
    pub fn settle_with(
        self,
        failed: impl Fn(&Target) -> bool,
        mut done: impl FnMut(&H, &[Target]),
    ) -> Settled<H> {
        let mut settled = Settled {
            done: Vec::new(),
            retry: Vec::new(),
        };
        for message in self.messages {
            if message.targets.iter().any(&failed) {
                settled.retry.push(message.handle);
            } else {
                done(&message.handle, &message.targets);
                settled.done.push((message.handle, message.time));
            }
        }
        settled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str) -> Target {
        Target {
            kind: "SecurityGroup",
            key: EventKey::Name(name.to_owned()),
        }
    }

    #[test]
    fn a_burst_on_few_resources_is_one_target_each() {
        let mut batch = Batch::default();
        for i in 0..1000 {
            batch.add(i, vec![target(&format!("sg-{}", i % 10))], None);
        }
        assert_eq!(batch.len(), 1000);
        assert_eq!(batch.targets().len(), 10);
    }

    #[test]
    fn a_message_is_retried_when_any_of_its_resources_failed() {
        let mut batch = Batch::default();
        batch.add("a", vec![target("web")], None);
        batch.add("b", vec![target("web"), target("db")], None);
        batch.add("c", vec![target("db")], None);
        let mut seen = Vec::new();
        let settled = batch.settle_with(|t| *t == target("db"), |h, _| seen.push(*h));
        assert_eq!(seen, ["a"]);
        let done: Vec<&str> = settled.done.iter().map(|(h, _)| *h).collect();
        assert_eq!(done, ["a"]);
        assert_eq!(settled.retry, ["b", "c"]);
    }
}
