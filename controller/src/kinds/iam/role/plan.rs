//! The pure part of the role kind. Operations are ordered so that the role is never more
//! privileged on the way than at either end: restrict (boundary set, detach, delete inline)
//! before replacing documents, grant (attach, add inline) after, loosen (boundary removed)
//! last. A revocation of older sessions (`revoke.rs`) is the first restriction, and its
//! removal the last loosening.

use std::collections::BTreeSet;

use afu9_spec::Resource;
use afu9_spec::iam::policy_doc;
use afu9_spec::iam::{DEFAULT_MAX_SESSION_DURATION, IamRoleSpec, REVOKE_POLICY};
use serde_json::Value;

use super::IamRoleObserved;
use super::apply::{NewRole, RoleOp};
use super::revoke;
use crate::engine::PlanContext;
use crate::plan::{Change, Delta};
use crate::refs::iam::{document_change, policy_arn};

pub(super) fn plan(
    cx: &PlanContext<'_>,
    want: &Resource<IamRoleSpec>,
    have: Option<&IamRoleObserved>,
) -> Delta {
    let wanted = Wanted::new(cx, want);
    match have {
        None => plan_create(&wanted),
        Some(have) => plan_update(&wanted, have),
    }
}

/// The manifest with defaults applied and references resolved.
struct Wanted<'a> {
    name: &'a str,
    spec: &'a IamRoleSpec,
    trust: Value,
    managed: BTreeSet<String>,
    boundary: Option<String>,
    tags: afu9_spec::tags::Tags,
}

impl<'a> Wanted<'a> {
    fn new(cx: &PlanContext<'a>, want: &'a Resource<IamRoleSpec>) -> Self {
        let resolve = |reference: &String| match cx.identity {
            Some(identity) => policy_arn(reference, cx.state, identity),
            None => reference.clone(),
        };
        Self {
            name: want.name(),
            spec: &want.spec,
            trust: want.spec.trust_document(),
            managed: want.spec.managed_policies.iter().map(resolve).collect(),
            boundary: want.spec.permissions_boundary.as_ref().map(resolve),
            tags: cx.state.desired_tags(&want.spec.tags),
        }
    }

    fn max_session(&self) -> i32 {
        self.spec
            .max_session_duration
            .unwrap_or(DEFAULT_MAX_SESSION_DURATION)
    }

    fn path(&self) -> &str {
        self.spec.path.as_deref().unwrap_or("/")
    }

    fn role(&self) -> String {
        self.name.to_owned()
    }
}

fn plan_create(want: &Wanted<'_>) -> Delta {
    let mut delta = Delta::missing();
    let mut add = |path: &str, value: Value| delta.change(Change::new(path, None, Some(value)));
    add("spec.trustPolicy", want.trust.clone());
    if let Some(description) = &want.spec.description {
        add("spec.description", description.as_str().into());
    }
    add("spec.maxSessionDuration", want.max_session().into());
    if let Some(boundary) = &want.boundary {
        add("spec.permissionsBoundary", boundary.as_str().into());
    }
    for (name, document) in &want.spec.inline_policies {
        add(&format!("spec.inlinePolicies.{name}"), document.clone());
    }
    for arn in &want.managed {
        add("spec.managedPolicies", arn.as_str().into());
    }
    delta.op(RoleOp::CreateRole(NewRole {
        role: want.role(),
        path: want.path().to_owned(),
        trust_policy: want.trust.to_string(),
        description: want.spec.description.clone(),
        max_session_duration: want.max_session(),
        permissions_boundary: want.boundary.clone(),
        tags: want.tags.clone(),
    }));
    delta.ops(
        want.spec
            .inline_policies
            .iter()
            .map(|(name, document)| RoleOp::PutRolePolicy {
                role: want.role(),
                policy: name.clone(),
                document: document.to_string(),
                after_create: true,
            }),
    );
    delta.ops(want.managed.iter().map(|arn| RoleOp::AttachRolePolicy {
        role: want.role(),
        arn: arn.clone(),
        after_create: true,
    }));
    delta
}

fn plan_update(want: &Wanted<'_>, have: &IamRoleObserved) -> Delta {
    let mut delta = Delta::exists();
    let mut ops = Vec::new();
    let changes = &mut delta.changes;
    let revocation = revoke::plan(
        want.name,
        want.spec.revoke_sessions_issued_before.as_deref(),
        want.max_session(),
        have,
        changes,
    );
    ops.extend(revocation.put);
    restrict(want, have, changes, &mut ops);
    let added_inline = replace_documents(want, have, changes, &mut ops);
    update_settings(want, have, changes, &mut ops);
    grant(want, have, added_inline, changes, &mut ops);
    ops.extend(revocation.remove);
    delta.ops(ops);
    delta.note = revocation.note;
    if have.path != want.path() {
        delta.change(Change::new(
            "spec.path",
            Some(have.path.as_str().into()),
            Some(want.path().into()),
        ));
        delta.block(
            "a role's path can only be chosen when it is created; afu9-posture never deletes a role to change it",
        );
    }
    let deleted = policy_doc::deleted_principals(&have.trust_policy);
    if !deleted.is_empty() {
        delta.note = Some(format!(
            "the live trust policy names deleted principal(s) {}: IAM shows a unique id once the principal it \
             named is deleted; re-applying the manifest succeeds only when that principal exists again",
            deleted.join(", ")
        ));
    }
    delta
}

/// A new or changed boundary first, then detach and delete what the manifest does not list.
fn restrict(
    want: &Wanted<'_>,
    have: &IamRoleObserved,
    changes: &mut Vec<Change>,
    ops: &mut Vec<RoleOp>,
) {
    if want.boundary != have.permissions_boundary {
        changes.push(Change::new(
            "spec.permissionsBoundary",
            have.permissions_boundary.as_deref().map(Value::from),
            want.boundary.as_deref().map(Value::from),
        ));
        if let Some(arn) = &want.boundary {
            ops.push(RoleOp::PutRolePermissionsBoundary {
                role: want.role(),
                arn: arn.clone(),
            });
        }
    }
    for arn in have.managed_policies.difference(&want.managed) {
        changes.push(Change::new(
            "spec.managedPolicies",
            Some(arn.as_str().into()),
            None,
        ));
        ops.push(RoleOp::DetachRolePolicy {
            role: want.role(),
            arn: arn.clone(),
        });
    }
    // The revoke-older-sessions policy is `revoke.rs`'s.
    for (name, document) in have
        .inline_policies
        .iter()
        .filter(|(n, _)| *n != REVOKE_POLICY && !want.spec.inline_policies.contains_key(*n))
    {
        changes.push(Change::new(
            format!("spec.inlinePolicies.{name}"),
            Some(document.clone()),
            None,
        ));
        ops.push(RoleOp::DeleteRolePolicy {
            role: want.role(),
            policy: name.clone(),
        });
    }
}

/// Replaces changed inline policies and the trust policy; returns the puts of inline
/// policies that are new, which are grants and wait for [`grant`].
fn replace_documents(
    want: &Wanted<'_>,
    have: &IamRoleObserved,
    changes: &mut Vec<Change>,
    ops: &mut Vec<RoleOp>,
) -> Vec<RoleOp> {
    let mut added = Vec::new();
    for (name, document) in &want.spec.inline_policies {
        let live = have.inline_policies.get(name);
        if let Some(change) =
            document_change(&format!("spec.inlinePolicies.{name}"), live, document)
        {
            changes.push(change);
            let put = RoleOp::PutRolePolicy {
                role: want.role(),
                policy: name.clone(),
                document: document.to_string(),
                after_create: false,
            };
            if live.is_some() {
                ops.push(put);
            } else {
                added.push(put);
            }
        }
    }
    if let Some(change) = document_change("spec.trustPolicy", Some(&have.trust_policy), &want.trust)
    {
        changes.push(change);
        ops.push(RoleOp::UpdateAssumeRolePolicy {
            role: want.role(),
            document: want.trust.to_string(),
        });
    }
    added
}

/// Description and session length, one `UpdateRole` for both.
fn update_settings(
    want: &Wanted<'_>,
    have: &IamRoleObserved,
    changes: &mut Vec<Change>,
    ops: &mut Vec<RoleOp>,
) {
    let description = want.spec.description.clone().filter(|d| !d.is_empty());
    let description_differs = description != have.description;
    if description_differs {
        changes.push(Change::new(
            "spec.description",
            have.description.as_deref().map(Value::from),
            description.as_deref().map(Value::from),
        ));
    }
    let session_differs = want.max_session() != have.max_session_duration;
    if session_differs {
        changes.push(Change::new(
            "spec.maxSessionDuration",
            Some(have.max_session_duration.into()),
            Some(want.max_session().into()),
        ));
    }
    if description_differs || session_differs {
        ops.push(RoleOp::UpdateRole {
            role: want.role(),
            description: description.unwrap_or_default(),
            max_session_duration: want.max_session(),
        });
    }
}

/// Attach and add what is missing, then remove a boundary the manifest no longer sets.
fn grant(
    want: &Wanted<'_>,
    have: &IamRoleObserved,
    added_inline: Vec<RoleOp>,
    changes: &mut Vec<Change>,
    ops: &mut Vec<RoleOp>,
) {
    for arn in want.managed.difference(&have.managed_policies) {
        changes.push(Change::new(
            "spec.managedPolicies",
            None,
            Some(arn.as_str().into()),
        ));
        ops.push(RoleOp::AttachRolePolicy {
            role: want.role(),
            arn: arn.clone(),
            after_create: false,
        });
    }
    ops.extend(added_inline);
    if want.boundary.is_none() && have.permissions_boundary.is_some() {
        ops.push(RoleOp::DeleteRolePermissionsBoundary { role: want.role() });
    }
}

#[cfg(test)]
mod tests;
