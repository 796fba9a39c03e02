//! The census of owned resources: one Resource Groups Tagging API call (`GetResources`,
//! filtered by the ownership tag and by service) that tells, for every tracked kind without
//! a manifest, whether the region holds any resource of it that carries the ownership tag.
//!
//! A kind without a manifest lists its resources only to look for orphans; when the census
//! shows none of its resources owned, its orphan search ends there, without its list call
//! (and without reading the tags of every unaliased key one by one). The census only ever
//! saves calls: a resource it shows owned is still listed, observed and judged by the kind
//! itself before anything is said or deleted, and when the census cannot be read (no
//! `tag:GetResources` grant, a throttled call) each kind lists as it would without one.
//! The Tagging API is eventually consistent: an owned resource made seconds ago may be
//! missing from it, and is then found as an orphan by a later pass, never deleted early.

use std::collections::BTreeSet;
use std::sync::Arc;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};
use aws_sdk_resourcegroupstagging::types::TagFilter;
use tokio::sync::OnceCell;

use crate::aws::{Aws, AwsError};
use crate::permissions::{Access, Grant};

/// The resources of a kind as the Tagging API names them: ARNs of `service` whose resource
/// part starts with `prefix` (`logs`, `log-group:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaggedType {
    /// The ARN's service, also the census's `ResourceTypeFilters` entry.
    pub service: &'static str,
    /// How the ARN's resource part starts for this kind (`alarm:`, `key/`; empty when the
    /// service has one resource type the kind manages, as SNS's topics).
    pub prefix: &'static str,
}

impl TaggedType {
    /// Whether `arn` names a resource of this type.
    pub fn matches(&self, arn: &str) -> bool {
        let mut parts = arn.splitn(6, ':');
        let service = parts.nth(2);
        let resource = parts.nth(2);
        service == Some(self.service) && resource.is_some_and(|r| r.starts_with(self.prefix))
    }
}

/// One whole pass's census (read at most once, on the first kind that asks).
#[derive(Debug)]
pub struct Census {
    /// The services of the kinds that may consult it; no call when empty.
    services: BTreeSet<&'static str>,
    /// The ARNs it found, or `None` when it could not be read.
    owned: OnceCell<Option<Arc<Vec<String>>>>,
}

impl Census {
    /// A census of the resources of `services` (read when first asked).
    pub fn of(services: impl IntoIterator<Item = &'static str>) -> Self {
        Self {
            services: services.into_iter().collect(),
            owned: OnceCell::new(),
        }
    }

    /// Whether the census shows a resource of `tagged` with the ownership tag: `None` when
    /// it cannot tell (the type is not among its services, or the call failed).
    pub async fn shows_owned(&self, aws: &Aws, tagged: TaggedType) -> Option<bool> {
        if !self.services.contains(tagged.service) {
            return None;
        }
        let owned = self
            .owned
            .get_or_init(|| async {
                match read(aws, &self.services).await {
                    Ok(arns) => Some(Arc::new(arns)),
                    Err(err) => {
                        tracing::warn!(
                            "cannot read the census of owned resources, each kind lists its own: {err}"
                        );
                        None
                    }
                }
            })
            .await;
        owned
            .as_ref()
            .map(|arns| arns.iter().any(|arn| tagged.matches(arn)))
    }
}

/// The grant a census takes (the Tagging API's read has no resource type).
pub fn grants() -> Vec<Grant> {
    vec![Grant::any(Access::Read, &["tag:GetResources"])]
}

/// Every ARN of `services` in the region that carries the ownership tag, all pages.
async fn read(aws: &Aws, services: &BTreeSet<&'static str>) -> Result<Vec<String>, AwsError> {
    let filter = TagFilter::builder()
        .key(MANAGED_BY_KEY)
        .values(MANAGED_BY_VALUE)
        .build();
    let mut arns = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = aws
            .tagging()
            .get_resources()
            .tag_filters(filter.clone())
            .set_resource_type_filters(Some(services.iter().map(|s| (*s).to_owned()).collect()))
            .resources_per_page(100)
            .set_pagination_token(token)
            .send()
            .await
            .map_err(|err| {
                AwsError::from_sdk("the census of owned resources", "GetResources", &err)
            })?;
        arns.extend(
            page.resource_tag_mapping_list()
                .iter()
                .filter_map(|mapping| mapping.resource_arn.clone()),
        );
        token = page.pagination_token.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(arns);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TaggedType;

    #[test]
    fn a_type_matches_the_arns_of_its_service_and_resource_prefix() {
        let groups = TaggedType {
            service: "logs",
            prefix: "log-group:",
        };
        assert!(groups.matches("arn:aws:logs:eu-central-1:123456789012:log-group:/ecs/web"));
        assert!(!groups.matches("arn:aws:logs:eu-central-1:123456789012:destination:d"));
        assert!(!groups.matches("arn:aws:sns:eu-central-1:123456789012:log-group:x"));
        let topics = TaggedType {
            service: "sns",
            prefix: "",
        };
        assert!(topics.matches("arn:aws:sns:eu-central-1:123456789012:alerts"));
        assert!(!topics.matches("arn:aws:sns"));
        let alarms = TaggedType {
            service: "cloudwatch",
            prefix: "alarm:",
        };
        assert!(alarms.matches("arn:aws:cloudwatch:eu-central-1:123456789012:alarm:a:b"));
        assert!(!alarms.matches("arn:aws:cloudwatch:eu-central-1:123456789012:insight-rule/r"));
    }
}
