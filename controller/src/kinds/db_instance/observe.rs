//! Reading databases: one paginated `DescribeDBInstances` filtered by the managed identifiers
//! (tags, security groups, subnet group with its subnets, parameter groups with their apply
//! status in the same answer), then per database at once: `DescribeDBParameters` of the named
//! group (`Source=user`: only what the group sets, which is also all moto returns), and from
//! EC2 the named groups' ids and the subnet group's route tables.

use std::collections::BTreeMap;

use afu9_spec::Resource;
use afu9_spec::db_instance::DbInstanceSpec;
use aws_sdk_rds::types::{DbInstance, Filter};

use super::{DbInstanceObserved, GroupParameters};
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};
use crate::refs::groups::group_ids;
use crate::refs::network::public_routes;

const WHAT: &str = "observe databases";
/// The most identifiers one RDS filter takes.
const FILTER_VALUES: usize = 100;
/// How many databases' follow-up reads run at once.
const CONCURRENCY: usize = 4;

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<DbInstanceSpec>],
) -> Result<Vec<Option<DbInstanceObserved>>, AwsError> {
    let ids: Vec<String> = want.iter().map(|r| r.name().to_owned()).collect();
    let found = describe_instances(aws, Some(&ids)).await?;
    windowed(
        want.iter().map(|resource| {
            let live = found.get(resource.name()).cloned();
            async move {
                match live {
                    Some(live) => details(aws, resource, live).await.map(Some),
                    None => Ok(None),
                }
            }
        }),
        CONCURRENCY,
    )
    .await
}

/// A database as an import lists it: what its probe manifest names.
pub(super) struct Listed {
    /// Its identifier.
    pub(super) id: String,
    /// `postgres`, `mysql`, …
    pub(super) engine: String,
    /// The first parameter group attached.
    pub(super) parameter_group: Option<String>,
}

/// Every database of the region (one paginated `DescribeDBInstances`).
pub(super) async fn list_databases(aws: &Aws) -> Result<Vec<Listed>, AwsError> {
    Ok(describe_instances(aws, None)
        .await?
        .into_iter()
        .map(|(id, db)| Listed {
            id,
            engine: db.engine().unwrap_or_default().to_owned(),
            parameter_group: db
                .db_parameter_groups()
                .first()
                .and_then(|g| g.db_parameter_group_name())
                .map(str::to_owned),
        })
        .collect())
}

/// The databases with the identifiers `ids` (every database of the region for `None`), by
/// identifier: one paginated `DescribeDBInstances` per hundred identifiers.
async fn describe_instances(
    aws: &Aws,
    ids: Option<&[String]>,
) -> Result<BTreeMap<String, DbInstance>, AwsError> {
    let chunks: Vec<Option<&[String]>> = match ids {
        Some(ids) => ids.chunks(FILTER_VALUES).map(Some).collect(),
        None => vec![None],
    };
    let mut found = BTreeMap::new();
    for chunk in chunks {
        let filter = chunk.map(|chunk| {
            Filter::builder()
                .name("db-instance-id")
                .set_values(Some(chunk.to_vec()))
                .build()
        });
        let mut pages = aws
            .rds()
            .describe_db_instances()
            .set_filters(filter.map(|f| vec![f]))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|err| AwsError::from_sdk(WHAT, "DescribeDBInstances", &err))?;
            for db in page.db_instances.unwrap_or_default() {
                if let Some(id) = db.db_instance_identifier.clone() {
                    found.insert(id, db);
                }
            }
        }
    }
    Ok(found)
}

async fn details(
    aws: &Aws,
    resource: &Resource<DbInstanceSpec>,
    db: DbInstance,
) -> Result<DbInstanceObserved, AwsError> {
    let what = format!("observe database {}", resource.name());
    let subnet_group = db.db_subnet_group();
    let vpc = subnet_group
        .and_then(|g| g.vpc_id())
        .unwrap_or_default()
        .to_owned();
    let subnets: BTreeMap<String, String> = subnet_group
        .map(aws_sdk_rds::types::DbSubnetGroup::subnets)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| s.subnet_identifier().map(|id| (id.to_owned(), vpc.clone())))
        .collect();
    let names = resource.spec.security_groups.clone().unwrap_or_default();
    let groups = async {
        if names.is_empty() || vpc.is_empty() {
            Ok(BTreeMap::new())
        } else {
            group_ids(aws.ec2(), &what, &vpc, names).await
        }
    };
    let routes = async {
        if resource.spec.subnet_group.is_some() {
            public_routes(aws.ec2(), &what, &subnets).await
        } else {
            Ok(BTreeMap::new())
        }
    };
    let parameters = async {
        match &resource.spec.parameter_group {
            Some(group) => {
                let (name, _) = resource.spec.engine.tls_parameter();
                group_parameters(aws, &what, &group.name, name).await
            }
            None => Ok(None),
        }
    };
    let (groups, routes, parameters) = futures_util::try_join!(groups, routes, parameters)?;
    let mut security_group_ids: Vec<String> = db
        .vpc_security_groups()
        .iter()
        .filter_map(|g| g.vpc_security_group_id().map(str::to_owned))
        .collect();
    security_group_ids.sort();
    Ok(DbInstanceObserved {
        arn: db.db_instance_arn().unwrap_or_default().to_owned(),
        engine: db.engine().unwrap_or_default().to_owned(),
        engine_version: db.engine_version().unwrap_or_default().to_owned(),
        status: db.db_instance_status().unwrap_or_default().to_owned(),
        storage_encrypted: db.storage_encrypted().unwrap_or(false),
        publicly_accessible: db.publicly_accessible().unwrap_or(false),
        deletion_protection: db.deletion_protection().unwrap_or(false),
        auto_minor_version_upgrade: db.auto_minor_version_upgrade().unwrap_or(false),
        backup_retention_days: db.backup_retention_period().unwrap_or(0),
        pending_backup_retention_days: db
            .pending_modified_values()
            .and_then(aws_sdk_rds::types::PendingModifiedValues::backup_retention_period),
        security_group_ids,
        group_ids: groups,
        subnet_group: subnet_group
            .and_then(|g| g.db_subnet_group_name())
            .map(str::to_owned),
        public_subnets: routes.into_values().collect(),
        vpc: (!vpc.is_empty()).then(|| vpc.clone()),
        parameter_groups: db
            .db_parameter_groups()
            .iter()
            .map(|g| {
                (
                    g.db_parameter_group_name().unwrap_or_default().to_owned(),
                    g.parameter_apply_status().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        parameter_group: parameters,
        tags: db
            .tag_list()
            .iter()
            .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
            .collect(),
    })
}

/// The TLS parameter as the group `group` sets it; `None` when the group does not exist.
async fn group_parameters(
    aws: &Aws,
    what: &str,
    group: &str,
    parameter: &str,
) -> Result<Option<GroupParameters>, AwsError> {
    let mut found = GroupParameters {
        tls_value: None,
        apply_type: None,
    };
    let mut pages = aws
        .rds()
        .describe_db_parameters()
        .db_parameter_group_name(group)
        .source("user")
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                let err = AwsError::from_sdk(what, "DescribeDBParameters", &err);
                return if err.is_code("DBParameterGroupNotFound") {
                    Ok(None)
                } else {
                    Err(err)
                };
            }
        };
        for p in page.parameters() {
            if p.parameter_name() == Some(parameter) {
                found.tls_value = p.parameter_value().map(str::to_owned);
                found.apply_type = p.apply_type().map(str::to_owned);
            }
        }
    }
    Ok(Some(found))
}
