//! Whether subnets are private: the route table a subnet uses (its explicit association, or
//! its VPC's main table when it has none) has no route to an internet gateway.

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, RouteTable};

use crate::aws::AwsError;

/// A route that makes a subnet public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicRoute {
    /// The subnet.
    pub subnet: String,
    /// The route table it uses.
    pub route_table: String,
    /// Whether that is the VPC's main table (the subnet has no association of its own).
    pub main: bool,
    /// The route's destination (a CIDR or a prefix list).
    pub destination: String,
    /// The internet gateway it targets.
    pub gateway: String,
}

impl std::fmt::Display for PublicRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "subnet {} is public: its route table {}{} routes {} to the internet gateway {}",
            self.subnet,
            self.route_table,
            if self.main {
                " (the VPC's main table)"
            } else {
                ""
            },
            self.destination,
            self.gateway
        )
    }
}

/// For each of `subnets` (id → VPC id), its first route to an internet gateway, if any. One
/// paginated `DescribeRouteTables` filtered by the subnets' VPCs.
pub async fn public_routes(
    ec2: &Client,
    what: &str,
    subnets: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, PublicRoute>, AwsError> {
    let mut vpcs: Vec<String> = subnets.values().cloned().collect();
    vpcs.sort();
    vpcs.dedup();
    if vpcs.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut tables = Vec::new();
    let mut pages = ec2
        .describe_route_tables()
        .filters(
            Filter::builder()
                .name("vpc-id")
                .set_values(Some(vpcs))
                .build(),
        )
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| AwsError::from_sdk(what, "DescribeRouteTables", &err))?;
        tables.extend(page.route_tables.unwrap_or_default());
    }
    Ok(subnets
        .iter()
        .filter_map(|(subnet, vpc)| {
            public_route(&tables, subnet, vpc).map(|route| (subnet.clone(), route))
        })
        .collect())
}

/// The table `subnet` uses and its internet route, if it has one.
fn public_route(tables: &[RouteTable], subnet: &str, vpc: &str) -> Option<PublicRoute> {
    let explicit = tables.iter().find(|table| {
        table
            .associations()
            .iter()
            .any(|a| a.subnet_id() == Some(subnet))
    });
    let (table, main) = match explicit {
        Some(table) => (table, false),
        None => (
            tables.iter().find(|table| {
                table.vpc_id() == Some(vpc)
                    && table.associations().iter().any(|a| a.main() == Some(true))
            })?,
            true,
        ),
    };
    table.routes().iter().find_map(|route| {
        let gateway = route.gateway_id().filter(|id| id.starts_with("igw-"))?;
        let destination = route
            .destination_cidr_block()
            .or(route.destination_ipv6_cidr_block())
            .or(route.destination_prefix_list_id())
            .unwrap_or("?");
        Some(PublicRoute {
            subnet: subnet.to_owned(),
            route_table: table.route_table_id().unwrap_or_default().to_owned(),
            main,
            destination: destination.to_owned(),
            gateway: gateway.to_owned(),
        })
    })
}
