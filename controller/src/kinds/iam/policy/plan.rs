//! The pure part of the policy kind.

use afu9_spec::Resource;
use afu9_spec::iam::IamPolicySpec;
use serde_json::Value;

use super::apply::PolicyOp;
use super::{IamPolicyObserved, MAX_VERSIONS};
use crate::engine::PlanContext;
use crate::plan::{Change, Delta};
use crate::refs::iam::document_change;

pub(super) fn plan(
    cx: &PlanContext<'_>,
    want: &Resource<IamPolicySpec>,
    have: Option<&IamPolicyObserved>,
) -> Delta {
    let spec = &want.spec;
    let Some(have) = have else {
        return plan_create(cx, want);
    };
    let arn = || have.arn.clone();
    let mut delta = Delta::exists();
    if let Some(change) = document_change("spec.document", Some(&have.document), &spec.document) {
        delta.change(change);
        if have.versions.len() >= MAX_VERSIONS
            && let Some(oldest) = have
                .versions
                .iter()
                .filter(|v| !v.is_default)
                .min_by_key(|v| (v.created, v.id.clone()))
        {
            delta.op(PolicyOp::DeletePolicyVersion {
                arn: arn(),
                version: oldest.id.clone(),
            });
        }
        delta.op(PolicyOp::CreatePolicyVersion {
            arn: arn(),
            document: spec.document.to_string(),
        });
    }
    if spec.description.is_some() && spec.description != have.description {
        delta.change(Change::new(
            "spec.description",
            have.description.as_deref().map(Value::from),
            spec.description.as_deref().map(Value::from),
        ));
        delta.block("a managed policy's description can only be set when it is created");
    }
    delta
}

fn plan_create(cx: &PlanContext<'_>, want: &Resource<IamPolicySpec>) -> Delta {
    let spec = &want.spec;
    let mut delta = Delta::missing();
    delta.change(Change::new(
        "spec.document",
        None,
        Some(spec.document.clone()),
    ));
    if let Some(description) = &spec.description {
        delta.change(Change::new(
            "spec.description",
            None,
            Some(description.as_str().into()),
        ));
    }
    delta.op(PolicyOp::CreatePolicy {
        name: want.name().to_owned(),
        path: spec.path.clone().unwrap_or_else(|| "/".to_owned()),
        description: spec.description.clone(),
        document: spec.document.to_string(),
        tags: cx.state.desired_tags(&spec.tags),
    });
    delta
}
