//! What a pass costs in AWS calls, asserted exactly, call by call: a steady whole pass (the
//! orphan search included, as `plan`, `apply` and `run` make it) of the 14-resource posture
//! of the first benchmark and of the whole AFU-9 posture, and an event's reconcile; and the
//! census of owned resources, which spares the listing of kinds without owned resources. A change
//! that adds a call fails here; one that removes a call fails here too, and the figure
//! (with `docs/benchmarks.md`) is then lowered on purpose.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::events::{EventKey, Target};
use afu9_controller::plan::{Action, Plan};
use afu9_e2e::account::CORE_FILES;
use afu9_e2e::{Emulator, repo_root};
use afu9_spec::DesiredState;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};
use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use aws_sdk_ecs::types::{Compatibility, ContainerDefinition, NetworkMode, PortMapping};

/// The most passes converging the seeded account may take.
const MAX_PASSES: usize = 4;

fn calls(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs
        .iter()
        .map(|(operation, count)| ((*operation).to_owned(), *count))
        .collect()
}

fn settled(plan: &Plan) -> bool {
    !plan.has_drift() && !plan.has_errors()
}

/// Whole passes (plan with orphans, apply) until a plan is settled.
async fn converge(emulator: &Emulator, engine: &Engine, state: &DesiredState) {
    let aws = Aws::from_config(&emulator.sdk_config());
    for _ in 0..MAX_PASSES {
        let plan = engine.plan_with_orphans(&aws, state, false).await;
        if settled(&plan) {
            return;
        }
        let report = engine.apply(&aws, &plan).await;
        assert_eq!(report.failed(), 0, "{report:?}");
    }
    panic!("not settled after {MAX_PASSES} passes");
}

/// The calls of one steady whole pass, checked to be one: nothing to change, no orphan.
async fn steady_pass(emulator: &Emulator, engine: &Engine, state: &DesiredState) -> Aws {
    let counting = Aws::from_config(&emulator.sdk_config());
    let plan = engine.plan_with_orphans(&counting, state, false).await;
    assert!(settled(&plan), "{plan:#?}");
    let orphans: Vec<_> = plan.resources.iter().filter(|r| r.orphan).collect();
    assert!(orphans.is_empty(), "{orphans:#?}");
    assert!(plan.resources.iter().all(|r| r.action != Action::Error));
    counting
}

fn load(files: &[&str]) -> DesiredState {
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|file| repo_root().join("desired-state").join(file))
        .collect();
    afu9_spec::load_paths(&paths).expect("valid")
}

/// What the 14-resource posture expects to exist and does not manage: the VPC, the rotation
/// Lambda, the secrets with their values, the task-definition family and the service that
/// runs it (which the family's manifest lists, to roll it to the hardened revision).
async fn seed_core(emulator: &Emulator) {
    let vpc = emulator
        .ec2()
        .create_vpc()
        .cidr_block("10.9.0.0/16")
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::Vpc)
                .tags(Tag::builder().key("Name").value("afu9-vpc").build())
                .build(),
        )
        .send()
        .await
        .expect("create the VPC")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("the VPC's id");
    emulator.create_stub_lambda("afu9-rotate-db-password").await;
    for name in ["afu9/database", "afu9/github", "afu9/llm"] {
        emulator
            .secretsmanager()
            .create_secret()
            .name(name)
            .secret_string("dummy-value-set-by-the-owner")
            .send()
            .await
            .expect("create secret");
    }
    let web = ContainerDefinition::builder()
        .name("web")
        .image("registry.example/afu9/control-center:1")
        .port_mappings(PortMapping::builder().container_port(8080).build())
        .build();
    emulator
        .ecs()
        .register_task_definition()
        .family("afu9-control-center")
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("512")
        .memory("1024")
        .container_definitions(web)
        .send()
        .await
        .expect("register the task definition");
    afu9_e2e::data::seed_control_center_service(emulator, &vpc).await;
}

#[tokio::test]
async fn a_steady_pass_of_the_14_resource_posture_makes_the_api_minimum() {
    let emulator = Emulator::start();
    seed_core(&emulator).await;
    let state = load(&CORE_FILES);
    let engine = Engine::new(afu9_controller::kinds::standard());
    converge(&emulator, &engine, &state).await;

    let counting = steady_pass(&emulator, &engine, &state).await;
    let expected = calls(&[
        // The orphan search's one list call for each tracked kind without a manifest that the
        // census does not cover (trails, policies, buckets, web ACLs below); the census
        // tells the alarms, keys, topics and log groups at once: none owned, none listed.
        ("CloudTrail.DescribeTrails", 1),
        ("Resource Groups Tagging API.GetResources", 1),
        // The groups: the VPC by its tags, every group (shared with the orphan search, whose listing shows no unnamed group with the ownership tag), their rules.
        ("EC2.DescribeSecurityGroupRules", 1),
        ("EC2.DescribeSecurityGroups", 1),
        ("EC2.DescribeVpcs", 1),
        // The Posture's account settings: EBS encryption by default, the registry's scanning.
        ("EC2.GetEbsEncryptionByDefault", 1),
        ("ECR.GetRegistryScanningConfiguration", 1),
        // One listing for observation and the orphan search; tags and lifecycle policy per repository.
        ("ECR.DescribeRepositories", 1),
        ("ECR.GetLifecyclePolicy", 4),
        ("ECR.ListTagsForResource", 4),
        // The family's listed service (rolled to each new revision); its latest revision and
        // its ACTIVE revisions (supersededRevisions: none older is left, so no describe of
        // one and no read of who runs what).
        ("ECS.DescribeServices", 1),
        ("ECS.DescribeTaskDefinition", 1),
        ("ECS.ListTaskDefinitions", 1),
        // Account details and ListRoles for the two roles (shared with the orphan search); ListPolicies: no policy manifest.
        ("IAM.GetAccountAuthorizationDetails", 1),
        ("IAM.ListPolicies", 1),
        ("IAM.ListRoles", 1),
        // The account's S3 Block Public Access, with the account id STS gives once.
        ("S3 Control.GetPublicAccessBlock", 1),
        ("STS.GetCallerIdentity", 1),
        ("S3.ListBuckets", 1),
        // The two manual secrets' value dates; one ListSecrets for observation and the orphan search.
        ("Secrets Manager.ListSecretVersionIds", 2),
        ("Secrets Manager.ListSecrets", 1),
        // The web ACLs' one list call: a tracked kind without a manifest here.
        ("WAFV2.ListWebACLs", 1),
    ]);
    assert_eq!(counting.calls.by_operation(), expected);
    // The API minimum: the manifests' own reads (24: the registry's scanning, the family's
    // service and its revisions' list, the account's Block Public Access and the account id
    // it is read for among them), one list call for each of the four tracked kinds without
    // a manifest here that the census does not cover (trails, policies, buckets, web ACLs)
    // and one census for the other four.
    assert_eq!(counting.calls.total(), 29);
    // Clients are built on first use: the pass built those of the 11 services it called,
    // none of the others (ACM, CloudWatch, CloudWatch Logs, DynamoDB, ELBv2, EventBridge,
    // KMS, RDS, SNS, SQS, Security Hub).
    assert_eq!(
        counting.built_clients(),
        [
            "cloudtrail",
            "ec2",
            "ecr",
            "ecs",
            "s3",
            "s3control",
            "secretsmanager",
            "iam",
            "sts",
            "tagging",
            "wafv2",
        ]
    );
}

/// The calls of a steady pass of the whole AFU-9 posture, by operation.
fn whole_posture_steady_pass() -> BTreeMap<String, u64> {
    calls(&[
        ("ACM.ListCertificates", 1),
        ("CloudTrail.DescribeTrails", 1),
        ("CloudTrail.GetEventSelectors", 1),
        ("CloudTrail.GetTrailStatus", 1),
        ("CloudTrail.ListTags", 1),
        // The log groups' one listing (observation and the orphan search), the trail's
        // look-up of its delivery group and the metric filters' of theirs; the groups' tags.
        ("CloudWatch Logs.DescribeLogGroups", 3),
        ("CloudWatch Logs.DescribeMetricFilters", 1),
        ("CloudWatch Logs.ListTagsForResource", 3),
        ("CloudWatch.DescribeAlarms", 1),
        ("CloudWatch.ListTagsForResource", 6),
        ("EC2.DescribeRouteTables", 2),
        ("EC2.DescribeSecurityGroupRules", 1),
        ("EC2.DescribeSecurityGroups", 4),
        ("EC2.DescribeSubnets", 1),
        ("EC2.DescribeVpcs", 1),
        ("EC2.GetEbsEncryptionByDefault", 1),
        ("ECR.DescribeRepositories", 1),
        ("ECR.GetLifecyclePolicy", 4),
        // The Posture's registry scanning: one read per pass.
        ("ECR.GetRegistryScanningConfiguration", 1),
        ("ECR.ListTagsForResource", 4),
        ("ECS.DescribeClusters", 1),
        // The cluster's services, and the family's listed service (rolled to each new
        // revision); the family's ACTIVE revisions (supersededRevisions), none older left.
        ("ECS.DescribeServices", 2),
        ("ECS.DescribeTaskDefinition", 1),
        // The HTTPS listener's response headers.
        ("Elastic Load Balancing v2.DescribeListenerAttributes", 1),
        ("ECS.ListTaskDefinitions", 1),
        ("Elastic Load Balancing v2.DescribeListeners", 1),
        (
            "Elastic Load Balancing v2.DescribeLoadBalancerAttributes",
            1,
        ),
        // One listing for the load balancer and the web ACL that protects it.
        ("Elastic Load Balancing v2.DescribeLoadBalancers", 1),
        ("Elastic Load Balancing v2.DescribeTags", 1),
        ("EventBridge.DescribeRule", 1),
        ("EventBridge.ListTagsForResource", 1),
        ("EventBridge.ListTargetsByRule", 1),
        ("IAM.GetAccountAuthorizationDetails", 1),
        ("IAM.ListPolicies", 1),
        ("IAM.ListRoles", 1),
        // Each of the four keys (afu9-logs the fourth), and the three log groups' alias
        // alias/afu9-logs, resolved as CloudWatch Logs reports a key by its ARN.
        ("KMS.DescribeKey", 7),
        // afu9-logs manages its key policy (it lets CloudWatch Logs in).
        ("KMS.GetKeyPolicy", 1),
        ("KMS.GetKeyRotationStatus", 4),
        ("KMS.ListAliases", 1),
        // The search for keys a crashed create left without an alias.
        ("KMS.ListKeys", 1),
        ("KMS.ListResourceTags", 4),
        ("RDS.DescribeDBInstances", 1),
        ("RDS.DescribeDBParameters", 1),
        // The three buckets: one listing (observation and the orphan search), and per bucket
        // what its manifest manages (server access logging: the two that send it, one of them
        // the trail's bucket, whose read the trail shares for CloudTrail.7).
        ("S3.GetBucketEncryption", 3),
        ("S3.GetBucketLifecycleConfiguration", 3),
        ("S3.GetBucketLogging", 2),
        ("S3.GetBucketOwnershipControls", 3),
        ("S3.GetBucketPolicy", 3),
        ("S3.GetBucketTagging", 3),
        ("S3.GetBucketVersioning", 3),
        ("S3.GetPublicAccessBlock", 3),
        ("S3.ListBuckets", 1),
        // The account's Block Public Access (S3.1).
        ("S3 Control.GetPublicAccessBlock", 1),
        ("SNS.GetTopicAttributes", 1),
        ("SNS.ListSubscriptionsByTopic", 1),
        ("SNS.ListTagsForResource", 1),
        ("SNS.ListTopics", 1),
        ("SQS.GetQueueAttributes", 1),
        ("SQS.GetQueueUrl", 1),
        ("SQS.ListQueueTags", 1),
        ("STS.GetCallerIdentity", 1),
        ("Secrets Manager.ListSecretVersionIds", 2),
        ("Secrets Manager.ListSecrets", 1),
        // The web ACL: one listing (observation and the orphan search), its rules and lock
        // token, tags, logging, and what protects the load balancer it names.
        ("WAFV2.GetLoggingConfiguration", 1),
        ("WAFV2.GetWebACL", 1),
        ("WAFV2.GetWebACLForResource", 1),
        ("WAFV2.ListTagsForResource", 1),
        ("WAFV2.ListWebACLs", 1),
    ])
}

#[tokio::test]
async fn a_steady_pass_and_an_event_reconcile_of_the_whole_afu9_posture() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();
    let state = load(&["."]);
    let engine = Engine::new(afu9_controller::kinds::standard());
    converge(&emulator, &engine, &state).await;

    let counting = steady_pass(&emulator, &engine, &state).await;
    let expected = whole_posture_steady_pass();
    assert_eq!(counting.calls.by_operation(), expected);
    // 71 before the registry's scanning, the family's service and its revisions' list (3),
    // the web ACL's five reads and the listener's headers (6); 80 before the log buckets and
    // groups of logs.yaml: the buckets' 24 reads, the groups' 4 (one listing, three tag
    // reads), the key afu9-logs's 4 reads and the groups' 3 alias look-ups (35); 115 before
    // the account's Block Public Access (1; the trail's read of its bucket's logging for
    // CloudTrail.7 is the bucket's own, shared in the pass).
    assert_eq!(counting.calls.total(), 116);

    // An event's reconcile: what a repository's and a group's write events name.
    let counting = Aws::from_config(&emulator.sdk_config());
    let targets: BTreeSet<Target> = [
        ("EcrRepository", "afu9/control-center"),
        ("SecurityGroup", "afu9-ecs"),
    ]
    .into_iter()
    .map(|(kind, name)| Target {
        kind,
        key: EventKey::Name(name.to_owned()),
    })
    .collect();
    let plan = engine.plan_targets(&counting, &state, &targets).await;
    assert!(settled(&plan), "{plan:#?}");
    // The repository alone (its listing, tags and lifecycle policy); the group with the
    // kind's others (observed together), by name: no orphan search, no other kind.
    let expected = calls(&[
        ("EC2.DescribeSecurityGroupRules", 1),
        ("EC2.DescribeSecurityGroups", 1),
        ("EC2.DescribeVpcs", 1),
        ("ECR.DescribeRepositories", 1),
        ("ECR.GetLifecyclePolicy", 1),
        ("ECR.ListTagsForResource", 1),
    ]);
    assert_eq!(counting.calls.by_operation(), expected);
}

/// A tracked kind without a manifest is listed only when the pass's census shows one of its
/// resources owned: an owned topic and an owned log group are still found as orphans (their
/// kinds list and read them), while the unowned alarm, which the census does not show,
/// costs no call, nor do the keys; once an owned alarm and key exist, they are found too.
#[tokio::test]
async fn the_census_leaves_the_listing_to_the_kinds_it_shows_owned_resources_of() {
    let emulator = Emulator::start();
    seed_core(&emulator).await;
    let state = load(&CORE_FILES);
    let engine = Engine::new(afu9_controller::kinds::standard());
    converge(&emulator, &engine, &state).await;
    seed_strays(&emulator).await;

    let counting = Aws::from_config(&emulator.sdk_config());
    let plan = engine.plan_with_orphans(&counting, &state, false).await;
    let orphans: BTreeSet<(&str, &str, Action)> = orphans_of(&plan).collect();
    assert_eq!(
        orphans,
        BTreeSet::from([
            ("LogGroup", "/afu9/stray", Action::Orphaned),
            ("SnsTopic", "afu9-stray-alerts", Action::Orphaned),
        ]),
        "{plan:#?}"
    );
    let by_operation = counting.calls.by_operation();
    let count = |operation: &str| by_operation.get(operation).copied().unwrap_or(0);
    assert_eq!(count("Resource Groups Tagging API.GetResources"), 1);
    assert_eq!(count("SNS.ListTopics"), 1);
    assert_eq!(count("CloudWatch Logs.DescribeLogGroups"), 1);
    assert_eq!(count("CloudWatch.DescribeAlarms"), 0);
    assert_eq!(count("KMS.ListKeys"), 0);

    // An owned alarm and an owned key: the census shows them too (their kinds' types match
    // the ARNs the Tagging API gives), so those kinds list, and every owned one is an orphan.
    seed_owned_alarm_and_key(&emulator).await;
    let plan = engine
        .plan_with_orphans(&Aws::from_config(&emulator.sdk_config()), &state, false)
        .await;
    let orphans: BTreeSet<(&str, &str)> = orphans_of(&plan).map(|(k, n, _)| (k, n)).collect();
    assert_eq!(
        orphans,
        BTreeSet::from([
            ("KmsKey", "afu9-stray-key"),
            ("LogGroup", "/afu9/stray"),
            ("MetricAlarm", "afu9-stray-alarm"),
            ("SnsTopic", "afu9-stray-alerts"),
        ]),
        "{plan:#?}"
    );
}

/// The orphans of `plan`: kind, name and action.
fn orphans_of(plan: &Plan) -> impl Iterator<Item = (&'static str, &str, Action)> {
    plan.resources
        .iter()
        .filter(|r| r.orphan)
        .map(|r| (r.kind, r.name.as_str(), r.action))
}

/// An owned topic and an owned log group no manifest names, and someone else's alarm.
async fn seed_strays(emulator: &Emulator) {
    let ownership = aws_sdk_sns::types::Tag::builder()
        .key(MANAGED_BY_KEY)
        .value(MANAGED_BY_VALUE)
        .build()
        .expect("a tag");
    emulator
        .sns()
        .create_topic()
        .name("afu9-stray-alerts")
        .tags(ownership)
        .send()
        .await
        .expect("an owned topic no manifest names");
    emulator
        .logs()
        .create_log_group()
        .log_group_name("/afu9/stray")
        .tags(MANAGED_BY_KEY, MANAGED_BY_VALUE)
        .send()
        .await
        .expect("an owned log group no manifest names");
    emulator
        .cloudwatch()
        .put_metric_alarm()
        .alarm_name("someone-elses-alarm")
        .metric_name("CPUUtilization")
        .namespace("AWS/EC2")
        .statistic(Statistic::Average)
        .period(300)
        .evaluation_periods(1)
        .threshold(90.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .expect("an unowned alarm");
}

/// An owned alarm and an owned key (with its alias) no manifest names.
async fn seed_owned_alarm_and_key(emulator: &Emulator) {
    emulator
        .cloudwatch()
        .put_metric_alarm()
        .alarm_name("afu9-stray-alarm")
        .metric_name("SecretAccessCount")
        .namespace("AFU9/Security")
        .statistic(Statistic::Sum)
        .period(300)
        .evaluation_periods(1)
        .threshold(50.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .tags(
            aws_sdk_cloudwatch::types::Tag::builder()
                .key(MANAGED_BY_KEY)
                .value(MANAGED_BY_VALUE)
                .build(),
        )
        .send()
        .await
        .expect("an owned alarm no manifest names");
    let key = emulator
        .kms()
        .create_key()
        .tags(
            aws_sdk_kms::types::Tag::builder()
                .tag_key(MANAGED_BY_KEY)
                .tag_value(MANAGED_BY_VALUE)
                .build()
                .expect("a tag"),
        )
        .send()
        .await
        .expect("an owned key no manifest names");
    emulator
        .kms()
        .create_alias()
        .alias_name("alias/afu9-stray-key")
        .target_key_id(key.key_metadata.expect("metadata").key_id)
        .send()
        .await
        .expect("the key's alias");
}
