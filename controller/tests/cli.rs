//! `afu9ctl` as a user runs it: exit codes, output formats, manifest errors, guards.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use afu9_e2e::{CallTrap, Emulator, repo_root, test_credentials_env};
use serde_json::Value;

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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn invalid_fixtures() -> Vec<PathBuf> {
    let dir = repo_root().join("tests/fixtures/invalid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the invalid-manifest corpus is missing");
    files
}

/// `# expect-at: L:C` and `# expect: text` from a fixture's header.
fn expectations(file: &Path) -> (String, String) {
    let content = std::fs::read_to_string(file).expect("fixture");
    let header = |key: &str| {
        content
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map_or_else(
                || panic!("{} has no `{key}` line", file.display()),
                |v| v.trim().to_owned(),
            )
    };
    (header("# expect-at:"), header("# expect:"))
}

#[test]
fn every_invalid_manifest_names_file_line_and_column_and_makes_no_aws_call() {
    let trap = CallTrap::start();
    let mut env = test_credentials_env();
    env.push(("AWS_ENDPOINT_URL", trap.endpoint()));
    for file in invalid_fixtures() {
        let relative = file.strip_prefix(repo_root()).expect("inside the repo");
        let shown = relative.to_string_lossy();
        let (at, message) = expectations(&file);
        for command in ["plan", "apply"] {
            let output = afu9ctl(&env, &[command, "-f", &shown]);
            let stderr = text(&output.stderr);
            assert_eq!(
                output.status.code(),
                Some(1),
                "{shown} ({command}): {stderr}"
            );
            assert!(
                stderr.contains(&format!("{shown}:{at}")),
                "{shown} ({command}): expected location {shown}:{at} in:\n{stderr}"
            );
            assert!(
                stderr.contains(&message),
                "{shown}: expected `{message}` in:\n{stderr}"
            );
            for internal in ["DuplicateKeyPolicy", "Options", "budget breached", "{ "] {
                assert!(
                    !stderr.contains(internal),
                    "{shown}: the parser's internals (`{internal}`) leak into:\n{stderr}"
                );
            }
        }
        let validate = afu9ctl(&env, &["validate", "-f", &shown]);
        assert_eq!(
            validate.status.code(),
            Some(1),
            "{shown}: validate accepted it"
        );
    }
    assert_eq!(
        trap.connections(),
        0,
        "an invalid desired state reached AWS"
    );
}

#[test]
fn the_afu9_desired_state_is_valid() {
    let output = afu9ctl(&[], &["validate"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("valid:"));
}

#[test]
fn a_warning_is_reported_with_its_location_and_the_manifests_stay_valid() {
    let trap = CallTrap::start();
    let mut env = test_credentials_env();
    env.push(("AWS_ENDPOINT_URL", trap.endpoint()));
    let file = "tests/fixtures/warnings/alarm-without-actions.yaml";
    let output = afu9ctl(&env, &["validate", "-f", file]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("valid: 1 resources"));
    let expected = format!(
        "warning: {file}:5:18: [AFU9-ALARM-010] spec.alarmActions: the alarm notifies no one when it fires"
    );
    assert!(
        text(&output.stderr).contains(&expected),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(trap.connections(), 0);
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let output = afu9ctl(&[], &["schema"]);
    assert_eq!(output.status.code(), Some(0));
    let committed = std::fs::read_to_string(repo_root().join("desired-state/schema.json"))
        .expect("committed schema");
    assert!(
        text(&output.stdout) == committed,
        "desired-state/schema.json is stale: run `afu9ctl schema > desired-state/schema.json`"
    );
}

/// What only the owners of the AFU-9 secrets and task definitions create: the secrets with
/// their values, the rotation Lambda, and a first task-definition revision (running as root);
/// and what the platform's bootstrap creates for the audit trail (bucket, log group, role,
/// keys). The data tier (`afu9_e2e::data`) follows once the VPC exists.
async fn seed_what_owners_create(emulator: &Emulator) {
    afu9_e2e::audit::seed_audit_prerequisites(emulator).await;
    emulator.create_stub_lambda("afu9-rotate-db-password").await;
    let secrets = emulator.secretsmanager();
    for name in ["afu9/database", "afu9/github", "afu9/llm"] {
        secrets
            .create_secret()
            .name(name)
            .secret_string("dummy-value-set-by-the-owner")
            .send()
            .await
            .expect("seed secret");
    }
    emulator
        .ecs()
        .register_task_definition()
        .family("afu9-control-center")
        .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
        .cpu("512")
        .memory("1024")
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("web")
                .image("registry.example/afu9/control-center:1")
                .build(),
        )
        .send()
        .await
        .expect("seed task definition");
}

/// Every resource of the AFU-9 posture and what the first plan does to it, in apply order.
const AFU9_PLAN: &[(&str, &str, &str)] = &[
    ("Posture", "afu9", "update"),
    ("KmsKey", "afu9-secrets", "create"),
    ("KmsKey", "afu9-audit", "update"),
    ("KmsKey", "afu9-alerts", "update"),
    ("KmsKey", "afu9-logs", "create"),
    ("IamRole", "afu9-task-execution-role", "create"),
    ("IamRole", "afu9-task-role", "create"),
    // Adopted service roles whose trust gains aws:SourceAccount/aws:SourceArn.
    ("IamRole", "afu9-cloudtrail-logs", "update"),
    ("IamRole", "afu9-rotate-db-password-role", "update"),
    ("Secret", "afu9/database", "update"),
    ("Secret", "afu9/github", "update"),
    ("Secret", "afu9/llm", "update"),
    ("EcrRepository", "afu9/control-center", "create"),
    ("EcrRepository", "afu9/mcp-github", "create"),
    ("EcrRepository", "afu9/mcp-deploy", "create"),
    ("EcrRepository", "afu9/mcp-observability", "create"),
    ("SecurityGroup", "afu9-alb", "create"),
    ("SecurityGroup", "afu9-ecs", "create"),
    ("SecurityGroup", "afu9-rds", "create"),
    ("EcsTaskDefinition", "afu9-control-center", "replace"),
    ("EcsCluster", "afu9", "update"),
    ("DbInstance", "afu9-database", "update"),
    ("SnsTopic", "afu9-security-alerts", "create"),
    ("Bucket", "afu9-access-logs", "create"),
    ("Bucket", "afu9-audit-logs", "update"),
    ("Bucket", "afu9-alb-logs", "update"),
    ("LogGroup", "/afu9/cloudtrail", "update"),
    ("LogGroup", "/ecs/afu9-control-center", "create"),
    ("LogGroup", "aws-waf-logs-afu9", "update"),
    ("CloudTrail", "afu9-audit-trail", "create"),
    ("LogMetricFilter", "afu9-secret-access", "create"),
    ("LogMetricFilter", "afu9-unauthorized-api-calls", "create"),
    ("LogMetricFilter", "afu9-root-account-use", "create"),
    ("LogMetricFilter", "afu9-iam-policy-changes", "create"),
    ("LogMetricFilter", "afu9-cloudtrail-changes", "create"),
    ("LogMetricFilter", "afu9-security-group-changes", "create"),
    ("MetricAlarm", "afu9-secret-access", "create"),
    ("MetricAlarm", "afu9-unauthorized-api-calls", "create"),
    ("MetricAlarm", "afu9-root-account-use", "create"),
    ("MetricAlarm", "afu9-iam-policy-changes", "create"),
    ("MetricAlarm", "afu9-cloudtrail-changes", "create"),
    ("MetricAlarm", "afu9-security-group-changes", "create"),
    ("EventSource", "afu9-posture-events", "create"),
    ("LoadBalancer", "afu9-alb", "update"),
    ("WebAcl", "afu9-edge", "create"),
];

#[tokio::test]
async fn plan_apply_plan_through_the_cli_with_exit_codes_and_formats() {
    let emulator = Emulator::start();
    seed_what_owners_create(&emulator).await;
    let env = emulator.env();
    // The security groups live in a VPC the desired state does not manage.
    let ec2 = emulator.ec2();
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.9.0.0/16")
        .send()
        .await
        .expect("vpc")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("id");
    ec2.create_tags()
        .resources(vpc)
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key("Name")
                .value("afu9-vpc")
                .build(),
        )
        .send()
        .await
        .expect("tag");
    // The database, the cluster and the service, as the application's stack creates them.
    afu9_e2e::data::seed_data_tier(&emulator).await;
    // The application's stack's load balancer, insecure, in that VPC.
    afu9_e2e::edge::seed_edge_prerequisites(&emulator).await;

    let plan = afu9ctl(&env, &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan.stderr));
    assert!(text(&plan.stdout).contains("EcrRepository afu9/control-center: create"));

    let json = afu9ctl(&env, &["plan", "-o", "json"]);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
    let value: Value = serde_json::from_slice(&json.stdout).expect("plan -o json is JSON");
    assert_eq!(value["formatVersion"], 1);
    let resources = value["resources"].as_array().expect("resources");
    let kinds: Vec<(&str, &str, &str)> = resources
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().expect("kind"),
                r["name"].as_str().expect("name"),
                r["action"].as_str().expect("action"),
            )
        })
        .collect();
    assert_eq!(kinds, AFU9_PLAN, "every resource, in apply order");
    assert_eq!(value["summary"]["create"], 29);
    assert_eq!(value["summary"]["update"], 15);
    assert_eq!(value["summary"]["replace"], 1);
    for resource in resources {
        let paths: Vec<&str> = resource["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .map(|c| c["path"].as_str().expect("path"))
            .collect();
        let expected = match resource["kind"].as_str() {
            Some("IamRole") => "spec.trustPolicy",
            Some("Secret") => "spec.tags.managed-by",
            Some("SecurityGroup") => "spec.ingress",
            Some("EcsTaskDefinition") => "spec.containers.web.user",
            Some("SnsTopic") => "spec.kmsKey",
            Some("CloudTrail") => "spec.logFileValidation",
            Some("LogMetricFilter") => "spec.pattern",
            Some("MetricAlarm") => "spec.threshold",
            Some("EcsCluster") => "spec.services.afu9-control-center.assignPublicIp",
            Some("DbInstance") => "spec.parameterGroup.parameters.rds.force_ssl",
            Some("EventSource") => "rule.eventPattern",
            Some("Posture") => "spec.ebsEncryptionByDefault",
            Some("KmsKey") => "spec.rotation",
            Some("LoadBalancer") => "spec.listeners[443].sslPolicy",
            Some("WebAcl") => "spec.rules",
            Some("Bucket") => "spec.blockPublicAccess",
            Some("LogGroup") => "spec.retentionDays",
            _ => "spec.tagMutability",
        };
        assert!(paths.contains(&expected), "{paths:?}");
        assert!(
            resource["changes"][0].get("before").is_some()
                && resource["changes"][0].get("after").is_some()
        );
    }

    let markdown = afu9ctl(&env, &["plan", "-o", "markdown"]);
    assert!(text(&markdown.stdout).contains("| EcrRepository | `afu9/mcp-github` | **create** |"));

    let apply = afu9ctl(&env, &["apply"]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply.stderr));
    // 78 before the integration of live facts (the two adopted service roles' trust
    // conditions: 8 calls, and 3 more) and logs.yaml (the key afu9-logs, three buckets and
    // three log groups: 33 calls), and the account's S3 Block Public Access (1).
    assert!(
        text(&apply.stdout).contains("123 operations succeeded, 0 failed"),
        "{}",
        text(&apply.stdout)
    );

    let again = afu9ctl(&env, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
    assert!(text(&again.stdout).contains("No changes."));
    let apply_again = afu9ctl(&env, &["apply", "-o", "json"]);
    let value: Value = serde_json::from_slice(&apply_again.stdout).expect("apply -o json is JSON");
    assert_eq!(value["apply"]["succeeded"], 0);
}

fn write_manifests(dir: &Path, posture_spec: &str) -> String {
    std::fs::create_dir_all(dir).expect("mkdir");
    let file = dir.join("state.yaml");
    std::fs::write(
        &file,
        format!(
            "apiVersion: posture.afu9.io/v1alpha1\nkind: Posture\nmetadata: {{name: t}}\nspec: {posture_spec}\n---\n\
             apiVersion: posture.afu9.io/v1alpha1\nkind: EcrRepository\nmetadata: {{name: afu9/guarded}}\nspec: {{scanOnPush: true}}\n"
        ),
    )
    .expect("write");
    file.to_string_lossy().into_owned()
}

#[tokio::test]
async fn the_account_and_region_guards_refuse_before_any_write() {
    let emulator = Emulator::start();
    let dir = std::env::temp_dir().join(format!("afu9-guard-{}", std::process::id()));
    for (spec, reason) in [
        ("{accountId: \"111111111111\"}", "account 111111111111"),
        ("{region: us-east-1}", "region us-east-1"),
    ] {
        let file = write_manifests(&dir, spec);
        let output = afu9ctl(&emulator.env(), &["apply", "-f", &file]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("refusing to act") && stderr.contains(reason),
            "{stderr}"
        );
    }
    let repositories = emulator
        .ecr()
        .describe_repositories()
        .send()
        .await
        .expect("describe")
        .repositories
        .unwrap_or_default();
    assert!(
        repositories.is_empty(),
        "a guarded apply wrote to the account"
    );

    let file = write_manifests(&dir, "{accountId: \"123456789012\", region: eu-central-1}");
    let output = afu9ctl(&emulator.env(), &["apply", "-f", &file]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The SDK's configuration starts loading before the manifests are read, with the region
/// the environment names; a Posture that names another must still be where the clients go.
#[tokio::test]
async fn the_posture_s_region_wins_over_the_default_region_of_the_environment() {
    let emulator = Emulator::start();
    let dir = std::env::temp_dir().join(format!("afu9-region-{}", std::process::id()));
    let file = write_manifests(&dir, "{region: eu-central-1}");
    let mut env: Vec<(&'static str, String)> = emulator
        .env()
        .into_iter()
        .filter(|(key, _)| *key != "AWS_REGION")
        .collect();
    env.push(("AWS_DEFAULT_REGION", "us-east-1".to_owned()));
    let output = afu9ctl(&env, &["apply", "-f", &file]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        emulator.repository_names().await,
        ["afu9/guarded"],
        "created in eu-central-1"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_huge_manifest_is_refused_before_it_is_parsed_and_makes_no_aws_call() {
    let trap = CallTrap::start();
    let mut env = test_credentials_env();
    env.push(("AWS_ENDPOINT_URL", trap.endpoint()));
    let dir = std::env::temp_dir().join(format!("afu9-huge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("huge.yaml");
    let mut manifest = String::from(
        "apiVersion: posture.afu9.io/v1alpha1\nkind: EcrRepository\nmetadata: {name: afu9/huge}\nspec:\n  tags:\n",
    );
    while manifest.len() < 5 * 1024 * 1024 {
        let _ = writeln!(manifest, "    key-{}: value", manifest.len());
    }
    std::fs::write(&file, manifest).expect("write");
    let shown = file.to_string_lossy().into_owned();
    let output = afu9ctl(&env, &["plan", "-f", &shown]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{shown}: file is")) && stderr.contains("larger than"),
        "{stderr}"
    );
    assert_eq!(trap.connections(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_credentials_the_cause_is_said_once_with_what_to_do_and_no_call_is_made() {
    let trap = CallTrap::start();
    let env: Vec<(&'static str, String)> = test_credentials_env()
        .into_iter()
        .filter(|(key, _)| !matches!(*key, "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY"))
        .chain([
            ("AWS_ENDPOINT_URL", trap.endpoint()),
            ("HOME", std::env::temp_dir().display().to_string()),
        ])
        .collect();
    for command in ["plan", "apply"] {
        let output = afu9ctl(&env, &[command, "-f", "desired-state"]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.matches("no AWS credentials").count(), 1, "{stderr}");
        assert!(stderr.contains("set AWS_PROFILE"), "{stderr}");
        assert!(!stderr.contains("request not sent"), "{stderr}");
        assert!(
            !text(&output.stdout).contains(": error"),
            "{}",
            text(&output.stdout)
        );
    }
    assert_eq!(trap.connections(), 0);
}

#[test]
fn an_unreachable_endpoint_is_said_once_with_its_cause() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let mut env = test_credentials_env();
    env.push(("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}")));
    let output = afu9ctl(&env, &["plan", "-f", "desired-state"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.matches("no resource could be observed").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("cannot reach AWS: connection failed: "),
        "{stderr}"
    );
    assert!(stderr.contains("--endpoint-url"), "{stderr}");
    assert!(
        text(&output.stdout).trim().is_empty(),
        "{}",
        text(&output.stdout)
    );
}

/// Every finding of the invalid-manifest corpus, as SARIF, at the place and under the rule
/// the text output names; the logs of the corpus and of the valid AFU-9 desired state pass
/// the official SARIF 2.1.0 schema (`scripts/ensure-sarif-schema`).
#[test]
fn validate_writes_sarif_that_the_official_schema_accepts() {
    let mut logs = Vec::new();
    for file in invalid_fixtures() {
        let shown = file
            .strip_prefix(repo_root())
            .expect("inside the repo")
            .to_string_lossy()
            .into_owned();
        let output = afu9ctl(&[], &["validate", "-o", "sarif", "-f", &shown]);
        assert_eq!(output.status.code(), Some(1), "{shown}");
        let log: Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
        let (at, expected) = expectations(&file);
        // A fixture that names no rule may still be found by one: any rule id will do.
        let (rule, message) = match expected.strip_prefix('[').and_then(|r| r.split_once("] ")) {
            Some((rule, message)) => (Some(rule.to_owned()), message.to_owned()),
            None => (None, expected.clone()),
        };
        let (line, column) = at.split_once(':').expect("L:C");
        let (line, column) = (line.parse::<u64>().ok(), column.parse::<u64>().ok());
        let found = log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .any(|result| {
                let place = &result["locations"][0]["physicalLocation"];
                rule.as_ref()
                    .is_none_or(|rule| result["ruleId"] == rule.as_str())
                    && result["message"]["text"]
                        .as_str()
                        .is_some_and(|text| text.contains(&message))
                    && place["artifactLocation"]["uri"] == shown.as_str()
                    && place["region"]["startLine"].as_u64() == line
                    && place["region"]["startColumn"].as_u64() == column
            });
        assert!(
            found,
            "{shown}: no result [{rule:?}] {message} at {at} in\n{log:#}"
        );
        logs.push(log);
    }
    let valid = afu9ctl(&[], &["validate", "-o", "sarif"]);
    assert_eq!(valid.status.code(), Some(0), "{}", text(&valid.stderr));
    logs.push(serde_json::from_slice(&valid.stdout).expect("SARIF is JSON"));
    let all = std::env::temp_dir().join(format!("afu9-sarif-{}.json", std::process::id()));
    std::fs::write(&all, Value::Array(logs).to_string()).expect("write logs");
    let schema = script_output("scripts/ensure-sarif-schema");
    let python = script_output("scripts/ensure-emulator");
    let check = Command::new(python)
        .args(["-c", SCHEMA_CHECK])
        .arg(&schema)
        .arg(&all)
        .output()
        .expect("run the schema check");
    assert!(
        check.status.success(),
        "a SARIF log breaks the SARIF 2.1.0 schema:\n{}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
    assert!(
        text(&check.stdout).starts_with("valid: "),
        "{}",
        text(&check.stdout)
    );
    let _ = std::fs::remove_file(&all);
}

/// Validates every log of a JSON array against the schema (JSON Schema draft 4), printing
/// each violation with its path.
const SCHEMA_CHECK: &str = r"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
logs = json.load(open(sys.argv[2]))
validator = jsonschema.Draft4Validator(schema)
bad = [(i, e) for i, log in enumerate(logs) for e in validator.iter_errors(log)]
for i, e in bad:
    print(f'log {i}: {list(e.absolute_path)}: {e.message}')
results = sum(len(log['runs'][0]['results']) for log in logs)
print(f'valid: {len(logs)} logs, {results} results' if not bad else 'invalid')
sys.exit(1 if bad else 0)
";

/// What a project script prints (a path), run from the repository's root.
fn script_output(script: &str) -> String {
    let output = Command::new(repo_root().join(script))
        .current_dir(repo_root())
        .output()
        .unwrap_or_else(|err| panic!("cannot run {script}: {err}"));
    assert!(
        output.status.success(),
        "{script} failed: {}",
        text(&output.stderr)
    );
    text(&output.stdout).trim().to_owned()
}
