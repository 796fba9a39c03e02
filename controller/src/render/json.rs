//! Machine-readable output. `formatVersion` changes only when a field changes meaning or
//! goes away; new fields may be added within a version.
//!
//! The documents are borrowed views of the plan and the apply report, serialized as they
//! are written: no JSON tree of a thousand resources is built first (it took 11 MiB at
//! 1,000 resources, more than the apply itself).

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
use serde_json::Value;

use crate::engine::ApplyReport;
use crate::engine::ResourceResult;
use crate::plan::{Action, Change, Plan, Provenance, ResourcePlan, Summary};

/// The version of the JSON output format.
pub const FORMAT_VERSION: u32 = 1;

/// The plan document.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PlanDocument<'a> {
    format_version: u32,
    summary: Summary,
    in_sync: bool,
    #[serde(serialize_with = "resources")]
    resources: &'a [ResourcePlan],
    #[serde(skip_serializing_if = "Option::is_none")]
    partial: Option<Selection<'a>>,
}

/// What a partial plan was limited to.
#[derive(Serialize)]
struct Selection<'a> {
    selection: &'a str,
}

/// One resource of the plan.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceView<'a> {
    kind: &'static str,
    name: &'a str,
    action: &'a Action,
    management_policy: &'a afu9_spec::ManagementPolicy,
    source: Displayed<'a>,
    changes: &'a [Change],
    operations: Operations<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provenance: Option<&'a Provenance>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    orphan: bool,
}

impl<'a> From<&'a ResourcePlan> for ResourceView<'a> {
    fn from(r: &'a ResourcePlan) -> Self {
        Self {
            kind: r.kind,
            name: &r.name,
            action: &r.action,
            management_policy: &r.policy,
            source: Displayed(&r.source),
            changes: &r.changes,
            operations: Operations(r),
            reason: r.reason.as_deref(),
            provenance: r.provenance.as_ref(),
            orphan: r.orphan,
        }
    }
}

fn resources<S: Serializer>(resources: &&[ResourcePlan], out: S) -> Result<S::Ok, S::Error> {
    let mut seq = out.serialize_seq(Some(resources.len()))?;
    for resource in *resources {
        seq.serialize_element(&ResourceView::from(resource))?;
    }
    seq.end()
}

/// A manifest position as its text (`file:line:column`).
struct Displayed<'a>(&'a afu9_spec::SourceLocation);

impl Serialize for Displayed<'_> {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        out.collect_str(self.0)
    }
}

/// A resource's operations by their AWS call.
struct Operations<'a>(&'a ResourcePlan);

impl Serialize for Operations<'_> {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        out.collect_seq(self.0.ops.iter().map(|op| op.call()))
    }
}

/// The apply document: the plan and what its apply did.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ApplyDocument<'a> {
    format_version: u32,
    plan: PlanDocument<'a>,
    apply: Applied<'a>,
}

#[derive(Serialize)]
struct Applied<'a> {
    resources: &'a [ResourceResult],
    succeeded: usize,
    failed: usize,
}

fn plan_document(plan: &Plan) -> PlanDocument<'_> {
    PlanDocument {
        format_version: FORMAT_VERSION,
        summary: plan.summary(),
        in_sync: !plan.has_drift() && !plan.has_errors(),
        resources: &plan.resources,
        partial: plan
            .partial
            .as_deref()
            .map(|selection| Selection { selection }),
    }
}

/// The plan as a JSON value (the status page's).
pub fn plan_value(plan: &Plan) -> Value {
    serde_json::to_value(plan_document(plan)).unwrap_or_default()
}

/// The plan as pretty JSON text.
pub fn plan(plan: &Plan) -> String {
    let mut text = serde_json::to_string_pretty(&plan_document(plan)).unwrap_or_default();
    text.push('\n');
    text
}

/// A plan and what its apply did, as pretty JSON text, written to `out` as it is made.
pub fn write_apply(out: impl Write, plan: &Plan, report: &ApplyReport) -> io::Result<()> {
    let document = ApplyDocument {
        format_version: FORMAT_VERSION,
        plan: plan_document(plan),
        apply: Applied {
            resources: &report.resources,
            succeeded: report.succeeded(),
            failed: report.failed(),
        },
    };
    let mut out = io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &document)?;
    out.write_all(b"\n")?;
    out.flush()
}
