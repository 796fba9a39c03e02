//! `afu9ctl report` end to end against the emulator: the seeded insecure AFU-9 account fails
//! every item the account holds, item by item, without a write; after `apply` each passes.
//! With `--security-hub`, three exports: findings created, updated in place, then archived.

use std::process::{Command, Output};

use afu9_e2e::{Emulator, repo_root};
use serde_json::Value;

/// The day the Posture's exceptions are judged on: the desired state's acceptance of
/// hand-rotated tokens (SecretsManager.1, until 2027-12-31) is in force.
const AS_OF: &str = "2027-06-01";

fn afu9ctl(emulator: &Emulator, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .current_dir(repo_root())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "afu9ctl::calls=info")
        .envs(emulator.env())
        .args(args)
        .output()
        .expect("cannot run afu9ctl")
}

/// The report as JSON, its exit code, and the AWS calls it made (`Service.Operation`).
fn report(emulator: &Emulator) -> (Value, Option<i32>, Vec<String>) {
    let output = afu9ctl(
        emulator,
        &[
            "report",
            "-o",
            "json",
            "--detailed-exitcode",
            "--log-format",
            "json",
            "--as-of",
            AS_OF,
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let calls = stderr
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["target"] == "afu9ctl::calls")
        .flat_map(|line| {
            let calls: Value = serde_json::from_str(line["fields"]["calls"].as_str().unwrap_or(""))
                .expect("the call log's calls as JSON");
            calls
                .as_object()
                .expect("calls by operation")
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        })
        .collect();
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("report -o json is JSON ({err}); stderr: {stderr}"));
    (json, output.status.code(), calls)
}

fn statuses(report: &Value) -> Vec<(u64, String)> {
    report["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            (
                item["number"].as_u64().expect("a number"),
                item["status"].as_str().expect("a status").to_owned(),
            )
        })
        .collect()
}

/// The one item the account holds no evidence for: error messages (the application's).
const OUTSIDE: u64 = 14;

fn expected(automatable: &str) -> Vec<(u64, String)> {
    (1..=15)
        .map(|n| {
            (
                n,
                (if n == OUTSIDE { "outside" } else { automatable }).to_owned(),
            )
        })
        .collect()
}

/// A read is `Describe*`, `Get*` (never `GetSecretValue`), `List*` or S3's `HeadBucket`.
fn is_read(call: &str) -> bool {
    let operation = call.rsplit('.').next().unwrap_or_default();
    operation != "GetSecretValue"
        && ["Describe", "Get", "List", "Head"]
            .iter()
            .any(|verb| operation.starts_with(verb))
}

#[test]
fn report_fails_each_item_on_the_seeded_account_without_writing_and_passes_after_apply() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();

    let (before, code, calls) = report(&emulator);
    assert_eq!(
        code,
        Some(2),
        "a failing item exits 2 with --detailed-exitcode"
    );
    assert_eq!(statuses(&before), expected("fail"));
    assert!(
        calls.len() > 10,
        "the report observed the account: {calls:?}"
    );
    let writes: Vec<&String> = calls.iter().filter(|c| !is_read(c)).collect();
    assert!(writes.is_empty(), "report made writes: {writes:?}");
    // Each failing item says why, with a live value where the account drifted.
    for item in before["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|item| item["number"] != OUTSIDE)
    {
        let evidence = item["evidence"].as_array().expect("evidence");
        assert!(
            evidence
                .iter()
                .any(|e| ["missing", "drifted", "not-requested", "guardrail"]
                    .contains(&e["finding"].as_str().unwrap_or_default())),
            "item {} fails without failing evidence: {evidence:?}",
            item["number"]
        );
    }
    let trail = &before["items"][4]["evidence"];
    assert!(
        trail
            .as_array()
            .expect("evidence")
            .iter()
            .any(|e| e["field"] == "spec.logging" && e["live"] == false && e["wanted"] == true),
        "CloudTrail's evidence names the stopped logging: {trail}"
    );
    // Reporting changed nothing: a second report finds the same.
    let (again, code, _) = report(&emulator);
    assert_eq!((code, statuses(&again)), (Some(2), expected("fail")));

    let apply = afu9ctl(&emulator, &["apply"]);
    assert!(
        apply.status.success(),
        "apply failed: {}",
        String::from_utf8_lossy(&apply.stderr)
    );

    let (after, code, _) = report(&emulator);
    let mut passing = expected("pass");
    // Item 11's only failure is the hand-rotated tokens' rotation, an accepted risk; item
    // 5's, the log-delivery buckets' SSE-S3 (S3.17) and the access-log bucket's own logging
    // (S3.9).
    passing[10].1 = "accepted".to_owned();
    passing[4].1 = "accepted".to_owned();
    assert_eq!(statuses(&after), passing, "{after}");
    assert_eq!(
        code,
        Some(0),
        "every checked item passes or is accepted: exit 0"
    );
    assert_eq!(after["summary"]["pass"], 12);
    assert_eq!(after["summary"]["accepted"], 2);
    assert_eq!(after["summary"]["outside"], 1);
    for item in after["items"].as_array().expect("items").iter().skip(11) {
        assert!(item["verify"].as_str().is_some_and(|v| !v.is_empty()));
    }
}

/// A finding as read back: id, record state, compliance status, created and updated at.
type Found = (String, String, String, String, String);

/// Every finding in the emulator's Security Hub, sorted by id.
async fn findings(emulator: &Emulator) -> Vec<Found> {
    let client = aws_sdk_securityhub::Client::new(&emulator.sdk_config());
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .get_findings()
            .max_results(100)
            .set_next_token(token)
            .send()
            .await
            .expect("GetFindings");
        all.extend(page.findings().iter().map(|f| {
            (
                f.id().unwrap_or_default().to_owned(),
                f.record_state()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                f.compliance()
                    .and_then(|c| c.status())
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                f.created_at().unwrap_or_default().to_owned(),
                f.updated_at().unwrap_or_default().to_owned(),
            )
        }));
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(ToOwned::to_owned);
        if token.is_none() {
            break;
        }
    }
    all.sort();
    all
}

fn export(emulator: &Emulator) {
    let output = afu9ctl(emulator, &["report", "--security-hub", "--as-of", AS_OF]);
    assert!(
        output.status.success(),
        "report --security-hub failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn security_hub_findings_are_created_updated_without_duplicates_and_archived_when_fixed() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();

    export(&emulator);
    let first = findings(&emulator).await;
    let ids: std::collections::BTreeSet<&str> = first.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(ids.len(), first.len(), "one finding per id");
    assert!(first.iter().all(|f| f.1 == "ACTIVE" && f.2 == "FAILED"));
    for expected in [
        "afu9-posture/123456789012/eu-central-1/checklist-7/EcrRepository/afu9/control-center",
        "afu9-posture/123456789012/eu-central-1/checklist-5/CloudTrail/afu9-audit-trail",
        "afu9-posture/123456789012/eu-central-1/drift/IamRole/afu9-task-role",
        "afu9-posture/123456789012/eu-central-1/drift/SecurityGroup/afu9-ecs",
    ] {
        assert!(ids.contains(expected), "no finding {expected}: {ids:?}");
    }
    // Every checklist item but 14 (outside) has at least one finding.
    for number in 1..=15 {
        let rule = format!("/checklist-{number}/");
        assert_eq!(
            ids.iter().any(|id| id.contains(&rule)),
            number != OUTSIDE,
            "checklist item {number}"
        );
    }

    std::thread::sleep(std::time::Duration::from_millis(1100));
    export(&emulator);
    let second = findings(&emulator).await;
    let identity = |found: &[Found]| -> Vec<(String, String, String, String)> {
        found
            .iter()
            .map(|(id, state, compliance, created, _)| {
                (
                    id.clone(),
                    state.clone(),
                    compliance.clone(),
                    created.clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        identity(&second),
        identity(&first),
        "the same findings, in place, created when first sent"
    );
    assert!(
        second
            .iter()
            .zip(&first)
            .all(|(now, before)| now.4 > before.4),
        "each finding was updated"
    );

    let apply = afu9ctl(&emulator, &["apply"]);
    assert!(apply.status.success(), "apply failed");
    export(&emulator);
    let third = findings(&emulator).await;
    assert_eq!(
        third.len(),
        first.len(),
        "resolved in place, not duplicated"
    );
    // The hand-rotated tokens' item-11 findings stay, suppressed as accepted risks, and so
    // do item 5's on the two SSE-S3 log-delivery buckets.
    let accepted = |id: &str| {
        id.ends_with("/checklist-11/Secret/afu9/github")
            || id.ends_with("/checklist-11/Secret/afu9/llm")
            || id.ends_with("/checklist-5/Bucket/afu9-access-logs")
            || id.ends_with("/checklist-5/Bucket/afu9-alb-logs")
    };
    for (id, state, compliance, _, _) in &third {
        let expected = if accepted(id) {
            ("ACTIVE", "FAILED")
        } else {
            ("ARCHIVED", "PASSED")
        };
        assert_eq!(
            (state.as_str(), compliance.as_str()),
            expected,
            "{id} is resolved, or accepted"
        );
    }
    assert_eq!(third.iter().filter(|f| accepted(&f.0)).count(), 4);
    let client = aws_sdk_securityhub::Client::new(&emulator.sdk_config());
    let archived = client.get_findings().send().await.expect("GetFindings");
    assert!(archived.findings().iter().all(|f| {
        let want = if accepted(f.id().unwrap_or_default()) {
            "SUPPRESSED"
        } else {
            "RESOLVED"
        };
        f.workflow()
            .and_then(|w| w.status())
            .is_some_and(|s| s.as_str() == want)
    }));
}
