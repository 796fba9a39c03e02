//! Pure comparison helpers shared by the kinds. No AWS SDK types here.

pub mod json;
pub mod kms;
pub mod tags;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags, carries_ownership_tag};
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

/// Why a live `what` (`repository`, `role`) is left alone: it lacks the ownership tag and its
/// manifest does not say `adopt: true`. `None` when the controller may manage it.
pub fn unowned_reason(what: &str, live_tags: &Tags, adopt: bool) -> Option<String> {
    (!carries_ownership_tag(live_tags) && !adopt).then(|| {
        format!(
            "{what} exists but was not created by afu9-posture (no {MANAGED_BY_KEY}: {MANAGED_BY_VALUE} tag); \
             set metadata.adopt: true to take it over"
        )
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
