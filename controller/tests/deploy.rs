//! `deploy/afu9-posture.yaml`, the stack that runs the controller in the account: it passes
//! cfn-lint, its task role holds exactly what `afu9ctl permissions --mode apply` prints for
//! desired-state/, and it creates in the emulator's stack service, alone and as a stack set
//! with an instance per member account.

use std::path::PathBuf;
use std::process::{Command, Output};

use afu9_e2e::{Emulator, repo_root};
use serde_json::Value;

const TEMPLATE: &str = "deploy/afu9-posture.yaml";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The emulator's python (its virtualenv also holds boto3 and cfn-lint), installed if missing.
fn python() -> PathBuf {
    let output = Command::new(repo_root().join("scripts/ensure-emulator"))
        .output()
        .expect("cannot run scripts/ensure-emulator");
    assert!(
        output.status.success(),
        "scripts/ensure-emulator failed: {}",
        text(&output.stderr)
    );
    PathBuf::from(text(&output.stdout).trim())
}

fn succeeded(what: &str, output: &Output) -> String {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// What `afu9ctl permissions --mode apply -o json` prints for desired-state/, with the
/// template's lease table.
fn generated_apply_policy() -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .current_dir(repo_root())
        .args(["permissions", "--mode", "apply", "-o", "json"])
        .args(["--lease-table", "afu9-posture-lease"])
        .output()
        .expect("cannot run afu9ctl");
    serde_json::from_str(&succeeded("afu9ctl permissions", &output)).expect("a JSON policy")
}

/// The template, read as plain YAML (its intrinsics are long-form).
fn template() -> Value {
    let text = std::fs::read_to_string(repo_root().join(TEMPLATE)).expect("the template");
    serde_saphyr::from_str(&text).expect("the template is YAML")
}

/// IAM's limit on one managed policy, in characters, whitespace not counted.
const MANAGED_POLICY_LIMIT: usize = 6144;

/// The task role's policy as the template grants it: the statements of its managed policies,
/// in order, under one `Version`.
fn granted(documents: &[Value]) -> Value {
    let statements: Vec<Value> = documents
        .iter()
        .flat_map(|document| {
            document["Statement"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    serde_json::json!({ "Version": documents[0]["Version"], "Statement": statements })
}

/// The documents of the template's managed policies attached to the task role.
fn template_task_role_documents(template: &Value) -> Vec<Value> {
    let documents: Vec<Value> = template["Resources"]
        .as_object()
        .expect("Resources")
        .values()
        .filter(|resource| {
            resource["Type"] == "AWS::IAM::ManagedPolicy"
                && resource["Properties"]["Roles"][0]["Ref"] == "TaskRole"
        })
        .map(|resource| resource["Properties"]["PolicyDocument"].clone())
        .collect();
    assert!(
        !documents.is_empty(),
        "{TEMPLATE} grants the task role nothing: run scripts/render-deploy"
    );
    documents
}

#[test]
fn the_template_passes_cfn_lint() {
    let cfn_lint = python().with_file_name("cfn-lint");
    let output = Command::new(cfn_lint)
        .current_dir(repo_root())
        .arg(TEMPLATE)
        .output()
        .expect("cannot run cfn-lint");
    succeeded("cfn-lint deploy/afu9-posture.yaml", &output);
}

#[test]
fn the_task_role_holds_exactly_the_generated_apply_policy() {
    let documents = template_task_role_documents(&template());
    for document in &documents {
        let size = serde_json::to_string(document).expect("JSON").len();
        assert!(
            size <= MANAGED_POLICY_LIMIT,
            "a managed policy of {size} characters is over IAM's {MANAGED_POLICY_LIMIT}"
        );
    }
    assert_eq!(
        granted(&documents),
        generated_apply_policy(),
        "{TEMPLATE} is stale: run scripts/render-deploy"
    );
}

#[test]
fn the_stack_creates_alone_and_as_a_stack_set() {
    let emulator = Emulator::start();
    let output = Command::new(python())
        .current_dir(repo_root())
        .arg("tests/scripts/deploy_stack.py")
        .arg(TEMPLATE)
        .envs(emulator.env())
        .output()
        .expect("cannot run tests/scripts/deploy_stack.py");
    let created: Value =
        serde_json::from_str(&succeeded("creating the stack", &output)).expect("JSON facts");

    assert_eq!(created["status"], "CREATE_COMPLETE", "{created:#}");
    let resources = created["resources"].as_object().expect("stack resources");
    let declared = template()["Resources"]
        .as_object()
        .expect("Resources")
        .len();
    assert_eq!(resources.len(), declared, "{resources:#?}");
    for (logical_id, status) in resources {
        assert_eq!(status, "CREATE_COMPLETE", "{logical_id}");
    }
    let containers = created["containers"].as_array().expect("containers");
    let names: Vec<&str> = containers
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["git-sync", "controller"]);
    for container in containers {
        let name = &container["name"];
        let user = container["user"].as_str().unwrap_or_default();
        assert!(
            !user.is_empty() && !user.starts_with('0') && !user.starts_with("root"),
            "{name} runs as `{user}`"
        );
        assert_eq!(container["readonlyRootFilesystem"], true, "{name}");
        assert_eq!(container["privileged"], false, "{name}");
        assert_eq!(
            container["logConfiguration"]["logDriver"], "awslogs",
            "{name}"
        );
    }
    let controller = &containers[1];
    assert_eq!(controller["command"][0], "run");
    assert_eq!(
        controller["command"][2], "/git/current/desired-state",
        "the controller reads what git-sync keeps current"
    );
    assert_eq!(controller["mountPoints"][0]["readOnly"], true);
    assert_eq!(controller["dependsOn"][0]["containerName"], "git-sync");

    let ingress = created["ingress"].as_array().expect("ingress rules");
    assert_eq!(
        ingress.len(),
        1,
        "only Prometheus may connect: {ingress:#?}"
    );
    assert_eq!(ingress[0]["FromPort"], 8080);
    assert_eq!(ingress[0]["ToPort"], 8080);
    assert!(ingress[0]["IpRanges"].as_array().is_some_and(Vec::is_empty));
    assert_eq!(
        ingress[0]["UserIdGroupPairs"][0]["GroupId"],
        created["prometheus_group"]
    );

    assert_eq!(created["task_role_inline_policies"], serde_json::json!([]));
    let attached = created["task_role_managed_policies"]
        .as_array()
        .expect("the task role's managed policies");
    assert_eq!(
        granted(attached),
        generated_apply_policy(),
        "the role the stack created holds the generated policy"
    );

    let members = created["member_stacks"].as_object().expect("member stacks");
    assert_eq!(
        members.keys().collect::<Vec<_>>(),
        ["111111111111", "222222222222"]
    );
    for (account, stacks) in members {
        assert_eq!(stacks[0]["status"], "CREATE_COMPLETE", "{account}");
        let services = stacks[0]["services"].as_array().expect("services");
        assert_eq!(services.len(), 1, "{account}: one controller per account");
        assert!(
            services[0]
                .as_str()
                .is_some_and(|arn| arn.contains(&format!(":{account}:service/afu9-posture/"))),
            "{account}: {services:?}"
        );
    }
}
