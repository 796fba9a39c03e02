//! The audit trail records what AWS holds after a call: a task-definition revision with a
//! plain `DATABASE_PASSWORD` variable (which only the application can move into Secrets
//! Manager) and a privileged container (which the controller fixes) is registered again by
//! `afu9ctl run`; the audit line of its `RegisterTaskDefinition` and `/changes` record the
//! variable as `blocked`, still there, and the privileged flag as `applied` — as the revision
//! AWS now holds says.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use afu9_e2e::{Emulator, free_port, http_get, repo_root};
use aws_sdk_ecs::types::KeyValuePair;
use serde_json::Value;

const FAMILY: &str = "afu9-control-center";
const VARIABLE: &str = "DATABASE_PASSWORD";

/// The audit lines written so far.
fn audit_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// Registers the family's latest revision again with a plain `DATABASE_PASSWORD` and its
/// first container privileged.
async fn register_drifted_revision(emulator: &Emulator) {
    let ecs = emulator.ecs();
    let latest = ecs
        .describe_task_definition()
        .task_definition(FAMILY)
        .send()
        .await
        .expect("describe")
        .task_definition
        .expect("a revision");
    let mut containers = latest.container_definitions().to_vec();
    let first = &mut containers[0];
    first.privileged = Some(true);
    first.environment.get_or_insert_with(Vec::new).push(
        KeyValuePair::builder()
            .name(VARIABLE)
            .value("not-a-real-password")
            .build(),
    );
    ecs.register_task_definition()
        .family(FAMILY)
        .set_network_mode(latest.network_mode().cloned())
        .set_requires_compatibilities(Some(latest.requires_compatibilities().to_vec()))
        .set_cpu(latest.cpu().map(str::to_owned))
        .set_memory(latest.memory().map(str::to_owned))
        .set_task_role_arn(latest.task_role_arn().map(str::to_owned))
        .set_execution_role_arn(latest.execution_role_arn().map(str::to_owned))
        .set_container_definitions(Some(containers))
        .send()
        .await
        .expect("register the drifted revision");
}

#[tokio::test]
async fn the_audit_record_of_a_revision_with_a_plain_secret_variable_matches_what_aws_holds() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();
    let audit = std::env::temp_dir().join(format!("afu9-audit-truth-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&audit);
    let port = free_port();
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .current_dir(repo_root())
        .env_clear()
        .envs(emulator.env())
        .args(["run", "--interval", "1s", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--audit-file")
        .arg(&audit)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run");
    let passes = || {
        http_get(port, "/status")
            .and_then(|(_, body)| serde_json::from_str::<Value>(&body).ok())
            .and_then(|status| status["passes"].as_u64())
            .unwrap_or_default()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while passes() < 2 {
        assert!(Instant::now() < deadline, "no two passes");
        std::thread::sleep(Duration::from_millis(100));
    }
    let seen = audit_lines(&audit).len();
    register_drifted_revision(&emulator).await;

    let deadline = Instant::now() + Duration::from_secs(30);
    let line = loop {
        let found = audit_lines(&audit).into_iter().skip(seen).find(|line| {
            line["op"] == "RegisterTaskDefinition"
                && line["changes"].as_array().is_some_and(|c| {
                    c.iter()
                        .any(|c| c["path"].as_str().is_some_and(|p| p.ends_with(VARIABLE)))
                })
        });
        if let Some(line) = found {
            break line;
        }
        assert!(Instant::now() < deadline, "no audit line for the revision");
        std::thread::sleep(Duration::from_millis(100));
    };
    let changes = line["changes"].as_array().expect("changes");
    let field = |suffix: &str| {
        changes
            .iter()
            .find(|c| c["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
            .unwrap_or_else(|| panic!("no {suffix} in {line:#}"))
    };
    let variable = field(VARIABLE);
    assert_eq!(variable["outcome"], "blocked", "{line:#}");
    assert_eq!(variable["after"], "(sensitive value)", "{line:#}");
    let privileged = field("privileged");
    assert_eq!(privileged["outcome"], "applied", "{line:#}");

    // What AWS holds: the variable is still there, the container no longer privileged.
    let latest = emulator
        .ecs()
        .describe_task_definition()
        .task_definition(FAMILY)
        .send()
        .await
        .expect("describe")
        .task_definition
        .expect("a revision");
    let first = &latest.container_definitions()[0];
    assert!(
        first
            .environment()
            .iter()
            .any(|v| v.name() == Some(VARIABLE))
    );
    assert_ne!(first.privileged(), Some(true));
    assert_eq!(
        privileged["after"],
        Value::from(first.privileged().unwrap_or(false))
    );

    let (_, body) = http_get(port, "/changes").expect("changes");
    let recent: Value = serde_json::from_str(&body).expect("json");
    let entry = recent["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["field"].as_str().is_some_and(|f| f.ends_with(VARIABLE)))
        .unwrap_or_else(|| panic!("{recent:#}"));
    assert_eq!(entry["outcome"], "blocked", "{entry:#}");
    let _ = daemon.kill();
    let _ = daemon.wait();
}
