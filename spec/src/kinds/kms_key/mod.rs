//! `KmsKey`: a customer-managed symmetric KMS key, named by its alias, with rotation, its
//! description, its key policy (compared by meaning, as IAM documents are) and its tags.
//!
//! Unlike a load balancer, a key is created when missing (`CreateKey`, then `CreateAlias`):
//! the posture is what names the keys the secrets, the trail and the topic are encrypted
//! with, and nothing else creates them. A key is never deleted or disabled: scheduling a
//! deletion makes everything encrypted with it unreadable, which no manifest edit should do.

mod validate;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tags::Tags;

pub use validate::NO_ROTATION;

/// The desired configuration of one key (`metadata.name` is its alias without `alias/`:
/// `afu9-secrets` is `alias/afu9-secrets`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KmsKeySpec {
    /// What the key is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Automatic yearly rotation of the key material (Security Hub KMS.4); `false` is
    /// refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<bool>,
    /// The key policy, an IAM policy document; left out: not managed (a new key gets KMS's
    /// default policy, which gives the account full control).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "key_policy_schema")]
    pub policy: Option<Value>,
    /// The key's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl KmsKeySpec {
    /// The alias of the key named `name`: `alias/<name>`.
    pub fn alias(name: &str) -> String {
        format!("alias/{name}")
    }
}

fn key_policy_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "description": "A KMS key policy: an IAM policy document (Version, Statement).",
    })
}
