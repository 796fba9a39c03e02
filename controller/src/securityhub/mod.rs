//! Findings where security teams read them: failing checklist items and live drift sent to
//! AWS Security Hub as ASFF findings (`BatchImportFindings`), under stable ids so that a later
//! export updates them; the ones previously sent that no longer fail (found with
//! `GetFindings`) are sent again as resolved: `PASSED`, `RESOLVED`, `ARCHIVED`.

pub mod findings;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, Compliance, ComplianceStatus, Note,
    Recommendation, RecordState, Remediation, Resource, Severity, SeverityLabel, StringFilter,
    StringFilterComparison, Workflow, WorkflowStatus,
};

use crate::aws::{Aws, AwsError, ErrorClass};
use crate::engine::ApplyReport;
use crate::plan::{Action, Plan};
use crate::report::Report;
pub use findings::{Finding, GENERATOR, Scope};

/// `BatchImportFindings` takes at most this many findings a call.
const BATCH: usize = 100;

/// What an export did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exported {
    /// Findings sent as failing (new or updated).
    pub failing: usize,
    /// Previously active findings sent as resolved.
    pub resolved: usize,
}

/// Sends the failing findings of `report` and `plan`, and resolves the active ones this
/// controller sent before that no longer fail. `now` is RFC 3339 (`UpdatedAt`, and
/// `CreatedAt` of a finding seen for the first time).
pub async fn export(
    aws: &Aws,
    report: &Report,
    plan: &Plan,
    scope: &Scope,
    now: &str,
) -> Result<Exported, AwsError> {
    let previous = active(aws, scope).await?;
    let current = findings::failing(report, plan, scope);
    let ids: BTreeSet<&str> = current.iter().map(|f| f.id.as_str()).collect();
    let created = |id: &str| {
        previous
            .iter()
            .find(|p| p.id() == Some(id))
            .and_then(AwsSecurityFinding::created_at)
            .unwrap_or(now)
            .to_owned()
    };
    let mut batch: Vec<AwsSecurityFinding> = current
        .iter()
        .map(|finding| asff(finding, scope, &created(&finding.id), now))
        .collect();
    let resolved: Vec<AwsSecurityFinding> = previous
        .iter()
        .filter(|p| !p.id().is_some_and(|id| ids.contains(id)))
        .map(|p| resolve(p, now))
        .collect();
    let exported = Exported {
        failing: batch.len(),
        resolved: resolved.len(),
    };
    batch.extend(resolved);
    for chunk in batch.chunks(BATCH) {
        let output = Box::pin(
            aws.securityhub()
                .batch_import_findings()
                .set_findings(Some(chunk.to_vec()))
                .send(),
        )
        .await
        .map_err(|err| {
            AwsError::from_sdk("import security hub findings", "BatchImportFindings", &err)
        })?;
        if let Some(failed) = output.failed_findings().first() {
            return Err(AwsError::new(
                format!("security hub finding {}", failed.id().unwrap_or_default()),
                "BatchImportFindings",
                ErrorClass::Terminal,
                format!(
                    "{} of {} findings refused: {}",
                    output.failed_findings().len(),
                    chunk.len(),
                    failed.error_message().unwrap_or("no message")
                ),
            ));
        }
    }
    Ok(exported)
}

/// The account, region and partition `aws` acts on, as findings name them.
pub async fn scope_of(aws: &Aws) -> Result<Scope, AwsError> {
    let identity = aws.identity().await?;
    let region = aws.region.clone().ok_or_else(|| {
        AwsError::new(
            "security hub findings",
            "BatchImportFindings",
            ErrorClass::Terminal,
            "no region is configured (--region or AWS_REGION)",
        )
    })?;
    Ok(Scope {
        account: identity.account.clone(),
        region,
        partition: identity.partition.clone(),
    })
}

/// After an apply: the resources whose every operation of `plan` succeeded in `report` are in
/// sync now, so the plan is made to say so (what `run` exports is what is left after its pass).
/// Their facts about fields the apply wrote were read before it: they go, and the next pass
/// reads them again; facts about fields it did not write stand. An item whose every fact goes is
/// not evidenced until then.
pub fn settle(plan: &mut Plan, report: &ApplyReport) {
    for resource in &mut plan.resources {
        let done = report.resources.iter().any(|r| {
            r.kind == resource.kind
                && r.name == resource.name
                && r.skipped == 0
                && r.ops.len() == resource.ops.len()
                && r.ops.iter().all(|op| op.result.is_ok())
        });
        if done
            && !resource.ops.is_empty()
            && matches!(
                resource.action,
                Action::Update | Action::Create | Action::Replace
            )
        {
            resource.action = Action::Noop;
            let written = std::mem::take(&mut resource.changes);
            resource.facts.retain(|fact| {
                let field = format!("spec.{}", fact.field);
                !written.iter().any(|change| {
                    change.path == field
                        || change.path.starts_with(&format!("{field}."))
                        || change.path.starts_with(&format!("{field}["))
                })
            });
        }
    }
}

/// The active findings this controller sent for `scope` (filtered again here: the filters
/// are AWS's, and an emulator may ignore them).
pub async fn active(aws: &Aws, scope: &Scope) -> Result<Vec<AwsSecurityFinding>, AwsError> {
    let equals = |value: &str| {
        StringFilter::builder()
            .value(value)
            .comparison(StringFilterComparison::Equals)
            .build()
    };
    let product = scope.product_arn();
    let prefix = format!("{GENERATOR}/");
    let filters = AwsSecurityFindingFilters::builder()
        .product_arn(equals(&product))
        .aws_account_id(equals(&scope.account))
        .record_state(equals(RecordState::Active.as_str()))
        .generator_id(
            StringFilter::builder()
                .value(&prefix)
                .comparison(StringFilterComparison::Prefix)
                .build(),
        )
        .build();
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    loop {
        // Boxed: the SDK's request future is large, and it lives inside every caller's.
        let page = Box::pin(
            aws.securityhub()
                .get_findings()
                .filters(filters.clone())
                .max_results(100)
                .set_next_token(token.take())
                .send(),
        )
        .await
        .map_err(|err| AwsError::from_sdk("read security hub findings", "GetFindings", &err))?;
        found.extend(page.findings().iter().cloned());
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => break,
        }
    }
    found.retain(|f| {
        f.product_arn() == Some(product.as_str())
            && f.aws_account_id() == Some(scope.account.as_str())
            && f.generator_id().is_some_and(|g| g.starts_with(&prefix))
            && f.id()
                .is_some_and(|id| id.contains(&format!("/{}/", scope.region)))
            && f.record_state().is_none_or(|s| *s == RecordState::Active)
    });
    Ok(found)
}

fn asff(finding: &Finding, scope: &Scope, created: &str, now: &str) -> AwsSecurityFinding {
    AwsSecurityFinding::builder()
        .schema_version("2018-10-08")
        .id(&finding.id)
        .product_arn(scope.product_arn())
        .generator_id(format!("{GENERATOR}/{}", finding.rule))
        .aws_account_id(&scope.account)
        .region(&scope.region)
        .set_types(Some(finding.types.clone()))
        .created_at(created)
        .updated_at(now)
        .severity(
            Severity::builder()
                .label(SeverityLabel::from(finding.severity.as_str()))
                .build(),
        )
        .title(&finding.title)
        .description(&finding.description)
        .remediation(
            Remediation::builder()
                .recommendation(Recommendation::builder().text(&finding.remediation).build())
                .build(),
        )
        .resources(
            Resource::builder()
                .r#type(finding.resource_type)
                .id(&finding.resource_id)
                .region(&scope.region)
                .build(),
        )
        .compliance(
            Compliance::builder()
                .status(ComplianceStatus::Failed)
                .build(),
        )
        .workflow(
            Workflow::builder()
                .status(if finding.suppressed {
                    WorkflowStatus::Suppressed
                } else {
                    WorkflowStatus::New
                })
                .build(),
        )
        .set_note(finding.note.as_ref().map(|text| {
            Note::builder()
                .text(text)
                .updated_by(GENERATOR)
                .updated_at(now)
                .build()
        }))
        .record_state(RecordState::Active)
        .build()
}

/// A previously sent finding, its identity and description as they were, now passing and
/// archived. (AWS keeps an existing finding's workflow status for the customer to set and
/// resolves it itself when the record state turns `ARCHIVED`; `RESOLVED` is sent anyway.)
fn resolve(previous: &AwsSecurityFinding, now: &str) -> AwsSecurityFinding {
    AwsSecurityFinding::builder()
        .schema_version(previous.schema_version().unwrap_or("2018-10-08"))
        .set_id(previous.id().map(ToOwned::to_owned))
        .set_product_arn(previous.product_arn().map(ToOwned::to_owned))
        .set_generator_id(previous.generator_id().map(ToOwned::to_owned))
        .set_aws_account_id(previous.aws_account_id().map(ToOwned::to_owned))
        .set_region(previous.region().map(ToOwned::to_owned))
        .set_types(Some(previous.types().to_vec()))
        .set_created_at(previous.created_at().map(ToOwned::to_owned))
        .updated_at(now)
        .set_severity(previous.severity().cloned())
        .set_title(previous.title().map(ToOwned::to_owned))
        .set_description(previous.description().map(ToOwned::to_owned))
        .set_remediation(previous.remediation().cloned())
        .set_resources(Some(previous.resources().to_vec()))
        .compliance(
            Compliance::builder()
                .status(ComplianceStatus::Passed)
                .build(),
        )
        .workflow(Workflow::builder().status(WorkflowStatus::Resolved).build())
        .record_state(RecordState::Archived)
        .build()
}
