//! Importing topics: every topic of the account and region, its encryption key and display
//! name (subscriptions are not the kind's).

use afu9_spec::sns_topic::SnsTopicSpec;

use super::{SnsTopicObserved, SnsTopics, observe};
use crate::aws::Aws;
use crate::engine::import::{Discovery, ImportContext, ImportOps, manifest_tags};

pub(super) fn ops() -> ImportOps<SnsTopics> {
    ImportOps {
        file: "audit.yaml",
        discover,
        live_id: |have| Some(have.arn.clone()),
        import,
    }
}

fn discover(aws: &Aws) -> Discovery<'_, SnsTopicSpec> {
    Box::pin(async move {
        Ok(observe::list_topics(&aws.sns)
            .await?
            .into_keys()
            .map(|name| (name, probe()))
            .collect())
    })
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

pub(super) fn import(_cx: ImportContext<'_>, _name: &str, have: &SnsTopicObserved) -> SnsTopicSpec {
    SnsTopicSpec {
        kms_key: have.kms_key.clone(),
        display_name: Some(have.display_name.clone()),
        guardrail_exceptions: Vec::new(),
        tags: manifest_tags(&have.tags),
    }
}

#[cfg(test)]
mod tests;
