//! Importing roles: every role of the account but the service-linked ones (AWS owns them),
//! owned whole as the kind is: trust policy, inline policies, attachments, settings. An
//! attached customer-managed policy that was imported too is named by its manifest name.

use std::collections::BTreeMap;

use afu9_spec::iam::IamRoleSpec;
use serde_json::Value;

use super::{IamRoleObserved, IamRoles, observe};
use crate::aws::Aws;
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports};
use crate::permissions::{ArnScope, Grant};

/// The path of the roles AWS services create and own.
const SERVICE_LINKED: &str = "/aws-service-role/";

impl Imports for IamRoles {
    const FILE: &'static str = "iam.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, IamRoleSpec> {
        discover(aws)
    }

    fn import(cx: ImportContext<'_>, name: &str, have: &IamRoleObserved) -> IamRoleSpec {
        import(cx, name, have)
    }

    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::discovery(scope)
    }
}

fn discover(aws: &Aws) -> Discovery<'_, IamRoleSpec> {
    Box::pin(async move {
        Ok(observe::list_roles(aws)
            .await?
            .iter()
            .filter(|role| !role.path.starts_with(SERVICE_LINKED))
            .map(|role| (role.role_name.clone(), probe()))
            .collect())
    })
}

/// Roles are read whole whatever the manifest says.
fn probe() -> IamRoleSpec {
    IamRoleSpec {
        description: None,
        path: None,
        trust_policy: Value::Null,
        managed_policies: Vec::new(),
        inline_policies: BTreeMap::new(),
        max_session_duration: None,
        permissions_boundary: None,
        tags: afu9_spec::tags::Tags::new(),
        guardrail_exceptions: Vec::new(),
        revoke_sessions_issued_before: None,
    }
}

/// A revoke-older-sessions policy on the role imports as `revokeSessionsIssuedBefore`, the
/// field that keeps it (its name is reserved among inline policies).
fn import(cx: ImportContext<'_>, _name: &str, have: &IamRoleObserved) -> IamRoleSpec {
    let reference = |arn: &String| cx.name_of(arn).map_or_else(|| arn.clone(), str::to_owned);
    let mut inline_policies = have.inline_policies.clone();
    let revoked = inline_policies
        .remove(afu9_spec::iam::REVOKE_POLICY)
        .and_then(|document| super::revoke::issued_before(&document));
    IamRoleSpec {
        description: have.description.clone(),
        path: (have.path != "/").then(|| have.path.clone()),
        trust_policy: have.trust_policy.clone(),
        managed_policies: have.managed_policies.iter().map(reference).collect(),
        inline_policies,
        max_session_duration: Some(have.max_session_duration),
        permissions_boundary: have.permissions_boundary.as_ref().map(reference),
        tags: manifest_tags(&have.tags),
        guardrail_exceptions: Vec::new(),
        revoke_sessions_issued_before: revoked.map(afu9_spec::time::format_utc),
    }
}

#[cfg(test)]
mod tests;
