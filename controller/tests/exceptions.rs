//! Accepted risks end to end against the emulator, on the AFU-9 desired state (whose Posture
//! accepts SecretsManager.1 for the hand-rotated GitHub and LLM tokens until 2027-12-31),
//! with the clock moved by `--as-of`: accepted in JSON, text and Security Hub (SUPPRESSED,
//! with a note); a warning within 14 days of expiry; after it, `report --detailed-exitcode`
//! fails and the Security Hub finding is active again; an exception matching nothing warns;
//! an accepted guardrail is a suppressed SARIF result until it expires.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use afu9_e2e::{Emulator, repo_root, test_credentials_env};
use serde_json::Value;

const GITHUB_FINDING: &str =
    "afu9-posture/123456789012/eu-central-1/checklist-11/Secret/afu9/github";

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

/// `report -o json --detailed-exitcode` as of `day`: the JSON, the exit code, stderr.
fn report(env: &[(&'static str, String)], day: &str, extra: &[&str]) -> (Value, i32, String) {
    let mut args = vec![
        "report",
        "-o",
        "json",
        "--detailed-exitcode",
        "--as-of",
        day,
    ];
    args.extend_from_slice(extra);
    let output = afu9ctl(env, &args);
    let stderr = text(&output.stderr);
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("report -o json is JSON ({err}); stderr: {stderr}"));
    (json, output.status.code().expect("an exit code"), stderr)
}

fn item(report: &Value, number: u64) -> &Value {
    report["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["number"] == number)
        .expect("the item")
}

/// The evidence of item 11 about the GitHub token's rotation Lambda.
fn github_rotation(report: &Value) -> Value {
    item(report, 11)["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .find(|e| e["name"] == "afu9/github" && e["field"] == "spec.rotation.lambda")
        .cloned()
        .unwrap_or_else(|| panic!("no rotation evidence for afu9/github: {}", item(report, 11)))
}

/// The GitHub token's item-11 finding as Security Hub holds it: record state, compliance,
/// workflow status, note.
async fn github_finding(emulator: &Emulator) -> (String, String, String, String) {
    let client = aws_sdk_securityhub::Client::new(&emulator.sdk_config());
    let found = client.get_findings().send().await.expect("GetFindings");
    let finding = found
        .findings()
        .iter()
        .find(|f| f.id() == Some(GITHUB_FINDING))
        .unwrap_or_else(|| panic!("no finding {GITHUB_FINDING}"));
    (
        finding
            .record_state()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        finding
            .compliance()
            .and_then(|c| c.status())
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        finding
            .workflow()
            .and_then(|w| w.status())
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        finding
            .note()
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_owned(),
    )
}

fn export(env: &[(&'static str, String)], day: &str) {
    let output = afu9ctl(env, &["report", "--security-hub", "--as-of", day]);
    assert!(
        output.status.success(),
        "report --security-hub failed: {}",
        text(&output.stderr)
    );
}

#[tokio::test]
async fn an_accepted_risk_is_accepted_until_it_expires_then_fails_and_is_active_in_security_hub() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();
    let env = emulator.env();
    let apply = afu9ctl(&env, &["apply"]);
    assert!(
        apply.status.success(),
        "apply failed: {}",
        text(&apply.stderr)
    );

    // In force: item 11 is accepted, not failing, and so is item 5 (its SSE-S3 log-delivery
    // buckets, S3.17, and the access-log bucket's own logging, S3.9); every other checked
    // item passes: exit 0.
    let (json, code, stderr) = report(&env, "2027-06-01", &[]);
    assert_eq!(code, 0, "accepted is not a failure: {stderr}\n{json}");
    assert_eq!(item(&json, 11)["status"], "accepted");
    assert_eq!(item(&json, 5)["status"], "accepted");
    assert_eq!(json["summary"]["accepted"], 2);
    assert_eq!(json["summary"]["fail"], 0);
    let evidence = github_rotation(&json);
    assert_eq!(evidence["finding"], "not-requested");
    assert_eq!(evidence["accepted"]["owner"], "afu9-platform");
    assert_eq!(evidence["accepted"]["ticket"], "AFU9-SEC-11");
    assert_eq!(evidence["accepted"]["expires"], "2027-12-31");
    assert_eq!(evidence["accepted"]["expired"], false);
    assert_eq!(json["exceptions"][0]["standing"], "in-force");
    assert_eq!(
        json["exceptions"][0]["matched"], 4,
        "the GitHub and LLM tokens: each one's manifest asks no automatic rotation, and each \
         live secret has none (SecretsManager.1 read off the account)"
    );
    assert!(!stderr.contains("warning: exception"), "{stderr}");

    let plain = afu9ctl(&env, &["report", "--as-of", "2027-06-01"]);
    let shown = text(&plain.stdout);
    assert!(
        shown.contains("11. [ACCEPTED] Secrets rotation policies in place"),
        "{shown}"
    );
    assert!(
        shown.contains("[accepted until 2027-12-31 (owner afu9-platform, ticket AFU9-SEC-11)"),
        "{shown}"
    );

    export(&env, "2027-06-01");
    let (state, compliance, workflow, note) = github_finding(&emulator).await;
    assert_eq!(
        (state.as_str(), compliance.as_str(), workflow.as_str()),
        ("ACTIVE", "FAILED", "SUPPRESSED")
    );
    for part in ["afu9-platform", "AFU9-SEC-11", "2027-12-31"] {
        assert!(note.contains(part), "the note names {part}: {note}");
    }

    // Within 14 days of expiry: still accepted, with a warning.
    let (json, code, stderr) = report(&env, "2027-12-20", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(item(&json, 11)["status"], "accepted");
    assert_eq!(json["exceptions"][0]["standing"], "expiring");
    assert!(stderr.contains("[AFU9-EXC-010]"), "{stderr}");
    assert!(
        stderr.contains("warning: exception for Security Hub control SecretsManager.1 (owner afu9-platform, ticket AFU9-SEC-11): expires on 2027-12-31"),
        "{stderr}"
    );

    // After expiry: as if the exception did not exist.
    let (json, code, stderr) = report(&env, "2028-01-01", &[]);
    assert_eq!(code, 2, "--detailed-exitcode fails: {stderr}");
    assert_eq!(item(&json, 11)["status"], "fail");
    assert_eq!(github_rotation(&json)["accepted"]["expired"], true);
    assert_eq!(json["exceptions"][0]["standing"], "expired");
    assert!(
        stderr.contains("expired on 2027-12-31: what it accepted fails again"),
        "{stderr}"
    );

    export(&env, "2028-01-01");
    let (state, compliance, workflow, note) = github_finding(&emulator).await;
    assert_eq!(
        (state.as_str(), compliance.as_str(), workflow.as_str()),
        ("ACTIVE", "FAILED", "NEW"),
        "active again"
    );
    assert!(note.contains("expired on 2027-12-31"), "{note}");

    // An exception that accepts nothing (item 7 passes) warns, and changes no status.
    let dir = copy_of_desired_state("unmatched");
    let posture = dir.join("posture.yaml");
    let mut yaml = std::fs::read_to_string(&posture).expect("posture");
    yaml.push_str(
        "    - item: 7\n      resources: [{kind: EcrRepository, name: afu9/control-center}]\n      reason: r\n      owner: o\n      ticket: T-7\n      expires: 2027-12-31\n",
    );
    std::fs::write(&posture, yaml).expect("write");
    let shown = dir.display().to_string();
    let (json, code, stderr) = report(&env, "2027-06-01", &["-f", &shown]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(item(&json, 7)["status"], "pass");
    // After the desired state's three exceptions.
    assert_eq!(json["exceptions"][3]["standing"], "unmatched");
    assert!(
        stderr.contains(
            "exception for checklist item 7 (owner o, ticket T-7): accepts nothing in this report"
        ),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn copy_of_desired_state(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afu9-exceptions-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    for entry in std::fs::read_dir(repo_root().join("desired-state")).expect("desired-state") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    dir
}

/// A security group open to the world on 8443, accepted by the Posture until 2027-03-31.
fn accepted_guardrail(dir: &Path) {
    let posture = dir.join("posture.yaml");
    let mut yaml = std::fs::read_to_string(&posture).expect("posture");
    yaml.push_str(
        "    - rule: AFU9-SG-012\n      selector: {kind: SecurityGroup, matchLabels: {exposure: partner}}\n      reason: the partner callback listens on 8443\n      owner: platform-team\n      ticket: SEC-142\n      expires: 2027-03-31\n",
    );
    std::fs::write(&posture, yaml).expect("write");
    std::fs::write(
        dir.join("partner.yaml"),
        "apiVersion: posture.afu9.io/v1alpha1\nkind: SecurityGroup\nmetadata: {name: afu9-partner, labels: {exposure: partner}}\nspec:\n  vpc: {id: vpc-1}\n  description: partner callback\n  ingress: [{protocol: tcp, ports: 8443, from: {cidr: 0.0.0.0/0}}]\n",
    )
    .expect("write");
}

#[test]
fn an_accepted_guardrail_is_a_suppressed_sarif_result_until_it_expires() {
    let dir = copy_of_desired_state("guardrail");
    accepted_guardrail(&dir);
    let shown = dir.display().to_string();
    let env = test_credentials_env();
    let output = afu9ctl(
        &env,
        &[
            "validate",
            "-o",
            "sarif",
            "-f",
            &shown,
            "--as-of",
            "2027-01-15",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let log: Value = serde_json::from_slice(&output.stdout).expect("SARIF");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let accepted: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "AFU9-SG-012")
        .collect();
    assert_eq!(accepted.len(), 1, "{results:?}");
    let suppression = &accepted[0]["suppressions"][0];
    assert_eq!(suppression["kind"], "external");
    assert_eq!(suppression["status"], "accepted");
    let justification = suppression["justification"].as_str().unwrap_or_default();
    for part in ["platform-team", "SEC-142", "2027-03-31", "partner callback"] {
        assert!(justification.contains(part), "{justification}");
    }
    assert!(
        accepted[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|uri| uri.ends_with("partner.yaml"))
    );

    let expired = afu9ctl(&env, &["validate", "-f", &shown, "--as-of", "2027-04-01"]);
    assert_eq!(
        expired.status.code(),
        Some(1),
        "expired: the guardrail refuses again"
    );
    let stderr = text(&expired.stderr);
    assert!(stderr.contains("[AFU9-SG-012]"), "{stderr}");
    assert!(
        stderr.contains(
            "the exception accepting it expired on 2027-03-31 (owner platform-team, ticket SEC-142)"
        ),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
