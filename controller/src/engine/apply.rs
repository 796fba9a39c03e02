//! Executing a plan: exactly its operations, in its order, recording each outcome.

use serde::Serialize;

use crate::aws::{Aws, AwsError};
use crate::plan::{OpOutcome, Phase, Plan};

/// What happened to one operation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpResult {
    /// The AWS operation.
    pub call: &'static str,
    /// Its outcome, or the error.
    #[serde(serialize_with = "serialize_result")]
    pub result: Result<OpOutcome, AwsError>,
}

/// What happened to one resource's operations.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceResult {
    /// The manifest kind.
    pub kind: &'static str,
    /// The resource's name.
    pub name: String,
    /// Each operation that ran, in order; after a failure the rest did not run.
    pub ops: Vec<OpResult>,
    /// Operations skipped after a failure.
    pub skipped: usize,
}

/// The outcome of an apply.
#[derive(Debug, Default, Serialize)]
pub struct ApplyReport {
    /// Resources that had operations, in plan order.
    pub resources: Vec<ResourceResult>,
}

impl ApplyReport {
    /// How many operations succeeded (including those that found the work already done).
    pub fn succeeded(&self) -> usize {
        self.all_ops().filter(|op| op.result.is_ok()).count()
    }

    /// How many operations failed.
    pub fn failed(&self) -> usize {
        self.all_ops().filter(|op| op.result.is_err()).count()
    }

    fn all_ops(&self) -> impl Iterator<Item = &OpResult> {
        self.resources.iter().flat_map(|r| r.ops.iter())
    }
}

pub(super) async fn execute(
    aws: &Aws,
    plan: &Plan,
    stop: &(dyn Fn() -> bool + Sync),
) -> ApplyReport {
    let mut results: Vec<ResourceResult> = plan
        .resources
        .iter()
        .map(|resource| ResourceResult {
            kind: resource.kind,
            name: resource.name.clone(),
            ops: Vec::new(),
            skipped: 0,
        })
        .collect();
    let mut failed = vec![false; plan.resources.len()];
    for phase in [Phase::Create, Phase::Converge] {
        for (index, resource) in plan.resources.iter().enumerate() {
            for op in resource.ops.iter().filter(|op| op.phase() == phase) {
                if failed[index] || stop() {
                    results[index].skipped += 1;
                    continue;
                }
                let outcome = op.execute(aws).await;
                match &outcome {
                    Ok(done) => {
                        tracing::info!(kind = resource.kind, name = %resource.name, call = op.call(), ?done, "applied");
                    }
                    Err(err) => {
                        failed[index] = true;
                        tracing::warn!(kind = resource.kind, name = %resource.name, call = op.call(), class = ?err.class, "{err}");
                    }
                }
                results[index].ops.push(OpResult {
                    call: op.call(),
                    result: outcome,
                });
            }
        }
    }
    ApplyReport {
        resources: results
            .into_iter()
            .filter(|r| !r.ops.is_empty() || r.skipped > 0)
            .collect(),
    }
}

fn serialize_result<S: serde::Serializer>(
    result: &Result<OpOutcome, AwsError>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(None)?;
    match result {
        Ok(OpOutcome::Done) => map.serialize_entry("outcome", "done")?,
        Ok(OpOutcome::AlreadyDone(note)) => {
            map.serialize_entry("outcome", "alreadyDone")?;
            map.serialize_entry("note", note)?;
        }
        Err(err) => {
            map.serialize_entry("outcome", "error")?;
            map.serialize_entry("class", &err.class)?;
            map.serialize_entry("message", &err.to_string())?;
        }
    }
    map.end()
}
