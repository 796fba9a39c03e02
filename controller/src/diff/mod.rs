//! Pure comparison helpers shared by the kinds. No AWS SDK types here.

pub mod json;
pub mod tags;

use serde_json::Value;

use crate::engine::Change;

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
