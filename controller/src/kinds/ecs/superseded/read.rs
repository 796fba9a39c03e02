//! Reading superseded revisions and who runs them. Per managed family: `ListTaskDefinitions`
//! (ACTIVE, the family only) and a `DescribeTaskDefinition` per revision older than the latest,
//! a few at a time. Only when some revision could be deregistered, once for every family: the
//! account's clusters, their services (the current task definition and every deployment's)
//! and their tasks not yet stopped.

use std::collections::{BTreeMap, HashMap};

use afu9_spec::Resource;
use afu9_spec::ecs::EcsTaskDefinitionSpec;
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::TaskDefinitionStatus;

use super::super::TaskDefinitionObserved;
use super::super::container::containers;
use super::{OldRevision, SupersededObserved, User, breaches};
use crate::aws::AwsError;
use crate::aws::read::windowed;

/// How many revisions are described at once.
const CONCURRENCY: usize = 8;
/// The most services one `DescribeServices` call takes.
const SERVICES_PER_CALL: usize = 10;
/// The most tasks one `DescribeTasks` call takes.
const TASKS_PER_CALL: usize = 100;

/// Who runs what: family → revision → users.
type Users = HashMap<String, BTreeMap<i32, Vec<User>>>;

/// The superseded revisions of each family whose manifest manages them (`observed` is the
/// latest revision of each, in `want`'s order), with their users when any could go.
pub(crate) async fn read(
    ecs: &Client,
    want: &[Resource<EcsTaskDefinitionSpec>],
    observed: &mut [Option<TaskDefinitionObserved>],
) -> Result<(), AwsError> {
    let mut any_candidate = false;
    for (resource, have) in want.iter().zip(observed.iter_mut()) {
        let (Some(policy), Some(have)) = (resource.spec.superseded_revisions, have.as_mut()) else {
            continue;
        };
        let numbers = active_revisions(ecs, resource.name()).await?;
        let older: Vec<i32> = numbers.into_iter().filter(|n| *n < have.revision).collect();
        let revisions = windowed(
            older
                .iter()
                .map(|number| describe(ecs, resource.name(), *number)),
            CONCURRENCY,
        )
        .await?;
        let revisions: Vec<OldRevision> = revisions.into_iter().flatten().collect();
        let compliant = revisions
            .iter()
            .filter(|r| breaches(&resource.spec, &r.containers).is_empty())
            .count();
        // A revision can go when one breaks the contract, when more compliant ones are kept
        // than asked, or when the latest breaks it (the plan then supersedes it).
        any_candidate |= compliant < revisions.len()
            || compliant > policy.keep_compliant as usize
            || !breaches(&resource.spec, &have.containers).is_empty();
        have.superseded = Some(SupersededObserved {
            revisions,
            users: None,
        });
    }
    if !any_candidate {
        return Ok(());
    }
    let mut users = users(ecs).await?;
    for (resource, have) in want.iter().zip(observed.iter_mut()) {
        if let Some(superseded) = have.as_mut().and_then(|h| h.superseded.as_mut()) {
            superseded.users = Some(users.remove(resource.name()).unwrap_or_default());
        }
    }
    Ok(())
}

/// The ACTIVE revision numbers of `family`, newest first.
async fn active_revisions(ecs: &Client, family: &str) -> Result<Vec<i32>, AwsError> {
    let mut numbers = Vec::new();
    let mut token = None;
    loop {
        let output = ecs
            .list_task_definitions()
            .family_prefix(family)
            .status(TaskDefinitionStatus::Active)
            .set_next_token(token)
            .send()
            .await
            .map_err(|err| {
                AwsError::from_sdk(
                    format!("observe ecs task definition {family}'s revisions"),
                    "ListTaskDefinitions",
                    &err,
                )
            })?;
        numbers.extend(
            output
                .task_definition_arns
                .unwrap_or_default()
                .iter()
                .filter_map(|arn| revision_of(arn, family)),
        );
        token = output.next_token;
        if token.is_none() {
            // Newest first, sorted here: the emulator ignores `sort`.
            numbers.sort_unstable_by(|a, b| b.cmp(a));
            return Ok(numbers);
        }
    }
}

/// The revision number of `reference` (an ARN or `family:revision`) if it is `family`'s.
fn revision_of(reference: &str, family: &str) -> Option<i32> {
    let name = reference.rsplit('/').next().unwrap_or(reference);
    let (own, number) = name.rsplit_once(':')?;
    (own == family).then(|| number.parse().ok()).flatten()
}

/// One revision's containers; `None` when it went away meanwhile.
async fn describe(
    ecs: &Client,
    family: &str,
    revision: i32,
) -> Result<Option<OldRevision>, AwsError> {
    match ecs
        .describe_task_definition()
        .task_definition(format!("{family}:{revision}"))
        .send()
        .await
    {
        Ok(output) => Ok(output.task_definition.map(|definition| OldRevision {
            revision,
            containers: containers(&definition),
        })),
        Err(err) => {
            let err = AwsError::from_sdk(
                format!("observe ecs task definition {family}:{revision}"),
                "DescribeTaskDefinition",
                &err,
            );
            if err.is_code("ClientException") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

/// Every service's and running task's task definitions, in every cluster.
async fn users(ecs: &Client) -> Result<Users, AwsError> {
    let mut found = Users::new();
    let mut add = |reference: &str, user: User| {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        if let Some((family, number)) = name.rsplit_once(':')
            && let Ok(number) = number.parse()
        {
            let users = found
                .entry(family.to_owned())
                .or_default()
                .entry(number)
                .or_default();
            if !users.contains(&user) {
                users.push(user);
            }
        }
    };
    for cluster in clusters(ecs).await? {
        let cluster_name = cluster.rsplit('/').next().unwrap_or(&cluster).to_owned();
        for (service, definitions) in services(ecs, &cluster).await? {
            for definition in definitions {
                let user = User::Service {
                    cluster: cluster_name.clone(),
                    service: service.clone(),
                };
                add(&definition, user);
            }
        }
        for (task, definition) in tasks(ecs, &cluster).await? {
            let user = User::Task {
                cluster: cluster_name.clone(),
                task,
            };
            add(&definition, user);
        }
    }
    Ok(found)
}

/// The account's clusters (ARNs).
async fn clusters(ecs: &Client) -> Result<Vec<String>, AwsError> {
    let mut arns = Vec::new();
    let mut token = None;
    loop {
        let output = ecs
            .list_clusters()
            .set_next_token(token)
            .send()
            .await
            .map_err(|err| AwsError::from_sdk("observe ecs clusters", "ListClusters", &err))?;
        arns.extend(output.cluster_arns.unwrap_or_default());
        token = output.next_token;
        if token.is_none() {
            return Ok(arns);
        }
    }
}

/// The services of `cluster` that are not INACTIVE, each with the task definitions it runs:
/// its own and those of its ACTIVE deployments (older ones still draining). The PRIMARY
/// deployment runs the service's own task definition (moto keeps the first one's, see
/// emulator-quirks.md).
async fn services(ecs: &Client, cluster: &str) -> Result<Vec<(String, Vec<String>)>, AwsError> {
    let what = || format!("observe ecs services of cluster {cluster}");
    let mut arns = Vec::new();
    let mut token = None;
    loop {
        let output = ecs
            .list_services()
            .cluster(cluster)
            .set_next_token(token)
            .send()
            .await
            .map_err(|err| AwsError::from_sdk(what(), "ListServices", &err))?;
        arns.extend(output.service_arns.unwrap_or_default());
        token = output.next_token;
        if token.is_none() {
            break;
        }
    }
    let mut found = Vec::new();
    for chunk in arns.chunks(SERVICES_PER_CALL) {
        let output = ecs
            .describe_services()
            .cluster(cluster)
            .set_services(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|err| AwsError::from_sdk(what(), "DescribeServices", &err))?;
        for service in output.services.unwrap_or_default() {
            if service.status.as_deref() == Some("INACTIVE") {
                continue;
            }
            let mut definitions: Vec<String> = service.task_definition.into_iter().collect();
            definitions.extend(
                service
                    .deployments
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|d| d.status.as_deref() == Some("ACTIVE"))
                    .filter_map(|d| d.task_definition),
            );
            found.push((service.service_name.unwrap_or_default(), definitions));
        }
    }
    Ok(found)
}

/// The tasks of `cluster` not yet stopped: (task id, task definition ARN).
async fn tasks(ecs: &Client, cluster: &str) -> Result<Vec<(String, String)>, AwsError> {
    let what = || format!("observe ecs tasks of cluster {cluster}");
    let mut arns = Vec::new();
    let mut token = None;
    loop {
        let output = ecs
            .list_tasks()
            .cluster(cluster)
            .set_next_token(token)
            .send()
            .await
            .map_err(|err| AwsError::from_sdk(what(), "ListTasks", &err))?;
        arns.extend(output.task_arns.unwrap_or_default());
        token = output.next_token;
        if token.is_none() {
            break;
        }
    }
    let mut found = Vec::new();
    for chunk in arns.chunks(TASKS_PER_CALL) {
        let output = ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|err| AwsError::from_sdk(what(), "DescribeTasks", &err))?;
        for task in output.tasks.unwrap_or_default() {
            if let (Some(arn), Some(definition)) = (task.task_arn, task.task_definition_arn) {
                let id = arn.rsplit('/').next().unwrap_or(&arn).to_owned();
                found.push((id, definition));
            }
        }
    }
    Ok(found)
}
