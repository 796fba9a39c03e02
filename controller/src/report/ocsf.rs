//! The checklist as OCSF Compliance Findings (class 2003, OCSF 1.5.0), as Security Lake
//! ingests and Prowler emits them.
//!
//! One finding per checklist item per resource: the unit a security tool tracks and
//! suppresses, as Prowler's one finding per check per resource and Security Hub's findings
//! (`--security-hub`). An item's evidence about one resource (several fields) is one
//! finding; an item with no evidence (outside the account, or nothing to read) is one finding
//! without resources, so every item appears.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::items::Severity;
use super::{Evidence, Finding, ItemReport, Report, Status};

/// The OCSF schema version the findings follow.
pub const OCSF_VERSION: &str = "1.5.0";

/// Compliance Finding.
const CLASS_UID: u32 = 2003;
/// Findings.
const CATEGORY_UID: u32 = 2;
/// `Create`: every report states the findings anew.
const ACTIVITY_ID: u32 = 1;

/// Where the findings are about: the account, region and partition.
#[derive(Debug, Clone)]
pub struct Account {
    /// The 12-digit account id.
    pub id: String,
    /// The region (`eu-central-1`).
    pub region: String,
    /// The partition (`aws`).
    pub partition: String,
}

/// The checklist as a JSON array of Compliance Findings, stamped `time_ms` (milliseconds
/// since the epoch).
pub fn ocsf(report: &Report, account: &Account, time_ms: u64) -> String {
    let findings: Vec<Value> = report
        .items
        .iter()
        .flat_map(|item| item_findings(item, account, time_ms))
        .collect();
    let mut text = serde_json::to_string_pretty(&findings).unwrap_or_default();
    text.push('\n');
    text
}

fn item_findings(item: &ItemReport, account: &Account, time_ms: u64) -> Vec<Value> {
    let mut by_resource: BTreeMap<(&str, &str), Vec<&Evidence>> = BTreeMap::new();
    for evidence in &item.evidence {
        by_resource
            .entry((&evidence.kind, &evidence.name))
            .or_default()
            .push(evidence);
    }
    if by_resource.is_empty() {
        return vec![finding(item, item.status, None, &[], account, time_ms)];
    }
    by_resource
        .into_iter()
        .map(|(resource, evidence)| {
            let status = resource_status(&evidence);
            finding(item, status, Some(resource), &evidence, account, time_ms)
        })
        .collect()
}

/// A resource's status for an item: a failing finding fails it, an unread one leaves it
/// unknown, a failure an exception accepts makes it accepted, otherwise it passes.
fn resource_status(evidence: &[&Evidence]) -> Status {
    if evidence.iter().any(|e| e.fails()) {
        Status::Fail
    } else if evidence.iter().any(|e| e.finding == Finding::NotObserved) {
        Status::Unknown
    } else if evidence.iter().any(|e| e.finding.fails()) {
        Status::Accepted
    } else {
        Status::Pass
    }
}

/// OCSF's compliance `status_id`: 1 pass, 3 fail, 0 unknown (outside the account included,
/// with the reason in `status_detail`).
fn compliance_status(status: Status) -> u32 {
    match status {
        Status::Pass => 1,
        Status::Fail | Status::Accepted => 3,
        Status::Unknown | Status::Outside => 0,
    }
}

/// OCSF's `severity_id`: a passing check is informational, as Prowler reports it.
fn severity(item: &ItemReport, status: Status) -> (u32, &'static str) {
    if status != Status::Fail {
        return (1, "Informational");
    }
    match item.severity {
        Severity::Informational => (1, "Informational"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
    }
}

fn finding(
    item: &ItemReport,
    status: Status,
    resource: Option<(&str, &str)>,
    evidence: &[&Evidence],
    account: &Account,
    time_ms: u64,
) -> Value {
    let (severity_id, severity) = severity(item, status);
    let subject = resource.map_or_else(String::new, |(kind, name)| format!("{kind}/{name}"));
    let uid = if subject.is_empty() {
        format!("afu9-posture/checklist/{}", item.number)
    } else {
        format!("afu9-posture/checklist/{}/{subject}", item.number)
    };
    let notes: Vec<&str> = evidence.iter().map(|e| e.note.as_str()).collect();
    let desc = if notes.is_empty() {
        item.verify.unwrap_or(item.title).to_owned()
    } else {
        notes.join("; ")
    };
    let message = if subject.is_empty() {
        format!("{}. {}: {}", item.number, item.title, status.as_str())
    } else {
        format!(
            "{}. {}: {} for {subject}",
            item.number,
            item.title,
            status.as_str()
        )
    };
    let mut value = json!({
        "activity_id": ACTIVITY_ID,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_ID,
        "type_name": "Compliance Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_id": 1,
        "status": "New",
        "time": time_ms,
        "message": message,
        "metadata": {
            "version": OCSF_VERSION,
            "event_code": format!("AFU9-CHECKLIST-{:02}", item.number),
            "tenant_uid": account.id,
            "product": {
                "name": "afu9-posture",
                "vendor_name": "afu9-posture",
                "version": env!("CARGO_PKG_VERSION"),
            },
        },
        "finding_info": {
            "uid": uid,
            "title": item.title,
            "desc": desc,
            "created_time": time_ms,
            "types": ["Software and Configuration Checks"],
        },
        "compliance": {
            "control": item.number.to_string(),
            "requirements": item.controls,
            "standards": ["AWS Foundational Security Best Practices"],
            "status_id": compliance_status(status),
        },
    });
    if status == Status::Outside {
        value["status_detail"] = json!("outside the account: it lives in the application's code");
    }
    if status == Status::Accepted {
        let accepted: Vec<String> = evidence
            .iter()
            .filter_map(|e| e.accepted.as_ref().map(super::exceptions::Acceptance::line))
            .collect();
        value["status_id"] = json!(3);
        value["status"] = json!("Suppressed");
        value["status_detail"] = json!(accepted.join("; "));
    }
    if let Some((kind, name)) = resource {
        value["resources"] = json!([{
            "type": kind,
            "name": name,
            "uid": subject,
            "region": account.region,
            "cloud_partition": account.partition,
            "data": { "evidence": evidence },
        }]);
    }
    value
}
