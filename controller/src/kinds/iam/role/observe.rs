//! Reading roles, two ways:
//!
//! - per role: `GetRole`, `ListRolePolicies`, `GetRolePolicy` per inline policy,
//!   `ListAttachedRolePolicies` — 3 + (inline policies) calls a role, independent of how many
//!   other roles the account has;
//! - account details: one paginated `GetAccountAuthorizationDetails` (roles, their inline
//!   documents, attachments, boundary, tags) plus one paginated `ListRoles` (description and
//!   session length, which the former lacks) — 2 calls for up to 1,000 roles in the account,
//!   whatever the number managed, but each response carries every role of the account.
//!
//! `Auto` uses per-role reads for one managed role and account details from two on: from two
//! roles on, account details always make fewer calls (2 against 8 or more), and per-role
//! reads are only faster when the account holds many roles the desired state does not manage
//! (decision record 0020 has the measurements). A whole pass (one that looks for orphans)
//! reads account details whatever the number of roles, once for the pass: the orphan search
//! reads them too, and `ListRoles` is the listing it and import share.

use std::collections::HashMap;
use std::sync::Arc;

use afu9_spec::Resource;
use afu9_spec::iam::IamRoleSpec;
use aws_sdk_iam::Client;
use aws_sdk_iam::types::{EntityType, Role};

use super::IamRoleObserved;
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};
use crate::refs::iam::decode;

/// How many roles are read at once with per-role reads (IAM's throttling limits are low).
const CONCURRENCY: usize = 4;

/// How IAM roles are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReadStrategy {
    /// Per-role reads for one managed role, account details for more.
    #[default]
    Auto,
    /// `GetRole` and friends for each role.
    PerRole,
    /// `GetAccountAuthorizationDetails` + `ListRoles` for all roles at once.
    AccountDetails,
}

impl ReadStrategy {
    /// The strategy used for `roles` managed roles.
    #[must_use]
    pub fn resolve(self, roles: usize) -> Self {
        match self {
            Self::Auto if roles >= 2 => Self::AccountDetails,
            Self::Auto => Self::PerRole,
            chosen => chosen,
        }
    }
}

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<IamRoleSpec>],
    strategy: ReadStrategy,
    observed_at: i64,
) -> Result<Vec<Option<IamRoleObserved>>, AwsError> {
    let iam = aws.iam();
    let strategy = if aws.whole_pass() && strategy == ReadStrategy::Auto {
        ReadStrategy::AccountDetails
    } else {
        strategy.resolve(want.len())
    };
    let mut roles: Vec<Option<IamRoleObserved>> = if strategy == ReadStrategy::AccountDetails {
        let all = aws
            .listing("IAM.GetAccountAuthorizationDetails(Role)", || {
                read_account_details(aws)
            })
            .await?;
        want.iter()
            .map(|role| all.get(role.name()).cloned())
            .collect()
    } else {
        windowed(
            want.iter().map(|role| read_role(iam, role.name())),
            CONCURRENCY,
        )
        .await?
    };
    for role in roles.iter_mut().flatten() {
        role.observed_at = observed_at;
    }
    Ok(roles)
}

async fn read_role(iam: &Client, name: &str) -> Result<Option<IamRoleObserved>, AwsError> {
    let what = || format!("observe iam role {name}");
    let role = match iam.get_role().role_name(name).send().await {
        Ok(output) => output.role,
        Err(err) => {
            let err = AwsError::from_sdk(what(), "GetRole", &err);
            return if err.is_code("NoSuchEntity") {
                Ok(None)
            } else {
                Err(err)
            };
        }
    };
    let Some(role) = role else { return Ok(None) };
    let mut inline_names = Vec::new();
    let mut pages = iam
        .list_role_policies()
        .role_name(name)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        inline_names.extend(
            page.map_err(|err| AwsError::from_sdk(what(), "ListRolePolicies", &err))?
                .policy_names,
        );
    }
    let mut inline_policies = std::collections::BTreeMap::new();
    for policy in inline_names {
        let output = iam
            .get_role_policy()
            .role_name(name)
            .policy_name(&policy)
            .send()
            .await
            .map_err(|err| AwsError::from_sdk(what(), "GetRolePolicy", &err))?;
        inline_policies.insert(
            policy,
            decode(&what(), "GetRolePolicy", &output.policy_document)?,
        );
    }
    let mut managed_policies = std::collections::BTreeSet::new();
    let mut pages = iam
        .list_attached_role_policies()
        .role_name(name)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|err| AwsError::from_sdk(what(), "ListAttachedRolePolicies", &err))?;
        managed_policies.extend(
            page.attached_policies
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| p.policy_arn),
        );
    }
    Ok(Some(IamRoleObserved {
        trust_policy: decode(
            &what(),
            "GetRole",
            role.assume_role_policy_document.as_deref().unwrap_or("{}"),
        )?,
        path: role.path,
        description: role.description.filter(|d| !d.is_empty()),
        max_session_duration: role
            .max_session_duration
            .unwrap_or(afu9_spec::iam::DEFAULT_MAX_SESSION_DURATION),
        permissions_boundary: role
            .permissions_boundary
            .and_then(|b| b.permissions_boundary_arn),
        inline_policies,
        managed_policies,
        tags: role
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect(),
        observed_at: 0,
    }))
}

/// Every role of the account (`ListRoles`; the pass's shared listing).
pub(super) async fn list_roles(aws: &Aws) -> Result<Arc<Vec<Role>>, AwsError> {
    aws.listing("IAM.ListRoles", || async {
        let mut roles = Vec::new();
        let mut pages = aws
            .iam()
            .list_roles()
            .max_items(1000)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|err| AwsError::from_sdk("list iam roles", "ListRoles", &err))?;
            roles.extend(page.roles);
        }
        Ok(roles)
    })
    .await
}

async fn read_account_details(aws: &Aws) -> Result<HashMap<String, IamRoleObserved>, AwsError> {
    let iam = aws.iam();
    let what = "observe iam roles";
    let mut roles = HashMap::new();
    let mut pages = iam
        .get_account_authorization_details()
        .filter(EntityType::Role)
        .max_items(1000)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|err| AwsError::from_sdk(what, "GetAccountAuthorizationDetails", &err))?;
        for role in page.role_detail_list.unwrap_or_default() {
            let Some(name) = role.role_name else { continue };
            let mut inline_policies = std::collections::BTreeMap::new();
            for policy in role.role_policy_list.unwrap_or_default() {
                if let (Some(policy_name), Some(document)) =
                    (policy.policy_name, policy.policy_document)
                {
                    inline_policies.insert(
                        policy_name,
                        decode(what, "GetAccountAuthorizationDetails", &document)?,
                    );
                }
            }
            let observed = IamRoleObserved {
                path: role.path.unwrap_or_else(|| "/".to_owned()),
                description: None,
                max_session_duration: afu9_spec::iam::DEFAULT_MAX_SESSION_DURATION,
                trust_policy: decode(
                    what,
                    "GetAccountAuthorizationDetails",
                    role.assume_role_policy_document.as_deref().unwrap_or("{}"),
                )?,
                permissions_boundary: role
                    .permissions_boundary
                    .and_then(|b| b.permissions_boundary_arn),
                inline_policies,
                managed_policies: role
                    .attached_managed_policies
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|p| p.policy_arn)
                    .collect(),
                tags: role
                    .tags
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| (t.key, t.value))
                    .collect(),
                observed_at: 0,
            };
            roles.insert(name, observed);
        }
    }
    for role in &*list_roles(aws).await? {
        if let Some(observed) = roles.get_mut(&role.role_name) {
            observed.description = role.description.clone().filter(|d| !d.is_empty());
            observed.max_session_duration = role
                .max_session_duration
                .unwrap_or(afu9_spec::iam::DEFAULT_MAX_SESSION_DURATION);
        }
    }
    Ok(roles)
}
