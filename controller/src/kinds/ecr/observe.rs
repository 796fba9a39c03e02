//! Reading repositories: one paginated `DescribeRepositories` for all of them, then per
//! managed repository `ListTagsForResource` and (only when the manifest manages it)
//! `GetLifecyclePolicy`, both at once, for 16 repositories at a time.
//!
//! `DescribeRepositories` by name would fail as a whole when one repository is missing, so the
//! registry is listed instead (1,000 repositories a page: one call for almost any account),
//! once per pass: the orphan search and import read the same listing.

use std::collections::HashMap;
use std::sync::Arc;

use afu9_spec::Resource;
use afu9_spec::ecr::EcrRepositorySpec;
use afu9_spec::tags::Tags;
use aws_sdk_ecr::Client;
use aws_sdk_ecr::types::Repository;
use futures_util::future::try_join;

use super::EcrRepositoryObserved;
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};

/// How many repositories are read at once (each with up to two reads in flight, so ECR sees
/// at most 32 from a pass). Chosen at 50 ms a call: 8 repositories with their two reads one
/// after the other made a 1,000-resource steady-state plan take over 3 s, nearly all ECR
/// (`docs/benchmarks.md`).
const CONCURRENCY: usize = 16;

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<EcrRepositorySpec>],
) -> Result<Vec<Option<EcrRepositoryObserved>>, AwsError> {
    let live = list_repositories(aws).await?;
    let ecr = aws.ecr();
    let reads = want
        .iter()
        .map(|resource| observe_one(ecr, resource, live.get(resource.name())));
    windowed(reads, CONCURRENCY).await
}

async fn observe_one(
    ecr: &Client,
    resource: &Resource<EcrRepositorySpec>,
    repository: Option<&Repository>,
) -> Result<Option<EcrRepositoryObserved>, AwsError> {
    match repository {
        Some(repository) => read_details(ecr, resource, repository).await.map(Some),
        None => Ok(None),
    }
}

/// Every repository of the registry, by name (the pass's shared listing).
pub(super) async fn list_repositories(
    aws: &Aws,
) -> Result<Arc<HashMap<String, Repository>>, AwsError> {
    aws.listing("ECR.DescribeRepositories", || read_repositories(aws.ecr()))
        .await
}

async fn read_repositories(ecr: &Client) -> Result<HashMap<String, Repository>, AwsError> {
    let mut pages = ecr
        .describe_repositories()
        .max_results(1000)
        .into_paginator()
        .send();
    let mut repositories = HashMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            AwsError::from_sdk("list ecr repositories", "DescribeRepositories", &err)
        })?;
        for repository in page.repositories.unwrap_or_default() {
            if let Some(name) = repository.repository_name.clone() {
                repositories.insert(name, repository);
            }
        }
    }
    Ok(repositories)
}

async fn read_details(
    ecr: &Client,
    resource: &Resource<EcrRepositorySpec>,
    repository: &Repository,
) -> Result<EcrRepositoryObserved, AwsError> {
    let name = resource.name();
    let arn = repository.repository_arn.clone().unwrap_or_default();
    let what = || format!("observe ecr repository {name}");
    let tags = async {
        ecr.list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .map_err(|err| AwsError::from_sdk(what(), "ListTagsForResource", &err))
    };
    let lifecycle_policy = async {
        if resource.spec.lifecycle_policy.is_some() {
            read_lifecycle_policy(ecr, name)
                .await
                .map_err(|err| AwsError {
                    resource: what(),
                    ..err
                })
        } else {
            Ok(None)
        }
    };
    let (tags, lifecycle_policy) = try_join(tags, lifecycle_policy).await?;
    let tags = tags
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|tag| (tag.key, tag.value))
        .collect::<Tags>();
    let encryption = repository.encryption_configuration.as_ref();
    Ok(EcrRepositoryObserved {
        arn,
        scan_on_push: repository
            .image_scanning_configuration
            .as_ref()
            .is_some_and(|c| c.scan_on_push),
        tag_mutability: repository
            .image_tag_mutability
            .as_ref()
            .map_or_else(|| "MUTABLE".to_owned(), |m| m.as_str().to_owned()),
        encryption_type: encryption.map_or_else(
            || "AES256".to_owned(),
            |e| e.encryption_type.as_str().to_owned(),
        ),
        kms_key: encryption.and_then(|e| e.kms_key.clone()),
        lifecycle_policy,
        tags,
    })
}

async fn read_lifecycle_policy(ecr: &Client, name: &str) -> Result<Option<String>, AwsError> {
    match ecr
        .get_lifecycle_policy()
        .repository_name(name)
        .send()
        .await
    {
        Ok(output) => Ok(output.lifecycle_policy_text),
        Err(err) => {
            let err = AwsError::from_sdk(name, "GetLifecyclePolicy", &err);
            if err.is_code("LifecyclePolicyNotFoundException") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}
