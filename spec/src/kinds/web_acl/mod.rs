//! `WebAcl`: a regional AWS WAF web ACL in front of load balancers.
//!
//! Created when missing. `rules` is the whole rule set, in evaluation order: a live rule the
//! manifest does not name is drift, removed by apply. Rules are compared by meaning: their
//! order of evaluation (by priority), not the priority numbers or the order AWS lists them
//! in. Each rule and the ACL itself send CloudWatch metrics named after them. `logging` and
//! `loadBalancers`, left out, are not managed. A web ACL is never deleted: one that no
//! manifest names stays, whatever it protects.

mod managed_groups;
mod validate;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tags::Tags;

pub use managed_groups::AWS_MANAGED_RULE_GROUPS;
pub use validate::{LOG_PREFIX, NO_LOGGING, NO_METRICS, NO_RULES, RATE_LIMIT_MAX, RATE_LIMIT_MIN};

/// The desired configuration of one regional web ACL (`metadata.name` is its name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WebAclSpec {
    /// What happens to a request no rule blocks: `allow` (what an ALB in front of an
    /// application needs) or `block`.
    pub default_action: WafAction,
    /// The rules, in evaluation order (the first that matches decides). At least one
    /// (Security Hub WAF.10).
    pub rules: Vec<WafRule>,
    /// CloudWatch metrics and sampled requests for the ACL and each rule (Security Hub
    /// WAF.12); left out: on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<bool>,
    /// Where WAF writes its request logs (Security Hub WAF.11); left out: not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<WafLogging>,
    /// The `LoadBalancer` manifests this ACL protects (Security Hub ELB.16); left out: not
    /// managed. An ALB protected by another ACL is moved to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancers: Option<Vec<String>>,
    /// The web ACL's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl WebAclSpec {
    /// Whether CloudWatch metrics are wanted (the default).
    pub fn metrics(&self) -> bool {
        self.metrics.unwrap_or(true)
    }
}

/// A terminating action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WafAction {
    /// Let the request through.
    Allow,
    /// Refuse it (HTTP 403).
    Block,
}

/// What a rule does when it matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleMode {
    /// Refuse the request (for a managed rule group: each rule's own action).
    #[default]
    Block,
    /// Only count it (a rule being tried out).
    Count,
}

impl RuleMode {
    /// Whether it is the default (`block`), which the manifest leaves out.
    pub fn is_block(&self) -> bool {
        *self == Self::Block
    }
}

/// One rule: a rate limit or an AWS managed rule group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WafRule {
    /// The rule's name, unique in the ACL; its CloudWatch metric has the same name.
    pub name: String,
    /// Its priority (lower runs first); left out: its place in the list. Only the order the
    /// priorities give is compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// `block` (the default) or `count`. For a managed group, `count` overrides every rule
    /// of the group to count.
    #[serde(default, skip_serializing_if = "RuleMode::is_block")]
    pub action: RuleMode,
    /// A rate limit per client IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// An AWS managed rule group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_rule_group: Option<ManagedRuleGroup>,
}

/// A rate-based rule: requests per 5 minutes per client IP, beyond which the IP's requests
/// get the rule's action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests per 5-minute window per IP (AWS: 10 to 2,000,000,000).
    pub limit: u64,
    /// Count only requests whose path starts with this (`/api/`); left out: every request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri_starts_with: Option<String>,
}

/// An AWS managed rule group, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManagedRuleGroup {
    /// The group's name (`AWSManagedRulesCommonRuleSet`).
    pub name: String,
    /// Its vendor; left out: `AWS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// A pinned version (`Version_1.10`); left out: the group's default version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Rules of the group whose action is overridden, by rule name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rule_overrides: Vec<RuleOverride>,
}

impl ManagedRuleGroup {
    /// The vendor (`AWS` when left out).
    pub fn vendor(&self) -> &str {
        self.vendor.as_deref().unwrap_or("AWS")
    }
}

/// One rule of a managed group with another action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RuleOverride {
    /// The rule's name in the group (`SizeRestrictions_BODY`).
    pub name: String,
    /// The action it takes instead.
    pub action: OverrideAction,
}

/// An overriding action.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum OverrideAction {
    /// Let matching requests through.
    Allow,
    /// Refuse them.
    Block,
    /// Only count them.
    Count,
}

impl OverrideAction {
    /// The name WAF uses in `ActionToUse`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "Allow",
            Self::Block => "Block",
            Self::Count => "Count",
        }
    }
}

/// Logging of the ACL's requests to a CloudWatch Logs log group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WafLogging {
    /// The log group: its name (`aws-waf-logs-afu9`, which WAF requires to start with
    /// `aws-waf-logs-`) or its ARN. The log group itself is not managed by this kind.
    pub log_group: String,
}

impl WafLogging {
    /// The log group's name, from a name or an ARN (`…:log-group:NAME[:*]`).
    pub fn log_group_name(&self) -> &str {
        log_group_name(&self.log_group)
    }
}

/// A log group's name, from a name or an ARN (`…:log-group:NAME[:*]`).
pub fn log_group_name(value: &str) -> &str {
    value
        .split_once(":log-group:")
        .map_or(value, |(_, rest)| rest.strip_suffix(":*").unwrap_or(rest))
}
