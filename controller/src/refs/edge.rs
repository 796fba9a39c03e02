//! What a web ACL knows of the load balancers it protects: their ARNs by name, from the
//! same paginated `DescribeLoadBalancers` the load balancer kind reads (by name it fails as
//! a whole when one is missing, so the list is read instead).

use std::collections::HashMap;

use aws_sdk_elasticloadbalancingv2::Client;

use crate::aws::AwsError;

/// Name → ARN of the load balancers among `names` that exist.
pub async fn load_balancer_arns(
    elb: &Client,
    names: &[&str],
) -> Result<HashMap<String, String>, AwsError> {
    let mut pages = elb
        .describe_load_balancers()
        .page_size(400)
        .into_paginator()
        .send();
    let mut found = HashMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            AwsError::from_sdk("list load balancers", "DescribeLoadBalancers", &err)
        })?;
        for balancer in page.load_balancers.unwrap_or_default() {
            if let (Some(name), Some(arn)) =
                (balancer.load_balancer_name, balancer.load_balancer_arn)
                && names.contains(&name.as_str())
            {
                found.insert(name, arn);
            }
        }
    }
    Ok(found)
}
