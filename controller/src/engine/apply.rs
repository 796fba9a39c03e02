//! What an apply reports: per resource, in plan order, each operation's outcome and how many
//! were skipped. The schedule that produces it is `schedule.rs`.

use serde::Serialize;

use crate::aws::AwsError;
use crate::plan::OpOutcome;

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
    /// Operations not run: after a failure of its own or of a resource it depends on, or
    /// once the apply was asked to stop.
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
