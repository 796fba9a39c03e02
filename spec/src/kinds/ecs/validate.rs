//! Rules for `EcsTaskDefinition` manifests: family names, references to `IamRole` and `Secret`
//! manifests, container contracts, services.

use std::collections::BTreeSet;

use super::{ALL_CONTAINERS, EcsTaskDefinitionSpec};
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::{RuleError, rule_error};

impl Validate for EcsTaskDefinitionSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        check(state, errors);
    }
}

fn check(state: &DesiredState, errors: &mut Vec<ManifestError>) {
    let role_names: BTreeSet<&str> = state.iam_roles.iter().map(Resource::name).collect();
    let secret_names: BTreeSet<&str> = state.secrets.iter().map(Resource::name).collect();
    for family in &state.ecs_task_definitions {
        let error = rule_error(family);
        let spec = &family.spec;
        if !is_family_name(family.name()) {
            errors.push(
                error(
                    "metadata.name",
                    "AFU9-ECS-001",
                    format!("`{}` is not a valid task-definition family", family.name()),
                )
                .hint("1-255 letters, digits, `-` and `_`"),
            );
        }
        for (field, role) in [
            ("spec.taskRole", &spec.task_role),
            ("spec.executionRole", &spec.execution_role),
        ] {
            if let Some(role) = role
                && !role_names.contains(role.as_str())
            {
                errors.push(
                    error(
                        field,
                        "AFU9-ECS-002",
                        format!("`{role}` names no IamRole manifest"),
                    )
                    .hint("task roles are managed here too: add an IamRole with that name"),
                );
            }
        }
        for (index, secret) in spec.secrets_from.iter().enumerate() {
            if !secret_names.contains(secret.as_str()) {
                errors.push(
                    error(
                        &format!("spec.secretsFrom[{index}]"),
                        "AFU9-ECS-003",
                        format!("`{secret}` names no Secret manifest"),
                    )
                    .hint("add a Secret manifest with that name"),
                );
            }
        }
        check_containers(spec, &error, errors);
        if spec
            .log_group
            .as_deref()
            .is_some_and(|g| g.trim().is_empty())
        {
            errors.push(error(
                "spec.logGroup",
                "AFU9-ECS-005",
                "logGroup must not be empty".to_owned(),
            ));
        }
        check_services(spec, &error, errors);
        if let Some(superseded) = spec.superseded_revisions
            && superseded.keep_compliant > super::SupersededRevisions::MAX_KEEP
        {
            errors.push(error(
                "spec.supersededRevisions.keepCompliant",
                "AFU9-ECS-010",
                format!(
                    "{} is more than the {} revisions one family may keep",
                    superseded.keep_compliant,
                    super::SupersededRevisions::MAX_KEEP
                ),
            ));
        }
    }
}

fn check_containers(
    spec: &EcsTaskDefinitionSpec,
    error: &RuleError<'_>,
    errors: &mut Vec<ManifestError>,
) {
    for (name, contract) in &spec.containers {
        let field = |leaf: &str| format!("spec.containers.{name}{leaf}");
        if name != ALL_CONTAINERS && !is_family_name(name) {
            errors.push(error(
                &field(""),
                "AFU9-ECS-004",
                format!("`{name}` is neither `*` nor a container name"),
            ));
        }
        if contract.user.as_deref().is_some_and(is_root_user) {
            errors.push(
                error(
                    &field(".user"),
                    "AFU9-ECS-004",
                    "the contract must not ask for the root user".to_owned(),
                )
                .hint("a numeric non-zero uid such as \"1001\""),
            );
        }
        if contract.cpu == Some(0) || contract.memory == Some(0) {
            errors.push(error(
                &field(""),
                "AFU9-ECS-004",
                "cpu and memory must be at least 1".to_owned(),
            ));
        }
    }
}

fn check_services(
    spec: &EcsTaskDefinitionSpec,
    error: &RuleError<'_>,
    errors: &mut Vec<ManifestError>,
) {
    let mut seen = BTreeSet::new();
    for (index, service) in spec.services.iter().enumerate() {
        let field = format!("spec.services[{index}]");
        if service.cluster.trim().is_empty() || service.service.trim().is_empty() {
            errors.push(error(
                &field,
                "AFU9-ECS-006",
                "cluster and service must not be empty".to_owned(),
            ));
        } else if !seen.insert(service) {
            errors.push(error(
                &field,
                "AFU9-ECS-006",
                format!(
                    "service {}/{} is listed twice",
                    service.cluster, service.service
                ),
            ));
        }
    }
}

/// Family and container names: 1-255 letters, digits, `-` and `_`.
fn is_family_name(name: &str) -> bool {
    (1..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `root`, `0`, and either of them with a group (`0:0`, `root:root`).
pub fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default().trim();
    name.is_empty() || name == "0" || name == "root"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_names_and_root_users() {
        assert!(is_family_name("afu9-control-center"));
        assert!(!is_family_name("afu9/control"));
        assert!(is_root_user("root"));
        assert!(is_root_user("0:0"));
        assert!(is_root_user(""));
        assert!(!is_root_user("1001"));
        assert!(!is_root_user("1001:0"));
    }
}
