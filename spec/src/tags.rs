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

/// The tag key that names the controller instance owning a resource, beside
/// [`MANAGED_BY_KEY`]. Absent: the default instance.
pub const INSTANCE_KEY: &str = "afu9-posture/instance";
/// The instance a desired state without `spec.instance` belongs to.
pub const DEFAULT_INSTANCE: &str = "default";

/// Whether `tags` hold the ownership tag: the resource is afu9-posture's (some instance's).
pub fn carries_ownership_tag(tags: &Tags) -> bool {
    tags.get(MANAGED_BY_KEY).map(String::as_str) == Some(MANAGED_BY_VALUE)
}

/// The controller instance a desired state belongs to, and so which resources are its own.
///
/// The default instance writes no instance tag and owns every resource with the ownership
/// tag and no instance tag (or `afu9-posture/instance: default`), so an account kept
/// before instances existed stays the default instance's without a single call. A named
/// instance writes and owns `afu9-posture/instance: <name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    instance: Option<String>,
}

impl Owner {
    /// The owner named `instance` (`None` or `default`: the default instance).
    pub fn new(instance: Option<&str>) -> Self {
        Self {
            instance: instance
                .filter(|name| *name != DEFAULT_INSTANCE)
                .map(str::to_owned),
        }
    }

    /// The instance's name.
    pub fn name(&self) -> &str {
        self.instance.as_deref().unwrap_or(DEFAULT_INSTANCE)
    }

    /// The instance a live resource with `tags` belongs to, if afu9-posture owns it.
    pub fn instance_of(tags: &Tags) -> Option<&str> {
        carries_ownership_tag(tags).then(|| {
            tags.get(INSTANCE_KEY)
                .map_or(DEFAULT_INSTANCE, String::as_str)
        })
    }

    /// Whether this instance owns the live resource with `tags`.
    pub fn owns(&self, tags: &Tags) -> bool {
        Self::instance_of(tags) == Some(self.name())
    }

    /// Adds the ownership tags this instance writes to `tags`.
    pub fn mark(&self, tags: &mut Tags) {
        tags.insert(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned());
        if let Some(instance) = &self.instance {
            tags.insert(INSTANCE_KEY.to_owned(), instance.clone());
        }
    }
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

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_default_instance_owns_what_carries_no_instance_tag_and_nothing_else() {
        let default = Owner::new(None);
        let blue = Owner::new(Some("blue"));
        let legacy = tags(&[(MANAGED_BY_KEY, MANAGED_BY_VALUE)]);
        let blues = tags(&[(MANAGED_BY_KEY, MANAGED_BY_VALUE), (INSTANCE_KEY, "blue")]);
        let foreign = tags(&[("team", "x")]);
        assert!(default.owns(&legacy));
        assert!(!default.owns(&blues));
        assert!(blue.owns(&blues));
        assert!(!blue.owns(&legacy));
        assert!(!default.owns(&foreign) && !blue.owns(&foreign));
        assert_eq!(Owner::new(Some(DEFAULT_INSTANCE)), default);
        let mut marked = Tags::new();
        default.mark(&mut marked);
        assert_eq!(marked, legacy);
        blue.mark(&mut marked);
        assert_eq!(marked, blues);
    }
}
