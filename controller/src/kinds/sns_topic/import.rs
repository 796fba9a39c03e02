//! Importing topics: every topic of the account and region, its encryption key and display
//! name (subscriptions are not the kind's).

use afu9_spec::sns_topic::SnsTopicSpec;

use super::{SnsTopicObserved, SnsTopics, observe};
use crate::aws::Aws;
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports, TaggedType};
use crate::permissions::{ArnScope, Grant};

impl Imports for SnsTopics {
    const FILE: &'static str = "audit.yaml";
    const TAGGED: Option<TaggedType> = Some(TaggedType {
        service: "sns",
        prefix: "",
    });

    fn discover(aws: &Aws) -> Discovery<'_, SnsTopicSpec> {
        Box::pin(async move {
            Ok(observe::list_topics(aws)
                .await?
                .keys()
                .map(|name| (name.clone(), probe()))
                .collect())
        })
    }

    fn live_id(have: &SnsTopicObserved) -> Option<String> {
        Some(have.arn.clone())
    }

    fn import(cx: ImportContext<'_>, name: &str, have: &SnsTopicObserved) -> SnsTopicSpec {
        import(cx, name, have)
    }

    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::discovery(scope)
    }
}

/// Topics are read whole whatever the manifest says.
fn probe() -> SnsTopicSpec {
    SnsTopicSpec {
        kms_key: None,
        display_name: None,
        guardrail_exceptions: Vec::new(),
        tags: afu9_spec::tags::Tags::new(),
    }
}

fn import(_cx: ImportContext<'_>, _name: &str, have: &SnsTopicObserved) -> SnsTopicSpec {
    SnsTopicSpec {
        kms_key: have.kms_key.clone(),
        display_name: Some(have.display_name.clone()),
        guardrail_exceptions: Vec::new(),
        tags: manifest_tags(&have.tags),
    }
}

#[cfg(test)]
mod tests;
