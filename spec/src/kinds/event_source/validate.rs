//! Rules for `EventSource` manifests: one per desired state, a valid queue name, SQS's
//! ranges.

use super::EventSourceSpec;
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::{check_tags, rule_error};

/// More than one event source: the controller listens to one queue.
pub const MORE_THAN_ONE: &str = "AFU9-EVENTS-001";

impl Validate for EventSourceSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        for (index, source) in state.event_sources.iter().enumerate() {
            if index > 0 {
                errors.push(
                    rule_error(source)(
                        "metadata.name",
                        MORE_THAN_ONE,
                        "more than one EventSource".to_owned(),
                    )
                    .hint("the controller listens to one queue; keep one EventSource"),
                );
            }
            check(source, errors);
            check_tags(&source.source, &source.spec.tags, errors);
        }
    }
}

/// Standard queue names (also the rule's): 1-64 letters, digits, `-` and `_` (a rule name
/// allows `.` too, a queue name does not; the rule's limit is 64).
pub fn is_queue_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

fn check(source: &Resource<EventSourceSpec>, errors: &mut Vec<ManifestError>) {
    let error = rule_error(source);
    let spec = &source.spec;
    if !is_queue_name(source.name()) {
        errors.push(
            error(
                "metadata.name",
                "AFU9-EVENTS-002",
                format!("`{}` is not a valid queue and rule name", source.name()),
            )
            .hint("1-64 letters, digits, `-` or `_` (FIFO queues are not used)"),
        );
    }
    if !(1..=43_200).contains(&spec.visibility_timeout_seconds) {
        errors.push(
            error(
                "spec.visibilityTimeoutSeconds",
                "AFU9-EVENTS-003",
                format!(
                    "{} is out of range 1 to 43200",
                    spec.visibility_timeout_seconds
                ),
            )
            .hint("longer than a targeted reconcile takes; 60 is plenty"),
        );
    }
    if !(60..=1_209_600).contains(&spec.message_retention_seconds) {
        errors.push(error(
            "spec.messageRetentionSeconds",
            "AFU9-EVENTS-004",
            format!(
                "{} is out of range 60 to 1209600",
                spec.message_retention_seconds
            ),
        ));
    }
}
