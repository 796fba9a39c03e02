//! Importing customer-managed policies (`ListPolicies` with the local scope): the default
//! version's document, the description and the path (read back from the ARN).

use afu9_spec::iam::IamPolicySpec;
use aws_sdk_iam::types::PolicyScopeType;
use serde_json::Value;

use super::{IamPolicies, IamPolicyObserved};
use crate::aws::{Aws, AwsError};
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports};
use crate::permissions::{ArnScope, Grant};

impl Imports for IamPolicies {
    const FILE: &'static str = "iam.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, IamPolicySpec> {
        discover(aws)
    }

    fn live_id(have: &IamPolicyObserved) -> Option<String> {
        Some(have.arn.clone())
    }

    fn import(cx: ImportContext<'_>, name: &str, have: &IamPolicyObserved) -> IamPolicySpec {
        import(cx, name, have)
    }

    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::discovery(scope)
    }
}

fn discover(aws: &Aws) -> Discovery<'_, IamPolicySpec> {
    Box::pin(async move {
        let mut found = Vec::new();
        let mut pages = aws
            .iam()
            .list_policies()
            .scope(PolicyScopeType::Local)
            .max_items(1000)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|err| AwsError::from_sdk("list iam policies", "ListPolicies", &err))?;
            for policy in page.policies.unwrap_or_default() {
                if let Some(name) = policy.policy_name {
                    found.push((name, probe(policy.path)));
                }
            }
        }
        Ok(found)
    })
}

/// The policy at `path`, which is where `observe` looks for it.
fn probe(path: Option<String>) -> IamPolicySpec {
    IamPolicySpec {
        description: None,
        path: path.filter(|path| path != "/"),
        document: Value::Null,
        tags: afu9_spec::tags::Tags::new(),
        guardrail_exceptions: Vec::new(),
    }
}

fn import(_cx: ImportContext<'_>, name: &str, have: &IamPolicyObserved) -> IamPolicySpec {
    IamPolicySpec {
        description: have.description.clone(),
        path: path(&have.arn, name),
        document: have.document.clone(),
        tags: manifest_tags(&have.tags),
        guardrail_exceptions: Vec::new(),
    }
}

/// The path of the policy `name` with the ARN `arn` (`arn:…:policy/afu9/name` → `/afu9/`),
/// or `None` for the root path.
fn path(arn: &str, name: &str) -> Option<String> {
    let (_, rest) = arn.split_once(":policy")?;
    let path = rest.strip_suffix(name)?;
    (path != "/").then(|| path.to_owned())
}

#[cfg(test)]
mod tests;
