//! Importing log groups: every group of the region, with its retention, key and tags.

use afu9_spec::log_group::LogGroupSpec;

use super::{LogGroupObserved, LogGroups};
use crate::aws::Aws;
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports, TaggedType};
use crate::permissions::{ArnScope, Grant};

impl Imports for LogGroups {
    const FILE: &'static str = "log-groups.yaml";
    const TAGGED: Option<TaggedType> = Some(TaggedType {
        service: "logs",
        prefix: "log-group:",
    });

    fn discover(aws: &Aws) -> Discovery<'_, LogGroupSpec> {
        Box::pin(async move {
            Ok(super::observe::list_groups(aws)
                .await?
                .keys()
                .map(|name| (name.clone(), LogGroupSpec::default()))
                .collect())
        })
    }

    fn import(_cx: ImportContext<'_>, _name: &str, have: &LogGroupObserved) -> LogGroupSpec {
        LogGroupSpec {
            retention_days: have.retention_days,
            kms_key: have.kms_key.clone(),
            audit: false,
            tags: manifest_tags(&have.tags),
        }
    }

    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::discovery(scope)
    }
}
