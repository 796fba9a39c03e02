//! Least-privilege guardrails for IAM documents (the security guide: least privilege,
//! resource-specific, read-only by default), each citing the Security Hub control it maps
//! to. A role or policy breaks one only with a named exception and a reason, as security
//! groups do.
//!
//! The rules read the documents as written (actions in any case, strings or lists); they
//! look at `Allow` statements only, since a `Deny` never grants.

use serde_json::Value;

/// `Action: "*"` (or `NotAction`) allowed on `Resource: "*"`: full administrator (IAM.1).
pub const FULL_ADMIN: &str = "AFU9-IAM-020";
/// Every action of a service, `s3:*` (IAM.21).
pub const SERVICE_WILDCARD: &str = "AFU9-IAM-021";
/// `secretsmanager:GetSecretValue` on every secret; the guide scopes it to `afu9/*`.
pub const ANY_SECRET_VALUE: &str = "AFU9-IAM-022";
/// A write action on `Resource: "*"` where the service can scope it to resources.
pub const WRITE_ON_ANY_RESOURCE: &str = "AFU9-IAM-023";
/// `iam:PassRole` on every role: whoever holds it can hand any role to a service.
pub const PASS_ANY_ROLE: &str = "AFU9-IAM-024";
/// A trust policy any principal can use.
pub const TRUST_ANY_PRINCIPAL: &str = "AFU9-IAM-025";
/// A trust policy another account can use without a condition.
pub const TRUST_OTHER_ACCOUNT: &str = "AFU9-IAM-026";

/// The guardrails: rule, the control it maps to, what breaking it means.
pub const GUARDRAILS: &[(&str, &str, &str)] = &[
    (FULL_ADMIN, "IAM.1", "allows every action on every resource"),
    (
        SERVICE_WILDCARD,
        "IAM.21",
        "allows every action of a service",
    ),
    (
        ANY_SECRET_VALUE,
        "IAM.21",
        "allows reading the value of every secret",
    ),
    (
        WRITE_ON_ANY_RESOURCE,
        "IAM.21",
        "allows a write action on every resource, where the service can scope it",
    ),
    (PASS_ANY_ROLE, "IAM.21", "allows passing every role"),
    (
        TRUST_ANY_PRINCIPAL,
        "IAM.21",
        "lets any principal assume the role",
    ),
    (
        TRUST_OTHER_ACCOUNT,
        "IAM.21",
        "lets another account assume the role without a condition",
    ),
];

/// Services whose write actions take resource ARNs, each with the write actions that AWS's
/// Service Authorization Reference lists as supporting only `Resource: "*"` (lowercase).
/// A service not listed here is not judged by [`WRITE_ON_ANY_RESOURCE`].
const SCOPED_WRITES: &[(&str, &[&str])] = &[
    ("s3", &[]),
    ("secretsmanager", &[]),
    ("ecr", &[]),
    (
        "ecs",
        &[
            "registertaskdefinition",
            "deregistertaskdefinition",
            "createcluster",
            "putaccountsetting",
            "putaccountsettingdefault",
            "deleteaccountsetting",
            "submitattachmentstatechanges",
            "submitcontainerstatechange",
            "submittaskstatechange",
        ],
    ),
    ("sqs", &[]),
    ("sns", &[]),
    ("kms", &["createkey", "createcustomkeystore"]),
    (
        "logs",
        &[
            "putresourcepolicy",
            "deleteresourcepolicy",
            "putaccountpolicy",
            "deleteaccountpolicy",
        ],
    ),
    ("lambda", &[]),
    ("dynamodb", &[]),
    ("iam", &[]),
    ("ssm", &[]),
    ("cloudwatch", &["putmetricdata"]),
];

/// Verbs that begin the name of an action that changes something.
const WRITE_VERBS: &[&str] = &[
    "create",
    "delete",
    "put",
    "update",
    "modify",
    "attach",
    "detach",
    "tag",
    "untag",
    "add",
    "remove",
    "set",
    "start",
    "stop",
    "register",
    "deregister",
    "enable",
    "disable",
    "restore",
    "rotate",
    "cancel",
    "send",
    "publish",
    "invoke",
    "run",
    "pass",
    "upload",
    "replicate",
    "reboot",
    "change",
    "associate",
    "disassociate",
    "import",
    "initiate",
    "complete",
    "purge",
    "reset",
    "revoke",
    "authorize",
    "batchdelete",
    "batchput",
    "batchwrite",
];

/// One guardrail broken by one statement: the rule and what the statement allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    /// The rule id.
    pub rule: &'static str,
    /// The statement (`Statement[0]`, or its `Sid`) and what it allows.
    pub detail: String,
}

/// The guardrails a permissions policy breaks, in statement order, each rule at most once
/// per statement.
pub fn check_permissions(document: &Value) -> Vec<Breach> {
    let mut breaches = Vec::new();
    for (label, statement) in allow_statements(document) {
        let resources = strings(statement.get("Resource"));
        let any_resource = resources.iter().any(|r| r == "*");
        let mut found = |rule: &'static str, what: String| {
            if !breaches
                .iter()
                .any(|b: &Breach| b.rule == rule && b.detail.starts_with(&label))
            {
                breaches.push(Breach {
                    rule,
                    detail: format!("{label}: {what}"),
                });
            }
        };
        if statement.get("NotAction").is_some() && any_resource {
            found(
                FULL_ADMIN,
                "allows every action but those of NotAction, on Resource \"*\"".to_owned(),
            );
        }
        for action in strings(statement.get("Action")) {
            let lower = action.to_lowercase();
            if lower == "*" {
                if any_resource {
                    found(
                        FULL_ADMIN,
                        "allows Action \"*\" on Resource \"*\"".to_owned(),
                    );
                }
                continue;
            }
            let Some((service, name)) = lower.split_once(':') else {
                continue;
            };
            if name == "*" {
                found(SERVICE_WILDCARD, format!("allows `{action}`"));
            }
            if matches_action(name, "getsecretvalue")
                && service == "secretsmanager"
                && resources
                    .iter()
                    .any(|r| r == "*" || r.ends_with(":secret:*"))
            {
                found(
                    ANY_SECRET_VALUE,
                    format!("allows `{action}` on every secret"),
                );
            }
            let passes_roles = service == "iam" && matches_action(name, "passrole");
            if passes_roles && any_resource {
                found(
                    PASS_ANY_ROLE,
                    format!("allows `{action}` on Resource \"*\""),
                );
            }
            if any_resource && !passes_roles && name != "*" && is_scopable_write(service, name) {
                found(
                    WRITE_ON_ANY_RESOURCE,
                    format!("allows `{action}` on Resource \"*\""),
                );
            }
        }
    }
    breaches
}

/// The guardrails a trust policy breaks. `own_account` is the posture's account, when it
/// names one: a principal of that account is not "another account".
pub fn check_trust(document: &Value, own_account: Option<&str>) -> Vec<Breach> {
    let mut breaches = Vec::new();
    for (label, statement) in allow_statements(document) {
        let condition = statement
            .get("Condition")
            .and_then(Value::as_object)
            .filter(|c| !c.is_empty());
        for principal in aws_principals(statement) {
            if principal == "*" {
                if !condition.is_some_and(|c| names_principal_key(&Value::Object(c.clone()))) {
                    breaches.push(Breach {
                        rule: TRUST_ANY_PRINCIPAL,
                        detail: format!(
                            "{label}: Principal \"*\" without a condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn or aws:SourceAccount"
                        ),
                    });
                }
            } else if let Some(account) = account_of(&principal)
                && Some(account.as_str()) != own_account
                && condition.is_none()
            {
                breaches.push(Breach {
                    rule: TRUST_OTHER_ACCOUNT,
                    detail: format!(
                        "{label}: account {account} may assume it without a condition (sts:ExternalId, aws:PrincipalOrgID, MFA)"
                    ),
                });
            }
        }
    }
    breaches
}

/// The `Allow` statements of `document`, each with its label (`Statement[i]` or
/// `Statement[i] (Sid)`).
fn allow_statements(document: &Value) -> Vec<(String, &Value)> {
    let statements = match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    statements
        .into_iter()
        .enumerate()
        .filter(|(_, s)| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
        .map(|(index, s)| {
            let label = match s.get("Sid").and_then(Value::as_str) {
                Some(sid) if !sid.is_empty() => format!("Statement[{index}] ({sid})"),
                _ => format!("Statement[{index}]"),
            };
            (label, s)
        })
        .collect()
}

/// A string or a list of strings, as IAM accepts them; anything else gives nothing.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(ToOwned::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// The principals a statement names that are AWS identities: `"*"`, an `AWS` principal.
fn aws_principals(statement: &Value) -> Vec<String> {
    match statement.get("Principal") {
        Some(Value::String(any)) => vec![any.clone()],
        Some(Value::Object(types)) => strings(types.get("AWS")),
        _ => Vec::new(),
    }
}

/// The account of an `AWS` principal: a 12-digit id or an ARN's account field.
fn account_of(principal: &str) -> Option<String> {
    let is_account = |text: &str| text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit());
    if is_account(principal) {
        return Some(principal.to_owned());
    }
    let account = principal.strip_prefix("arn:")?.split(':').nth(3)?;
    is_account(account).then(|| account.to_owned())
}

/// Whether a condition block constrains who the principal is.
fn names_principal_key(condition: &Value) -> bool {
    const KEYS: &[&str] = &[
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:sourceaccount",
        "aws:sourcearn",
    ];
    condition.as_object().is_some_and(|operators| {
        operators.values().any(|block| {
            block.as_object().is_some_and(|keys| {
                keys.keys()
                    .any(|k| KEYS.contains(&k.to_lowercase().as_str()))
            })
        })
    })
}

/// Whether the action pattern `pattern` (lowercase, `*` and `?` wildcards) matches `action`.
fn matches_action(pattern: &str, action: &str) -> bool {
    fn matches(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => matches(&p[1..], a) || (!a.is_empty() && matches(p, &a[1..])),
            (Some(b'?'), Some(_)) => matches(&p[1..], &a[1..]),
            (Some(x), Some(y)) if x == y => matches(&p[1..], &a[1..]),
            _ => false,
        }
    }
    matches(pattern.as_bytes(), action.as_bytes())
}

/// Whether `service:name` (lowercase; `name` may end in a wildcard, `put*`) names write
/// actions that the service lets a policy scope to resources.
fn is_scopable_write(service: &str, name: &str) -> bool {
    let Some((_, only_any)) = SCOPED_WRITES.iter().find(|(s, _)| *s == service) else {
        return false;
    };
    let prefix = name.trim_end_matches('*');
    if prefix.contains(['*', '?']) || only_any.contains(&name) {
        return false;
    }
    let is_wildcard = prefix.len() != name.len();
    WRITE_VERBS.iter().any(|verb| {
        if is_wildcard {
            // `put*` names writes; `get*` does not; `p*` is too vague to judge.
            prefix.starts_with(verb)
        } else {
            name.starts_with(verb)
        }
    })
}

#[cfg(test)]
mod tests;
