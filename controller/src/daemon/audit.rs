//! The audit trail: one JSON line per AWS write, to the structured log (target `audit`) and,
//! optionally, appended to a file. Each line's fields carry the value read back after the
//! call and whether it converged (`verify.rs`), never the value the plan wanted, and who made
//! the drift it fixed (`provenance.rs`).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

use serde_json::json;

use super::status::now_rfc3339;
use super::verify::{Achieved, Recorded};
use crate::engine::ApplyReport;
use crate::plan::{OpOutcome, Plan};

/// Where audit lines go.
pub struct AuditLog {
    file: Option<File>,
}

impl AuditLog {
    /// An audit log to the structured log, and to `path` when given (appended, created if
    /// missing).
    pub fn open(path: Option<&Path>) -> std::io::Result<Self> {
        let file = path
            .map(|path| OpenOptions::new().create(true).append(true).open(path))
            .transpose()?;
        Ok(Self { file })
    }

    /// Writes one line per operation of `report`, each with the fields its resource's plan
    /// showed as `achieved` reads them back: the value AWS holds after the call and whether
    /// the field converged (values are never secrets: the controller reads none).
    pub fn record(
        &mut self,
        revision: &str,
        plan: &Plan,
        report: &ApplyReport,
        achieved: &Achieved,
    ) {
        for resource in &report.resources {
            let written = resource.ops.iter().all(|op| op.result.is_ok()) && resource.skipped == 0;
            let planned = plan
                .resources
                .iter()
                .find(|r| r.kind == resource.kind && r.name == resource.name);
            let provenance = planned.and_then(|r| r.provenance.as_ref());
            let changes: Option<Vec<Recorded>> = planned.map(|r| {
                r.changes
                    .iter()
                    .map(|c| achieved.record(r.kind, &r.name, c, written))
                    .collect()
            });
            for op in &resource.ops {
                let (outcome, error) = match &op.result {
                    Ok(OpOutcome::Done) => ("done", None),
                    Ok(OpOutcome::AlreadyDone(_)) => ("alreadyDone", None),
                    Err(err) => ("error", Some(err.to_string())),
                };
                let line = json!({
                    "time": now_rfc3339(),
                    "revision": revision,
                    "kind": resource.kind,
                    "name": resource.name,
                    "op": op.call,
                    "changes": changes,
                    "outcome": outcome,
                    "error": error,
                    "provenance": provenance,
                })
                .to_string();
                tracing::info!(target: "audit", "{line}");
                if let Some(file) = &mut self.file
                    && let Err(err) = writeln!(file, "{line}")
                {
                    tracing::error!("cannot write the audit file: {err}");
                }
            }
        }
    }
}
