//! What the export says, before it is an ASFF value: one finding per failing checklist item and
//! resource, and one per resource the plan would change. Pure.

use std::collections::BTreeMap;

use crate::plan::{Action, Plan, ResourcePlan};
use crate::report::items::Severity;
use crate::report::{Evidence, Report};

/// The `GeneratorId` of every finding starts with this, then `/` and the rule.
pub const GENERATOR: &str = "afu9-posture";

/// Where the findings are about: the account, region and partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The 12-digit account id.
    pub account: String,
    /// The region.
    pub region: String,
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
}

impl Scope {
    /// The product ARN of the account's own findings (`product/<account>/default`).
    pub fn product_arn(&self) -> String {
        format!(
            "arn:{}:securityhub:{}:{}:product/{}/default",
            self.partition, self.region, self.account, self.account
        )
    }
}

/// One failing finding, as the export will send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable: `afu9-posture/<account>/<region>/<rule>/<kind>/<name>`.
    pub id: String,
    /// `checklist-7`, `drift`.
    pub rule: String,
    /// The ASFF finding types.
    pub types: Vec<String>,
    /// How bad it is.
    pub severity: Severity,
    /// One line (at most 256 characters).
    pub title: String,
    /// What was found (at most 1,024 characters).
    pub description: String,
    /// What to do (at most 512 characters).
    pub remediation: String,
    /// The resource: its ARN when it can be built from the name, else its name.
    pub resource_id: String,
    /// Its ASFF resource type (`AwsEcrRepository`, else `Other`).
    pub resource_type: &'static str,
    /// Whether the Posture's exceptions accept every failure in it: sent with workflow
    /// status `SUPPRESSED`.
    pub suppressed: bool,
    /// The note sent with it: the exceptions' owner, ticket and expiry, or that they expired.
    pub note: Option<String>,
}

/// The failing findings of `report` and the drift of `plan`, in a stable order.
pub fn failing(report: &Report, plan: &Plan, scope: &Scope) -> Vec<Finding> {
    let mut findings = Vec::new();
    for item in &report.items {
        let mut by_resource: BTreeMap<(&str, &str), Vec<&Evidence>> = BTreeMap::new();
        for evidence in item.evidence.iter().filter(|e| e.finding.fails()) {
            by_resource
                .entry((evidence.kind.as_str(), evidence.name.as_str()))
                .or_default()
                .push(evidence);
        }
        let rule = format!("checklist-{}", item.number);
        for ((kind, name), evidence) in by_resource {
            let notes: Vec<String> = evidence
                .iter()
                .map(|e| match &e.field {
                    Some(field) => format!("{field}: {}", e.note),
                    None => e.note.clone(),
                })
                .collect();
            let controls = if item.controls.is_empty() {
                String::new()
            } else {
                format!(" (Security Hub {})", item.controls.join(", "))
            };
            let live_id = plan
                .resources
                .iter()
                .find(|r| r.kind == kind && r.name == name)
                .and_then(|r| r.event_id.as_deref());
            let (resource_id, resource_type) = resource(kind, name, live_id, scope);
            findings.push(Finding {
                id: id(scope, &rule, kind, name),
                types: vec![
                    "Software and Configuration Checks/AWS Security Best Practices".to_owned(),
                ],
                severity: item.severity,
                title: clip(&format!("{}: {}", item.title, subject(kind, name)), 256),
                description: clip(
                    &format!(
                        "Checklist item {}{controls}: {}",
                        item.number,
                        notes.join("; ")
                    ),
                    1024,
                ),
                remediation: clip(&remediation(&evidence), 512),
                rule: rule.clone(),
                resource_id,
                resource_type,
                suppressed: evidence.iter().all(|e| !e.fails()),
                note: note(&evidence),
            });
        }
    }
    for resource_plan in plan.resources.iter().filter(|r| is_drift(r)) {
        findings.push(drift(resource_plan, scope));
    }
    findings
}

fn is_drift(resource: &ResourcePlan) -> bool {
    matches!(
        resource.action,
        Action::Update | Action::Create | Action::Replace
    )
}

fn drift(resource: &ResourcePlan, scope: &Scope) -> Finding {
    let (kind, name) = (resource.kind, resource.name.as_str());
    let fields: Vec<&str> = resource.changes.iter().map(|c| c.path.as_str()).collect();
    let what = if resource.action == Action::Create {
        "is missing".to_owned()
    } else {
        format!("drifted from the desired state on {}", fields.join(", "))
    };
    let (resource_id, resource_type) = resource_of(resource, scope);
    Finding {
        id: id(scope, "drift", kind, name),
        rule: "drift".to_owned(),
        types: vec!["Software and Configuration Checks/AWS Security Best Practices/Configuration Drift".to_owned()],
        severity: Severity::Medium,
        title: clip(&format!("{} {what}", subject(kind, name)), 256),
        description: clip(
            &format!(
                "afu9-posture plans to {} {} (declared at {}).{}",
                resource.action.as_str(),
                subject(kind, name),
                resource.source,
                resource
                    .provenance
                    .as_ref()
                    .map(|p| format!(" Drift {}.", p.describe()))
                    .unwrap_or_default()
            ),
            1024,
        ),
        remediation: "Run `afu9ctl apply` (or let `afu9ctl run` converge it); if the change was intended, change the manifest instead.".to_owned(),
        resource_id,
        resource_type,
        suppressed: false,
        note: None,
    }
}

/// The accepted risks behind `evidence`, one line each (at most 512 characters, ASFF's
/// limit for a note).
fn note(evidence: &[&Evidence]) -> Option<String> {
    let mut lines: Vec<String> = evidence
        .iter()
        .filter_map(|e| e.accepted.as_ref())
        .map(|a| format!("{}: {}", a.subject, a.line()))
        .collect();
    lines.dedup();
    (!lines.is_empty()).then(|| clip(&lines.join("; "), 512))
}

fn remediation(evidence: &[&Evidence]) -> String {
    if evidence
        .iter()
        .any(|e| e.finding == crate::report::Finding::NotRequested)
    {
        "Ask for the secure setting in the desired state's manifest (see the description), then run `afu9ctl apply`.".to_owned()
    } else if evidence
        .iter()
        .any(|e| e.finding == crate::report::Finding::Guardrail)
    {
        "Fix the manifest as the guardrail says (`afu9ctl validate` shows it with its hint)."
            .to_owned()
    } else {
        "Run `afu9ctl apply` to bring the resource back to the desired state.".to_owned()
    }
}

fn subject(kind: &str, name: &str) -> String {
    if name.is_empty() {
        format!("no {kind}")
    } else {
        format!("{kind}/{name}")
    }
}

/// The finding id for `rule` on the resource `name` of `kind` (`-` when there is none).
pub fn id(scope: &Scope, rule: &str, kind: &str, name: &str) -> String {
    let name = if name.is_empty() { "-" } else { name };
    format!(
        "{GENERATOR}/{}/{}/{rule}/{kind}/{name}",
        scope.account, scope.region
    )
}

fn clip(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(limit - 1).collect();
    clipped.push('…');
    clipped
}

fn resource_of(planned: &ResourcePlan, scope: &Scope) -> (String, &'static str) {
    resource(
        planned.kind,
        &planned.name,
        planned.event_id.as_deref(),
        scope,
    )
}

/// The resource's id in a finding (its ARN where the name makes it; a security group's from
/// its id when known) and its ASFF type.
fn resource(
    kind: &str,
    name: &str,
    live_id: Option<&str>,
    scope: &Scope,
) -> (String, &'static str) {
    let (p, r, a) = (&scope.partition, &scope.region, &scope.account);
    let arn = |service: &str, rest: String| format!("arn:{p}:{service}:{r}:{a}:{rest}");
    let global = |rest: String| format!("arn:{p}:iam::{a}:{rest}");
    if name.is_empty() {
        return (format!("AWS::::Account:{a}"), "AwsAccount");
    }
    match kind {
        "EcrRepository" => (arn("ecr", format!("repository/{name}")), "AwsEcrRepository"),
        "IamRole" => (global(format!("role/{name}")), "AwsIamRole"),
        "IamPolicy" => (global(format!("policy/{name}")), "AwsIamPolicy"),
        "SecurityGroup" => match live_id {
            Some(id) => (
                arn("ec2", format!("security-group/{id}")),
                "AwsEc2SecurityGroup",
            ),
            None => (format!("SecurityGroup/{name}"), "Other"),
        },
        // A secret's ARN ends in a random suffix, a load balancer's in an id: named instead.
        "Secret" => (name.to_owned(), "AwsSecretsManagerSecret"),
        "LoadBalancer" => (name.to_owned(), "AwsElbv2LoadBalancer"),
        // A web ACL's ARN ends in its id: named instead.
        "WebAcl" => (name.to_owned(), "AwsWafv2WebAcl"),
        "EcsTaskDefinition" => (
            arn("ecs", format!("task-definition/{name}")),
            "AwsEcsTaskDefinition",
        ),
        "EcsCluster" => (arn("ecs", format!("cluster/{name}")), "AwsEcsCluster"),
        "DbInstance" => (arn("rds", format!("db:{name}")), "AwsRdsDbInstance"),
        "SnsTopic" => (arn("sns", name.to_owned()), "AwsSnsTopic"),
        "CloudTrail" => (
            arn("cloudtrail", format!("trail/{name}")),
            "AwsCloudTrailTrail",
        ),
        "MetricAlarm" => (
            arn("cloudwatch", format!("alarm:{name}")),
            "AwsCloudWatchAlarm",
        ),
        "KmsKey" => (arn("kms", format!("alias/{name}")), "AwsKmsKey"),
        "Posture" => (format!("AWS::::Account:{a}"), "AwsAccount"),
        _ => (format!("{kind}/{name}"), "Other"),
    }
}
