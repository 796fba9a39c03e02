//! `afu9ctl plan|apply --target KIND/NAME` and `-l SELECTOR` against moto, their mistakes
//! (refused before any AWS call), and `afu9ctl completion`.

use std::path::PathBuf;
use std::process::{Command, Output};

use afu9_e2e::{CallTrap, Emulator, repo_root, test_credentials_env};
use serde_json::Value;

fn afu9ctl(env: &[(&'static str, String)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .current_dir(repo_root())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn,afu9ctl::calls=info")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .args(args)
        .output()
        .expect("cannot run afu9ctl")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A role that attaches a managed policy of the desired state, and two repositories; labels
/// on each. Nothing exists yet, so each of the four resources has drift (it is missing).
const MANIFESTS: &str = "\
apiVersion: posture.afu9.io/v1alpha1
kind: Posture
metadata: {name: t}
spec: {accountId: \"123456789012\", region: eu-central-1}
---
apiVersion: posture.afu9.io/v1alpha1
kind: IamPolicy
metadata: {name: app-read, labels: {team: data}}
spec:
  document:
    Version: \"2012-10-17\"
    Statement: [{Effect: Allow, Action: s3:GetObject, Resource: \"arn:aws:s3:::afu9-data/*\"}]
---
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {name: app, labels: {team: web}}
spec:
  trustPolicy: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: \"sts:AssumeRole\", Condition: {StringEquals: {\"aws:SourceAccount\": \"123456789012\"}}}]}
  managedPolicies: [app-read]
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/one, labels: {team: web}}
spec: {scanOnPush: true}
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/two, labels: {team: data}}
spec: {scanOnPush: true}
";

/// Writes the manifests into a fresh directory named after `test`; returns the file.
fn manifests(test: &str) -> String {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("afu9-select-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("state.yaml");
    std::fs::write(&file, MANIFESTS).expect("write");
    file.to_string_lossy().into_owned()
}

/// `plan -o json` with `args`: the exit code and each resource as `Kind/name action`.
fn plan(env: &[(&'static str, String)], file: &str, args: &[&str]) -> (Option<i32>, Vec<String>) {
    let mut all = vec!["plan", "-f", file, "-o", "json", "--detailed-exitcode"];
    all.extend_from_slice(args);
    let output = afu9ctl(env, &all);
    let value: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("plan -o json is JSON: {}", text(&output.stderr)));
    assert_eq!(
        value.get("partial").is_some(),
        !args.is_empty(),
        "a plan is partial exactly when resources are chosen: {value}"
    );
    let resources = value["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            format!(
                "{}/{} {}",
                r["kind"].as_str().unwrap_or_default(),
                r["name"].as_str().unwrap_or_default(),
                r["action"].as_str().unwrap_or_default()
            )
        })
        .collect();
    (output.status.code(), resources)
}

#[tokio::test]
async fn a_target_plans_and_applies_only_itself_and_what_it_depends_on() {
    let emulator = Emulator::start();
    let env = emulator.env();
    let file = manifests("target");

    let text_plan = afu9ctl(
        &env,
        &["plan", "-f", &file, "--target", "EcrRepository/afu9/one"],
    );
    let stdout = text(&text_plan.stdout);
    assert!(
        stdout.starts_with(
            "Resource targeting is in effect (--target EcrRepository/afu9/one): only the chosen resources"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("EcrRepository afu9/one: create"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("afu9/two") && !stdout.contains("IamRole"),
        "{stdout}"
    );
    let stderr = text(&text_plan.stderr);
    assert!(stderr.contains("ECR.DescribeRepositories"), "{stderr}");
    assert!(
        !stderr.contains("IAM."),
        "an unchosen kind was observed: {stderr}"
    );

    assert_eq!(
        plan(&env, &file, &["--target", "EcrRepository/afu9/one"]),
        (Some(2), vec!["EcrRepository/afu9/one create".to_owned()])
    );
    // The role brings the policy it attaches, as Terraform's -target brings dependencies.
    let role_plan = afu9ctl(&env, &["plan", "-f", &file, "--target", "IamRole/app"]);
    assert!(
        text(&role_plan.stderr).contains("IAM."),
        "{}",
        text(&role_plan.stderr)
    );
    assert_eq!(
        plan(&env, &file, &["--target", "IamRole/app"]),
        (
            Some(2),
            vec![
                "IamPolicy/app-read create".to_owned(),
                "IamRole/app create".to_owned()
            ]
        )
    );

    let apply = afu9ctl(
        &env,
        &["apply", "-f", &file, "--target", "EcrRepository/afu9/one"],
    );
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply.stderr));
    assert_eq!(emulator.repository_names().await, ["afu9/one"]);
    assert!(
        !emulator.role_exists("app").await,
        "apply --target wrote an unchosen resource"
    );

    assert_eq!(
        plan(&env, &file, &["--target", "EcrRepository/afu9/one"]),
        (Some(0), vec!["EcrRepository/afu9/one noop".to_owned()])
    );
    assert_eq!(
        plan(&env, &file, &[]),
        (
            Some(2),
            vec![
                "IamPolicy/app-read create".to_owned(),
                "IamRole/app create".to_owned(),
                "EcrRepository/afu9/one noop".to_owned(),
                "EcrRepository/afu9/two create".to_owned(),
            ]
        ),
        "the full plan still shows the drift outside the target"
    );

    let apply = afu9ctl(&env, &["apply", "-f", &file, "--target", "IamRole/app"]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply.stderr));
    assert!(emulator.role_exists("app").await);
    assert_eq!(emulator.repository_names().await, ["afu9/one"]);
}

#[tokio::test]
async fn a_label_selector_chooses_by_metadata_labels() {
    let emulator = Emulator::start();
    let env = emulator.env();
    let file = manifests("labels");
    assert_eq!(
        plan(&env, &file, &["-l", "team=data"]),
        (
            Some(2),
            vec![
                "IamPolicy/app-read create".to_owned(),
                "EcrRepository/afu9/two create".to_owned()
            ]
        )
    );
    assert_eq!(
        plan(&env, &file, &["--selector", "team!=data,!tier"]),
        (
            Some(2),
            vec![
                "IamPolicy/app-read create".to_owned(),
                "IamRole/app create".to_owned(),
                "EcrRepository/afu9/one create".to_owned()
            ]
        ),
        "the web role brings its policy, whatever the policy's label"
    );
    let apply = afu9ctl(
        &env,
        &["apply", "-f", &file, "-l", "team=data", "-o", "json"],
    );
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply.stderr));
    let value: Value = serde_json::from_slice(&apply.stdout).expect("apply -o json is JSON");
    assert_eq!(value["plan"]["partial"]["selection"], "-l team=data");
    assert_eq!(emulator.repository_names().await, ["afu9/two"]);
    assert!(!emulator.role_exists("app").await);
    assert_eq!(
        plan(&env, &file, &["-l", "team=data"]),
        (
            Some(0),
            vec![
                "IamPolicy/app-read noop".to_owned(),
                "EcrRepository/afu9/two noop".to_owned()
            ]
        )
    );
}

#[test]
fn report_takes_the_selection_and_refuses_a_partial_security_hub_export() {
    let emulator = Emulator::start();
    let env = emulator.env();
    let file = manifests("report");
    let output = afu9ctl(
        &env,
        &[
            "report",
            "-f",
            &file,
            "-o",
            "json",
            "--detailed-exitcode",
            "--target",
            "EcrRepository/afu9/one",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("report -o json is JSON");
    assert_eq!(
        report["partial"]["selection"], "--target EcrRepository/afu9/one",
        "{report}"
    );
    let scanning = &report["items"][6];
    assert_eq!(scanning["title"], "ECR image scanning enabled");
    assert_eq!(
        scanning["status"], "fail",
        "the chosen repository is missing"
    );
    let judged: Vec<&str> = scanning["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter(|e| e["kind"] == "EcrRepository")
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert_eq!(judged, ["afu9/one"], "only the chosen repository is judged");
    assert!(
        !text(&output.stderr).contains("IAM."),
        "nothing but the chosen repository is read: {}",
        text(&output.stderr)
    );

    let refused = afu9ctl(
        &env,
        &["report", "-f", &file, "--security-hub", "-l", "team=web"],
    );
    assert_eq!(refused.status.code(), Some(2), "a usage error");
    assert!(
        text(&refused.stderr).contains("cannot be used with"),
        "{}",
        text(&refused.stderr)
    );
}

#[test]
fn a_mistaken_selection_exits_1_with_what_to_fix_and_makes_no_aws_call() {
    let trap = CallTrap::start();
    let mut env = test_credentials_env();
    env.push(("AWS_ENDPOINT_URL", trap.endpoint()));
    let file = manifests("mistakes");
    let cases: [(&[&str], &str); 7] = [
        (
            &["--target", "Repository/afu9/one"],
            "error: --target `Repository/afu9/one`: there is no kind `Repository`; the kinds are Posture, KmsKey, IamPolicy, IamRole,",
        ),
        (
            &["--target", "EcrRepository/afu9/on"],
            "error: --target `EcrRepository/afu9/on`: no EcrRepository manifest is named `afu9/on`; did you mean EcrRepository/afu9/one?",
        ),
        (
            &["--target", "afu9/one"],
            "error: --target `afu9/one`: there is no kind `afu9` (did you mean EcrRepository/afu9/one?); the kinds are Posture,",
        ),
        (
            &["--target", "EcrRepository"],
            "error: --target `EcrRepository` is not KIND/NAME",
        ),
        (
            &["-l", "team=,=web"],
            "error: -l `team=,=web` is not a label selector: `=web`: the label key is missing",
        ),
        (
            &["-l", "team=ops"],
            "error: -l team=ops matches no manifest; the manifests' label keys are team",
        ),
        (
            &["--target", "IamRole/app", "-l", "team=data"],
            "error: --target IamRole/app -l team=data matches no manifest",
        ),
    ];
    for (args, expected) in cases {
        for command in ["plan", "apply"] {
            let mut all = vec![command, "-f", &file];
            all.extend_from_slice(args);
            let output = afu9ctl(&env, &all);
            let stderr = text(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{all:?}: {stderr}");
            assert!(stderr.starts_with(expected), "{all:?}: {stderr}");
            assert!(
                output.stdout.is_empty(),
                "{all:?}: {}",
                text(&output.stdout)
            );
        }
    }
    assert_eq!(trap.connections(), 0, "a refused selection reached AWS");
}

#[test]
fn completion_scripts_name_the_subcommands_and_parse() {
    for shell in ["bash", "zsh", "fish"] {
        let output = afu9ctl(&[], &["completion", shell]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            text(&output.stderr)
        );
        let script = text(&output.stdout);
        for word in [
            "validate",
            "schema",
            "plan",
            "apply",
            "run",
            "status",
            "completion",
            "target",
            "selector",
        ] {
            assert!(
                script.contains(word),
                "{shell}: `{word}` missing from:\n{script}"
            );
        }
        let installed = Command::new("sh")
            .args(["-c", &format!("command -v {shell}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if shell == "bash" {
            assert!(installed, "bash is needed to check the bash script");
        }
        if installed {
            let path = std::env::temp_dir().join(format!("afu9ctl-{}.{shell}", std::process::id()));
            std::fs::write(&path, &script).expect("write script");
            let check = Command::new(shell)
                .arg("-n")
                .arg(&path)
                .output()
                .expect("run shell");
            assert!(
                check.status.success(),
                "{shell} -n refused it: {}",
                text(&check.stderr)
            );
            let _ = std::fs::remove_file(&path);
        }
    }
    let unknown = afu9ctl(&[], &["completion", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2), "clap's usage error");
}

/// Security groups resolve peers by manifest name, so their kind is observed whole
/// (`OBSERVED_TOGETHER`); a target still plans and applies only itself and its peers.
const GROUPS: &str = "\
apiVersion: posture.afu9.io/v1alpha1
kind: Posture
metadata: {name: t}
spec: {accountId: \"123456789012\", region: eu-central-1}
---
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: t-alb}
spec:
  vpc: {tags: {Name: afu9-vpc}}
  description: load balancer
  ingress: [{protocol: tcp, ports: 443, from: {cidr: 10.0.0.0/8}}]
---
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: t-app}
spec:
  vpc: {tags: {Name: afu9-vpc}}
  description: application
  ingress: [{protocol: tcp, ports: 8080, from: {securityGroup: t-alb}}]
---
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: t-other}
spec:
  vpc: {tags: {Name: afu9-vpc}}
  description: unrelated
  ingress: [{protocol: tcp, ports: 22, from: {cidr: 10.0.0.0/8}}]
";

async fn group_names(ec2: &aws_sdk_ec2::Client) -> Vec<String> {
    let mut names: Vec<String> = ec2
        .describe_security_groups()
        .send()
        .await
        .expect("describe groups")
        .security_groups
        .unwrap_or_default()
        .into_iter()
        .filter_map(|g| g.group_name)
        .filter(|name| name.starts_with("t-"))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_security_group_target_brings_its_peer_and_leaves_the_rest() {
    let emulator = Emulator::start();
    let env = emulator.env();
    let ec2 = emulator.ec2();
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.9.0.0/16")
        .send()
        .await
        .expect("vpc")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("vpc id");
    ec2.create_tags()
        .resources(&vpc)
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key("Name")
                .value("afu9-vpc")
                .build(),
        )
        .send()
        .await
        .expect("tag vpc");
    let dir = std::env::temp_dir().join(format!("afu9-select-groups-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("groups.yaml");
    std::fs::write(&file, GROUPS).expect("write");
    let file = file.to_string_lossy().into_owned();

    assert_eq!(
        plan(&env, &file, &["--target", "SecurityGroup/t-app"]),
        (
            Some(2),
            vec![
                "SecurityGroup/t-alb create".to_owned(),
                "SecurityGroup/t-app create".to_owned()
            ]
        )
    );
    let apply = afu9ctl(
        &env,
        &["apply", "-f", &file, "--target", "SecurityGroup/t-app"],
    );
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply.stderr));
    assert_eq!(group_names(&ec2).await, ["t-alb", "t-app"]);
    assert_eq!(
        plan(&env, &file, &[]),
        (
            Some(2),
            vec![
                "SecurityGroup/t-alb noop".to_owned(),
                "SecurityGroup/t-app noop".to_owned(),
                "SecurityGroup/t-other create".to_owned()
            ]
        )
    );
}
