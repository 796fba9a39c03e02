//! `afu9ctl import` round trips against moto: the AFU-9 account after apply, the insecure
//! seeded account before it, and postures generated from fixed seeds, applied and drifted out
//! of band, imported and planned again show no change.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use afu9_e2e::{ACCOUNT_ID, Emulator, REGION, repo_root};
use afu9_spec::ecr::TagMutability;
use afu9_spec::ecs::ALL_CONTAINERS;
use afu9_spec::iam::IamPolicySpec;
use afu9_spec::security_group::{PeerSpec, SecurityGroupSpec};
use afu9_spec::{DesiredState, Resource, load_paths};
use aws_sdk_ec2::types::{Filter, IpPermission, IpRange, Tag};
use aws_sdk_ecs::types::{ContainerDefinition, LogConfiguration, LogDriver};
use serde_json::{Value, json};

/// The kinds `import` covers: every kind (a kind registered without `.imports()` fails with an
/// error naming it).
const COVERED: &[&str] = afu9_spec::KINDS;

fn afu9ctl(env: &[(&'static str, String)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .current_dir(repo_root())
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .args(args)
        .output()
        .expect("cannot run afu9ctl")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afu9-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Imports `kinds` into `dir` and returns the imported manifests' text.
fn import_kinds(emulator: &Emulator, dir: &Path, kinds: &[&str]) -> String {
    let shown = dir.to_string_lossy().into_owned();
    let mut args = vec!["import", "-o", &shown];
    args.extend(kinds);
    let output = afu9ctl(&emulator.env(), &args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    eprintln!("{}", text(&output.stdout).trim());
    let mut all = String::new();
    for entry in std::fs::read_dir(dir).expect("the output directory") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let file = std::fs::read_to_string(&path).expect("readable");
            assert!(
                file.starts_with("# yaml-language-server: $schema=./schema.json\n"),
                "{}",
                path.display()
            );
            all.push_str(&file);
        }
    }
    for kind in kinds {
        assert!(
            all.contains(&format!("kind: {kind}\n")),
            "no {kind} imported:\n{all}"
        );
    }
    all
}

/// `plan` on the imported manifests: every resource is in sync but for the ownership tag of
/// the ones imported with `adopt: true` (adopting a resource is tagging it) and, when
/// `kinds_added` (the import holds a kind the applied desired state did not), the event
/// source's rule, which must then listen for more write events; once `apply` has made only
/// those calls, `plan --detailed-exitcode` exits 0.
fn assert_round_trip(emulator: &Emulator, dir: &Path, imported: &str, kinds_added: bool) {
    let shown = dir.to_string_lossy().into_owned();
    let plan = afu9ctl(&emulator.env(), &["plan", "-f", &shown, "-o", "json"]);
    let stdout = text(&plan.stdout);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&plan.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON plan");
    let (orphans, resources): (Vec<&serde_json::Value>, Vec<&serde_json::Value>) =
        json["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .partition(|r| r["orphan"] == true);
    // What was left out of the import (a refused kind) is no manifest's: an orphan, and
    // only that.
    for orphan in &orphans {
        let kind = orphan["kind"].as_str().unwrap_or_default();
        assert!(
            !imported.contains(&format!("kind: {kind}\n")),
            "an imported kind has an orphan: {orphan}"
        );
    }
    assert_eq!(
        resources.len(),
        imported.matches("\nkind: ").count() + usize::from(imported.starts_with("kind: ")),
        "{stdout}"
    );
    let mut widened = 0;
    for resource in resources {
        if kinds_added && is_widened_rule(resource) {
            widened += 1;
            continue;
        }
        let paths: Vec<&str> = resource["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["path"].as_str())
            .collect();
        let calls: Vec<&str> = resource["operations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .collect();
        assert!(
            resource["action"] == "noop"
                || (paths == ["spec.tags.managed-by"] && calls.len() == 1 && is_tag_call(calls[0])),
            "only an adopted resource's ownership tag may differ: {resource}"
        );
    }
    assert_eq!(
        widened,
        usize::from(kinds_added),
        "the event source's rule widens exactly when a kind was added: {stdout}"
    );
    let apply = afu9ctl(&emulator.env(), &["apply", "-f", &shown]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply.stdout));
    let again = afu9ctl(
        &emulator.env(),
        &["plan", "-f", &shown, "--detailed-exitcode"],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
}

/// Whether `resource` is an event source whose one change is its rule's pattern listening for
/// more sources and write events than it does, every one it listens for kept, by `PutRule`.
fn is_widened_rule(resource: &Value) -> bool {
    let [change] = resource["changes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    else {
        return false;
    };
    let listened = |side: &str, field: &str| -> BTreeSet<&str> {
        change[side]
            .pointer(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect()
    };
    let sources = (listened("before", "/source"), listened("after", "/source"));
    let events = (
        listened("before", "/detail/eventName"),
        listened("after", "/detail/eventName"),
    );
    resource["kind"] == "EventSource"
        && change["path"] == "rule.eventPattern"
        && resource["operations"] == json!(["PutRule"])
        && sources.0.is_subset(&sources.1)
        && events.0.is_subset(&events.1)
        && events.0.len() < events.1.len()
}

/// Whether `call` only tags a resource: `Tag…` (`TagResource`, `TagRole`), or EC2's
/// `CreateTags`.
fn is_tag_call(call: &str) -> bool {
    call.starts_with("Tag") || call == "CreateTags"
}

/// A customer-managed policy on a path, attached to the task role (the AFU-9 posture has
/// none): its import is an `IamPolicy`, and the role names it by its manifest name.
async fn attach_customer_policy(emulator: &Emulator) {
    let iam = emulator.iam();
    let policy = iam
        .create_policy()
        .policy_name("afu9-read-artifacts")
        .path("/afu9/")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::afu9-artifacts/*"}]}"#,
        )
        .send()
        .await
        .expect("create policy");
    let arn = policy.policy.and_then(|p| p.arn).expect("policy ARN");
    iam.attach_role_policy()
        .role_name("afu9-task-role")
        .policy_arn(arn)
        .send()
        .await
        .expect("attach policy");
}

#[tokio::test]
async fn the_applied_afu9_account_imports_in_sync_for_every_covered_kind() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();
    let apply = afu9ctl(&emulator.env(), &["apply"]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply.stdout));
    // Every kind in one directory: the account holds the kinds of `desired-state/` (no
    // customer-managed policy), which the event source's rule was built for.
    let whole = scratch("applied-whole");
    let state = import_kinds(&emulator, &whole, &[]);
    for kind in COVERED.iter().filter(|kind| **kind != "IamPolicy") {
        assert!(
            state.contains(&format!("kind: {kind}\n")),
            "no {kind}: {state}"
        );
    }
    assert!(!state.contains("kind: IamPolicy\n"), "{state}");
    assert_round_trip(&emulator, &whole, &state, false);
    let _ = std::fs::remove_dir_all(&whole);
    attach_customer_policy(&emulator).await;
    let dir = scratch("applied");
    let imported = import_kinds(&emulator, &dir, COVERED);
    assert!(
        imported.contains("- afu9-read-artifacts\n"),
        "the role names the imported policy: {imported}"
    );
    assert!(
        imported.contains("name: afu9-postgres16\n    family: postgres16\n    requireTls: true\n"),
        "the database's parameter group is imported with TLS on: {imported}"
    );
    assert!(
        imported.contains("redirect:\n      port: 443\n")
            && imported.contains("sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06\n")
            && imported.contains(":certificate/"),
        "the load balancer's listeners are imported with the redirect, the TLS policy and the \
         certificate's ARN: {imported}"
    );
    assert!(
        imported.contains("      securityGroup: afu9-ecs\n")
            && imported.contains("      securityGroup: afu9-alb\n"),
        "groups name their peers by manifest name, one imported after them too: {imported}"
    );
    assert!(
        imported.contains("  taskRole: afu9-task-role\n")
            && imported.contains("  secretsFrom:\n  - afu9/database\n"),
        "the task definition names its role and secret by manifest name: {imported}"
    );
    assert_round_trip(&emulator, &dir, &imported, true);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The covered kinds whose guardrails the seeded account's live state breaks, and the rule
/// `validate` names: the import states the live state as it is, and a guardrail it breaks
/// without an exception (SSH from anywhere takes none) refuses it.
const REFUSED: &[(&str, &str)] = &[
    ("Bucket", "AFU9-S3-002"),
    ("DbInstance", "AFU9-RDS-001"),
    ("EcsCluster", "AFU9-CLUSTER-001"),
    ("EcsTaskDefinition", "AFU9-ECS-004"),
    ("KmsKey", "AFU9-KMS-002"),
    ("LoadBalancer", "AFU9-ELB-001"),
    ("Posture", "AFU9-POSTURE-004"),
    ("SecurityGroup", "AFU9-SG-010"),
    ("SnsTopic", "AFU9-SNS-001"),
];

/// The covered kinds the seeded account has no resource of (`apply` creates them): the
/// seed makes the trail's bucket, log group and role, not the trail, the filters or the alarms,
/// no event source, and leaves the ALB without a web ACL.
const NOT_SEEDED: &[&str] = &[
    "CloudTrail",
    "EventSource",
    "LogMetricFilter",
    "MetricAlarm",
    "WebAcl",
];

#[tokio::test]
async fn the_insecure_seeded_account_imports_its_drifted_state_in_sync() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();
    attach_customer_policy(&emulator).await;
    let dir = scratch("seeded");
    let passing: Vec<&str> = COVERED
        .iter()
        .copied()
        .filter(|kind| REFUSED.iter().all(|(refused, _)| refused != kind))
        .filter(|kind| !NOT_SEEDED.contains(kind))
        .collect();
    let imported = import_kinds(&emulator, &dir, &passing);
    assert!(imported.contains("adopt: true"), "{imported}");
    assert!(
        imported.contains("AdministratorAccess") && imported.contains("tagMutability: MUTABLE"),
        "the drifted role and repository are imported as they are: {imported}"
    );
    assert_round_trip(&emulator, &dir, &imported, false);
    for (kind, rule) in REFUSED {
        let refused = scratch(&format!("refused-{kind}"));
        import_kinds(&emulator, &refused, &[kind]);
        let shown = refused.to_string_lossy().into_owned();
        let validate = afu9ctl(&emulator.env(), &["validate", "-f", &shown]);
        let stderr = text(&validate.stderr);
        assert_eq!(validate.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(&format!("[{rule}]")), "{kind}: {stderr}");
        let _ = std::fs::remove_dir_all(&refused);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_kind_imports_and_an_empty_account_imports_without_error() {
    let emulator = Emulator::start();
    let dir = scratch("all");
    let shown = dir.to_string_lossy().into_owned();
    let output = afu9ctl(&emulator.env(), &["import", "-o", &shown]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error:"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `Name` tag of the VPC the generated security groups live in.
const GENERATED_VPC: &str = "gen-vpc";

/// The kinds a generated posture holds, all of them imported.
const GENERATED_KINDS: &[&str] = &[
    "EcrRepository",
    "EcsTaskDefinition",
    "IamPolicy",
    "IamRole",
    "SecurityGroup",
    "Secret",
    "SnsTopic",
];

/// Read actions a generated statement may allow on `Resource: "*"`.
const READS: &[&str] = &[
    "ec2:DescribeInstances",
    "ecs:ListTasks",
    "ecr:DescribeRepositories",
    "cloudwatch:GetMetricData",
    "logs:DescribeLogGroups",
    "sns:ListTopics",
];

/// Actions a generated statement allows on one resource, `{n}` a random number.
const SCOPED: &[(&str, &str)] = &[
    ("s3:PutObject", "arn:aws:s3:::gen-bucket-{n}/*"),
    ("sqs:SendMessage", "arn:aws:sqs:*:*:gen-queue-{n}"),
    ("logs:PutLogEvents", "arn:aws:logs:*:*:log-group:/gen/{n}*"),
    (
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:*:*:secret:gen/secret-{n}*",
    ),
];

/// AWS managed policies a generated role may have attached.
const AWS_MANAGED: &[&str] = &[
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
];

/// The services a generated role may trust.
const SERVICES: &[&str] = &["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"];

/// The maximum session durations a generated role may have, in seconds.
const SESSIONS: &[i32] = &[3600, 7200, 43200];

/// The users a generated task-definition contract asks for.
const USERS: &[&str] = &["1001", "1001:1001", "2000"];

/// The task-definition family of a generated posture.
const GENERATED_FAMILY: &str = "gen-app";

/// The CIDR block of the rule added out of band; no generated rule uses it.
const DRIFT_CIDR: &str = "198.51.100.0/24";

/// One manifest as YAML: JSON is YAML's flow style, so no value needs escaping.
fn manifest(kind: &str, name: &str, spec: &Value) -> String {
    format!(
        "apiVersion: posture.afu9.io/v1alpha1\nkind: {kind}\nmetadata: {{name: {}}}\nspec: {spec}\n",
        Value::from(name)
    )
}

/// A random policy document that keeps the IAM guardrails: reads on `"*"`, everything else
/// on one resource.
fn policy_document(rng: &mut fastrand::Rng) -> Value {
    let statements: Vec<Value> = (0..rng.usize(1..=3))
        .map(|k| {
            if rng.bool() {
                let mut reads = READS.to_vec();
                rng.shuffle(&mut reads);
                reads.truncate(rng.usize(1..=3));
                let action = if reads.len() == 1 {
                    json!(reads[0])
                } else {
                    json!(reads)
                };
                json!({"Sid": format!("Read{k}"), "Effect": "Allow", "Action": action, "Resource": "*"})
            } else {
                let (action, resource) = SCOPED[rng.usize(..SCOPED.len())];
                let resource = resource.replace("{n}", &rng.u32(0..100).to_string());
                json!({"Sid": format!("Scoped{k}"), "Effect": "Allow", "Action": action, "Resource": resource})
            }
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// A random port (`443`) or port range (`1024-1030`) for a TCP or UDP rule.
fn random_ports(rng: &mut fastrand::Rng) -> Value {
    const PORTS: &[u16] = &[22, 53, 443, 3000, 5432, 8080];
    if rng.bool() {
        json!(PORTS[rng.usize(..PORTS.len())])
    } else {
        let from = rng.u16(1024..9000);
        json!(format!("{from}-{}", from + rng.u16(1..100)))
    }
}

/// Random rules of the group `own` of `groups`, none a duplicate and none open to the
/// internet but HTTP and HTTPS: peers among the groups (its ingress always names the next
/// group in the ring, so every group is named by another, and group 0 names itself), private
/// CIDR blocks, and for egress anywhere.
fn random_rules(rng: &mut fastrand::Rng, groups: &[String], own: usize, ingress: bool) -> Value {
    let named: Vec<usize> = match (ingress, own) {
        (false, _) => Vec::new(),
        (true, 0) => vec![1 % groups.len(), 0],
        (true, _) => vec![(own + 1) % groups.len()],
    };
    let mut seen = BTreeSet::new();
    let mut rules = Vec::new();
    for k in 0..named.len() + rng.usize(0..=4) {
        let protocol = if rng.bool() { "tcp" } else { "udp" };
        let group = named
            .get(k)
            .copied()
            .or_else(|| rng.bool().then(|| rng.usize(..groups.len())));
        let (protocol, ports, peer) = match group {
            Some(group) => (
                protocol,
                random_ports(rng),
                json!({"securityGroup": groups[group]}),
            ),
            None if rng.usize(0..3) == 0 => {
                let ports = if ingress {
                    json!(if rng.bool() { 443 } else { 80 })
                } else {
                    random_ports(rng)
                };
                ("tcp", ports, json!({"cidr": "0.0.0.0/0"}))
            }
            None => {
                let cidr = match rng.usize(0..3) {
                    0 => format!("10.{}.0.0/16", rng.u8(..)),
                    1 => format!("192.168.{}.0/24", rng.u8(..)),
                    _ => "172.16.0.0/12".to_owned(),
                };
                (protocol, random_ports(rng), json!({"cidr": cidr}))
            }
        };
        if !seen.insert(format!("{protocol} {ports} {peer}")) {
            continue;
        }
        let mut rule = json!({"protocol": protocol, "ports": ports});
        rule[if ingress { "from" } else { "to" }] = peer;
        if rng.bool() {
            rule["description"] = json!(format!("generated rule {k}"));
        }
        rules.push(rule);
    }
    Value::Array(rules)
}

/// A random posture of `rng`'s choosing, every manifest valid, guardrails included: ECR
/// repositories, IAM policies, roles with inline policies and attachments of those policies
/// (role 0 always one), security groups of the VPC [`GENERATED_VPC`] naming each other and
/// themselves, secrets afu9-posture creates, a task-definition contract for
/// [`GENERATED_FAMILY`] naming random generated roles, topics under the AWS managed key. Returns the
/// manifests' YAML and how many there are.
fn generate_posture(rng: &mut fastrand::Rng) -> (String, usize) {
    let mut manifests = Vec::new();
    for i in 0..rng.usize(4..=7) {
        let mutability = if rng.bool() { "IMMUTABLE" } else { "MUTABLE" };
        let mut spec = json!({"scanOnPush": rng.bool(), "tagMutability": mutability});
        if rng.bool() {
            spec["encryption"] = json!({"type": "AES256"});
        }
        if rng.bool() {
            spec["lifecyclePolicy"] = json!({"keepLast": rng.u32(1..=50)});
        }
        manifests.push(manifest("EcrRepository", &format!("gen/repo-{i}"), &spec));
    }
    let policies: Vec<String> = (0..rng.usize(3..=5))
        .map(|i| format!("gen-policy-{i}"))
        .collect();
    for name in &policies {
        let mut spec =
            json!({"description": format!("generated {name}"), "document": policy_document(rng)});
        if rng.bool() {
            spec["path"] = json!("/gen/");
        }
        manifests.push(manifest("IamPolicy", name, &spec));
    }
    let roles = rng.usize(3..=5);
    for i in 0..roles {
        let mut attached: Vec<String> = policies.iter().filter(|_| rng.bool()).cloned().collect();
        if i == 0 && attached.is_empty() {
            attached.push(policies[rng.usize(..policies.len())].clone());
        }
        attached.extend(
            AWS_MANAGED
                .iter()
                .filter(|_| rng.bool())
                .map(|arn| (*arn).to_owned()),
        );
        let inline: serde_json::Map<String, Value> = (0..rng.usize(0..=2))
            .map(|k| (format!("inline-{k}"), policy_document(rng)))
            .collect();
        let spec = json!({
            "description": format!("generated role {i}"),
            "trustPolicy": {"service": SERVICES[rng.usize(..SERVICES.len())]},
            "managedPolicies": attached,
            "inlinePolicies": inline,
            "maxSessionDuration": SESSIONS[rng.usize(..SESSIONS.len())],
        });
        manifests.push(manifest("IamRole", &format!("gen-role-{i}"), &spec));
    }
    let groups: Vec<String> = (0..rng.usize(4..=7))
        .map(|i| format!("gen-sg-{i}"))
        .collect();
    for (own, name) in groups.iter().enumerate() {
        let spec = json!({
            "vpc": {"tags": {"Name": GENERATED_VPC}},
            "description": format!("generated group {own}"),
            "ingress": random_rules(rng, &groups, own, true),
            "egress": random_rules(rng, &groups, own, false),
        });
        manifests.push(manifest("SecurityGroup", name, &spec));
    }
    for i in 0..rng.usize(2..=4) {
        let spec = json!({"create": true, "description": format!("generated secret {i}")});
        manifests.push(manifest("Secret", &format!("gen/secret-{i}"), &spec));
    }
    let contract = json!({
        "user": USERS[rng.usize(..USERS.len())],
        "readonlyRootFilesystem": rng.bool(),
        "privileged": false,
        "requireLimits": true,
        "cpu": 256,
        "memory": 512,
    });
    let mut spec = json!({
        "taskRole": format!("gen-role-{}", rng.usize(..roles)),
        "logGroup": format!("/gen/{GENERATED_FAMILY}"),
        "containers": {"*": contract},
    });
    if rng.bool() {
        spec["executionRole"] = json!(format!("gen-role-{}", rng.usize(..roles)));
    }
    manifests.push(manifest("EcsTaskDefinition", GENERATED_FAMILY, &spec));
    for i in 0..rng.usize(2..=4) {
        let mut spec = json!({"kmsKey": "alias/aws/sns"});
        if rng.bool() {
            spec["displayName"] = json!(format!("Generated topic {i}"));
        }
        manifests.push(manifest("SnsTopic", &format!("gen-topic-{i}"), &spec));
    }
    (manifests.join("---\n"), manifests.len())
}

/// Registers a random first revision of [`GENERATED_FAMILY`], as a deployment would: one to
/// three containers, each with or without a user (root), a read-only root filesystem,
/// privileged mode, limits and logs, so that the contract has something to fix or not.
async fn register_generated_family(emulator: &Emulator, rng: &mut fastrand::Rng) {
    let containers: Vec<ContainerDefinition> = (0..rng.usize(1..=3))
        .map(|k| {
            let logs = rng.bool().then(|| {
                LogConfiguration::builder()
                    .log_driver(LogDriver::Awslogs)
                    .options("awslogs-group", format!("/gen/{GENERATED_FAMILY}"))
                    .options("awslogs-region", REGION)
                    .options("awslogs-stream-prefix", GENERATED_FAMILY)
                    .build()
                    .expect("a log configuration")
            });
            // ECS wants one of `memory` (the hard limit the contract requires) and
            // `memoryReservation`.
            let memory = rng.bool().then_some(256);
            ContainerDefinition::builder()
                .name(format!("app-{k}"))
                .image(format!("gen/app-{k}:1"))
                .set_user(
                    rng.bool()
                        .then(|| USERS[rng.usize(..USERS.len())].to_owned()),
                )
                .set_readonly_root_filesystem(rng.bool().then(|| rng.bool()))
                .set_privileged(rng.bool().then(|| rng.bool()))
                .set_cpu(rng.bool().then_some(128))
                .set_memory(memory)
                .set_memory_reservation(memory.is_none().then_some(128))
                .set_log_configuration(logs)
                .build()
        })
        .collect();
    emulator
        .ecs()
        .register_task_definition()
        .family(GENERATED_FAMILY)
        .set_container_definitions(Some(containers))
        .send()
        .await
        .expect("register the family's first revision");
}

/// The changes made out of band to an applied generated posture before its import.
struct Drift {
    /// The repository whose tag mutability was flipped, and the live mutability now.
    repository: (String, TagMutability),
    /// The group given an ingress rule from [`DRIFT_CIDR`].
    group: String,
    /// The role, and the generated policy detached from it.
    detached: (String, String),
}

/// Changes the live state of the applied posture `generated` through the SDK: flips a random
/// repository's tag mutability, adds a rule to a random group, detaches a generated policy
/// from a random role it is attached to.
async fn inject_drift(
    emulator: &Emulator,
    rng: &mut fastrand::Rng,
    generated: &DesiredState,
) -> Drift {
    let repository = &generated.ecr_repositories[rng.usize(..generated.ecr_repositories.len())];
    let flipped = match repository.spec.tag_mutability {
        Some(TagMutability::Immutable) => TagMutability::Mutable,
        _ => TagMutability::Immutable,
    };
    emulator
        .ecr()
        .put_image_tag_mutability()
        .repository_name(repository.name())
        .image_tag_mutability(flipped.as_str().into())
        .send()
        .await
        .expect("flip the tag mutability");
    let group = &generated.security_groups[rng.usize(..generated.security_groups.len())];
    let ec2 = emulator.ec2();
    let id = ec2
        .describe_security_groups()
        .filters(
            Filter::builder()
                .name("group-name")
                .values(group.name())
                .build(),
        )
        .send()
        .await
        .expect("describe the group")
        .security_groups
        .unwrap_or_default()
        .into_iter()
        .find_map(|g| g.group_id)
        .expect("the group's id");
    ec2.authorize_security_group_ingress()
        .group_id(id)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(8443)
                .to_port(8443)
                .ip_ranges(IpRange::builder().cidr_ip(DRIFT_CIDR).build())
                .build(),
        )
        .send()
        .await
        .expect("add an ingress rule");
    let attachments: Vec<(&str, &Resource<IamPolicySpec>)> = generated
        .iam_roles
        .iter()
        .flat_map(|role| {
            generated
                .iam_policies
                .iter()
                .filter(|policy| {
                    role.spec
                        .managed_policies
                        .iter()
                        .any(|p| p == policy.name())
                })
                .map(move |policy| (role.name(), policy))
        })
        .collect();
    let (role, policy) = attachments[rng.usize(..attachments.len())];
    let path = policy.spec.path.as_deref().unwrap_or("/");
    emulator
        .iam()
        .detach_role_policy()
        .role_name(role)
        .policy_arn(format!(
            "arn:aws:iam::{ACCOUNT_ID}:policy{path}{}",
            policy.name()
        ))
        .send()
        .await
        .expect("detach the policy");
    Drift {
        repository: (repository.name().to_owned(), flipped),
        group: group.name().to_owned(),
        detached: (role.to_owned(), policy.name().to_owned()),
    }
}

/// The resource named `name` of `resources`.
fn named<'a, S>(resources: &'a [Resource<S>], name: &str) -> &'a Resource<S> {
    resources
        .iter()
        .find(|r| r.name() == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

/// The names of `resources`.
fn names<S>(resources: &[Resource<S>]) -> BTreeSet<&str> {
    resources.iter().map(Resource::name).collect()
}

/// The groups `group`'s rules name by manifest name.
fn group_peers(group: &Resource<SecurityGroupSpec>) -> BTreeSet<&str> {
    group
        .spec
        .ingress
        .iter()
        .filter_map(|rule| rule.from.as_ref())
        .chain(group.spec.egress.iter().filter_map(|rule| rule.to.as_ref()))
        .filter_map(|peer| match peer {
            PeerSpec::SecurityGroup(name) => Some(name.as_str()),
            _ => None,
        })
        .collect()
}

impl Drift {
    /// The import states the drifted live values, where they differ from `generated`'s.
    fn assert_imported(&self, generated: &DesiredState, imported: &DesiredState) {
        let (repository, mutability) = &self.repository;
        assert_ne!(
            named(&generated.ecr_repositories, repository)
                .spec
                .tag_mutability,
            Some(*mutability)
        );
        assert_eq!(
            named(&imported.ecr_repositories, repository)
                .spec
                .tag_mutability,
            Some(*mutability),
            "{repository}'s live tag mutability"
        );
        let from_drift = |group: &Resource<SecurityGroupSpec>| {
            group
                .spec
                .ingress
                .iter()
                .any(|rule| rule.from == Some(PeerSpec::Cidr(DRIFT_CIDR.to_owned())))
        };
        assert!(!from_drift(named(&generated.security_groups, &self.group)));
        assert!(
            from_drift(named(&imported.security_groups, &self.group)),
            "{}'s added rule: {:?}",
            self.group,
            named(&imported.security_groups, &self.group).spec.ingress
        );
        let (role, policy) = &self.detached;
        let attached = |state: &DesiredState| {
            named(&state.iam_roles, role)
                .spec
                .managed_policies
                .contains(policy)
        };
        assert!(attached(generated));
        assert!(!attached(imported), "{policy} is detached from {role}");
    }
}

/// Creates the VPC tagged `Name:` [`GENERATED_VPC`].
async fn create_generated_vpc(ec2: &aws_sdk_ec2::Client) {
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.77.0.0/16")
        .send()
        .await
        .expect("create the VPC")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("the VPC's id");
    ec2.create_tags()
        .resources(vpc)
        .tags(Tag::builder().key("Name").value(GENERATED_VPC).build())
        .send()
        .await
        .expect("tag the VPC");
}

/// Generates the posture of `seed`, applies it, drifts it out of band, imports it into a
/// fresh directory and asserts the import states the drift and round trips.
async fn round_trip_generated(emulator: &Emulator, seed: u64) {
    eprintln!("generated posture, seed {seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    create_generated_vpc(&emulator.ec2()).await;
    let (yaml, count) = generate_posture(&mut rng);
    let source = scratch(&format!("generated-{seed}"));
    std::fs::create_dir_all(&source).expect("a scratch directory");
    std::fs::write(source.join("generated.yaml"), &yaml).expect("written");
    register_generated_family(emulator, &mut rng).await;
    let shown = source.to_string_lossy().into_owned();
    for args in [
        &["validate", "-f", &shown][..],
        &["apply", "-f", &shown],
        &["plan", "-f", &shown, "--detailed-exitcode"],
    ] {
        let output = afu9ctl(&emulator.env(), args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "seed {seed}, {args:?}:\n{}\n{}\n{yaml}",
            text(&output.stdout),
            text(&output.stderr)
        );
    }
    let generated = load_paths(std::slice::from_ref(&source)).expect("the generated posture loads");
    let drift = inject_drift(emulator, &mut rng, &generated).await;
    let dir = scratch(&format!("generated-{seed}-imported"));
    let started = Instant::now();
    let imported_text = import_kinds(emulator, &dir, GENERATED_KINDS);
    eprintln!(
        "seed {seed}: {count} resources generated, imported in {:?}",
        started.elapsed()
    );
    let imported = load_paths(std::slice::from_ref(&dir)).expect("the import loads");
    for (kind, want, have) in [
        (
            "EcrRepository",
            names(&generated.ecr_repositories),
            names(&imported.ecr_repositories),
        ),
        (
            "IamPolicy",
            names(&generated.iam_policies),
            names(&imported.iam_policies),
        ),
        (
            "IamRole",
            names(&generated.iam_roles),
            names(&imported.iam_roles),
        ),
        (
            "SecurityGroup",
            names(&generated.security_groups),
            names(&imported.security_groups),
        ),
        (
            "Secret",
            names(&generated.secrets),
            names(&imported.secrets),
        ),
        (
            "SnsTopic",
            names(&generated.sns_topics),
            names(&imported.sns_topics),
        ),
    ] {
        assert!(
            want.is_subset(&have),
            "seed {seed}: {kind} {want:?} not all imported: {have:?}"
        );
    }
    for group in &generated.security_groups {
        assert_eq!(
            group_peers(group),
            group_peers(named(&imported.security_groups, group.name())),
            "seed {seed}: {} names its peer groups, itself included, by manifest name",
            group.name()
        );
    }
    let family = |state: &DesiredState| {
        let spec = &named(&state.ecs_task_definitions, GENERATED_FAMILY).spec;
        let all = spec.contract_for(ALL_CONTAINERS);
        (
            spec.task_role.clone(),
            spec.execution_role.clone(),
            spec.log_group.clone(),
            (all.user, all.readonly_root_filesystem, all.privileged),
            all.require_limits,
        )
    };
    assert_eq!(
        family(&generated),
        family(&imported),
        "seed {seed}: the hardened revision keeps the contract, roles by manifest name"
    );
    drift.assert_imported(&generated, &imported);
    assert_round_trip(emulator, &dir, &imported_text, false);
    let _ = std::fs::remove_dir_all(&source);
    let _ = std::fs::remove_dir_all(&dir);
}

// One test per seed, each with its own emulator, so that they run side by side.

#[tokio::test]
async fn a_posture_generated_from_seed_13_imports_its_drifted_live_state_in_sync() {
    round_trip_generated(&Emulator::start(), 13).await;
}

#[tokio::test]
async fn a_posture_generated_from_seed_2026_imports_its_drifted_live_state_in_sync() {
    round_trip_generated(&Emulator::start(), 2026).await;
}
