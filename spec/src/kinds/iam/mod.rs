//! `IamRole` and `IamPolicy`: roles owned whole (trust, inline and attached policies, settings,
//! tags) and customer-managed policies that roles attach by name.

pub mod confused_deputy;
pub mod guardrails;
pub mod policy_doc;
mod validate;

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::kinds::security_group::GuardrailException;
use crate::tags::Tags;

/// The desired state of one IAM role (`metadata.name` is the role name). A role is owned
/// whole: inline policies and attachments not listed are removed, and settings left out take
/// IAM's defaults (no description, one hour sessions, no permissions boundary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IamRoleSpec {
    /// What the role is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The role's path (`/`, `/afu9/`); it can only be chosen when the role is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Who may assume the role: a full IAM policy document, or the shorthand
    /// `{service: ecs-tasks.amazonaws.com}` for an AWS service.
    #[schemars(schema_with = "trust_policy_schema")]
    pub trust_policy: Value,
    /// Managed policies to attach: ARNs (`arn:aws:iam::aws:policy/...`) or the names of
    /// `IamPolicy` manifests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_policies: Vec<String>,
    /// Inline policies, name → IAM policy document.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(schema_with = "policy_map_schema")]
    pub inline_policies: BTreeMap<String, Value>,
    /// Maximum session duration in seconds, 3600-43200 (IAM's default is 3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<i32>,
    /// The ARN of a managed policy that bounds the role's permissions; `null` or left out
    /// for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    /// The role's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Least-privilege guardrails (`AFU9-IAM-02x`) this role may break, each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guardrail_exceptions: Vec<GuardrailException>,
    /// Incident containment: deny every call made with the role's sessions issued before
    /// this UTC time (`2026-12-06T09:30:00Z`), as IAM's "revoke active sessions" does: the
    /// inline policy `AWSRevokeOlderSessions` is kept on the role until the time is further
    /// back than the role's maximum session duration (every revoked session has expired),
    /// then removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_sessions_issued_before: Option<String>,
}

/// The inline policy IAM's "revoke active sessions" puts on a role, and
/// `revokeSessionsIssuedBefore` keeps.
pub const REVOKE_POLICY: &str = "AWSRevokeOlderSessions";

/// IAM's default maximum session duration, in seconds.
pub const DEFAULT_MAX_SESSION_DURATION: i32 = 3600;

impl IamRoleSpec {
    /// The trust policy as a full document: the shorthand expanded, a document as written.
    pub fn trust_document(&self) -> Value {
        match self.trusted_services() {
            Some(services) => json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": if services.len() == 1 { Value::from(services[0].clone()) } else { Value::from(services) }},
                    "Action": "sts:AssumeRole",
                }],
            }),
            None => self.trust_policy.clone(),
        }
    }

    /// The services of the `{service: ...}` shorthand, if the trust policy is written so.
    pub fn trusted_services(&self) -> Option<Vec<String>> {
        let map = self.trust_policy.as_object()?;
        if map.len() != 1 {
            return None;
        }
        match map.get("service")? {
            Value::String(service) => Some(vec![service.clone()]),
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(ToOwned::to_owned))
                .collect(),
            _ => None,
        }
    }
}

/// The desired state of one customer-managed IAM policy (`metadata.name` is the policy name).
/// A changed document becomes a new default version; the oldest non-default version is
/// deleted first when IAM's five-version limit is reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IamPolicySpec {
    /// What the policy grants; it can only be set when the policy is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The policy's path (`/`, `/afu9/`); it can only be chosen when the policy is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The IAM policy document.
    #[schemars(schema_with = "policy_document_schema")]
    pub document: Value,
    /// The policy's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Least-privilege guardrails (`AFU9-IAM-02x`) this policy may break, each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guardrail_exceptions: Vec<GuardrailException>,
}

fn policy_document_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "description": "An IAM policy document (Version, Statement).",
        "required": ["Statement"],
        "properties": {
            "Version": {"enum": ["2012-10-17", "2008-10-17"]},
            "Id": {"type": "string"},
            "Statement": {"type": ["object", "array"]},
        },
    })
}

fn policy_map_schema(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": policy_document_schema(generator),
    })
}

fn trust_policy_schema(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "oneOf": [
            {
                "type": "object",
                "description": "Shorthand: trust one or more AWS services.",
                "required": ["service"],
                "additionalProperties": false,
                "properties": {"service": {"type": ["string", "array"], "items": {"type": "string"}}},
            },
            policy_document_schema(generator),
        ],
    })
}
