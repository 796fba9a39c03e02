//! What becomes of a family's superseded revisions (`spec.supersededRevisions`): any ACTIVE
//! revision older than the latest that breaks the contract (privileged, root, a writable root
//! filesystem, no log configuration) can still be run by whoever may call `ecs:RunTask`, so it
//! is deregistered; the newest compliant ones stay for rollback. A revision a service or a
//! running task uses is never deregistered.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How superseded revisions are retired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SupersededRevisions {
    /// How many compliant superseded revisions stay ACTIVE for rollback, newest first
    /// (default 3, at most 100); older compliant ones are deregistered too. Revisions that
    /// break the contract are deregistered whatever this says.
    #[serde(default = "SupersededRevisions::default_keep")]
    #[schemars(range(max = 100))]
    pub keep_compliant: u32,
}

impl SupersededRevisions {
    /// The default number of compliant revisions kept for rollback.
    pub const DEFAULT_KEEP: u32 = 3;
    /// The most compliant revisions a manifest may keep.
    pub const MAX_KEEP: u32 = 100;

    fn default_keep() -> u32 {
        Self::DEFAULT_KEEP
    }
}

impl Default for SupersededRevisions {
    fn default() -> Self {
        Self {
            keep_compliant: Self::DEFAULT_KEEP,
        }
    }
}
