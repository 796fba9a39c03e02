//! Rules for `IamRole` and `IamPolicy` manifests: names, paths, documents, references.

use std::collections::BTreeSet;

use serde_json::Value;

use super::guardrails::{self, Breach, GUARDRAILS};
use super::policy_doc;
use super::{IamPolicySpec, IamRoleSpec};
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::kinds::security_group::GuardrailException;
use crate::state::{DesiredState, Resource};
use crate::validate::{RuleError, check_tags, rule_error};

impl Validate for IamPolicySpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        for policy in &state.iam_policies {
            let error = rule_error(policy);
            if !is_iam_name(policy.name(), 128) {
                errors.push(name_error(
                    &error,
                    "AFU9-IAM-010",
                    policy.name(),
                    "policy",
                    128,
                ));
            }
            check_path(policy.spec.path.as_deref(), &error, errors);
            check_document(&policy.spec.document, "spec.document", &error, errors);
            let breaches = vec![(
                "spec.document".to_owned(),
                guardrails::check_permissions(&policy.spec.document),
            )];
            check_guardrails(breaches, &policy.spec.guardrail_exceptions, &error, errors);
            check_tags(&policy.source, &policy.spec.tags, errors);
        }
    }
}

impl Validate for IamRoleSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        let policy_names: BTreeSet<&str> = state.iam_policies.iter().map(Resource::name).collect();
        let account = state.posture.account_id.as_deref();
        for role in &state.iam_roles {
            check_role(role, &policy_names, errors);
            super::confused_deputy::check(role, errors);
            let mut breaches = vec![(
                "spec.trustPolicy".to_owned(),
                guardrails::check_trust(&role.spec.trust_document(), account),
            )];
            for (name, document) in &role.spec.inline_policies {
                breaches.push((
                    format!("spec.inlinePolicies.{name}"),
                    guardrails::check_permissions(document),
                ));
            }
            check_guardrails(
                breaches,
                &role.spec.guardrail_exceptions,
                &rule_error(role),
                errors,
            );
            check_tags(&role.source, &role.spec.tags, errors);
        }
    }
}

fn name_error(
    error: &RuleError<'_>,
    rule: &'static str,
    name: &str,
    what: &str,
    max: usize,
) -> ManifestError {
    error(
        "metadata.name",
        rule,
        format!("`{name}` is not a valid IAM {what} name"),
    )
    .hint(format!("1-{max} letters, digits and + = , . @ _ -"))
}

fn check_role(
    role: &Resource<IamRoleSpec>,
    policy_names: &BTreeSet<&str>,
    errors: &mut Vec<ManifestError>,
) {
    let spec = &role.spec;
    let error = rule_error(role);
    if !is_iam_name(role.name(), 64) {
        errors.push(name_error(&error, "AFU9-IAM-001", role.name(), "role", 64));
    }
    check_path(spec.path.as_deref(), &error, errors);
    if let Some(duration) = spec.max_session_duration
        && !(3600..=43200).contains(&duration)
    {
        errors.push(error(
            "spec.maxSessionDuration",
            "AFU9-IAM-003",
            format!("{duration} is not between 3600 and 43200 seconds"),
        ));
    }
    if spec
        .trust_policy
        .as_object()
        .is_some_and(|m| m.contains_key("service"))
        && spec.trusted_services().is_none()
    {
        errors.push(
            error(
                "spec.trustPolicy",
                "AFU9-IAM-004",
                "the shorthand takes only `service`, a name or a list of names".to_owned(),
            )
            .hint("trustPolicy: {service: ecs-tasks.amazonaws.com}"),
        );
    } else {
        check_document(&spec.trust_document(), "spec.trustPolicy", &error, errors);
    }
    check_revocation(spec, &error, errors);
    for (name, document) in &spec.inline_policies {
        let field = format!("spec.inlinePolicies.{name}");
        if !is_iam_name(name, 128) {
            errors.push(error(
                &field,
                "AFU9-IAM-005",
                format!("`{name}` is not a valid inline policy name"),
            ));
        }
        check_document(document, &field, &error, errors);
    }
    let mut seen = BTreeSet::new();
    for (index, reference) in spec.managed_policies.iter().enumerate() {
        let field = format!("spec.managedPolicies[{index}]");
        if !seen.insert(reference) {
            errors.push(error(
                &field,
                "AFU9-IAM-009",
                format!("`{reference}` is listed twice"),
            ));
        }
        check_policy_reference(reference, &field, policy_names, &error, errors);
    }
    if let Some(boundary) = &spec.permissions_boundary {
        check_policy_reference(
            boundary,
            "spec.permissionsBoundary",
            policy_names,
            &error,
            errors,
        );
    }
}

/// `revokeSessionsIssuedBefore` is a UTC time, and its inline policy is the controller's to
/// keep: a manifest cannot also write it by hand.
fn check_revocation(spec: &IamRoleSpec, error: &RuleError<'_>, errors: &mut Vec<ManifestError>) {
    if let Some(time) = &spec.revoke_sessions_issued_before
        && crate::time::parse_utc(time).is_none()
    {
        errors.push(
            error(
                "spec.revokeSessionsIssuedBefore",
                "AFU9-IAM-040",
                format!("`{time}` is not a UTC time"),
            )
            .hint("revokeSessionsIssuedBefore: 2026-12-06T09:30:00Z"),
        );
    }
    if spec.inline_policies.contains_key(super::REVOKE_POLICY) {
        errors.push(
            error(
                &format!("spec.inlinePolicies.{}", super::REVOKE_POLICY),
                "AFU9-IAM-041",
                format!(
                    "`{}` is the policy revokeSessionsIssuedBefore keeps; write the time there",
                    super::REVOKE_POLICY
                ),
            )
            .hint("revokeSessionsIssuedBefore: 2026-12-06T09:30:00Z"),
        );
    }
}

fn check_policy_reference(
    reference: &str,
    field: &str,
    policy_names: &BTreeSet<&str>,
    error: &RuleError<'_>,
    errors: &mut Vec<ManifestError>,
) {
    if reference.starts_with("arn:") {
        if !is_policy_arn(reference) {
            errors.push(
                error(
                    field,
                    "AFU9-IAM-007",
                    format!("`{reference}` is not an IAM policy ARN"),
                )
                .hint("arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/PATH/NAME"),
            );
        }
    } else if !policy_names.contains(reference) {
        errors.push(
            error(
                field,
                "AFU9-IAM-007",
                format!("`{reference}` names no IamPolicy manifest"),
            )
            .hint("use a policy ARN, or the metadata.name of an IamPolicy in the desired state"),
        );
    }
}

fn check_document(
    document: &Value,
    field: &str,
    error: &RuleError<'_>,
    errors: &mut Vec<ManifestError>,
) {
    for problem in policy_doc::validate(document) {
        errors.push(error(
            field,
            "AFU9-IAM-006",
            format!("not a valid IAM policy document: {problem}"),
        ));
    }
}

/// Reports each guardrail breach (`(field, breaches)`) that no valid exception lifts, and
/// each exception that names no IAM guardrail or gives no reason.
fn check_guardrails(
    breaches: Vec<(String, Vec<Breach>)>,
    exceptions: &[GuardrailException],
    error: &RuleError<'_>,
    errors: &mut Vec<ManifestError>,
) {
    let mut excepted = BTreeSet::new();
    for (index, exception) in exceptions.iter().enumerate() {
        let known = GUARDRAILS.iter().any(|(rule, ..)| *rule == exception.rule)
            || exception.rule == super::confused_deputy::CONFUSED_DEPUTY;
        if known && !exception.reason.trim().is_empty() {
            excepted.insert(exception.rule.as_str());
            continue;
        }
        errors.push(
            error(
                &format!("spec.guardrailExceptions[{index}]"),
                "AFU9-IAM-027",
                "an exception names an IAM guardrail and gives a reason".to_owned(),
            )
            .hint(format!(
                "the IAM guardrails are {}",
                GUARDRAILS
                    .iter()
                    .map(|(rule, ..)| *rule)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
    for (field, found) in breaches {
        for breach in found.into_iter().filter(|b| !excepted.contains(b.rule)) {
            let (rule, control, what) = GUARDRAILS
                .iter()
                .find(|(id, ..)| *id == breach.rule)
                .expect("every guardrail is listed");
            errors.push(
                error(
                    &field,
                    rule,
                    format!("{}: {what}; Security Hub {control}", breach.detail),
                )
                .hint(format!(
                    "scope it to the resources it needs, or add guardrailExceptions: [{{rule: {rule}, reason: ...}}]"
                )),
            );
        }
    }
}

fn check_path(path: Option<&str>, error: &RuleError<'_>, errors: &mut Vec<ManifestError>) {
    if let Some(path) = path
        && !(path.starts_with('/')
            && path.ends_with('/')
            && path.len() <= 512
            && path.bytes().all(|b| (0x21..=0x7e).contains(&b)))
    {
        errors.push(
            error(
                "spec.path",
                "AFU9-IAM-002",
                format!("`{path}` is not a valid IAM path"),
            )
            .hint("a path starts and ends with `/`, e.g. /afu9/"),
        );
    }
}

/// IAM names: 1 to `max` characters of letters, digits and `+=,.@_-`.
fn is_iam_name(name: &str, max: usize) -> bool {
    (1..=max).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// `arn:<partition>:iam::<aws|12 digits>:policy/<path/>name`.
fn is_policy_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = parts.as_slice() else {
        return false;
    };
    partition.starts_with("aws")
        && *service == "iam"
        && region.is_empty()
        && (*account == "aws"
            || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())))
        && resource
            .strip_prefix("policy/")
            .and_then(|rest| rest.rsplit('/').next())
            .is_some_and(|name| is_iam_name(name, 128))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::load::load_str;

    fn rules_fired(yaml: &str) -> Vec<&'static str> {
        match load_str(Path::new("t.yaml"), yaml) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .0
                .iter()
                .filter(|e| !e.warning)
                .map(|e| e.rule)
                .collect(),
        }
    }

    #[test]
    fn a_guardrail_is_lifted_only_by_a_named_exception_with_a_reason() {
        let role = "apiVersion: posture.afu9.io/v1alpha1\nkind: IamRole\nmetadata: {name: deployer}\nspec:\n  trustPolicy: {service: ecs-tasks.amazonaws.com}\n  inlinePolicies:\n    pass: {Statement: [{Effect: Allow, Action: iam:PassRole, Resource: \"*\"}]}\n";
        assert_eq!(rules_fired(role), ["AFU9-IAM-024"]);
        let excepted = format!(
            "{role}  guardrailExceptions: [{{rule: AFU9-IAM-024, reason: the deploy pipeline passes every task role}}]\n"
        );
        assert!(rules_fired(&excepted).is_empty());
        let other_rule =
            format!("{role}  guardrailExceptions: [{{rule: AFU9-IAM-020, reason: admin}}]\n");
        assert_eq!(rules_fired(&other_rule), ["AFU9-IAM-024"]);
        let unknown =
            format!("{role}  guardrailExceptions: [{{rule: AFU9-SG-012, reason: wrong kind}}]\n");
        assert_eq!(rules_fired(&unknown), ["AFU9-IAM-027", "AFU9-IAM-024"]);
    }

    #[test]
    fn a_trust_policy_of_the_postures_own_account_passes() {
        let role = |account: &str| {
            format!(
                "apiVersion: posture.afu9.io/v1alpha1\nkind: Posture\nmetadata: {{name: p}}\nspec: {{accountId: \"{account}\"}}\n---\napiVersion: posture.afu9.io/v1alpha1\nkind: IamRole\nmetadata: {{name: ci}}\nspec:\n  trustPolicy: {{Statement: [{{Effect: Allow, Principal: {{AWS: \"arn:aws:iam::123456789012:root\"}}, Action: sts:AssumeRole}}]}}\n"
            )
        };
        assert!(rules_fired(&role("123456789012")).is_empty());
        assert_eq!(rules_fired(&role("210987654321")), ["AFU9-IAM-026"]);
    }

    #[test]
    fn names_and_arns() {
        assert!(is_iam_name("afu9-task-role", 64));
        assert!(!is_iam_name("afu9 task role", 64));
        assert!(!is_iam_name(&"a".repeat(65), 64));
        assert!(is_policy_arn(
            "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
        ));
        assert!(is_policy_arn(
            "arn:aws:iam::123456789012:policy/afu9/secrets-read"
        ));
        assert!(!is_policy_arn("arn:aws:iam::123:policy/x"));
        assert!(!is_policy_arn("arn:aws:s3:::bucket"));
        assert!(!is_policy_arn("arn:aws:iam::aws:role/x"));
    }
}
