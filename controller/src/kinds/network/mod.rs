//! What the placement kinds (`DbInstance`, `EcsCluster`) read from EC2 but do not manage:
//! subnets by id or `Name` tag, whether a subnet routes to an internet gateway, and the ids
//! of the security groups that `SecurityGroup` manifests name. Subnets and route tables belong
//! to the network's owner; a public subnet is reported, never changed.

mod routes;

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::Filter;

use crate::aws::AwsError;

pub use routes::{PublicRoute, public_routes};

/// The IAM actions of these reads (`afu9ctl permissions`): EC2's `Describe*` take no
/// resource, so they are granted on `*`.
pub const READS: &[&str] = &[
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
];

/// The most values one EC2 filter takes.
const FILTER_VALUES: usize = 200;

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

/// The ids of the security groups named `names` in `vpc` (group name → id). One paginated
/// `DescribeSecurityGroups`; a name that matches no group is absent.
pub async fn group_ids(
    ec2: &Client,
    what: &str,
    vpc: &str,
    names: impl IntoIterator<Item = String>,
) -> Result<BTreeMap<String, String>, AwsError> {
    let names = dedup(names.into_iter().collect());
    let mut ids = BTreeMap::new();
    for chunk in names.chunks(FILTER_VALUES) {
        let mut pages = ec2
            .describe_security_groups()
            .filters(filter_of("group-name", chunk))
            .filters(filter_of("vpc-id", &[vpc.to_owned()]))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|err| AwsError::from_sdk(what, "DescribeSecurityGroups", &err))?;
            for group in page.security_groups.unwrap_or_default() {
                if let (Some(name), Some(id)) = (group.group_name, group.group_id) {
                    ids.insert(name, id);
                }
            }
        }
    }
    Ok(ids)
}

fn filter_of(name: &str, values: &[String]) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.to_vec()))
        .build()
}

fn dedup(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values.dedup();
    values
}

/// A security group an operation names: its id, or the name of a managed group that does not
/// exist at plan time and is created earlier in the same apply (the op's resource depends on
/// it), looked up by name in its VPC when the op runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupId {
    /// Known at plan time.
    Known(String),
    /// Created by this apply: the group's name and VPC.
    Created {
        /// The group name.
        name: String,
        /// Its VPC.
        vpc: String,
    },
}

impl GroupId {
    /// The id, or the name with "(id known after apply)", as a plan shows it.
    pub fn shown(&self) -> String {
        match self {
            Self::Known(id) => id.clone(),
            Self::Created { name, .. } => format!("{name} (id known after apply)"),
        }
    }
}

/// The ids of `groups`, looking up the ones created by this apply (retrying briefly: EC2
/// lists a new group after a moment). `what` and `call` name the op for errors.
pub async fn resolve_group_ids(
    ec2: &Client,
    what: &str,
    call: &'static str,
    groups: &[GroupId],
) -> Result<Vec<String>, AwsError> {
    let mut ids = Vec::with_capacity(groups.len());
    for group in groups {
        match group {
            GroupId::Known(id) => ids.push(id.clone()),
            GroupId::Created { name, vpc } => {
                let found = crate::aws::write::retry_until_consistent(NOT_LISTED_YET, || async {
                    group_ids(ec2, what, vpc, [name.clone()])
                        .await?
                        .remove(name)
                        .ok_or_else(|| {
                            AwsError::new(
                                what,
                                call,
                                crate::aws::ErrorClass::Terminal,
                                format!("security group {name} is not in {vpc}: it was to be created by this apply"),
                            )
                            .with_code(NOT_LISTED_YET)
                        })
                })
                .await?;
                ids.push(found);
            }
        }
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// The code `resolve_group_ids` retries on while EC2 does not list a new group yet.
const NOT_LISTED_YET: &str = "GroupNotListedYet";
