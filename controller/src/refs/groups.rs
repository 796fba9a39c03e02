//! References to security groups by manifest name, for the kinds that attach them
//! (`DbInstance`, `EcsCluster`, `LoadBalancer`) and for `SecurityGroup` itself: what such a
//! resource waits for in apply, and the look-ups of group ids by name in a VPC (a group
//! created moments ago may not be listed yet).

use std::collections::{BTreeMap, HashMap};

use afu9_spec::security_group::SecurityGroupSpec;
use afu9_spec::{DesiredState, ManifestKind};
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::Filter;

use super::network::{FILTER_VALUES, dedup, filter_of};
use crate::aws::write::retry_until_consistent;
use crate::aws::{AwsError, ErrorClass};
use crate::plan::Dependency;

/// What a resource that attaches the security groups `names` waits for in apply: each one
/// the desired state manages, created (its id goes into the attaching call). Each group once,
/// in name order; a group the desired state does not manage is not waited for.
pub fn created_groups<'a>(
    state: &DesiredState,
    names: impl IntoIterator<Item = &'a String>,
) -> Vec<Dependency> {
    let mut managed: Vec<&String> = names
        .into_iter()
        .filter(|name| state.security_groups.iter().any(|g| g.name() == *name))
        .collect();
    managed.sort();
    managed.dedup();
    managed
        .into_iter()
        .map(|name| Dependency::created(SecurityGroupSpec::KIND, name.as_str()))
        .collect()
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
                let found = retry_until_consistent(NOT_LISTED_YET, || async {
                    group_ids(ec2, what, vpc, [name.clone()])
                        .await?
                        .remove(name)
                        .ok_or_else(|| {
                            AwsError::new(
                                what,
                                call,
                                ErrorClass::Terminal,
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

/// Group ids of `groups` (name, VPC), waiting a little for groups created moments ago.
/// (`SecurityGroup` resolves its own new groups and its peers with it; `LoadBalancer` the
/// groups it attaches by name.)
pub async fn resolve_names(
    ec2: &Client,
    groups: &[(String, String)],
) -> Result<HashMap<String, String>, AwsError> {
    if groups.is_empty() {
        return Ok(HashMap::new());
    }
    let lookup = || async {
        let names: Vec<String> = groups.iter().map(|(n, _)| n.clone()).collect();
        let output = ec2
            .describe_security_groups()
            .filters(
                Filter::builder()
                    .name("group-name")
                    .set_values(Some(names))
                    .build(),
            )
            .send()
            .await
            .map_err(|err| {
                AwsError::from_sdk("find new security groups", "DescribeSecurityGroups", &err)
            })?;
        let found: HashMap<String, String> = output
            .security_groups
            .unwrap_or_default()
            .into_iter()
            .filter(|g| {
                groups
                    .iter()
                    .any(|(n, v)| g.group_name() == Some(n) && g.vpc_id() == Some(v))
            })
            .filter_map(|g| Some((g.group_name?, g.group_id?)))
            .collect();
        match groups.iter().find(|(name, _)| !found.contains_key(name)) {
            Some((name, vpc)) => Err(AwsError::new(
                format!("find security group {name}"),
                "DescribeSecurityGroups",
                ErrorClass::Transient,
                format!("no group {name} in {vpc} yet"),
            )
            .with_code(NOT_FOUND_YET)),
            None => Ok(found),
        }
    };
    retry_until_consistent(NOT_FOUND_YET, lookup).await
}

/// Name → id of every security group in `vpc` (one paginated `DescribeSecurityGroups`):
/// how kinds that attach groups by manifest name (load balancers) read them.
pub async fn groups_in_vpc(ec2: &Client, vpc: &str) -> Result<BTreeMap<String, String>, AwsError> {
    let mut pages = ec2
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .max_results(1000)
        .into_paginator()
        .send();
    let mut groups = BTreeMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            AwsError::from_sdk(
                format!("read security groups of {vpc}"),
                "DescribeSecurityGroups",
                &err,
            )
        })?;
        groups.extend(
            page.security_groups
                .unwrap_or_default()
                .into_iter()
                .filter_map(|g| Some((g.group_name?, g.group_id?))),
        );
    }
    Ok(groups)
}

/// Our own code for a group that EC2 does not list yet.
const NOT_FOUND_YET: &str = "NotFoundYet";
