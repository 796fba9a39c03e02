//! `afu9ctl import` round trips against moto: the AFU-9 account after apply, and the
//! insecure seeded account before it, imported and planned again show no change.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use afu9_e2e::{Emulator, repo_root};

/// The kinds `import` covers; every other kind fails with an error naming it.
const COVERED: &[&str] = &[
    "CloudTrail",
    "DbInstance",
    "EcrRepository",
    "EcsCluster",
    "EcsTaskDefinition",
    "EventSource",
    "IamPolicy",
    "IamRole",
    "KmsKey",
    "LoadBalancer",
    "LogMetricFilter",
    "MetricAlarm",
    "Posture",
    "Secret",
    "SecurityGroup",
    "SnsTopic",
];

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
/// the ones imported with `adopt: true` (adopting a resource is tagging it), and once `apply`
/// has made only those tag calls, `plan --detailed-exitcode` exits 0.
fn assert_round_trip(emulator: &Emulator, dir: &Path, imported: &str) {
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
    for resource in resources {
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
    let apply = afu9ctl(&emulator.env(), &["apply", "-f", &shown]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply.stdout));
    let again = afu9ctl(
        &emulator.env(),
        &["plan", "-f", &shown, "--detailed-exitcode"],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
}

/// The covered kinds whose plan depends on which kinds the desired state holds (the event
/// source's rule listens for their write events): they round trip in the desired state they
/// were applied with, `desired-state/` with their file imported in its place, as three kinds
/// of it do not import yet.
const WHOLE_STATE: &[(&str, &str)] = &[("EventSource", "events.yaml")];

/// A copy of `desired-state/` in `dir` without the files `leave_out`.
fn copy_desired_state(dir: &Path, leave_out: &[&str]) {
    std::fs::create_dir_all(dir).expect("a scratch directory");
    for entry in std::fs::read_dir(repo_root().join("desired-state")).expect("desired-state/") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_file() && !leave_out.contains(&name) {
            std::fs::copy(&path, dir.join(name)).expect("copied");
        }
    }
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
    for (kind, file) in WHOLE_STATE {
        let whole = scratch(&format!("applied-{kind}"));
        copy_desired_state(&whole, &[file]);
        let state = import_kinds(&emulator, &whole, &[kind]);
        assert_round_trip(&emulator, &whole, &state);
        let _ = std::fs::remove_dir_all(&whole);
    }
    attach_customer_policy(&emulator).await;
    let dir = scratch("applied");
    let alone: Vec<&str> = COVERED
        .iter()
        .copied()
        .filter(|kind| WHOLE_STATE.iter().all(|(whole, _)| whole != kind))
        .collect();
    let imported = import_kinds(&emulator, &dir, &alone);
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
    assert_round_trip(&emulator, &dir, &imported);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The covered kinds whose guardrails the seeded account's live state breaks, and the rule
/// `validate` names: the import states the live state as it is, and a guardrail it breaks
/// without an exception (SSH from anywhere takes none) refuses it.
const REFUSED: &[(&str, &str)] = &[
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
/// and no event source.
const NOT_SEEDED: &[&str] = &[
    "CloudTrail",
    "EventSource",
    "LogMetricFilter",
    "MetricAlarm",
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
    assert_round_trip(&emulator, &dir, &imported);
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
fn importing_every_kind_names_each_kind_it_does_not_cover_yet() {
    let emulator = Emulator::start();
    let dir = scratch("all");
    let shown = dir.to_string_lossy().into_owned();
    let output = afu9ctl(&emulator.env(), &["import", "-o", &shown]);
    let stderr = text(&output.stderr);
    let uncovered: Vec<&str> = afu9_spec::KINDS
        .iter()
        .copied()
        .filter(|kind| !COVERED.contains(kind))
        .collect();
    for kind in &uncovered {
        assert!(
            stderr.contains(&format!("error: {kind}: import is not implemented")),
            "{stderr}"
        );
    }
    let expected = i32::from(!uncovered.is_empty());
    assert_eq!(output.status.code(), Some(expected), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
