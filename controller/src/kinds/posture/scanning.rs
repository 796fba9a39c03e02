//! ECR registry scanning, the Posture's second account-wide setting: one
//! `GetRegistryScanningConfiguration` when the document manages it, compared whole with the
//! one `*` rule the document means, and fixed by one `PutRegistryScanningConfiguration`.

use afu9_spec::registry_scanning::{EVERY_REPOSITORY, RegistryScanning};
use serde_json::{Value, json};

use super::apply::AccountOp;
use crate::aws::AwsError;
use crate::plan::{Change, Delta};

/// The registry's scanning configuration as ECR reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryScanningObserved {
    /// `BASIC` or `ENHANCED`.
    pub scan_type: String,
    /// The rules: scan frequency and repository filters (`filter`, `filterType`), in ECR's
    /// order.
    pub rules: Vec<ScanRule>,
}

/// One rule of the registry's scanning configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRule {
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL`.
    pub frequency: String,
    /// The repository filters: (filter, filter type).
    pub filters: Vec<(String, String)>,
}

impl RegistryScanningObserved {
    /// Whether every repository is scanned at a frequency other than manual: a `*` wildcard
    /// rule that scans (the control ECR.1 asks of each repository, for all of them).
    pub fn scans_every_repository(&self) -> bool {
        self.rules.iter().any(|rule| {
            rule.frequency != "MANUAL"
                && rule
                    .filters
                    .iter()
                    .any(|(filter, kind)| filter == EVERY_REPOSITORY && kind == "WILDCARD")
        })
    }

    /// The rules as JSON, as ECR writes them.
    pub fn rules_json(&self) -> Value {
        Value::Array(self.rules.iter().map(ScanRule::to_json).collect())
    }
}

impl ScanRule {
    /// The one rule `want` means: every repository at its frequency.
    pub fn every_repository(want: RegistryScanning) -> Self {
        Self {
            frequency: want.frequency.as_str().to_owned(),
            filters: vec![(EVERY_REPOSITORY.to_owned(), "WILDCARD".to_owned())],
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "scanFrequency": self.frequency,
            "repositoryFilters": self.filters.iter()
                .map(|(filter, kind)| json!({"filter": filter, "filterType": kind}))
                .collect::<Vec<_>>(),
        })
    }
}

/// `GetRegistryScanningConfiguration`.
pub(super) async fn read(ecr: &aws_sdk_ecr::Client) -> Result<RegistryScanningObserved, AwsError> {
    let output = ecr
        .get_registry_scanning_configuration()
        .send()
        .await
        .map_err(|err| {
            AwsError::from_sdk(
                "observe the ECR registry's scanning configuration",
                "GetRegistryScanningConfiguration",
                &err,
            )
        })?;
    let configuration = output.scanning_configuration;
    let scan_type = configuration
        .as_ref()
        .and_then(|c| c.scan_type.as_ref())
        .map_or_else(|| "BASIC".to_owned(), |t| t.as_str().to_owned());
    let rules = configuration
        .and_then(|c| c.rules)
        .unwrap_or_default()
        .into_iter()
        .map(|rule| ScanRule {
            frequency: rule.scan_frequency.as_str().to_owned(),
            filters: rule
                .repository_filters
                .into_iter()
                .map(|f| (f.filter, f.filter_type.as_str().to_owned()))
                .collect(),
        })
        .collect();
    Ok(RegistryScanningObserved { scan_type, rules })
}

/// The drift of the registry's scanning from `want`, and the one call that fixes it.
pub(super) fn plan(want: RegistryScanning, have: &RegistryScanningObserved, delta: &mut Delta) {
    let rule = ScanRule::every_repository(want);
    let mut drifted = false;
    if have.scan_type != want.scan_type.as_str() {
        delta.changes.push(Change::new(
            "spec.ecrRegistryScanning.scanType",
            Some(have.scan_type.as_str().into()),
            Some(want.scan_type.as_str().into()),
        ));
        drifted = true;
    }
    if have.rules != [rule.clone()] {
        delta.changes.push(Change::new(
            "spec.ecrRegistryScanning.rules",
            Some(have.rules_json()),
            Some(Value::Array(vec![rule.to_json()])),
        ));
        drifted = true;
    }
    if drifted {
        delta.op(AccountOp::PutRegistryScanning {
            scan_type: want.scan_type.as_str(),
            frequency: want.frequency.as_str(),
        });
    }
}
