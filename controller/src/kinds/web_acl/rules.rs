//! The web ACL's rules in one canonical form, which the manifest, AWS's answer and the
//! update call all turn into or out of: compared by meaning (the order the priorities give,
//! not their numbers; overrides as a map), shown in the manifest's words.

use std::collections::BTreeMap;

use afu9_spec::web_acl::{RuleMode, WafAction, WafRule, WebAclSpec};
use serde_json::{Value, json};

/// What the update call writes and the plan compares: the ACL's default action, its
/// metrics and its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclBody {
    /// `allow` or `block`.
    pub default_action: String,
    /// CloudWatch metrics of the ACL itself.
    pub metrics: bool,
    /// The rules, in any order (each with its priority).
    pub rules: Vec<AclRule>,
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclRule {
    /// Its name (and metric name).
    pub name: String,
    /// Its priority as written.
    pub priority: i32,
    /// `block` or `count` (a rate rule's action, a group's override).
    pub action: String,
    /// What it matches.
    pub statement: Statement,
    /// A managed group's rule overrides: rule name → `Allow`, `Block` or `Count`.
    pub overrides: BTreeMap<String, String>,
    /// CloudWatch metrics and sampled requests.
    pub metrics: bool,
}

/// What a rule inspects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// A rate limit per client IP over 5 minutes.
    Rate {
        /// Requests per window.
        limit: i64,
        /// Only requests whose URI path starts with this.
        uri_starts_with: Option<String>,
    },
    /// A managed rule group.
    Managed {
        /// `AWS`.
        vendor: String,
        /// The group's name.
        name: String,
        /// A pinned version.
        version: Option<String>,
    },
    /// Anything else (a custom rule, an IP set, a scope-down the manifest cannot state), by
    /// a short description: the manifest never states it, so it is drift.
    Other(String),
}

impl AclBody {
    /// The body the manifest asks for.
    pub fn wanted(spec: &WebAclSpec) -> Self {
        let metrics = spec.metrics();
        Self {
            default_action: action_name(spec.default_action).to_owned(),
            metrics,
            rules: spec
                .rules
                .iter()
                .enumerate()
                .map(|(index, rule)| wanted_rule(rule, index, metrics))
                .collect(),
        }
    }

    /// The rules in evaluation order (by priority, then name).
    pub fn ordered(&self) -> Vec<&AclRule> {
        let mut rules: Vec<&AclRule> = self.rules.iter().collect();
        rules.sort_by(|a, b| a.priority.cmp(&b.priority).then(a.name.cmp(&b.name)));
        rules
    }

    /// Whether the rules mean the same: the same rules in the same evaluation order.
    pub fn same_rules(&self, other: &Self) -> bool {
        let key =
            |body: &Self| -> Vec<Value> { body.ordered().into_iter().map(rule_value).collect() };
        key(self) == key(other)
    }

    /// The rules as the manifest writes them, in evaluation order.
    pub fn rules_value(&self) -> Value {
        Value::Array(self.ordered().into_iter().map(rule_value).collect())
    }
}

fn action_name(action: WafAction) -> &'static str {
    match action {
        WafAction::Allow => "allow",
        WafAction::Block => "block",
    }
}

fn wanted_rule(rule: &WafRule, index: usize, metrics: bool) -> AclRule {
    let statement = match (&rule.rate_limit, &rule.managed_rule_group) {
        (Some(rate), _) => Statement::Rate {
            limit: i64::try_from(rate.limit).unwrap_or(i64::MAX),
            uri_starts_with: rate.uri_starts_with.clone(),
        },
        (None, Some(group)) => Statement::Managed {
            vendor: group.vendor().to_owned(),
            name: group.name.clone(),
            version: group.version.clone(),
        },
        // Refused by validation.
        (None, None) => Statement::Other("no statement".to_owned()),
    };
    let overrides = rule
        .managed_rule_group
        .iter()
        .flat_map(|g| &g.rule_overrides)
        .map(|o| (o.name.clone(), o.action.as_str().to_owned()))
        .collect();
    let priority = rule.priority.map_or(index, |p| p as usize);
    AclRule {
        name: rule.name.clone(),
        priority: i32::try_from(priority).unwrap_or(i32::MAX),
        action: match rule.action {
            RuleMode::Block => "block",
            RuleMode::Count => "count",
        }
        .to_owned(),
        statement,
        overrides,
        metrics,
    }
}

/// One rule in the manifest's words, without its priority (its place says it).
pub fn rule_value(rule: &AclRule) -> Value {
    let mut value = json!({"name": rule.name, "action": rule.action});
    match &rule.statement {
        Statement::Rate {
            limit,
            uri_starts_with,
        } => {
            value["rateLimit"] = json!({"limit": limit});
            if let Some(path) = uri_starts_with {
                value["rateLimit"]["uriStartsWith"] = path.clone().into();
            }
        }
        Statement::Managed {
            vendor,
            name,
            version,
        } => {
            value["managedRuleGroup"] = json!({"name": name, "vendor": vendor});
            if let Some(version) = version {
                value["managedRuleGroup"]["version"] = version.clone().into();
            }
            if !rule.overrides.is_empty() {
                value["managedRuleGroup"]["ruleOverrides"] = rule
                    .overrides
                    .iter()
                    .map(|(name, action)| json!({"name": name, "action": action.to_ascii_lowercase()}))
                    .collect();
            }
        }
        Statement::Other(what) => value["other"] = what.clone().into(),
    }
    if !rule.metrics {
        value["metrics"] = false.into();
    }
    value
}
