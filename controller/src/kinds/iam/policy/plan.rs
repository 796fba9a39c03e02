//! The pure part of the policy kind.

use afu9_spec::Resource;
use afu9_spec::iam::IamPolicySpec;
use afu9_spec::policy_doc;
use serde_json::Value;

use super::apply::PolicyOp;
use super::{IamPolicyObserved, MAX_VERSIONS};
use crate::diff::tags::diff_tags;
use crate::diff::unowned_reason;
use crate::engine::{Action, Change, Operation, PlanContext, ResourcePlan};
use crate::kinds::iam::document_change;

pub(super) fn plan(
    cx: &PlanContext<'_>,
    want: &Resource<IamPolicySpec>,
    have: Option<&IamPolicyObserved>,
) -> ResourcePlan {
    let mut plan = ResourcePlan::new("IamPolicy", want.name(), &want.source);
    let spec = &want.spec;
    let tags = cx.state.desired_tags(&spec.tags);
    let Some(have) = have else {
        plan_create(cx, want, tags, &mut plan);
        return plan;
    };
    let arn = || have.arn.clone();
    let mut ops: Vec<Box<dyn Operation>> = Vec::new();
    if let Some(change) = document_change("spec.document", Some(&have.document), &spec.document) {
        plan.changes.push(change);
        if have.versions.len() >= MAX_VERSIONS
            && let Some(oldest) = have
                .versions
                .iter()
                .filter(|v| !v.is_default)
                .min_by_key(|v| (v.created, v.id.clone()))
        {
            ops.push(Box::new(PolicyOp::DeletePolicyVersion {
                arn: arn(),
                version: oldest.id.clone(),
            }));
        }
        ops.push(Box::new(PolicyOp::CreatePolicyVersion {
            arn: arn(),
            document: spec.document.to_string(),
        }));
    }
    let description_blocked = spec.description.is_some() && spec.description != have.description;
    if description_blocked {
        plan.changes.push(Change::new(
            "spec.description",
            have.description.as_deref().map(Value::from),
            spec.description.as_deref().map(Value::from),
        ));
    }
    let tag_diff = diff_tags(&tags, &have.tags, &cx.state.tag_policy(), &mut plan.changes);
    if !tag_diff.set.is_empty() {
        ops.push(Box::new(PolicyOp::TagPolicy {
            arn: arn(),
            tags: tag_diff.set,
        }));
    }
    if !tag_diff.remove.is_empty() {
        ops.push(Box::new(PolicyOp::UntagPolicy {
            arn: arn(),
            keys: tag_diff.remove,
        }));
    }
    if let Some(reason) = unowned_reason("policy", &have.tags, want.metadata.adopt) {
        plan.action = Action::Blocked;
        plan.reason = Some(reason);
        return plan;
    }
    plan.ops = ops;
    if description_blocked {
        plan.action = Action::Blocked;
        plan.reason =
            Some("a managed policy's description can only be set when it is created".to_owned());
    } else if !plan.changes.is_empty() {
        plan.action = Action::Update;
    }
    plan
}

fn plan_create(
    cx: &PlanContext<'_>,
    want: &Resource<IamPolicySpec>,
    tags: afu9_spec::tags::Tags,
    plan: &mut ResourcePlan,
) {
    let spec = &want.spec;
    plan.action = Action::Create;
    plan.changes.push(Change::new(
        "spec.document",
        None,
        Some(policy_doc::canonical(&spec.document)),
    ));
    if let Some(description) = &spec.description {
        plan.changes.push(Change::new(
            "spec.description",
            None,
            Some(description.as_str().into()),
        ));
    }
    for (key, value) in &cx.state.tag_policy().managed(&tags) {
        plan.changes.push(Change::new(
            format!("spec.tags.{key}"),
            None,
            Some(value.as_str().into()),
        ));
    }
    plan.ops.push(Box::new(PolicyOp::CreatePolicy {
        name: want.name().to_owned(),
        path: spec.path.clone().unwrap_or_else(|| "/".to_owned()),
        description: spec.description.clone(),
        document: spec.document.to_string(),
        tags,
    }));
}
