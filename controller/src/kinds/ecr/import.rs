//! Importing repositories: every repository of the registry, with every field the kind
//! manages (the lifecycle policy as its full rule list, as ECR stores it).

use afu9_spec::ecr::{
    EcrRepositorySpec, Encryption, LifecyclePolicy, LifecycleRule, TagMutability,
};
use serde_json::Value;

use super::{EcrRepositories, EcrRepositoryObserved, observe};
use crate::aws::Aws;
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports};
use crate::permissions::{ArnScope, Grant};

impl Imports for EcrRepositories {
    const FILE: &'static str = "ecr.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, EcrRepositorySpec> {
        Box::pin(async move {
            Ok(observe::list_repositories(aws)
                .await?
                .keys()
                .map(|name| (name.clone(), probe()))
                .collect())
        })
    }

    fn live_id(have: &EcrRepositoryObserved) -> Option<String> {
        Some(have.arn.clone())
    }

    fn import(
        cx: ImportContext<'_>,
        name: &str,
        have: &EcrRepositoryObserved,
    ) -> EcrRepositorySpec {
        import(cx, name, have)
    }

    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::discovery(scope)
    }
}

/// A manifest that makes `observe` read the lifecycle policy too.
fn probe() -> EcrRepositorySpec {
    EcrRepositorySpec {
        lifecycle_policy: Some(LifecyclePolicy {
            keep_last: None,
            rules: Some(Vec::new()),
        }),
        ..EcrRepositorySpec::default()
    }
}

fn import(_cx: ImportContext<'_>, _name: &str, have: &EcrRepositoryObserved) -> EcrRepositorySpec {
    EcrRepositorySpec {
        scan_on_push: Some(have.scan_on_push),
        tag_mutability: match have.tag_mutability.as_str() {
            "IMMUTABLE" => Some(TagMutability::Immutable),
            "MUTABLE" => Some(TagMutability::Mutable),
            _ => None,
        },
        encryption: Some(match have.encryption_type.as_str() {
            "AES256" => Encryption::Aes256,
            _ => Encryption::Kms {
                kms_key: have.kms_key.clone(),
            },
        }),
        lifecycle_policy: have
            .lifecycle_policy
            .as_deref()
            .and_then(lifecycle_rules)
            .map(|rules| LifecyclePolicy {
                keep_last: None,
                rules: Some(rules),
            }),
        tags: manifest_tags(&have.tags),
    }
}

/// The rules of a lifecycle policy text, when the manifest's rule model can state them.
fn lifecycle_rules(text: &str) -> Option<Vec<LifecycleRule>> {
    let document: Value = serde_json::from_str(text).ok()?;
    serde_json::from_value(document.get("rules")?.clone()).ok()
}

#[cfg(test)]
mod tests;
