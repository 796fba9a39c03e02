//! `EventSource`: the SQS queue the run loop listens to, its policy, and the EventBridge rule
//! (pattern and target) that feeds it the CloudTrail write events the other kinds declare.
//! Owned whole: everything but the tags is derived from the desired state.

mod apply;
mod import;
mod observe;
mod permissions;
mod plan;

use afu9_spec::event_source::EventSourceSpec;
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Operation};

pub use apply::EventSourceOp;
pub use observe::queue_url;

/// The id of the rule's one target, the queue.
pub const TARGET_ID: &str = "afu9-posture-queue";

/// The event source kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventSources;

/// The queue and the rule as SQS and EventBridge report them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSourceObserved {
    /// The region the clients talk to (the queue's and the rule's ARNs are built from it).
    pub region: String,
    /// The queue, when it exists.
    pub queue: Option<LiveQueue>,
    /// The rule, when it exists.
    pub rule: Option<LiveRule>,
}

/// A queue's URL, managed attributes and tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveQueue {
    /// The queue URL the SQS calls take.
    pub url: String,
    /// `VisibilityTimeout`, `MessageRetentionPeriod`, `SqsManagedSseEnabled`, `Policy`,
    /// as SQS returns them (absent when unset).
    pub attributes: Vec<(String, String)>,
    /// All tags.
    pub tags: Tags,
}

impl LiveQueue {
    /// The attribute `name`, if set.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// A rule's pattern, state, targets and tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRule {
    /// The rule ARN.
    pub arn: String,
    /// The event pattern as EventBridge returns it.
    pub pattern: Option<String>,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
    /// Every target: (id, ARN).
    pub targets: Vec<(String, String)>,
    /// All tags.
    pub tags: Tags,
}

impl ManagedKind for EventSources {
    type Spec = EventSourceSpec;
    type Observed = EventSourceObserved;
    const SERVICE: &'static str = "SQS";
    const NOUN: &'static str = "event source";
    /// Four calls at most per apply; 8 as the other regional services.
    const WRITE_LIMIT: usize = 8;

    /// The queue policy and the rule name the account's ARNs.
    fn needs_identity(_state: &DesiredState) -> bool {
        true
    }

    fn permissions(
        state: &DesiredState,
        scope: &ArnScope,
        want: &[Resource<Self::Spec>],
    ) -> Vec<Grant> {
        permissions::permissions(state, scope, want)
    }

    fn observe<'a>(
        &'a self,
        aws: &'a Aws,
        want: &'a [Resource<Self::Spec>],
    ) -> impl Future<Output = Result<Vec<Option<Self::Observed>>, AwsError>> + Send + 'a {
        observe::observe(aws, want)
    }

    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(cx, want, have)
    }
}

impl Tagged for EventSources {
    /// The queue carries the ownership tag; the rule's tags are planned with the rest.
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        have.queue.as_ref().map(|queue| LiveTags {
            tags: &queue.tags,
            target: &queue.url,
        })
    }

    fn tag(url: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(EventSourceOp::TagQueue { url, tags })
    }

    fn untag(url: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(EventSourceOp::UntagQueue { url, keys })
    }
}
