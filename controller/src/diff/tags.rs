//! Tag sets: owned whole, except the keys the tag policy leaves alone.

use afu9_spec::tags::{TagPolicy, Tags};
use serde_json::Value;

use crate::plan::Change;

/// What converging a resource's tags takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagDiff {
    /// Tags to add or overwrite.
    pub set: Tags,
    /// Managed tag keys present live but not wanted.
    pub remove: Vec<String>,
}

impl TagDiff {
    /// Whether the tags are in sync.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty()
    }
}

/// Compares the managed tags of `want` and `have`, adding one change per differing key
/// (`spec.tags.<key>`) to `changes`.
pub fn diff_tags(
    want: &Tags,
    have: &Tags,
    policy: &TagPolicy,
    changes: &mut Vec<Change>,
) -> TagDiff {
    let want = policy.managed(want);
    let have = policy.managed(have);
    let mut diff = TagDiff::default();
    for (key, value) in &want {
        let live = have.get(key);
        if live != Some(value) {
            changes.push(Change::new(
                format!("spec.tags.{key}"),
                live.map(|v| Value::from(v.as_str())),
                Some(Value::from(value.as_str())),
            ));
            diff.set.insert(key.clone(), value.clone());
        }
    }
    for (key, value) in &have {
        if !want.contains_key(key) {
            changes.push(Change::new(
                format!("spec.tags.{key}"),
                Some(Value::from(value.as_str())),
                None,
            ));
            diff.remove.push(key.clone());
        }
    }
    diff
}

/// Adds one change per managed tag of `want` (`spec.tags.<key>`, from nothing), for a
/// resource that is created with its tags.
pub fn created_tags(want: &Tags, policy: &TagPolicy, changes: &mut Vec<Change>) {
    for (key, value) in &policy.managed(want) {
        changes.push(Change::new(
            format!("spec.tags.{key}"),
            None,
            Some(Value::from(value.as_str())),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn adds_changes_and_removes_but_leaves_ignored_tags() {
        let policy = TagPolicy::new(&["org:*".to_owned()]);
        let want = tags(&[("project", "afu9"), ("team", "platform")]);
        let have = tags(&[
            ("project", "afu9"),
            ("team", "ops"),
            ("old", "x"),
            ("org:owner", "y"),
            ("aws:cf", "z"),
        ]);
        let mut changes = Vec::new();
        let diff = diff_tags(&want, &have, &policy, &mut changes);
        assert_eq!(diff.set, tags(&[("team", "platform")]));
        assert_eq!(diff.remove, vec!["old".to_owned()]);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["spec.tags.team", "spec.tags.old"]);
    }

    #[test]
    fn equal_sets_have_no_diff() {
        let want = tags(&[("a", "1"), ("b", "2")]);
        let mut changes = Vec::new();
        assert!(diff_tags(&want, &want.clone(), &TagPolicy::default(), &mut changes).is_empty());
        assert!(changes.is_empty());
    }
}
