//! `afu9ctl run` as a service: drift fixed within two intervals, metrics, status and the
//! audit trail; desired-state edits (invalid: refused, the last valid revision still
//! reconciled; then valid) without a restart; the change cap;
//! a pass whose every resource failed says so in its log line; SIGTERM; Security Hub findings
//! after each pass.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use afu9_e2e::{Emulator, env_for, free_port, http_get, repo_root};
use aws_sdk_ecr::types::ImageTagMutability;

/// A running `afu9ctl run`, killed when dropped.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn start(emulator: &Emulator, manifests: &Path, extra: &[&str]) -> Self {
        Self::spawn(emulator.env(), manifests, extra, Stdio::null())
    }

    /// `afu9ctl run` with exactly the environment `env`, passing a pass every second.
    fn spawn(
        env: Vec<(&'static str, String)>,
        manifests: &Path,
        extra: &[&str],
        stderr: Stdio,
    ) -> Self {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
            .env_clear()
            .envs(env)
            .args(["run", "-f"])
            .arg(manifests)
            .args([
                "--interval",
                "1s",
                "--reload-every",
                "200ms",
                "--listen",
                &listen,
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("cannot start afu9ctl run");
        Self { child, port }
    }

    fn get(&self, path: &str) -> Option<(u16, String)> {
        http_get(self.port, path)
    }

    /// Waits until `/readyz` answers 200.
    fn wait_ready(&self) {
        let ready = wait_for(Duration::from_secs(30), || {
            self.get("/readyz").is_some_and(|(code, _)| code == 200)
        });
        assert!(ready, "not ready: {:?}", self.get("/readyz"));
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    done()
}

/// A directory with the AFU-9 repository manifests and the Posture document (whose EBS
/// setting is a fifth resource), for the daemon to watch.
fn manifests(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afu9-run-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for file in ["posture.yaml", "ecr.yaml"] {
        std::fs::copy(repo_root().join("desired-state").join(file), dir.join(file)).expect("copy");
    }
    dir
}

async fn mutability(emulator: &Emulator, name: &str) -> Option<ImageTagMutability> {
    emulator
        .ecr()
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
        .ok()?
        .repositories?
        .pop()?
        .image_tag_mutability
}

async fn make_mutable(emulator: &Emulator, name: &str) {
    emulator
        .ecr()
        .put_image_tag_mutability()
        .repository_name(name)
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .expect("inject drift");
}

/// Polls the account until `name` has `want` mutability or `limit` passes.
async fn wait_mutability(
    emulator: &Emulator,
    name: &str,
    want: ImageTagMutability,
    limit: Duration,
) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if mutability(emulator, name).await.as_ref() == Some(&want) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn drift_is_fixed_within_two_intervals_and_shows_in_metrics_status_and_audit() {
    let emulator = Emulator::start();
    let dir = manifests("drift");
    let audit = dir.join("audit.jsonl");
    let daemon = Daemon::start(&emulator, &dir, &["--audit-file", &audit.to_string_lossy()]);
    daemon.wait_ready();
    assert!(
        wait_mutability(
            &emulator,
            "afu9/control-center",
            ImageTagMutability::Immutable,
            Duration::from_secs(10)
        )
        .await
    );

    make_mutable(&emulator, "afu9/control-center").await;
    let started = Instant::now();
    let fixed = wait_mutability(
        &emulator,
        "afu9/control-center",
        ImageTagMutability::Immutable,
        Duration::from_secs(4),
    )
    .await;
    assert!(
        fixed,
        "drift not fixed within two intervals (+ jitter and a pass)"
    );
    eprintln!("drift fixed after {:?}", started.elapsed());

    // The write is visible in the account before its pass ends; the metrics are the pass's.
    let expected = [
        "afu9_drift_detected_total{kind=\"EcrRepository\"}",
        "afu9_changes_applied_total{kind=\"EcrRepository\"}",
        "afu9_aws_api_calls_total{service=\"ECR\",operation=\"PutImageTagMutability\",outcome=\"ok\"} 1",
        "afu9_pass_duration_seconds_count",
        "afu9_resources{kind=\"EcrRepository\",condition=\"Synced\",status=\"True\"} 4",
    ];
    let counted = wait_for(Duration::from_secs(3), || {
        daemon
            .get("/metrics")
            .is_some_and(|(_, metrics)| expected.iter().all(|e| metrics.contains(e)))
    });
    let (_, metrics) = daemon.get("/metrics").expect("metrics");
    for expected in expected {
        assert!(
            counted && metrics.contains(expected),
            "{expected} missing from:\n{metrics}"
        );
    }
    let synced = wait_for(Duration::from_secs(3), || {
        daemon.get("/status").is_some_and(|(_, body)| {
            let status: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            status["resources"].as_array().is_some_and(|resources| {
                resources.len() == 5
                    && resources.iter().all(|r| {
                        r["conditions"].as_array().is_some_and(|c| {
                            c.iter()
                                .any(|c| c["type"] == "Synced" && c["status"] == "True")
                                && c.iter()
                                    .any(|c| c["type"] == "Drifted" && c["status"] == "False")
                        })
                    })
            })
        })
    });
    assert!(synced, "{:?}", daemon.get("/status"));
    let lines = std::fs::read_to_string(&audit).expect("audit file");
    let line = lines
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["op"] == "PutImageTagMutability")
        .expect("an audit line for the fix");
    assert_eq!(line["name"], "afu9/control-center");
    assert_eq!(line["outcome"], "done");
    assert_eq!(line["changes"][0]["before"], "MUTABLE");
    assert_eq!(line["changes"][0]["after"], "IMMUTABLE");
    assert!(
        line["revision"]
            .as_str()
            .is_some_and(|r| r.starts_with("git:") || r.starts_with("content:"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_invalid_edit_is_refused_while_the_last_valid_revision_is_kept_and_a_valid_edit_applies()
{
    let emulator = Emulator::start();
    let dir = manifests("edit");
    let daemon = Daemon::start(&emulator, &dir, &[]);
    daemon.wait_ready();
    let ecr = dir.join("ecr.yaml");
    let valid = std::fs::read_to_string(&ecr).expect("read");

    std::fs::write(
        &ecr,
        valid.replacen("tagMutability: IMMUTABLE", "tagMutability: IMMUTABEL", 1),
    )
    .expect("write");
    let not_ready = wait_for(Duration::from_secs(3), || {
        daemon.get("/readyz").is_some_and(|(code, _)| code == 503)
    });
    assert!(
        not_ready,
        "an invalid edit must make the controller not ready"
    );
    let (_, body) = daemon.get("/readyz").expect("readyz");
    assert!(
        body.contains("ecr.yaml:") && body.contains("IMMUTABEL"),
        "{body}"
    );
    // The refused revision changes nothing; the last valid one is still reconciled.
    make_mutable(&emulator, "afu9/mcp-github").await;
    assert!(
        wait_mutability(
            &emulator,
            "afu9/mcp-github",
            ImageTagMutability::Immutable,
            Duration::from_secs(5)
        )
        .await,
        "the last valid revision must still be enforced while the one on disk is refused"
    );
    assert_eq!(
        mutability(&emulator, "afu9/control-center").await,
        Some(ImageTagMutability::Immutable)
    );
    let (_, status) = daemon.get("/status").expect("status");
    assert!(
        status.contains("\"refusedRevision\":\"content:"),
        "{status}"
    );

    // A valid edit: the first repository is now meant to be mutable.
    std::fs::write(
        &ecr,
        valid.replacen("tagMutability: IMMUTABLE", "tagMutability: MUTABLE", 1),
    )
    .expect("write");
    assert!(
        wait_mutability(
            &emulator,
            "afu9/control-center",
            ImageTagMutability::Mutable,
            Duration::from_secs(5)
        )
        .await
    );
    assert!(
        wait_mutability(
            &emulator,
            "afu9/mcp-github",
            ImageTagMutability::Immutable,
            Duration::from_secs(5)
        )
        .await
    );
    assert!(daemon.get("/readyz").is_some_and(|(code, _)| code == 200));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_change_cap_stops_a_pass_that_would_change_too_much() {
    let emulator = Emulator::start();
    let dir = manifests("cap");
    let daemon = Daemon::start(&emulator, &dir, &["--max-changes", "2"]);
    daemon.wait_ready();
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
        "4 creations exceed --max-changes 2: nothing may be created"
    );
    let (_, status) = daemon.get("/status").expect("status");
    assert!(status.contains("MaxChangesExceeded"), "{status}");
    let (_, metrics) = daemon.get("/metrics").expect("metrics");
    assert!(
        metrics.contains("afu9_errors_total{class=\"max_changes_exceeded\"}"),
        "{metrics}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_pass_in_which_every_resource_failed_logs_the_errors() {
    // Nothing listens on this port: every AWS call is refused, as when the endpoint is down.
    let refused = format!("http://127.0.0.1:{}", free_port());
    let dir = manifests("refused");
    let mut daemon = Daemon::spawn(
        env_for(&refused),
        &dir,
        &["--log-format", "json"],
        Stdio::piped(),
    );
    let stderr = daemon.child.stderr.take().expect("stderr");
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let pass = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = received
            .recv_timeout(left)
            .expect("no `pass finished` log line within 60 s");
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let message = entry["fields"]["message"].as_str().unwrap_or_default();
        if message.starts_with("pass finished") {
            break entry;
        }
    };
    let fields = &pass["fields"];
    assert_eq!(fields["message"], "pass finished with errors", "{pass}");
    assert_eq!(pass["level"], "WARN", "{pass}");
    // The 5 manifests, and the orphan search of each of the 12 kinds that tell orphans (the
    // web ACLs, buckets and log groups the last three).
    assert_eq!(fields["resources"], 5 + 12, "{pass}");
    assert_eq!(fields["errors"], 5 + 12, "every resource failed: {pass}");
    assert_eq!(fields["drifted"], 0, "{pass}");
    assert_eq!(fields["changed"], 0, "{pass}");
    assert_eq!(fields["blocked"], 0, "{pass}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigterm_stops_the_controller_promptly_with_exit_code_zero() {
    let emulator = Emulator::start();
    let dir = manifests("term");
    let mut daemon = Daemon::start(&emulator, &dir, &[]);
    daemon.wait_ready();
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &daemon.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let mut exit = None;
    assert!(wait_for(Duration::from_secs(5), || {
        exit = daemon.child.try_wait().ok().flatten();
        exit.is_some()
    }));
    assert_eq!(exit.and_then(|s| s.code()), Some(0));
    eprintln!("stopped {:?} after SIGTERM", sent.elapsed());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each finding in the emulator's Security Hub: id, record state, updated at.
async fn security_hub_findings(emulator: &Emulator) -> Vec<(String, String, String)> {
    let client = aws_sdk_securityhub::Client::new(&emulator.sdk_config());
    let page = client.get_findings().send().await.expect("GetFindings");
    let mut found: Vec<_> = page
        .findings()
        .iter()
        .map(|f| {
            (
                f.id().unwrap_or_default().to_owned(),
                f.record_state()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                f.updated_at().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

async fn wait_findings(
    emulator: &Emulator,
    done: impl Fn(&[(String, String, String)]) -> bool,
) -> Vec<(String, String, String)> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let found = security_hub_findings(emulator).await;
        if done(&found) || Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn run_exports_findings_after_each_pass_updates_them_and_archives_what_it_fixed() {
    let emulator = Emulator::start();
    let dir = manifests("security-hub");
    let repo = "afu9-posture/123456789012/eu-central-1/drift/EcrRepository/afu9/control-center";
    let scan =
        "afu9-posture/123456789012/eu-central-1/checklist-7/EcrRepository/afu9/control-center";
    let trail = "afu9-posture/123456789012/eu-central-1/checklist-5/CloudTrail/-";

    let observing = Daemon::start(&emulator, &dir, &["--observe-only", "--security-hub"]);
    let first = wait_findings(&emulator, |f| f.iter().any(|(id, _, _)| id == repo)).await;
    assert!(
        first.iter().all(|(_, state, _)| state == "ACTIVE"),
        "{first:?}"
    );
    let ids: Vec<&String> = first.iter().map(|f| &f.0).collect();
    for id in [repo, scan, trail] {
        assert!(ids.iter().any(|i| *i == id), "no finding {id}: {ids:?}");
    }
    // Later passes update the same findings.
    let later = wait_findings(&emulator, |f| {
        f.iter().zip(&first).all(|(now, before)| now.2 > before.2)
    })
    .await;
    let later_ids: Vec<&String> = later.iter().map(|f| &f.0).collect();
    assert_eq!(later_ids, ids, "no duplicates, no new ids");
    assert!(
        later
            .iter()
            .zip(&first)
            .all(|(now, before)| now.2 > before.2)
    );
    drop(observing);

    let _enforcing = Daemon::start(&emulator, &dir, &["--security-hub"]);
    let fixed = wait_findings(&emulator, |f| {
        f.iter()
            .any(|(id, state, _)| id == repo && state == "ARCHIVED")
    })
    .await;
    let state = |id: &str| {
        fixed
            .iter()
            .find(|f| f.0 == id)
            .map(|f| f.1.clone())
            .unwrap_or_default()
    };
    assert_eq!(state(repo), "ARCHIVED", "{fixed:?}");
    assert_eq!(state(scan), "ARCHIVED", "{fixed:?}");
    assert_eq!(
        state(trail),
        "ACTIVE",
        "the desired state still declares no trail"
    );
    // An item whose every fact this pass wrote (the registry's scanning, the repositories it
    // created) is not evidenced until the next pass reads them again: its finding appears once
    // and is resolved by that pass. Nothing else is new.
    let settled = wait_findings(&emulator, |f| {
        f.iter()
            .filter(|(id, _, _)| !ids.contains(&id))
            .all(|(_, state, _)| state == "ARCHIVED")
    })
    .await;
    let fresh: Vec<_> = settled.iter().filter(|f| !ids.contains(&&f.0)).collect();
    assert!(
        fresh
            .iter()
            .all(|(id, state, _)| id.ends_with("//-") && state == "ARCHIVED"),
        "only not-evidenced findings, resolved by the next read: {fresh:?}"
    );
    assert_eq!(
        settled.len() - fresh.len(),
        first.len(),
        "resolved in place, not duplicated: {fixed:?} after {first:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
