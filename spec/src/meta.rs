//! The envelope every manifest shares: `apiVersion`, `kind`, `metadata`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The only manifest API version this release understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ApiVersion {
    /// `posture.afu9.io/v1alpha1`
    #[serde(rename = "posture.afu9.io/v1alpha1")]
    V1alpha1,
}

/// What the controller may do with a resource.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ManagementPolicy {
    /// Plan and apply: converge the live resource to the manifest (the default).
    #[default]
    Enforce,
    /// Plan only: report drift, never write.
    Observe,
}

/// Identity and controller settings of one manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metadata {
    /// The resource's name in AWS (repository name, role name, group name, secret name).
    pub name: String,
    /// Free-form labels for people and tooling; not sent to AWS.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Free-form annotations; not sent to AWS.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Overrides the posture's default management policy for this resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_policy: Option<ManagementPolicy>,
    /// Take over a resource that already exists but was not created by afu9-posture.
    /// Without it, such a resource is reported as blocked and left alone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adopt: bool,
}

/// A whole manifest document of one kind, with its spec type `S`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Document<S> {
    /// Always `posture.afu9.io/v1alpha1`.
    pub api_version: ApiVersion,
    /// The resource kind; must match the spec type.
    pub kind: String,
    /// Name and controller settings.
    pub metadata: Metadata,
    /// The desired configuration.
    pub spec: S,
}

/// A manifest document as YAML, in block style, the way `desired-state/` writes them.
///
/// # Errors
/// What the serializer said, when `document` cannot be written as YAML.
pub fn to_yaml<S: Serialize>(document: &Document<S>) -> Result<String, String> {
    serde_saphyr::to_string(document).map_err(|err| err.to_string())
}
