//! Orphans and prune against moto, through `afu9ctl`: resources applied from manifests that
//! are then deleted show up as `orphaned` in every output format and are left alone; with
//! `--prune` they are deleted last, except what a protection holds back (a repository with
//! images, a role a task definition uses, a policy still attached), a secret is scheduled
//! for deletion with a 30-day recovery window, and what afu9-posture does not own is never
//! listed.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use afu9_e2e::account::manifests_dir;
use afu9_e2e::{Emulator, repo_root};
use serde_json::Value;

const ACCOUNT: &str = "123456789012";

/// What is applied first: one repository that stays, and the resources that become orphans.
const BEFORE: &str = r#"
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/keep}
spec: {scanOnPush: true, tagMutability: IMMUTABLE}
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/old-empty}
spec: {scanOnPush: true, tagMutability: IMMUTABLE}
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/old-images}
spec: {scanOnPush: true, tagMutability: IMMUTABLE}
---
apiVersion: posture.afu9.io/v1alpha1
kind: IamPolicy
metadata: {name: afu9-old-policy}
spec:
  document:
    Version: "2012-10-17"
    Statement:
      - {Effect: Allow, Action: logs:PutLogEvents, Resource: "arn:aws:logs:*:*:log-group:/afu9/*"}
---
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {name: afu9-old-role}
spec:
  trustPolicy: {service: ecs-tasks.amazonaws.com}
  managedPolicies: [afu9-old-policy]
  inlinePolicies:
    logs:
      Version: "2012-10-17"
      Statement:
        - {Effect: Allow, Action: logs:CreateLogStream, Resource: "arn:aws:logs:*:*:log-group:/afu9/*"}
---
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {name: afu9-used-role}
spec:
  trustPolicy: {service: ecs-tasks.amazonaws.com}
---
apiVersion: posture.afu9.io/v1alpha1
kind: Secret
metadata: {name: afu9/old-secret}
spec: {create: true, description: no longer used}
---
apiVersion: posture.afu9.io/v1alpha1
kind: SnsTopic
metadata: {name: afu9-old-topic}
spec: {kmsKey: alias/aws/sns}
"#;

/// What stays: the one repository.
const AFTER: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/keep}
spec: {scanOnPush: true, tagMutability: IMMUTABLE}
";

/// The orphans once `AFTER` replaces `BEFORE`, by kind and name.
const ORPHANS: &[(&str, &str)] = &[
    ("IamPolicy", "afu9-old-policy"),
    ("IamRole", "afu9-old-role"),
    ("IamRole", "afu9-used-role"),
    ("Secret", "afu9/old-secret"),
    ("EcrRepository", "afu9/old-empty"),
    ("EcrRepository", "afu9/old-images"),
    ("SnsTopic", "afu9-old-topic"),
];

fn afu9ctl(emulator: &Emulator, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .current_dir(repo_root())
        .env_clear()
        .envs(emulator.env())
        .args(args)
        .output()
        .expect("cannot run afu9ctl")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `afu9ctl ARGS -f DIR -o json` (plan or apply), its exit code and JSON.
fn json(emulator: &Emulator, dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let shown = dir.to_string_lossy().into_owned();
    let mut all = args.to_vec();
    all.extend(["-f", &shown, "-o", "json"]);
    let output = afu9ctl(emulator, &all);
    let stdout = text(&output.stdout);
    let value = serde_json::from_str(&stdout)
        .unwrap_or_else(|err| panic!("{err}: {stdout}\n{}", text(&output.stderr)));
    (output.status.code(), value)
}

/// The plan's orphan entries: (kind, name) → (action, reason).
fn orphans(plan: &Value) -> Vec<(String, String, String, String)> {
    let mut found: Vec<(String, String, String, String)> = plan["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| r["orphan"] == true)
        .map(|r| {
            let field = |f: &str| r[f].as_str().unwrap_or_default().to_owned();
            (
                field("kind"),
                field("name"),
                field("action"),
                field("reason"),
            )
        })
        .collect();
    found.sort();
    found
}

fn action_of<'a>(found: &'a [(String, String, String, String)], name: &str) -> (&'a str, &'a str) {
    let Some((_, _, action, reason)) = found.iter().find(|(_, n, _, _)| n == name) else {
        panic!("{name} is not an orphan: {found:?}");
    };
    (action.as_str(), reason.as_str())
}

/// Pushes one image into the repository `name` and registers a task definition whose task
/// role is `afu9-used-role`; creates a role afu9-posture does not own.
async fn use_some_orphans(emulator: &Emulator) {
    emulator
        .ecr()
        .put_image()
        .repository_name("afu9/old-images")
        .image_tag("v1")
        .image_manifest_media_type("application/vnd.docker.distribution.manifest.v2+json")
        .image_manifest(r#"{"schemaVersion": 2, "config": {"digest": "sha256:1"}, "layers": []}"#)
        .send()
        .await
        .expect("image pushed");
    emulator
        .ecs()
        .register_task_definition()
        .family("afu9-worker")
        .task_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/afu9-used-role"))
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("worker")
                .image("busybox")
                .memory(128)
                .build(),
        )
        .send()
        .await
        .expect("task definition registered");
    emulator
        .iam()
        .create_role()
        .role_name("someone-elses-role")
        .assume_role_policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .expect("unowned role");
}

#[tokio::test(flavor = "multi_thread")]
async fn orphans_are_listed_left_alone_and_pruned_last_within_their_protections() {
    let emulator = Emulator::start();
    let before = manifests_dir("prune-before", BEFORE);
    let (code, applied) = json(&emulator, &before, &["apply"]);
    assert_eq!(code, Some(0), "{applied:#}");
    use_some_orphans(&emulator).await;
    let after = manifests_dir("prune-after", AFTER);

    listed_in_every_format_and_left_alone(&emulator, &after).await;
    pruned_within_their_protections(&emulator, &after).await;
    pruned_on_the_next_passes(&emulator, &after).await;
}

/// Every output format lists the orphans; none is drift, so the exit code stays 0; without
/// --prune, apply leaves them alone; what afu9-posture does not own is never listed.
async fn listed_in_every_format_and_left_alone(emulator: &Emulator, after: &Path) {
    let (code, plan) = json(emulator, after, &["plan", "--detailed-exitcode"]);
    assert_eq!(code, Some(0), "{plan:#}");
    let found = orphans(&plan);
    let listed: Vec<(&str, &str)> = found
        .iter()
        .map(|(k, n, _, _)| (k.as_str(), n.as_str()))
        .collect();
    let mut expected = ORPHANS.to_vec();
    expected.sort_unstable();
    assert_eq!(listed, expected, "{plan:#}");
    assert!(
        found
            .iter()
            .all(|(_, _, action, reason)| action == "orphaned" && reason.contains("pruning is off"))
    );
    assert_eq!(plan["summary"]["orphaned"], ORPHANS.len());
    assert_eq!(plan["inSync"], true);
    let shown = after.to_string_lossy().into_owned();
    let text_plan = text(&afu9ctl(emulator, &["plan", "-f", &shown]).stdout);
    assert!(
        text_plan.contains("EcrRepository afu9/old-empty: orphaned")
            && text_plan.contains(&format!(
                "Orphans: 0 to delete, {} left alone",
                ORPHANS.len()
            )),
        "{text_plan}"
    );
    assert!(!text_plan.contains("someone-elses-role"));
    let markdown = text(&afu9ctl(emulator, &["plan", "-f", &shown, "-o", "markdown"]).stdout);
    assert!(
        markdown.contains("| IamRole | `afu9-old-role` | **orphaned** |"),
        "{markdown}"
    );

    let (code, _) = json(emulator, after, &["apply"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        emulator.repository_names().await,
        ["afu9/keep", "afu9/old-empty", "afu9/old-images"]
    );
}

/// `--prune` plans what each protection holds back, and apply deletes the rest: the role's
/// policies first, the secret only scheduled, 30 days out.
async fn pruned_within_their_protections(emulator: &Emulator, after: &Path) {
    // Four deletions among eight owned resources: over the default budget (one), so the
    // operator allows them for this run, as planned.
    let (code, plan) = json(
        emulator,
        after,
        &[
            "plan",
            "--prune",
            "--allow-deletions",
            "4",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(code, Some(2), "{plan:#}");
    let found = orphans(&plan);
    for deleted in [
        "afu9/old-empty",
        "afu9-old-role",
        "afu9/old-secret",
        "afu9-old-topic",
    ] {
        assert_eq!(action_of(&found, deleted).0, "delete", "{found:?}");
    }
    let (action, reason) = action_of(&found, "afu9/old-images");
    assert!(
        action == "blocked" && reason.contains("still holds images"),
        "{reason}"
    );
    let (action, reason) = action_of(&found, "afu9-used-role");
    assert!(
        action == "blocked" && reason.contains("task definition afu9-worker:1 (taskRoleArn)"),
        "{reason}"
    );
    let (action, reason) = action_of(&found, "afu9-old-policy");
    assert!(
        action == "blocked" && reason.contains("attached to role afu9-old-role"),
        "{reason}"
    );

    let (code, applied) = json(
        emulator,
        after,
        &["apply", "--prune", "--allow-deletions", "4"],
    );
    assert_eq!(code, Some(0), "{applied:#}");
    assert_eq!(applied["apply"]["failed"], 0);
    let role_calls: Vec<&str> = applied["apply"]["resources"]
        .as_array()
        .expect("applied resources")
        .iter()
        .find(|r| r["name"] == "afu9-old-role")
        .expect("the role was pruned")["ops"]
        .as_array()
        .expect("its calls")
        .iter()
        .filter_map(|op| op["call"].as_str())
        .collect();
    assert_eq!(
        role_calls,
        ["DeleteRolePolicy", "DetachRolePolicy", "DeleteRole"]
    );
    assert_eq!(
        emulator.repository_names().await,
        ["afu9/keep", "afu9/old-images"]
    );
    assert!(!emulator.role_exists("afu9-old-role").await);
    assert!(emulator.role_exists("afu9-used-role").await);
    assert!(emulator.role_exists("someone-elses-role").await);
    let secret = emulator
        .secretsmanager()
        .describe_secret()
        .secret_id("afu9/old-secret")
        .send()
        .await
        .expect("the secret is only scheduled for deletion");
    let deleted_at = secret.deleted_date().expect("a deletion date").secs();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let days = (deleted_at - i64::try_from(now).expect("now")) / 86_400;
    assert!((29..=30).contains(&days), "deleted in {days} days");
}

/// The policy, let go by the pruned role, goes on the next pass; the secret in its recovery
/// window is no orphan any more; an orphan entry lets the repository go with its images.
async fn pruned_on_the_next_passes(emulator: &Emulator, after: &Path) {
    let (_, plan) = json(emulator, after, &["plan", "--prune"]);
    let found = orphans(&plan);
    assert_eq!(
        action_of(&found, "afu9-old-policy").0,
        "delete",
        "{found:?}"
    );
    assert!(!found.iter().any(|(_, n, _, _)| n == "afu9/old-secret"));

    let entry = "---\napiVersion: posture.afu9.io/v1alpha1\nkind: Posture\nmetadata: {name: afu9}\n\
                 spec:\n  prune: true\n  deletionBudget: {maxDeletions: 2, maxPercent: 50}\n  orphans:\n    - {kind: EcrRepository, name: afu9/old-images, deleteImages: true}\n";
    let pruning = manifests_dir("prune-pruning", &format!("{AFTER}{entry}"));
    let (code, applied) = json(emulator, &pruning, &["apply"]);
    assert_eq!(code, Some(0), "{applied:#}");
    assert_eq!(emulator.repository_names().await, ["afu9/keep"]);
    let (code, plan) = json(emulator, &pruning, &["plan", "--detailed-exitcode"]);
    let found = orphans(&plan);
    assert_eq!(code, Some(2), "{plan:#}");
    assert_eq!(found.len(), 1, "only the role in use is left: {found:?}");
    assert_eq!(action_of(&found, "afu9-used-role").0, "blocked");
}

#[test]
fn prune_with_a_target_is_refused_before_any_call() {
    let output = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .current_dir(repo_root())
        .args(["apply", "--prune", "--target", "EcrRepository/afu9/keep"])
        .output()
        .expect("cannot run afu9ctl");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("cannot be used with"));
}

/// Security groups created from manifests that are then deleted.
fn groups(vpc: &str, names: &[&str]) -> String {
    let mut yaml = String::new();
    for name in names {
        let _ = write!(
            yaml,
            "---\napiVersion: posture.afu9.io/v1alpha1\nkind: SecurityGroup\nmetadata: {{name: {name}}}\n\
             spec:\n  vpc: {{id: {vpc}}}\n  description: {name}\n  egress:\n    - {{protocol: tcp, ports: 443, to: {{cidr: 10.0.0.0/16}}}}\n"
        );
    }
    yaml
}

async fn group_names(ec2: &aws_sdk_ec2::Client, vpc: &str) -> Vec<String> {
    let described = ec2
        .describe_security_groups()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("vpc-id")
                .values(vpc)
                .build(),
        )
        .send()
        .await
        .expect("groups");
    let mut names: Vec<String> = described
        .security_groups()
        .iter()
        .filter_map(|g| g.group_name().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// Attaches `afu9-old-attached` to a network interface, and names `afu9-old-peer` in a rule
/// of a group afu9-posture does not own, whose id it returns.
async fn hold_two_orphans(ec2: &aws_sdk_ec2::Client, vpc: &str) -> String {
    let id_of = async |name: &str| {
        let described = ec2
            .describe_security_groups()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("group-name")
                    .values(name)
                    .build(),
            )
            .send()
            .await
            .expect("group");
        described.security_groups()[0]
            .group_id()
            .expect("id")
            .to_owned()
    };
    let subnet = ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block("10.0.1.0/24")
        .send()
        .await
        .expect("subnet")
        .subnet()
        .and_then(|s| s.subnet_id().map(str::to_owned))
        .expect("subnet id");
    ec2.create_network_interface()
        .subnet_id(&subnet)
        .groups(id_of("afu9-old-attached").await)
        .description("a task of another stack")
        .send()
        .await
        .expect("network interface");
    let theirs = ec2
        .create_security_group()
        .group_name("someone-elses-sg")
        .description("not ours")
        .vpc_id(vpc)
        .send()
        .await
        .expect("unowned group")
        .group_id()
        .expect("id")
        .to_owned();
    ec2.authorize_security_group_ingress()
        .group_id(&theirs)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .user_id_group_pairs(
                    aws_sdk_ec2::types::UserIdGroupPair::builder()
                        .group_id(id_of("afu9-old-peer").await)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("a rule naming the orphan");

    theirs
}

#[tokio::test(flavor = "multi_thread")]
async fn an_orphan_group_attached_or_named_by_another_group_is_kept_and_a_free_one_deleted() {
    let emulator = Emulator::start();
    let ec2 = emulator.ec2();
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .send()
        .await
        .expect("vpc")
        .vpc()
        .and_then(|v| v.vpc_id().map(str::to_owned))
        .expect("vpc id");
    let names = [
        "afu9-old-attached",
        "afu9-old-free",
        "afu9-old-peer",
        "afu9-web",
    ];
    let before = manifests_dir("prune-groups-before", &groups(&vpc, &names));
    let (code, applied) = json(&emulator, &before, &["apply"]);
    assert_eq!(code, Some(0), "{applied:#}");
    let theirs = hold_two_orphans(&ec2, &vpc).await;

    let after = manifests_dir("prune-groups-after", &groups(&vpc, &["afu9-web"]));
    let (_, plan) = json(&emulator, &after, &["plan"]);
    let listed: Vec<String> = orphans(&plan).into_iter().map(|(_, n, _, _)| n).collect();
    assert_eq!(
        listed,
        ["afu9-old-attached", "afu9-old-free", "afu9-old-peer"],
        "{plan:#}"
    );
    let (code, applied) = json(&emulator, &after, &["apply", "--prune"]);
    assert_eq!(code, Some(0), "{applied:#}");
    let found = orphans(&applied["plan"]);
    assert_eq!(action_of(&found, "afu9-old-free").0, "delete");
    let (action, reason) = action_of(&found, "afu9-old-attached");
    assert!(
        action == "blocked"
            && reason.contains("attached to network interface eni-")
            && reason.contains("(a task of another stack)"),
        "{reason}"
    );
    let (action, reason) = action_of(&found, "afu9-old-peer");
    assert!(
        action == "blocked"
            && reason.contains(&format!(
                "named by the rules of security group {theirs} (someone-elses-sg)"
            )),
        "{reason}"
    );
    assert_eq!(
        group_names(&ec2, &vpc).await,
        [
            "afu9-old-attached",
            "afu9-old-peer",
            "afu9-web",
            "default",
            "someone-elses-sg"
        ]
    );
}
