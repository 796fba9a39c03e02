//! Reading web ACLs: one paginated `ListWebACLs` (regional, once per pass: import reads the
//! same listing); then per managed ACL that exists, at once: `GetWebACL` (rules and lock
//! token), `ListTagsForResource` and `GetLoggingConfiguration` (read whether or not the
//! manifest manages logging: it is the evidence for Security Hub WAF.11), then one
//! `GetWebACLForResource` per load balancer it names (their ARNs from one
//! `DescribeLoadBalancers`, through `refs::edge`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use afu9_spec::Resource;
use afu9_spec::tags::Tags;
use afu9_spec::web_acl::WebAclSpec;
use aws_sdk_wafv2::Client;
use aws_sdk_wafv2::types::Scope;
use futures_util::future::{try_join_all, try_join3};

use super::{Protection, WebAclObserved, sdk};
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};

/// How many web ACLs are read at once.
const CONCURRENCY: usize = 4;

/// A web ACL's name, id and ARN, from the list.
#[derive(Debug, Clone)]
pub(super) struct Summary {
    pub id: String,
    pub arn: String,
}

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<WebAclSpec>],
) -> Result<Vec<Option<WebAclObserved>>, AwsError> {
    let live = listed(aws).await?;
    let names: Vec<&str> = want
        .iter()
        .flat_map(|r| r.spec.load_balancers.iter().flatten())
        .map(String::as_str)
        .collect();
    let albs = if names.is_empty() {
        HashMap::new()
    } else {
        crate::refs::edge::load_balancer_arns(aws, &names).await?
    };
    let reads = want.iter().map(|resource| {
        let summary = live.get(resource.name()).cloned();
        let albs = &albs;
        async move {
            match summary {
                Some(summary) => read(aws, resource, summary, albs).await,
                None => Ok(None),
            }
        }
    });
    windowed(reads, CONCURRENCY).await
}

/// Every regional web ACL, by name: the pass's shared listing (observation and import read
/// the same one).
pub(super) async fn listed(aws: &Aws) -> Result<Arc<HashMap<String, Summary>>, AwsError> {
    aws.listing("WAFV2.ListWebACLs", || list(aws.wafv2())).await
}

/// Every regional web ACL, by name, read afresh.
pub(super) async fn list(waf: &Client) -> Result<HashMap<String, Summary>, AwsError> {
    let mut found = HashMap::new();
    let mut marker: Option<String> = None;
    loop {
        let page = waf
            .list_web_acls()
            .scope(Scope::Regional)
            .limit(100)
            .set_next_marker(marker.take())
            .send()
            .await
            .map_err(|err| AwsError::from_sdk("list web ACLs", "ListWebACLs", &err))?;
        let acls = page.web_acls.unwrap_or_default();
        let last = acls.len() < 100;
        for acl in acls {
            if let (Some(name), Some(id), Some(arn)) = (acl.name, acl.id, acl.arn) {
                found.insert(name, Summary { id, arn });
            }
        }
        marker = page.next_marker.filter(|m| !m.is_empty());
        if last || marker.is_none() {
            return Ok(found);
        }
    }
}

async fn read(
    aws: &Aws,
    resource: &Resource<WebAclSpec>,
    summary: Summary,
    albs: &HashMap<String, String>,
) -> Result<Option<WebAclObserved>, AwsError> {
    let name = resource.name();
    let waf = aws.wafv2();
    let acl = async {
        let output = waf
            .get_web_acl()
            .name(name)
            .scope(Scope::Regional)
            .id(&summary.id)
            .send()
            .await
            .map_err(|err| {
                AwsError::from_sdk(format!("observe web ACL {name}"), "GetWebACL", &err)
            })?;
        Ok::<_, AwsError>((output.web_acl, output.lock_token.unwrap_or_default()))
    };
    let tags = read_tags(waf, name, &summary.arn);
    let logging = read_logging(waf, name, &summary.arn);
    let ((acl, lock_token), tags, logging) = try_join3(acl, tags, logging).await?;
    let Some(acl) = acl else {
        return Ok(None);
    };
    let protects = read_protection(waf, name, resource, albs).await?;
    Ok(Some(WebAclObserved {
        arn: summary.arn,
        id: summary.id,
        lock_token,
        body: sdk::body(&acl),
        logging,
        protects,
        tags,
    }))
}

async fn read_tags(waf: &Client, name: &str, arn: &str) -> Result<Tags, AwsError> {
    let output = waf
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|err| {
            AwsError::from_sdk(
                format!("observe web ACL {name}"),
                "ListTagsForResource",
                &err,
            )
        })?;
    Ok(output
        .tag_info_for_resource
        .and_then(|info| info.tag_list)
        .unwrap_or_default()
        .into_iter()
        .map(|tag| (tag.key, tag.value))
        .collect())
}

/// The log destinations; `None` when WAF has no logging configuration for the ACL.
pub(super) async fn read_logging(
    waf: &Client,
    name: &str,
    arn: &str,
) -> Result<Option<Vec<String>>, AwsError> {
    match waf
        .get_logging_configuration()
        .resource_arn(arn)
        .send()
        .await
    {
        Ok(output) => Ok(output
            .logging_configuration
            .map(|config| config.log_destination_configs)),
        Err(err) => {
            let err = AwsError::from_sdk(
                format!("observe web ACL {name}"),
                "GetLoggingConfiguration",
                &err,
            );
            if err.is_code("WAFNonexistentItemException") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

async fn read_protection(
    waf: &Client,
    name: &str,
    resource: &Resource<WebAclSpec>,
    albs: &HashMap<String, String>,
) -> Result<BTreeMap<String, Protection>, AwsError> {
    let reads = resource
        .spec
        .load_balancers
        .iter()
        .flatten()
        .map(|alb_name| async move {
            let Some(alb) = albs.get(alb_name) else {
                return Ok((
                    alb_name.clone(),
                    Protection {
                        alb: None,
                        acl: None,
                    },
                ));
            };
            let output = waf
                .get_web_acl_for_resource()
                .resource_arn(alb)
                .send()
                .await
                .map_err(|err| {
                    AwsError::from_sdk(
                        format!("observe web ACL {name}"),
                        "GetWebACLForResource",
                        &err,
                    )
                })?;
            Ok::<_, AwsError>((
                alb_name.clone(),
                Protection {
                    alb: Some(alb.clone()),
                    acl: output.web_acl.map(|acl| acl.arn),
                },
            ))
        });
    let found = try_join_all(reads).await?;
    Ok(found.into_iter().collect())
}
