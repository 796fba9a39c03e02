//! The ECR registry's scanning configuration, an account-wide setting of the `Posture`
//! document (`spec.ecrRegistryScanning`): one rule for every repository (the `*` filter), so a
//! repository created outside the manifests is scanned too (Security Hub ECR.1 asks it per
//! repository; the registry rule is what covers the ones no manifest names).
//!
//! Owned whole: the registry's rules become exactly the one `*` rule, so a narrower rule
//! someone added is drift.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::ManifestError;
use crate::state::Resource;

/// The registry's scanning: its type and how often every repository is scanned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegistryScanning {
    /// `BASIC` (ECR's own scanner, the default) or `ENHANCED` (Amazon Inspector, which must
    /// be enabled in the account and is billed).
    #[serde(default)]
    pub scan_type: ScanType,
    /// `SCAN_ON_PUSH` (the default) or, with `ENHANCED`, `CONTINUOUS_SCAN`.
    #[serde(default)]
    pub frequency: ScanFrequency,
}

/// The registry's scanner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScanType {
    /// ECR's basic scanning (operating-system packages, CVEs).
    #[default]
    Basic,
    /// Amazon Inspector's enhanced scanning (operating system and language packages).
    Enhanced,
}

/// How often a repository matched by the rule is scanned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScanFrequency {
    /// Every image pushed is scanned.
    #[default]
    ScanOnPush,
    /// Pushed images, and again whenever a new vulnerability is published (enhanced only).
    ContinuousScan,
}

impl ScanType {
    /// The name ECR uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "BASIC",
            Self::Enhanced => "ENHANCED",
        }
    }

    /// The type ECR names `name`, if the document can say it.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "BASIC" => Some(Self::Basic),
            "ENHANCED" => Some(Self::Enhanced),
            _ => None,
        }
    }
}

impl ScanFrequency {
    /// The name ECR uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ScanOnPush => "SCAN_ON_PUSH",
            Self::ContinuousScan => "CONTINUOUS_SCAN",
        }
    }

    /// The frequency ECR names `name`, if the document can say it (`MANUAL` it cannot).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "SCAN_ON_PUSH" => Some(Self::ScanOnPush),
            "CONTINUOUS_SCAN" => Some(Self::ContinuousScan),
            _ => None,
        }
    }
}

/// The repository filter of the one rule: every repository.
pub const EVERY_REPOSITORY: &str = "*";

/// `CONTINUOUS_SCAN` is only offered by enhanced scanning (ECR refuses it with `BASIC`).
pub(crate) fn check(
    posture: &Resource<crate::posture::PostureSpec>,
    errors: &mut Vec<ManifestError>,
) {
    if let Some(scanning) = posture.spec.ecr_registry_scanning
        && scanning.scan_type == ScanType::Basic
        && scanning.frequency == ScanFrequency::ContinuousScan
    {
        errors.push(
            ManifestError::new(
                posture.source.clone(),
                "basic scanning scans on push only: CONTINUOUS_SCAN needs ENHANCED",
            )
            .field("spec.ecrRegistryScanning.frequency")
            .rule("AFU9-POSTURE-020")
            .hint("set `scanType: ENHANCED`, or `frequency: SCAN_ON_PUSH`"),
        );
    }
}
