//! The IAM actions of `Secret`: the list on `*`; every other call on the secret's ARN (`NAME-` and the six characters AWS appends). Never `GetSecretValue` or `PutSecretValue`. `RotateSecret` also needs `lambda:InvokeFunction` on the rotation function, as AWS checks it.

use afu9_spec::secrets::SecretSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<SecretSpec>],
) -> Vec<Grant> {
    let secrets: Vec<String> = want
        .iter()
        .map(|r| scope.arn("secretsmanager", &format!("secret:{}-??????", r.name())))
        .collect();
    let mut writes = vec![
        "secretsmanager:CancelRotateSecret",
        "secretsmanager:RestoreSecret",
        "secretsmanager:RotateSecret",
        "secretsmanager:TagResource",
        "secretsmanager:UntagResource",
        "secretsmanager:UpdateSecret",
    ];
    let created: Vec<&Resource<SecretSpec>> = want.iter().filter(|r| r.spec.create).collect();
    if !created.is_empty() {
        writes.push("secretsmanager:CreateSecret");
    }
    let version_ids = want.iter().any(|r| r.spec.rotation.is_some());
    let mut grants = reads(secrets.clone(), version_ids);
    grants.push(Grant::new(Access::Write, &writes, secrets));
    let lambdas: Vec<String> = want
        .iter()
        .filter_map(|r| r.spec.rotation.as_ref()?.lambda.as_deref())
        .map(|lambda| {
            if lambda.starts_with("arn:") {
                lambda.to_owned()
            } else {
                scope.arn("lambda", &format!("function:{lambda}"))
            }
        })
        .collect();
    grants.push(Grant::new(
        Access::Write,
        &["lambda:InvokeFunction"],
        lambdas,
    ));
    if created.iter().any(|r| r.spec.kms_key.is_some()) {
        grants.push(Grant::new(
            Access::Write,
            &["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            vec![scope.arn("kms", "key/*")],
        ));
    }
    grants.retain(|grant| !grant.actions.is_empty() && !grant.resources.is_empty());
    grants
}

/// What listing and observing every secret reads (import, the orphan search).
pub(super) fn discovery(scope: &ArnScope) -> Vec<Grant> {
    reads(vec![scope.arn("secretsmanager", "secret:*")], true)
}

/// The reads of observing `secrets`: the list, and with `version_ids` (rotation's value
/// dates) the version ids of each.
fn reads(secrets: Vec<String>, version_ids: bool) -> Vec<Grant> {
    let mut grants = vec![Grant::any(Access::Read, &["secretsmanager:ListSecrets"])];
    if version_ids {
        grants.push(Grant::new(
            Access::Read,
            &["secretsmanager:ListSecretVersionIds"],
            secrets,
        ));
    }
    grants
}
