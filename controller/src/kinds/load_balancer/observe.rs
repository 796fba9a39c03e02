//! Reading load balancers: the pass's one paginated `DescribeLoadBalancers` (`refs::edge`,
//! shared with the web ACLs that name them) and one `DescribeTags` per 20 managed ALBs;
//! then per ALB `DescribeLoadBalancerAttributes`, `DescribeListeners` and, when the
//! manifest manages its groups, EC2 `DescribeSecurityGroups` of its VPC (names → ids), at
//! once; and one ACM `ListCertificates` of the `ISSUED` certificates when a listener names a
//! domain.

use std::collections::{BTreeMap, HashMap};

use afu9_spec::Resource;
use afu9_spec::load_balancer::{CertificateRef, LoadBalancerSpec};
use afu9_spec::tags::Tags;
use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{Action, LoadBalancer};
use futures_util::future::try_join3;

use super::{LiveAction, LiveListener, LoadBalancerObserved};
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};

/// How many load balancers are read at once (each with up to three reads in flight).
const CONCURRENCY: usize = 8;

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<LoadBalancerSpec>],
) -> Result<Vec<Option<LoadBalancerObserved>>, AwsError> {
    let live = crate::refs::edge::load_balancers(aws).await?;
    let found: Vec<String> = want
        .iter()
        .filter_map(|r| live.get(r.name()))
        .filter_map(|lb| lb.load_balancer_arn.clone())
        .collect();
    let mut tags = read_tags(aws.elbv2(), &found).await?;
    let certificates = read_certificates(aws.acm(), want).await?;
    let reads = want.iter().map(|resource| {
        let balancer = live.get(resource.name()).cloned();
        let tags = balancer
            .as_ref()
            .and_then(|b| b.load_balancer_arn.as_ref())
            .and_then(|arn| tags.remove(arn))
            .unwrap_or_default();
        let certificates = &certificates;
        async move {
            match balancer {
                Some(balancer) => read_details(aws, resource, balancer, tags, certificates)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
    });
    windowed(reads, CONCURRENCY).await
}

/// The names of the region's application load balancers (the only type the kind manages),
/// from the pass's shared listing.
pub(super) async fn application_load_balancers(aws: &Aws) -> Result<Vec<String>, AwsError> {
    Ok(crate::refs::edge::load_balancers(aws)
        .await?
        .iter()
        .filter(|(_, balancer)| {
            balancer
                .r#type
                .as_ref()
                .is_none_or(|t| t.as_str() == "application")
        })
        .map(|(name, _)| name.clone())
        .collect())
}

/// ARN → tags, 20 ARNs a call (`DescribeTags`' limit).
async fn read_tags(elb: &Client, arns: &[String]) -> Result<HashMap<String, Tags>, AwsError> {
    let mut tags = HashMap::new();
    for chunk in arns.chunks(20) {
        let output = elb
            .describe_tags()
            .set_resource_arns(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|err| AwsError::from_sdk("read load balancer tags", "DescribeTags", &err))?;
        for description in output.tag_descriptions.unwrap_or_default() {
            let Some(arn) = description.resource_arn else {
                continue;
            };
            let set: Tags = description
                .tags
                .unwrap_or_default()
                .into_iter()
                .filter_map(|tag| Some((tag.key?, tag.value.unwrap_or_default())))
                .collect();
            tags.insert(arn, set);
        }
    }
    Ok(tags)
}

/// Domain → `ISSUED` certificate ARNs (newest expiry first) for the domains the manifests
/// name; no call when none does.
async fn read_certificates(
    acm: &aws_sdk_acm::Client,
    want: &[Resource<LoadBalancerSpec>],
) -> Result<BTreeMap<String, Vec<String>>, AwsError> {
    let domains: Vec<&str> = want
        .iter()
        .flat_map(|r| r.spec.listeners.iter().flatten())
        .filter_map(|l| match &l.certificate {
            Some(CertificateRef::Domain(domain)) => Some(domain.as_str()),
            _ => None,
        })
        .collect();
    let mut found: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    if domains.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut pages = acm
        .list_certificates()
        .certificate_statuses(aws_sdk_acm::types::CertificateStatus::Issued)
        .max_items(1000)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page
            .map_err(|err| AwsError::from_sdk("list acm certificates", "ListCertificates", &err))?;
        for summary in page.certificate_summary_list.unwrap_or_default() {
            let Some(arn) = summary.certificate_arn.clone() else {
                continue;
            };
            let expiry = summary.not_after.map_or(0, |t| t.secs());
            let mut names: Vec<String> = summary.domain_name.into_iter().collect();
            names.extend(
                summary
                    .subject_alternative_name_summaries
                    .unwrap_or_default(),
            );
            names.sort();
            names.dedup();
            for name in names {
                if domains.contains(&name.as_str()) {
                    found.entry(name).or_default().push((expiry, arn.clone()));
                }
            }
        }
    }
    Ok(found
        .into_iter()
        .map(|(domain, mut certificates)| {
            certificates.sort_by(|a, b| b.cmp(a));
            (
                domain,
                certificates.into_iter().map(|(_, arn)| arn).collect(),
            )
        })
        .collect())
}

async fn read_details(
    aws: &Aws,
    resource: &Resource<LoadBalancerSpec>,
    balancer: LoadBalancer,
    tags: Tags,
    certificates: &BTreeMap<String, Vec<String>>,
) -> Result<LoadBalancerObserved, AwsError> {
    let what = || format!("observe load balancer {}", resource.name());
    let arn = balancer.load_balancer_arn.unwrap_or_default();
    let vpc_id = balancer.vpc_id.unwrap_or_default();
    let attributes = async {
        aws.elbv2()
            .describe_load_balancer_attributes()
            .load_balancer_arn(&arn)
            .send()
            .await
            .map(|output| {
                output
                    .attributes
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|a| Some((a.key?, a.value.unwrap_or_default())))
                    .collect::<BTreeMap<_, _>>()
            })
            .map_err(|err| AwsError::from_sdk(what(), "DescribeLoadBalancerAttributes", &err))
    };
    let listeners = async {
        if resource.spec.listeners.is_none() {
            return Ok(Vec::new());
        }
        let mut pages = aws
            .elbv2()
            .describe_listeners()
            .load_balancer_arn(&arn)
            .page_size(400)
            .into_paginator()
            .send();
        let mut listeners = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|err| AwsError::from_sdk(what(), "DescribeListeners", &err))?;
            listeners.extend(page.listeners.unwrap_or_default().into_iter().map(listener));
        }
        read_header_attributes(aws.elbv2(), resource, &mut listeners)
            .await
            .map_err(|err| AwsError {
                resource: what(),
                ..err
            })?;
        Ok(listeners)
    };
    let vpc_groups = async {
        if resource.spec.security_groups.is_none() {
            return Ok(BTreeMap::new());
        }
        crate::refs::groups::groups_in_vpc(aws.ec2(), &vpc_id)
            .await
            .map_err(|err| AwsError {
                resource: what(),
                ..err
            })
    };
    let (attributes, listeners, vpc_groups) = try_join3(attributes, listeners, vpc_groups).await?;
    Ok(LoadBalancerObserved {
        kind: balancer
            .r#type
            .map_or_else(|| "application".to_owned(), |t| t.as_str().to_owned()),
        security_groups: balancer.security_groups.unwrap_or_default(),
        vpc_groups,
        attributes,
        listeners,
        certificates: certificates.clone(),
        tags,
        arn,
        vpc_id,
    })
}

/// `DescribeListenerAttributes` of each HTTPS listener whose manifest states response
/// headers, at once; of every HTTPS listener when the manifest names no listener (import's
/// probe). Only the `routing.http.response.*` keys are kept.
async fn read_header_attributes(
    elb: &Client,
    resource: &Resource<LoadBalancerSpec>,
    listeners: &mut [LiveListener],
) -> Result<(), AwsError> {
    let reads = listeners
        .iter_mut()
        .filter(|live| headers_read(resource, live))
        .map(|live| async move {
            let output = elb
                .describe_listener_attributes()
                .listener_arn(&live.arn)
                .send()
                .await
                .map_err(|err| {
                    AwsError::from_sdk("observe listener", "DescribeListenerAttributes", &err)
                })?;
            live.attributes = output
                .attributes
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| Some((a.key?, a.value.unwrap_or_default())))
                .filter(|(key, _)| super::plan::headers::is_header_key(key))
                .collect();
            Ok::<_, AwsError>(())
        });
    futures_util::future::try_join_all(reads).await?;
    Ok(())
}

/// Whether observation reads `live`'s response headers for `resource`: an HTTPS listener
/// whose manifest states them, or any HTTPS listener when the manifest names no listener.
pub(super) fn headers_read(resource: &Resource<LoadBalancerSpec>, live: &LiveListener) -> bool {
    let wanted = resource.spec.listeners.as_deref().unwrap_or_default();
    live.protocol == "HTTPS"
        && (wanted.is_empty()
            || wanted
                .iter()
                .any(|l| l.port == live.port && l.response_headers.is_some()))
}

fn listener(listener: aws_sdk_elasticloadbalancingv2::types::Listener) -> LiveListener {
    LiveListener {
        arn: listener.listener_arn.unwrap_or_default(),
        port: listener
            .port
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or_default(),
        protocol: listener
            .protocol
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        ssl_policy: listener.ssl_policy,
        certificate: listener
            .certificates
            .unwrap_or_default()
            .into_iter()
            .find(|c| c.is_default.unwrap_or(true))
            .and_then(|c| c.certificate_arn),
        actions: listener
            .default_actions
            .unwrap_or_default()
            .into_iter()
            .map(action)
            .collect(),
        attributes: BTreeMap::new(),
    }
}

fn action(action: Action) -> LiveAction {
    match action.redirect_config {
        Some(redirect) => LiveAction::Redirect {
            protocol: redirect.protocol,
            port: redirect.port,
            host: redirect.host,
            path: redirect.path,
            query: redirect.query,
            status: redirect
                .status_code
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
        },
        None => LiveAction::Other(
            action
                .r#type
                .as_ref()
                .map_or("unknown", |t| t.as_str())
                .to_owned(),
        ),
    }
}
