//! The region's load balancers, as the load balancer kind observes them and as a web ACL
//! finds the ones it protects: one paginated `DescribeLoadBalancers` (400 a page; by name it
//! fails as a whole when one is missing, so the list is read instead), once per pass and
//! shared by both kinds.

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::LoadBalancer;

use crate::aws::{Aws, AwsError};

/// Every load balancer of the region, by name: the pass's shared listing.
pub async fn load_balancers(aws: &Aws) -> Result<Arc<HashMap<String, LoadBalancer>>, AwsError> {
    aws.listing("ELB.DescribeLoadBalancers", || list(aws.elbv2()))
        .await
}

/// Name → ARN of the load balancers among `names` that exist.
pub async fn load_balancer_arns(
    aws: &Aws,
    names: &[&str],
) -> Result<HashMap<String, String>, AwsError> {
    Ok(load_balancers(aws)
        .await?
        .iter()
        .filter(|(name, _)| names.contains(&name.as_str()))
        .filter_map(|(name, balancer)| Some((name.clone(), balancer.load_balancer_arn.clone()?)))
        .collect())
}

async fn list(elb: &Client) -> Result<HashMap<String, LoadBalancer>, AwsError> {
    let mut pages = elb
        .describe_load_balancers()
        .page_size(400)
        .into_paginator()
        .send();
    let mut balancers = HashMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            AwsError::from_sdk("list load balancers", "DescribeLoadBalancers", &err)
        })?;
        for balancer in page.load_balancers.unwrap_or_default() {
            if let Some(name) = balancer.load_balancer_name.clone() {
                balancers.insert(name, balancer);
            }
        }
    }
    Ok(balancers)
}
