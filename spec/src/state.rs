//! The validated desired state: what the controller converges the account to. Its fields,
//! one per kind, are declared with the kinds (`crate::kinds`).

pub use crate::kinds::DesiredState;

use crate::error::SourceLocation;
use crate::meta::{ManagementPolicy, Metadata};
use crate::tags::{TagPolicy, Tags};

/// One managed resource: its metadata, its spec and where it was declared.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource<S> {
    /// Name and controller settings.
    pub metadata: Metadata,
    /// The desired configuration.
    pub spec: S,
    /// Where `metadata.name` was written.
    pub source: SourceLocation,
}

impl<S> Resource<S> {
    /// The resource's name (`metadata.name`).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }
}

impl DesiredState {
    /// The management policy in force for a resource with `metadata`.
    pub fn management_policy(&self, metadata: &Metadata) -> ManagementPolicy {
        metadata
            .management_policy
            .unwrap_or(self.posture.management_policy)
    }

    /// Which live tag keys the controller manages.
    pub fn tag_policy(&self) -> TagPolicy {
        TagPolicy::new(&self.posture.ignore_tags)
    }

    /// The full tag set a resource with its own `tags` must carry: the posture's default tags,
    /// overridden by the resource's, plus the ownership tags of the instance.
    pub fn desired_tags(&self, tags: &Tags) -> Tags {
        let mut all = self.posture.default_tags.clone();
        all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.posture.owner().mark(&mut all);
        all
    }

    /// Whether the desired state names no resource.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
