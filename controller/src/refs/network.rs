//! What the placement kinds (`DbInstance`, `EcsCluster`) read from EC2 but do not manage:
//! subnets by id or `Name` tag, and whether a subnet routes to an internet gateway. Subnets
//! and route tables belong to the network's owner (no kind): a public subnet is reported,
//! never changed. The security groups they attach are `groups`'.

mod routes;

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::Filter;

use crate::aws::AwsError;

pub use routes::{PublicRoute, public_routes};

/// The IAM actions of these reads and of the look-up of the groups placement attaches
/// (`groups::group_ids`), for `afu9ctl permissions`: EC2's `Describe*` take no resource, so
/// they are granted on `*`.
pub const READS: &[&str] = &[
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
];

/// The most values one EC2 filter takes.
pub(super) const FILTER_VALUES: usize = 200;

/// A subnet as placement needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    /// `subnet-…`
    pub id: String,
    /// Its VPC.
    pub vpc: String,
    /// Its `Name` tag, if any.
    pub name: Option<String>,
}

/// The subnets `refs` name (ids `subnet-…` or `Name` tags), by reference; a reference that
/// matches nothing is absent. One `DescribeSubnets` for the ids, one for the names.
pub async fn resolve_subnets(
    ec2: &Client,
    what: &str,
    refs: impl IntoIterator<Item = String>,
) -> Result<BTreeMap<String, Vec<Subnet>>, AwsError> {
    let (ids, names): (Vec<String>, Vec<String>) =
        refs.into_iter().partition(|r| r.starts_with("subnet-"));
    let mut found: BTreeMap<String, Vec<Subnet>> = BTreeMap::new();
    for (filter, values) in [("subnet-id", dedup(ids)), ("tag:Name", dedup(names))] {
        for chunk in values.chunks(FILTER_VALUES) {
            let mut pages = ec2
                .describe_subnets()
                .filters(filter_of(filter, chunk))
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|err| AwsError::from_sdk(what, "DescribeSubnets", &err))?;
                for subnet in page.subnets.unwrap_or_default() {
                    let name = subnet
                        .tags()
                        .iter()
                        .find(|t| t.key() == Some("Name"))
                        .and_then(|t| t.value().map(str::to_owned));
                    let subnet = Subnet {
                        id: subnet.subnet_id.unwrap_or_default(),
                        vpc: subnet.vpc_id.unwrap_or_default(),
                        name,
                    };
                    let key = if filter == "subnet-id" {
                        subnet.id.clone()
                    } else {
                        subnet.name.clone().unwrap_or_default()
                    };
                    found.entry(key).or_default().push(subnet);
                }
            }
        }
    }
    Ok(found)
}

pub(super) fn filter_of(name: &str, values: &[String]) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.to_vec()))
        .build()
}

pub(super) fn dedup(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values.dedup();
    values
}
