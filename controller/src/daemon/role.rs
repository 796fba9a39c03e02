//! Whether this process writes: the lease decides, the status and the health checks show it.

use serde::Serialize;

/// Whether this process writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// It holds the lease: it reconciles and writes.
    Leader,
    /// Another process holds it (or it could not tell): it serves status and waits.
    Standby,
}

impl Role {
    /// `leader` or `standby`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Leader => "leader",
            Self::Standby => "standby",
        }
    }
}
