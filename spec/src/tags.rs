//! Tags: the controller's ownership tag and which live tags it leaves alone.

use std::collections::BTreeMap;

/// A resource's tags, key → value, in a stable order.
pub type Tags = BTreeMap<String, String>;

/// A manifest spec that carries `spec.tags` (implemented for every tagged kind's spec by
/// `tagged_specs!` in the kinds module).
pub trait TaggedSpec {
    /// The tags the manifest asks for.
    fn tags(&self) -> &Tags;
}

/// The tag key that marks a resource as created and owned by afu9-posture.
pub const MANAGED_BY_KEY: &str = "managed-by";
/// The value of [`MANAGED_BY_KEY`] on resources afu9-posture owns.
pub const MANAGED_BY_VALUE: &str = "afu9-posture";

/// The tag key a create AWS cannot make idempotent (`CreateKey`) marks its resource with: the
/// manifest's name, so that the next pass finds a key a crash left without its alias and
/// finishes it instead of creating another. The controller's own marker: never diffed.
pub const MANIFEST_KEY: &str = "afu9-posture/manifest";

/// Whether `tags` hold the ownership tag: the resource is afu9-posture's.
pub fn carries_ownership_tag(tags: &Tags) -> bool {
    tags.get(MANAGED_BY_KEY).map(String::as_str) == Some(MANAGED_BY_VALUE)
}

/// Decides which tag keys the controller manages. `aws:` system tags are never managed;
/// neither are keys matching the posture's ignore patterns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagPolicy {
    ignore: Vec<String>,
}

impl TagPolicy {
    /// A policy that ignores `aws:` tags and keys matching `patterns` (a trailing `*` is a
    /// prefix match, anything else an exact match).
    pub fn new(patterns: &[String]) -> Self {
        Self {
            ignore: patterns.to_vec(),
        }
    }

    /// Whether the controller manages the tag `key`.
    pub fn manages(&self, key: &str) -> bool {
        !key.starts_with("aws:")
            && key != MANIFEST_KEY
            && !self
                .ignore
                .iter()
                .any(|pattern| match pattern.strip_suffix('*') {
                    Some(prefix) => key.starts_with(prefix),
                    None => key == pattern,
                })
    }

    /// The managed subset of `tags`.
    pub fn managed(&self, tags: &Tags) -> Tags {
        tags.iter()
            .filter(|(key, _)| self.manages(key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_tags_and_ignore_patterns_are_not_managed() {
        let policy = TagPolicy::new(&["org:*".to_owned(), "cost-center".to_owned()]);
        assert!(!policy.manages("aws:cloudformation:stack-name"));
        assert!(!policy.manages("org:owner"));
        assert!(!policy.manages("cost-center"));
        assert!(policy.manages("cost-center-2"));
        assert!(policy.manages("project"));
        assert!(!policy.manages(MANIFEST_KEY));
    }
}
