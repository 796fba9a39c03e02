//! Machine-readable output. `formatVersion` changes only when a field changes meaning or
//! goes away; new fields may be added within a version.

use serde_json::{Value, json};

use crate::engine::ApplyReport;
use crate::plan::Plan;

/// The version of the JSON output format.
pub const FORMAT_VERSION: u32 = 1;

/// The plan as a JSON value.
pub fn plan_value(plan: &Plan) -> Value {
    let resources: Vec<Value> = plan
        .resources
        .iter()
        .map(|r| {
            let mut resource = json!({
                "kind": r.kind,
                "name": r.name,
                "action": r.action,
                "managementPolicy": r.policy,
                "source": r.source.to_string(),
                "changes": r.changes,
                "operations": r.ops.iter().map(|op| op.call()).collect::<Vec<_>>(),
            });
            if let Some(reason) = &r.reason {
                resource["reason"] = Value::from(reason.as_str());
            }
            if let Some(provenance) = &r.provenance {
                resource["provenance"] = serde_json::to_value(provenance).unwrap_or_default();
            }
            if r.orphan {
                resource["orphan"] = Value::Bool(true);
            }
            resource
        })
        .collect();
    let mut value = json!({
        "formatVersion": FORMAT_VERSION,
        "summary": plan.summary(),
        "inSync": !plan.has_drift() && !plan.has_errors(),
        "resources": resources,
    });
    if let Some(selection) = &plan.partial {
        value["partial"] = json!({ "selection": selection });
    }
    value
}

/// The plan as pretty JSON text.
pub fn plan(plan: &Plan) -> String {
    pretty(&plan_value(plan))
}

/// A plan and what its apply did, as pretty JSON text.
pub fn apply(plan: &Plan, report: &ApplyReport) -> String {
    pretty(&json!({
        "formatVersion": FORMAT_VERSION,
        "plan": plan_value(plan),
        "apply": {
            "resources": report.resources,
            "succeeded": report.succeeded(),
            "failed": report.failed(),
        },
    }))
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
