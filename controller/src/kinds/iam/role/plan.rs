//! The pure part of the role kind. Operations are ordered so that the role is never more
//! privileged on the way than at either end: restrict (boundary set, detach, delete inline)
//! before replacing documents, grant (attach, add inline) after, loosen (boundary removed)
//! last.

use std::collections::BTreeSet;

use afu9_spec::Resource;
use afu9_spec::iam::{DEFAULT_MAX_SESSION_DURATION, IamRoleSpec};
use afu9_spec::policy_doc;
use serde_json::Value;

use super::IamRoleObserved;
use super::apply::{NewRole, RoleOp};
use crate::diff::tags::diff_tags;
use crate::diff::unowned_reason;
use crate::engine::{Action, Change, PlanContext, ResourcePlan};
use crate::kinds::iam::{document_change, policy_arn};

const KIND: &str = "IamRole";

pub(super) fn plan(
    cx: &PlanContext<'_>,
    want: &Resource<IamRoleSpec>,
    have: Option<&IamRoleObserved>,
) -> ResourcePlan {
    let mut plan = ResourcePlan::new(KIND, want.name(), &want.source);
    let wanted = Wanted::new(cx, want);
    match have {
        None => plan_create(&wanted, &mut plan),
        Some(have) => plan_update(&wanted, have, &mut plan),
    }
    plan
}

/// The manifest with defaults applied and references resolved.
struct Wanted<'a> {
    name: &'a str,
    spec: &'a IamRoleSpec,
    adopt: bool,
    trust: Value,
    managed: BTreeSet<String>,
    boundary: Option<String>,
    tags: afu9_spec::tags::Tags,
    tag_policy: afu9_spec::tags::TagPolicy,
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
            adopt: want.metadata.adopt,
            trust: want.spec.trust_document(),
            managed: want.spec.managed_policies.iter().map(resolve).collect(),
            boundary: want.spec.permissions_boundary.as_ref().map(resolve),
            tags: cx.state.desired_tags(&want.spec.tags),
            tag_policy: cx.state.tag_policy(),
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

fn plan_create(want: &Wanted<'_>, plan: &mut ResourcePlan) {
    let add = |plan: &mut ResourcePlan, path: &str, value: Value| {
        plan.changes.push(Change::new(path, None, Some(value)));
    };
    add(plan, "spec.trustPolicy", policy_doc::canonical(&want.trust));
    if let Some(description) = &want.spec.description {
        add(plan, "spec.description", description.as_str().into());
    }
    add(plan, "spec.maxSessionDuration", want.max_session().into());
    if let Some(boundary) = &want.boundary {
        add(plan, "spec.permissionsBoundary", boundary.as_str().into());
    }
    for (name, document) in &want.spec.inline_policies {
        add(
            plan,
            &format!("spec.inlinePolicies.{name}"),
            policy_doc::canonical(document),
        );
    }
    for arn in &want.managed {
        add(plan, "spec.managedPolicies", arn.as_str().into());
    }
    for (key, value) in &want.tag_policy.managed(&want.tags) {
        add(plan, &format!("spec.tags.{key}"), value.as_str().into());
    }
    plan.action = Action::Create;
    plan.ops.push(Box::new(RoleOp::CreateRole(NewRole {
        role: want.role(),
        path: want.path().to_owned(),
        trust_policy: want.trust.to_string(),
        description: want.spec.description.clone(),
        max_session_duration: want.max_session(),
        permissions_boundary: want.boundary.clone(),
        tags: want.tags.clone(),
    })));
    for (name, document) in &want.spec.inline_policies {
        plan.ops.push(Box::new(RoleOp::PutRolePolicy {
            role: want.role(),
            policy: name.clone(),
            document: document.to_string(),
            after_create: true,
        }));
    }
    for arn in &want.managed {
        plan.ops.push(Box::new(RoleOp::AttachRolePolicy {
            role: want.role(),
            arn: arn.clone(),
            after_create: true,
        }));
    }
}

fn plan_update(want: &Wanted<'_>, have: &IamRoleObserved, plan: &mut ResourcePlan) {
    let mut ops = Vec::new();
    let changes = &mut plan.changes;
    restrict(want, have, changes, &mut ops);
    let added_inline = replace_documents(want, have, changes, &mut ops);
    update_settings(want, have, changes, &mut ops);
    grant(want, have, added_inline, changes, &mut ops);
    let tags = diff_tags(&want.tags, &have.tags, &want.tag_policy, changes);
    if !tags.set.is_empty() {
        ops.push(RoleOp::TagRole {
            role: want.role(),
            tags: tags.set,
        });
    }
    if !tags.remove.is_empty() {
        ops.push(RoleOp::UntagRole {
            role: want.role(),
            keys: tags.remove,
        });
    }
    decide(want, have, plan, ops);
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
    for (name, document) in have
        .inline_policies
        .iter()
        .filter(|(n, _)| !want.spec.inline_policies.contains_key(*n))
    {
        changes.push(Change::new(
            format!("spec.inlinePolicies.{name}"),
            Some(policy_doc::canonical(document)),
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

/// The verdict: blocked when not ours or the path differs, update when anything differs;
/// a deleted principal in the live trust policy is explained in the reason.
fn decide(want: &Wanted<'_>, have: &IamRoleObserved, plan: &mut ResourcePlan, ops: Vec<RoleOp>) {
    if let Some(reason) = unowned_reason("role", &have.tags, want.adopt) {
        plan.action = Action::Blocked;
        plan.reason = Some(reason);
        return;
    }
    if have.path != want.path() {
        plan.changes.push(Change::new(
            "spec.path",
            Some(have.path.as_str().into()),
            Some(want.path().into()),
        ));
        plan.action = Action::Blocked;
        plan.reason = Some(
            "a role's path can only be chosen when it is created; afu9-posture never deletes a role to change it"
                .to_owned(),
        );
    } else if !plan.changes.is_empty() {
        plan.action = Action::Update;
    }
    let deleted = policy_doc::deleted_principals(&have.trust_policy);
    if !deleted.is_empty() {
        plan.reason = Some(format!(
            "the live trust policy names deleted principal(s) {}: IAM shows a unique id once the principal it \
             named is deleted; re-applying the manifest succeeds only when that principal exists again",
            deleted.join(", ")
        ));
    }
    plan.ops = ops
        .into_iter()
        .map(|op| Box::new(op) as Box<dyn crate::engine::Operation>)
        .collect();
}

#[cfg(test)]
mod tests;
