//! `afu9ctl permissions`, proven against moto's IAM enforcement: a user holding exactly the
//! generated policy plans and applies the AFU-9 posture, every call it makes is granted,
//! and removing any one statement makes a named call fail. moto checks non-S3 actions
//! against the resource `*` (SQS and IAM roles aside), so the enforced policies are the
//! generated ones with every `Resource` widened to `*`; the ARN scoping has its own test.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Output};

use afu9_e2e::account::manifests_dir;
use afu9_e2e::{Emulator, repo_root};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";

fn afu9ctl(env: &[(&'static str, String)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .current_dir(repo_root())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .args(args)
        .output()
        .expect("cannot run afu9ctl")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The generated policy document for `mode` (`plan` or `apply`).
fn generated(mode: &str, extra: &[&str]) -> Value {
    let mut args = vec!["permissions", "--mode", mode, "-o", "json"];
    args.extend_from_slice(extra);
    let output = afu9ctl(&afu9_e2e::test_credentials_env(), &args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    serde_json::from_slice(&output.stdout).expect("permissions -o json is JSON")
}

fn statements(policy: &Value) -> &Vec<Value> {
    policy["Statement"].as_array().expect("Statement")
}

fn actions(statement: &Value) -> BTreeSet<String> {
    statement["Action"]
        .as_array()
        .expect("Action")
        .iter()
        .map(|a| a.as_str().expect("action").to_owned())
        .collect()
}

fn sid(statement: &Value) -> &str {
    statement["Sid"].as_str().expect("Sid")
}

/// The policy moto can enforce: the same statements and actions with `Resource: "*"`, and
/// each `cloudwatch:` action also as `monitoring:`, each `tag:` one also as `tagging:` (moto
/// names an action by the request's signing name, which for CloudWatch is `monitoring` and
/// for the Resource Groups Tagging API `tagging`).
fn widened(policy: &Value, without: Option<&str>) -> String {
    let statements: Vec<Value> = statements(policy)
        .iter()
        .filter(|s| Some(sid(s)) != without)
        .map(|s| {
            let mut names: Vec<String> = actions(s).into_iter().collect();
            let aliases: Vec<String> = names
                .iter()
                .filter_map(|a| {
                    let monitoring = a.strip_prefix("cloudwatch:").map(|op| ("monitoring", op));
                    monitoring.or_else(|| a.strip_prefix("tag:").map(|op| ("tagging", op)))
                })
                .map(|(signing, op)| format!("{signing}:{op}"))
                .collect();
            names.extend(aliases);
            json!({"Sid": sid(s), "Effect": "Allow", "Action": names, "Resource": "*"})
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// The IAM action a logged `Service.Operation` call needs, `None` for one that needs no
/// permission (`sts:GetCallerIdentity`).
fn iam_action(call: &str) -> Option<String> {
    let (service, operation) = call.split_once('.').expect("Service.Operation");
    let prefix = match service {
        "ACM" => "acm",
        "CloudTrail" => "cloudtrail",
        "CloudWatch Logs" => "logs",
        "CloudWatch" => "cloudwatch",
        "EC2" => "ec2",
        "ECR" => "ecr",
        "ECS" => "ecs",
        "Elastic Load Balancing v2" => "elasticloadbalancing",
        "EventBridge" => "events",
        "IAM" => "iam",
        "KMS" => "kms",
        "RDS" => "rds",
        "S3" | "S3 Control" => "s3",
        "SNS" => "sns",
        "SQS" => "sqs",
        "Secrets Manager" => "secretsmanager",
        "WAFV2" => "wafv2",
        "Resource Groups Tagging API" => "tag",
        "STS" if operation == "GetCallerIdentity" => return None,
        other => panic!("no IAM prefix known for the service {other} ({call})"),
    };
    Some(format!("{prefix}:{}", s3_action(call).unwrap_or(operation)))
}

/// The S3 calls IAM authorizes under another action's name, and that name (AWS's
/// "Actions, resources, and condition keys for Amazon S3").
const S3_ACTIONS: &[(&str, &str)] = &[
    ("S3.HeadBucket", "ListBucket"),
    ("S3.ListBuckets", "ListAllMyBuckets"),
    ("S3.GetBucketEncryption", "GetEncryptionConfiguration"),
    ("S3.PutBucketEncryption", "PutEncryptionConfiguration"),
    (
        "S3.GetBucketLifecycleConfiguration",
        "GetLifecycleConfiguration",
    ),
    (
        "S3.PutBucketLifecycleConfiguration",
        "PutLifecycleConfiguration",
    ),
    ("S3.GetPublicAccessBlock", "GetBucketPublicAccessBlock"),
    ("S3.PutPublicAccessBlock", "PutBucketPublicAccessBlock"),
    ("S3.DeleteBucketTagging", "PutBucketTagging"),
    ("S3.ListObjectVersions", "ListBucketVersions"),
    (
        "S3 Control.GetPublicAccessBlock",
        "GetAccountPublicAccessBlock",
    ),
    (
        "S3 Control.PutPublicAccessBlock",
        "PutAccountPublicAccessBlock",
    ),
];

fn s3_action(call: &str) -> Option<&'static str> {
    S3_ACTIONS
        .iter()
        .find(|(name, _)| *name == call)
        .map(|(_, action)| *action)
}

/// The calls one afu9ctl run logged (`afu9ctl::calls`), by `Service.Operation`.
fn logged_calls(output: &Output) -> BTreeMap<String, u64> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|line| line["target"] == "afu9ctl::calls")
        .unwrap_or_else(|| panic!("no calls logged: {stderr}"));
    serde_json::from_str(line["fields"]["calls"].as_str().expect("calls")).expect("calls JSON")
}

/// A user of the emulator's account holding `policy`, and the environment to run as it.
/// The seeded demo account, and a customer-managed policy no manifest names, which looking
/// for orphans reads (the seeded account has none of its own).
async fn seed(emulator: &Emulator) {
    emulator.seed_afu9_demo();
    emulator
        .iam()
        .create_policy()
        .policy_name("someone-elses-policy")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::x"}]}"#,
        )
        .send()
        .await
        .expect("an unmanaged policy");
}

struct User {
    env: Vec<(&'static str, String)>,
}

async fn create_user(emulator: &Emulator, name: &str, policy: &str) -> User {
    let iam = emulator.iam();
    iam.create_user()
        .user_name(name)
        .send()
        .await
        .expect("create user");
    iam.put_user_policy()
        .user_name(name)
        .policy_name("afu9ctl")
        .policy_document(policy)
        .send()
        .await
        .expect("put user policy");
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .expect("access key")
        .access_key
        .expect("key");
    let mut env: Vec<(&'static str, String)> = emulator
        .env()
        .into_iter()
        .filter(|(k, _)| *k != "AWS_ACCESS_KEY_ID" && *k != "AWS_SECRET_ACCESS_KEY")
        .collect();
    env.push(("AWS_ACCESS_KEY_ID", key.access_key_id));
    env.push(("AWS_SECRET_ACCESS_KEY", key.secret_access_key));
    env.push(("RUST_LOG", "afu9ctl::calls=info".to_owned()));
    User { env }
}

/// Runs `afu9ctl ARGS --log-format json` as `user`.
fn run_as(user: &User, args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--log-format", "json"]);
    afu9ctl(&user.env, &all)
}

fn assert_granted(calls: &BTreeMap<String, u64>, policy: &Value, what: &str) {
    let granted: BTreeSet<String> = statements(policy).iter().flat_map(actions).collect();
    let missing: Vec<String> = calls
        .keys()
        .filter_map(|call| iam_action(call))
        .filter(|action| !granted.contains(action))
        .collect();
    assert!(
        missing.is_empty(),
        "{what} called, not granted: {missing:?}"
    );
}

#[tokio::test]
async fn a_user_holding_exactly_the_generated_policy_plans_and_applies_the_afu9_posture() {
    let plan_policy = generated("plan", &[]);
    let apply_policy = generated("apply", &[]);
    let emulator = Emulator::start_enforcing();
    seed(&emulator).await;
    let planner = create_user(&emulator, "afu9-plan", &widened(&plan_policy, None)).await;
    let applier = create_user(&emulator, "afu9-apply", &widened(&apply_policy, None)).await;
    emulator.enforce_iam(true);

    let plan = run_as(&planner, &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan));
    assert!(text(&plan).contains(", 0 errors."), "{}", text(&plan));
    assert_granted(&logged_calls(&plan), &plan_policy, "plan");

    // Enforcement is real: the plan policy cannot write.
    let refused = run_as(&planner, &["apply"]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("is not authorized to perform: ec2:EnableEbsEncryptionByDefault"),
        "{}",
        text(&refused)
    );

    let apply = run_as(&applier, &["apply"]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    assert!(
        text(&apply).contains("operations succeeded, 0 failed"),
        "{}",
        text(&apply)
    );
    assert_granted(&logged_calls(&apply), &apply_policy, "apply");

    let again = run_as(&planner, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(text(&again).contains("No changes."), "{}", text(&again));

    // The scoping moto cannot check: every live resource's ARN is granted by name.
    emulator.enforce_iam(false);
    let arns = live_arns(&emulator).await;
    assert!(arns.len() >= 35, "{arns:#?}");
    assert_scoped(&generated("apply", &["--account", ACCOUNT]), &arns);
}

/// The actions the AFU-9 policy grants on `*`, and why: from the Service Authorization
/// Reference, they support no resource-level permission, or the controller calls them to
/// list without naming a resource.
const ON_ANY: &[(&str, &str)] = &[
    ("acm:ListCertificates", "no resource type"),
    ("cloudtrail:DescribeTrails", "no resource type"),
    ("ec2:DescribeNetworkInterfaces", "no resource type"),
    ("ec2:DescribeRouteTables", "no resource type"),
    ("ec2:DescribeSecurityGroupRules", "no resource type"),
    ("ec2:DescribeSecurityGroups", "no resource type"),
    ("ec2:DescribeSubnets", "no resource type"),
    ("ec2:DescribeVpcs", "no resource type"),
    ("ec2:EnableEbsEncryptionByDefault", "no resource type"),
    ("ec2:GetEbsEncryptionByDefault", "no resource type"),
    ("ecr:DescribeRepositories", "lists every repository"),
    (
        "ecr:GetRegistryScanningConfiguration",
        "the registry's setting: no resource type",
    ),
    (
        "ecr:PutRegistryScanningConfiguration",
        "the registry's setting: no resource type",
    ),
    ("ecs:DescribeTaskDefinition", "no resource type"),
    ("ecs:ListClusters", "no resource type"),
    ("ecs:ListServices", "no resource type"),
    ("ecs:ListTaskDefinitions", "no resource type"),
    (
        "ecs:ListTasks",
        "no resource type: a cluster is a condition",
    ),
    ("ecs:DeregisterTaskDefinition", "no resource type"),
    ("ecs:RegisterTaskDefinition", "no resource type"),
    (
        "elasticloadbalancing:DescribeListenerAttributes",
        "no resource type",
    ),
    ("elasticloadbalancing:DescribeListeners", "no resource type"),
    (
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "no resource type",
    ),
    (
        "elasticloadbalancing:DescribeLoadBalancers",
        "no resource type",
    ),
    ("elasticloadbalancing:DescribeTags", "no resource type"),
    ("iam:GetAccountAuthorizationDetails", "no resource type"),
    ("iam:ListPolicies", "no resource type"),
    ("iam:ListRoles", "no resource type"),
    ("kms:CreateKey", "no resource type"),
    ("kms:ListAliases", "no resource type"),
    ("kms:ListKeys", "no resource type"),
    ("logs:CreateLogDelivery", "no resource type"),
    ("logs:DescribeLogGroups", "lists by name prefix"),
    ("logs:DescribeResourcePolicies", "no resource type"),
    ("logs:PutResourcePolicy", "no resource type"),
    ("rds:DescribeDBInstances", "lists by filter"),
    (
        "s3:GetAccountPublicAccessBlock",
        "the account's setting: no resource type",
    ),
    (
        "s3:PutAccountPublicAccessBlock",
        "the account's setting: no resource type",
    ),
    (
        "s3:ListAllMyBuckets",
        "lists every bucket: no resource type",
    ),
    ("secretsmanager:ListSecrets", "no resource type"),
    ("sns:ListTopics", "no resource type"),
    ("wafv2:ListWebACLs", "lists every web ACL of a scope"),
];

#[test]
fn nothing_is_granted_on_star_where_the_action_takes_a_resource() {
    // With --prune: every call the controller can make, the pruning ones included.
    let policy = generated("apply", &["--account", ACCOUNT, "--prune"]);
    let on_any: BTreeSet<String> = statements(&policy)
        .iter()
        .filter(|s| {
            s["Resource"]
                .as_array()
                .expect("Resource")
                .iter()
                .any(|r| r == "*")
        })
        .flat_map(actions)
        .collect();
    let allowed: BTreeSet<String> = ON_ANY.iter().map(|(a, _)| (*a).to_owned()).collect();
    assert_eq!(on_any, allowed);
    for statement in statements(&policy) {
        for resource in statement["Resource"].as_array().expect("Resource") {
            let resource = resource.as_str().expect("resource");
            assert!(
                resource == "*"
                    || (resource.contains(ACCOUNT) || resource.starts_with("arn:aws:s3:::")),
                "{resource} should name the account"
            );
        }
    }
}

/// The actions `statement` alone grants in `policy`: removing it denies exactly these.
fn unique_actions(policy: &Value, statement: &Value) -> BTreeSet<String> {
    let others: BTreeSet<String> = statements(policy)
        .iter()
        .filter(|s| sid(s) != sid(statement))
        .flat_map(actions)
        .collect();
    actions(statement).difference(&others).cloned().collect()
}

/// The operation an action authorizes, as afu9ctl names the call.
fn operation(action: &str) -> &str {
    let (prefix, name) = action.split_once(':').expect("prefix:Action");
    S3_ACTIONS
        .iter()
        .find(|(_, s3)| prefix == "s3" && *s3 == name)
        .and_then(|(call, _)| call.strip_prefix("S3."))
        .unwrap_or(name)
}

fn called_actions(output: &Output) -> BTreeSet<String> {
    logged_calls(output)
        .keys()
        .filter_map(|call| iam_action(call))
        .collect()
}

/// Replaces `user`'s policy with `policy`, enforcement off meanwhile.
async fn set_policy(emulator: &Emulator, user: &str, policy: &str) {
    emulator.enforce_iam(false);
    emulator
        .iam()
        .put_user_policy()
        .user_name(user)
        .policy_name("afu9ctl")
        .policy_document(policy)
        .send()
        .await
        .expect("put user policy");
    emulator.enforce_iam(true);
}

/// The removals no plan or apply of the insecure AFU-9 account can show, and why: the
/// statement's actions are all granted by another statement once moto's run widens the
/// resources to `*`, or none of its own actions is called by plan or apply.
const NOT_SHOWN: &[(&str, &str)] = &[
    (
        "IamRoleRead2",
        "per-role reads: a targeted reconcile (an event) reads one role alone; a pass reads \
         two or more in one GetAccountAuthorizationDetails",
    ),
    (
        "EcsTaskDefinitionRead2",
        "ecs:DescribeServices of every service (who runs a superseded revision) is \
         EcsClusterRead3's too",
    ),
    (
        "EcsTaskDefinitionRead3",
        "DescribeTasks runs only for a cluster that lists tasks: the emulator starts none",
    ),
    (
        "EcsClusterRead1",
        "the same EC2 Describe* as DbInstanceRead",
    ),
    (
        "EcsClusterRead3",
        "ecs:DescribeServices is EcsTaskDefinitionRead2's too",
    ),
    (
        "BucketRead2",
        "kms:DescribeKey on key/* is KmsKeyRead's too",
    ),
    (
        "LogGroupRead1",
        "logs:DescribeLogGroups is the trail's and the metric filters' read too",
    ),
    (
        "LogGroupRead2",
        "kms:DescribeKey on key/* is KmsKeyRead's too",
    ),
    (
        "CloudTrailRead3",
        "kms:DescribeKey on key/* is KmsKeyRead's too",
    ),
    (
        "CloudTrailRead4",
        "HeadBucket runs only for a trail to create or a bucket to change",
    ),
    (
        "WebAclRead2",
        "GetWebACLForResource runs only for a web ACL that exists: the seeded account has none",
    ),
    (
        "WebAclRead3",
        "a web ACL's own reads run only once it exists: the seeded account has none",
    ),
    ("KmsKeyWrite2", "kms:CreateAlias is granted on key/* too"),
    (
        "SecretWrite1",
        "lambda:InvokeFunction is checked by AWS on behalf of RotateSecret, not requested",
    ),
    (
        "SecurityGroupWrite2",
        "ec2:CreateSecurityGroup is granted on security-group/* too",
    ),
    (
        "EcsTaskDefinitionWrite2",
        "ecs:UpdateService is EcsClusterWrite3's too",
    ),
    (
        "EcsTaskDefinitionWrite3",
        "ecs:TagResource is EcsClusterWrite2's too",
    ),
    (
        "EcsTaskDefinitionWrite4",
        "iam:PassRole is checked by AWS, not requested",
    ),
    (
        "EcsClusterWrite2",
        "ecs:TagResource is EcsTaskDefinitionWrite3's too",
    ),
    (
        "EcsClusterWrite3",
        "ecs:UpdateService is EcsTaskDefinitionWrite2's too",
    ),
    (
        "CloudTrailWrite2",
        "iam:PassRole is checked by AWS, not requested",
    ),
    (
        "EventSourceListen",
        "only `afu9ctl run` receives and deletes messages; GetQueueUrl is EventSourceRead2's too",
    ),
    (
        "WebAclWrite1",
        "the logs:* actions are checked by AWS on behalf of PutLoggingConfiguration, not requested",
    ),
    (
        "WebAclWrite2",
        "elasticloadbalancing:SetWebACL is checked by AWS on behalf of AssociateWebACL; \
         wafv2:AssociateWebACL is WebAclWrite3's too",
    ),
];

#[tokio::test]
async fn removing_any_one_statement_makes_a_named_call_fail() {
    let plan_policy = generated("plan", &[]);
    let apply_policy = generated("apply", &[]);
    let emulator = Emulator::start_enforcing();
    seed(&emulator).await;
    let planner = create_user(&emulator, "afu9-plan", &widened(&plan_policy, None)).await;
    let applier = create_user(&emulator, "afu9-apply", &widened(&apply_policy, None)).await;
    emulator.enforce_iam(true);
    let plan_calls = called_actions(&run_as(&planner, &["plan"]));

    let mut not_shown: Vec<String> = Vec::new();
    let mut shown = 0;
    // Reads: each removal is one plan of the seeded (insecure) account; plans change nothing.
    for statement in statements(&plan_policy) {
        let expected: BTreeSet<String> = unique_actions(&plan_policy, statement)
            .intersection(&plan_calls)
            .cloned()
            .collect();
        if expected.is_empty() {
            not_shown.push(sid(statement).to_owned());
            continue;
        }
        set_policy(
            &emulator,
            "afu9-plan",
            &widened(&plan_policy, Some(sid(statement))),
        )
        .await;
        let plan = run_as(&planner, &["plan"]);
        let out = text(&plan);
        assert_eq!(
            plan.status.code(),
            Some(1),
            "without {}: {out}",
            sid(statement)
        );
        assert!(
            expected
                .iter()
                .any(|action| out.contains(&format!("({})", operation(action)))),
            "without {} a call of {expected:?} should fail: {out}",
            sid(statement)
        );
        shown += 1;
    }

    // Writes: each removal is one apply of a freshly reset and seeded account.
    let apply_calls = called_actions(&run_as(&applier, &["apply"]));
    let plan_sids: BTreeSet<&str> = statements(&plan_policy).iter().map(sid).collect();
    for statement in statements(&apply_policy) {
        if plan_sids.contains(sid(statement)) {
            continue;
        }
        let expected: BTreeSet<String> = unique_actions(&apply_policy, statement)
            .intersection(&apply_calls)
            .cloned()
            .collect();
        if expected.is_empty() {
            not_shown.push(sid(statement).to_owned());
            continue;
        }
        emulator.enforce_iam(false);
        emulator.reset();
        emulator.seed_afu9_demo();
        let writer = create_user(
            &emulator,
            "afu9-apply",
            &widened(&apply_policy, Some(sid(statement))),
        )
        .await;
        emulator.enforce_iam(true);
        let apply = run_as(&writer, &["apply"]);
        let out = text(&apply);
        assert_eq!(
            apply.status.code(),
            Some(1),
            "without {}: {out}",
            sid(statement)
        );
        assert!(
            out.lines().any(|line| line.starts_with('✗')
                && expected
                    .iter()
                    .any(|action| line.contains(&format!(": {}: ", operation(action))))),
            "without {} a call of {expected:?} should fail: {out}",
            sid(statement)
        );
        shown += 1;
    }

    let listed: Vec<&str> = NOT_SHOWN.iter().map(|(sid, _)| *sid).collect();
    assert_eq!(not_shown, listed, "removals no run can show");
    assert!(shown > 0);
}

/// `*` and `?` as IAM matches them in a `Resource`.
fn matches(pattern: &str, arn: &str) -> bool {
    match (pattern.chars().next(), arn.chars().next()) {
        (None, None) => true,
        (Some('*'), _) => {
            matches(&pattern[1..], arn)
                || arn
                    .chars()
                    .next()
                    .is_some_and(|c| matches(pattern, &arn[c.len_utf8()..]))
        }
        (Some(p), Some(a)) if p == '?' || p == a => {
            matches(&pattern[p.len_utf8()..], &arn[a.len_utf8()..])
        }
        _ => false,
    }
}

/// Every live ARN of the applied AFU-9 posture with one write action that acts on it.
async fn live_arns(emulator: &Emulator) -> Vec<(&'static str, String)> {
    let mut arns = Vec::new();
    identity_arns(emulator, &mut arns).await;
    compute_arns(emulator, &mut arns).await;
    audit_arns(emulator, &mut arns).await;
    edge_arns(emulator, &mut arns).await;
    arns
}

/// The repositories, roles, secrets, key aliases and keys.
async fn identity_arns(emulator: &Emulator, arns: &mut Vec<(&'static str, String)>) {
    let config = emulator.sdk_config();
    let ecr = emulator.ecr();
    for repository in ecr
        .describe_repositories()
        .send()
        .await
        .expect("repositories")
        .repositories()
    {
        arns.push((
            "ecr:PutLifecyclePolicy",
            repository.repository_arn().expect("arn").to_owned(),
        ));
    }
    let iam = emulator.iam();
    for role in ["afu9-task-role", "afu9-task-execution-role"] {
        let role = iam.get_role().role_name(role).send().await.expect("role");
        arns.push(("iam:PutRolePolicy", role.role.expect("role").arn));
    }
    for secret in emulator
        .secretsmanager()
        .list_secrets()
        .send()
        .await
        .expect("secrets")
        .secret_list()
    {
        arns.push((
            "secretsmanager:UpdateSecret",
            secret.arn().expect("arn").to_owned(),
        ));
    }
    let kms = aws_sdk_kms::Client::new(&config);
    for alias in kms.list_aliases().send().await.expect("aliases").aliases() {
        let name = alias.alias_name().unwrap_or_default();
        if !name.starts_with("alias/afu9-") {
            continue;
        }
        arns.push((
            "kms:CreateAlias",
            alias.alias_arn().expect("arn").to_owned(),
        ));
        let key = kms
            .describe_key()
            .key_id(name)
            .send()
            .await
            .expect("key")
            .key_metadata
            .expect("metadata");
        arns.push(("kms:EnableKeyRotation", key.arn().expect("arn").to_owned()));
    }
}

/// The security groups, the cluster, its service, the task definition and the database.
async fn compute_arns(emulator: &Emulator, arns: &mut Vec<(&'static str, String)>) {
    let ec2 = emulator.ec2();
    for group in ec2
        .describe_security_groups()
        .send()
        .await
        .expect("groups")
        .security_groups()
    {
        if group.group_name().is_some_and(|n| n.starts_with("afu9-")) {
            let id = group.group_id().expect("id");
            arns.push((
                "ec2:AuthorizeSecurityGroupIngress",
                format!("arn:aws:ec2:eu-central-1:{ACCOUNT}:security-group/{id}"),
            ));
        }
    }
    let ecs = emulator.ecs();
    let cluster = ecs
        .describe_clusters()
        .clusters("afu9")
        .send()
        .await
        .expect("cluster");
    arns.push((
        "ecs:UpdateCluster",
        cluster.clusters()[0].cluster_arn().expect("arn").to_owned(),
    ));
    let services = ecs
        .describe_services()
        .cluster("afu9")
        .services("afu9-control-center")
        .send()
        .await
        .expect("services");
    arns.push((
        "ecs:UpdateService",
        services.services()[0]
            .service_arn()
            .expect("arn")
            .to_owned(),
    ));
    let family = ecs
        .describe_task_definition()
        .task_definition("afu9-control-center")
        .send()
        .await
        .expect("task definition");
    arns.push((
        "ecs:TagResource",
        family
            .task_definition
            .and_then(|t| t.task_definition_arn)
            .expect("arn"),
    ));
    let rds = emulator.rds();
    let db = rds
        .describe_db_instances()
        .db_instance_identifier("afu9-database")
        .send()
        .await
        .expect("db");
    let db = &db.db_instances()[0];
    arns.push((
        "rds:ModifyDBInstance",
        db.db_instance_arn().expect("arn").to_owned(),
    ));
    for group in db.db_parameter_groups() {
        let name = group.db_parameter_group_name().expect("name");
        arns.push((
            "rds:ModifyDBParameterGroup",
            format!("arn:aws:rds:eu-central-1:{ACCOUNT}:pg:{name}"),
        ));
    }
}

/// The topic, the trail, its log group, the alarms, the rule and the queue.
async fn audit_arns(emulator: &Emulator, arns: &mut Vec<(&'static str, String)>) {
    let config = emulator.sdk_config();
    let sns = aws_sdk_sns::Client::new(&config);
    for topic in sns.list_topics().send().await.expect("topics").topics() {
        arns.push((
            "sns:SetTopicAttributes",
            topic.topic_arn().expect("arn").to_owned(),
        ));
    }
    let trails = aws_sdk_cloudtrail::Client::new(&config);
    for trail in trails
        .describe_trails()
        .send()
        .await
        .expect("trails")
        .trail_list()
    {
        arns.push((
            "cloudtrail:UpdateTrail",
            trail.trail_arn().expect("arn").to_owned(),
        ));
    }
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    for group in logs
        .describe_log_groups()
        .log_group_name_prefix("/afu9/cloudtrail")
        .send()
        .await
        .expect("log groups")
        .log_groups()
    {
        // IAM's log-group ARN ends in `:*`, as DescribeLogGroups's `arn` does on AWS.
        let arn = group.arn().expect("arn");
        let arn = if arn.ends_with(":*") {
            arn.to_owned()
        } else {
            format!("{arn}:*")
        };
        arns.push(("logs:PutMetricFilter", arn));
    }
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);
    for alarm in cloudwatch
        .describe_alarms()
        .alarm_name_prefix("afu9-")
        .send()
        .await
        .expect("alarms")
        .metric_alarms()
    {
        arns.push((
            "cloudwatch:PutMetricAlarm",
            alarm.alarm_arn().expect("arn").to_owned(),
        ));
    }
    let rule = emulator
        .events()
        .describe_rule()
        .name("afu9-posture-events")
        .send()
        .await
        .expect("rule");
    arns.push(("events:PutRule", rule.arn().expect("arn").to_owned()));
    arns.push((
        "sqs:SetQueueAttributes",
        format!("arn:aws:sqs:eu-central-1:{ACCOUNT}:afu9-posture-events"),
    ));
}

/// The load balancer and its listeners.
async fn edge_arns(emulator: &Emulator, arns: &mut Vec<(&'static str, String)>) {
    let elb = emulator.elbv2();
    let balancer = elb
        .describe_load_balancers()
        .names("afu9-alb")
        .send()
        .await
        .expect("load balancer");
    let balancer = balancer.load_balancers()[0]
        .load_balancer_arn()
        .expect("arn")
        .to_owned();
    for listener in elb
        .describe_listeners()
        .load_balancer_arn(&balancer)
        .send()
        .await
        .expect("listeners")
        .listeners()
    {
        arns.push((
            "elasticloadbalancing:ModifyListener",
            listener.listener_arn().expect("arn").to_owned(),
        ));
    }
    arns.push((
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        balancer,
    ));
}

/// Asserts that each ARN is in the `Resource` of a statement granting its action.
fn assert_scoped(policy: &Value, arns: &[(&'static str, String)]) {
    for (action, arn) in arns {
        let granted = statements(policy).iter().any(|s| {
            actions(s).contains(*action)
                && s["Resource"]
                    .as_array()
                    .expect("Resource")
                    .iter()
                    .any(|r| r != "*" && matches(r.as_str().expect("resource"), arn))
        });
        assert!(
            granted,
            "{action} on {arn} is not granted by an ARN-scoped statement"
        );
    }
}

#[test]
fn the_resource_matcher_reads_wildcards_as_iam_does() {
    let secret = "arn:aws:secretsmanager:eu-central-1:1:secret:afu9/llm-??????";
    assert!(matches(
        secret,
        "arn:aws:secretsmanager:eu-central-1:1:secret:afu9/llm-AbC123"
    ));
    assert!(!matches(
        secret,
        "arn:aws:secretsmanager:eu-central-1:1:secret:afu9/llm-AbC12"
    ));
    assert!(!matches(
        secret,
        "arn:aws:secretsmanager:eu-central-1:2:secret:afu9/llm-AbC123"
    ));
    let balancer = "arn:aws:elasticloadbalancing:*:1:loadbalancer/app/afu9-alb/*";
    assert!(matches(
        balancer,
        "arn:aws:elasticloadbalancing:eu-central-1:1:loadbalancer/app/afu9-alb/50dc6c495c0c9188"
    ));
    assert!(!matches(
        balancer,
        "arn:aws:elasticloadbalancing:eu-central-1:1:loadbalancer/app/other/50dc"
    ));
}

/// What the pruning proof applies first, and what is left of it: the rest are orphans.
const BEFORE_PRUNE: &str = r#"
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/keep}
spec: {scanOnPush: true}
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/old}
spec: {scanOnPush: true}
---
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {name: afu9-old-role}
spec:
  trustPolicy: {service: ecs-tasks.amazonaws.com}
  inlinePolicies:
    logs:
      Version: "2012-10-17"
      Statement:
        - {Effect: Allow, Action: logs:CreateLogStream, Resource: "arn:aws:logs:*:*:log-group:/afu9/*"}
---
apiVersion: posture.afu9.io/v1alpha1
kind: Secret
metadata: {name: afu9/old-secret}
spec: {create: true}
---
apiVersion: posture.afu9.io/v1alpha1
kind: SnsTopic
metadata: {name: afu9-old-topic}
spec: {kmsKey: alias/aws/sns}
"#;

/// Applies [`BEFORE_PRUNE`] (as the test credentials, before enforcement) and returns the
/// directory of what is left of it, its first manifest: the other four are orphans there.
fn applied_then_cut(emulator: &Emulator, name: &str) -> String {
    let before = manifests_dir(&format!("{name}-before"), BEFORE_PRUNE);
    let setup = afu9ctl(&emulator.env(), &["apply", "-f", &before.to_string_lossy()]);
    assert_eq!(setup.status.code(), Some(0), "{}", text(&setup));
    let keep = BEFORE_PRUNE
        .split("---")
        .next()
        .expect("the first manifest");
    manifests_dir(&format!("{name}-after"), keep)
        .to_string_lossy()
        .into_owned()
}

#[tokio::test]
async fn a_user_holding_exactly_the_generated_prune_policy_prunes_and_one_without_it_cannot() {
    let emulator = Emulator::start_enforcing();
    let after = applied_then_cut(&emulator, "perm");
    let without = generated("apply", &["-f", &after]);
    let with = generated("apply", &["-f", &after, "--prune"]);
    let keeper = create_user(&emulator, "afu9-apply", &widened(&without, None)).await;
    let pruner = create_user(&emulator, "afu9-prune", &widened(&with, None)).await;
    emulator.enforce_iam(true);

    // The apply policy finds the orphans.
    let plan = run_as(&keeper, &["plan", "-f", &after, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    assert!(
        text(&plan).contains("Orphans: 0 to delete, 4 left alone"),
        "{}",
        text(&plan)
    );
    let refused = run_as(
        &keeper,
        &["apply", "-f", &after, "--prune", "--allow-deletions", "4"],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    // Without the pruning grants, the protections cannot be read (so those orphans are not
    // deleted blind) and the deleting calls are refused.
    for refusal in [
        "cannot look for images in ecr repository afu9/old (ListImages)",
        "cannot list ecs task definitions (ListTaskDefinitions)",
        "Apply complete: 0 operations succeeded",
    ] {
        assert!(text(&refused).contains(refusal), "{}", text(&refused));
    }

    let deleting = run_as(
        &pruner,
        &["apply", "-f", &after, "--prune", "--allow-deletions", "4"],
    );
    assert_eq!(deleting.status.code(), Some(0), "{}", text(&deleting));
    assert!(
        text(&deleting).contains("operations succeeded, 0 failed"),
        "{}",
        text(&deleting)
    );
    assert_granted(&logged_calls(&deleting), &with, "apply --prune");
    let again = run_as(
        &pruner,
        &["plan", "-f", &after, "--prune", "--detailed-exitcode"],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(!text(&again).contains("Orphans:"), "{}", text(&again));
}

/// Without the census's grant (its one statement removed), a whole plan still finds every
/// orphan: the census cannot be read, each kind lists its own as it would without one, and
/// the log says why.
#[tokio::test]
async fn without_the_census_grant_each_kind_lists_its_own_orphans() {
    let emulator = Emulator::start_enforcing();
    let after = applied_then_cut(&emulator, "census");
    let policy = generated("plan", &["-f", &after]);
    assert!(
        statements(&policy).iter().any(|s| sid(s) == "CensusRead"),
        "{policy}"
    );
    let mut planner = create_user(
        &emulator,
        "afu9-no-census",
        &widened(&policy, Some("CensusRead")),
    )
    .await;
    planner.env.retain(|(key, _)| *key != "RUST_LOG");
    planner
        .env
        .push(("RUST_LOG", "warn,afu9ctl::calls=info".to_owned()));
    emulator.enforce_iam(true);

    let plan = run_as(&planner, &["plan", "-f", &after, "--detailed-exitcode"]);
    let out = text(&plan);
    assert_eq!(plan.status.code(), Some(0), "{out}");
    for said in [
        "cannot read the census of owned resources",
        "SnsTopic afu9-old-topic: orphaned",
        "Orphans: 0 to delete, 4 left alone",
    ] {
        assert!(out.contains(said), "{said}: {out}");
    }
    assert_eq!(logged_calls(&plan).get("SNS.ListTopics"), Some(&1), "{out}");
}
