//! Pure comparison helpers shared by the kinds. No AWS SDK types here.

pub mod json;
pub mod kms;
pub mod tags;

use afu9_spec::tags::{INSTANCE_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE, Owner, Tags};
use serde_json::Value;

use crate::plan::Change;

/// Adds a change for `path` when the wanted value `want` is set and differs from `have`.
/// Fields the manifest leaves out (`want` is `None`) are not managed and never differ.
pub fn compare_field<T: PartialEq + Into<Value> + Clone>(
    changes: &mut Vec<Change>,
    path: &str,
    want: Option<T>,
    have: T,
) -> bool {
    match want {
        Some(want) if want != have => {
            changes.push(Change::new(path, Some(have.into()), Some(want.into())));
            true
        }
        _ => false,
    }
}

/// Why a live `what` (`repository`, `role`) is left alone: it lacks `owner`'s ownership tags
/// (no `managed-by` tag, or another controller instance's) and its manifest does not say
/// `adopt: true`. `None` when the controller may manage it.
pub fn unowned_reason(what: &str, owner: &Owner, live_tags: &Tags, adopt: bool) -> Option<String> {
    if owner.owns(live_tags) || adopt {
        return None;
    }
    Some(match Owner::instance_of(live_tags) {
        Some(other) => format!(
            "{what} belongs to the afu9-posture instance `{other}` ({INSTANCE_KEY}), not to `{}`; \
             set metadata.adopt: true to take it over",
            owner.name()
        ),
        None => format!(
            "{what} exists but was not created by afu9-posture (no {MANAGED_BY_KEY}: {MANAGED_BY_VALUE} tag); \
             set metadata.adopt: true to take it over"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmanaged_fields_never_differ() {
        let mut changes = Vec::new();
        assert!(!compare_field(
            &mut changes,
            "spec.scanOnPush",
            None::<bool>,
            true
        ));
        assert!(!compare_field(
            &mut changes,
            "spec.scanOnPush",
            Some(true),
            true
        ));
        assert!(compare_field(
            &mut changes,
            "spec.scanOnPush",
            Some(true),
            false
        ));
        assert_eq!(
            changes,
            vec![Change::new(
                "spec.scanOnPush",
                Some(false.into()),
                Some(true.into())
            )]
        );
    }
}
