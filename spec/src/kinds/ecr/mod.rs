//! `EcrRepository`: an ECR repository's security settings.
//!
//! Fields left out of a manifest are not managed: the controller neither sets nor reports
//! them. Tags are the exception: a managed resource's tag set is owned whole.

mod validate;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tags::Tags;

/// The desired configuration of one ECR repository (`metadata.name` is the repository name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EcrRepositorySpec {
    /// Scan every image for vulnerabilities when it is pushed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_on_push: Option<bool>,
    /// Whether a pushed tag may later point at another image. `IMMUTABLE` is what the
    /// AFU-9 guide asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_mutability: Option<TagMutability>,
    /// Encryption at rest. It can only be chosen when the repository is created; a different
    /// live setting is reported as blocked, never fixed by recreating the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
    /// The lifecycle policy that expires old images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_policy: Option<LifecyclePolicy>,
    /// The repository's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// ECR image tag mutability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TagMutability {
    /// Tags can be moved to another image.
    Mutable,
    /// A tag, once pushed, always names the same image.
    Immutable,
}

impl TagMutability {
    /// The name ECR uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mutable => "MUTABLE",
            Self::Immutable => "IMMUTABLE",
        }
    }
}

/// Encryption at rest of a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum Encryption {
    /// Amazon S3-managed keys (the ECR default).
    #[serde(rename = "AES256")]
    Aes256,
    /// A KMS key.
    #[serde(rename = "KMS", rename_all = "camelCase")]
    Kms {
        /// Key id, ARN or alias (`alias/afu9-ecr`); absent for the AWS managed key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kms_key: Option<String>,
    },
}

/// A lifecycle policy: the `keepLast` shorthand or the full ECR rule list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LifecyclePolicy {
    /// Shorthand: keep the newest N images (any tag status), expire the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_last: Option<u32>,
    /// The full ECR lifecycle rule list, as ECR documents it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<LifecycleRule>>,
}

impl LifecyclePolicy {
    /// The rules this policy stands for: the shorthand expanded, or the rules as written.
    pub fn expanded_rules(&self) -> Vec<LifecycleRule> {
        match (&self.rules, self.keep_last) {
            (Some(rules), _) => rules.clone(),
            (None, Some(count)) => vec![LifecycleRule {
                rule_priority: 1,
                description: Some(format!("keep the last {count} images")),
                selection: LifecycleSelection {
                    tag_status: TagStatus::Any,
                    tag_prefix_list: Vec::new(),
                    tag_pattern_list: Vec::new(),
                    count_type: CountType::ImageCountMoreThan,
                    count_unit: None,
                    count_number: count,
                },
                action: LifecycleAction {
                    kind: LifecycleActionType::Expire,
                },
            }],
            (None, None) => Vec::new(),
        }
    }
}

/// One ECR lifecycle rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LifecycleRule {
    /// Evaluation order; unique within a policy, lower first.
    pub rule_priority: u32,
    /// What the rule is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Which images the rule applies to.
    pub selection: LifecycleSelection,
    /// What happens to them.
    pub action: LifecycleAction,
}

/// The images a lifecycle rule selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LifecycleSelection {
    /// Which tag status the rule applies to.
    pub tag_status: TagStatus,
    /// Tag prefixes (with `tagStatus: tagged`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag_prefix_list: Vec<String>,
    /// Tag wildcard patterns (with `tagStatus: tagged`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag_pattern_list: Vec<String>,
    /// Count images or their age.
    pub count_type: CountType,
    /// `days`, with `countType: sinceImagePushed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_unit: Option<CountUnit>,
    /// The count or the age limit.
    pub count_number: u32,
}

/// Tag status filter of a lifecycle rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TagStatus {
    /// Images with at least one tag.
    Tagged,
    /// Images without tags.
    Untagged,
    /// All images.
    Any,
}

/// How a lifecycle rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CountType {
    /// Keep the newest `countNumber` images.
    ImageCountMoreThan,
    /// Expire images pushed more than `countNumber` units ago.
    SinceImagePushed,
}

/// The unit of a `sinceImagePushed` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CountUnit {
    /// Days.
    Days,
}

/// The action of a lifecycle rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleAction {
    /// Always `expire`.
    #[serde(rename = "type")]
    pub kind: LifecycleActionType,
}

/// Lifecycle action types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LifecycleActionType {
    /// Delete the selected images.
    Expire,
}
