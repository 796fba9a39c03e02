//! Why a whole pass was held back, as `/status`, the metrics and notifications report it.

use serde::Serialize;

/// Why a whole pass was held back: what `/status` shows (`held`), the `afu9_held` metric
/// counts, and what a notification reports. An operator acts on it; the loop does not retry
/// it away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum PassHold {
    /// Pruning would delete more than the deletion budget allows: nothing is deleted.
    #[serde(rename = "DeletionBudget", rename_all = "camelCase")]
    DeletionBudget {
        /// The deletions the pass would have made.
        deleting: usize,
        /// The most a pass may delete.
        limit: usize,
        /// The whole explanation, with what to do.
        message: String,
    },
}

impl PassHold {
    /// The metric label of the hold.
    pub fn label(&self) -> &'static str {
        match self {
            Self::DeletionBudget { .. } => "deletion_budget",
        }
    }
}
