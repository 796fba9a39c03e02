//! Safe to leave running, against moto through `afu9ctl`, with the AFU-9 posture applied and
//! `prune: true`: the bad revisions ('only posture.yaml', 'empty files', 'one file deleted',
//! 'empty directory') delete nothing under `apply` and under `run`, counted in the account;
//! `apply --allow-deletions N` deletes exactly what the plan showed; a returning manifest
//! restores its secret in the same pass.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use afu9_e2e::{Emulator, free_port, http_get, repo_root};
use serde_json::Value;

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

/// `afu9ctl COMMAND -f DIR -o json EXTRA`: its exit code and its JSON, if it printed any.
fn json(emulator: &Emulator, command: &str, dir: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let shown = dir.to_string_lossy().into_owned();
    let mut args = vec![command, "-f", &shown, "-o", "json"];
    args.extend(extra);
    let output = afu9ctl(emulator, &args);
    let value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    if value.is_null() {
        eprintln!("{command}: {}", text(&output.stderr));
    }
    (output.status.code(), value)
}

/// A copy of `desired-state/` under `name`, with `prune: true` in the Posture.
fn pruning_copy(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afu9-safety-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    for entry in std::fs::read_dir(repo_root().join("desired-state")).expect("desired-state") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    let posture = dir.join("posture.yaml");
    let mut text = std::fs::read_to_string(&posture).expect("posture");
    text.push_str("  prune: true\n");
    std::fs::write(&posture, text).expect("posture");
    dir
}

/// The bad revisions of `good`, each in its own directory: only `posture.yaml`; every file
/// but `posture.yaml` emptied (0 bytes, whitespace, a comment); `audit.yaml` deleted; no
/// file at all.
fn bad_revisions(good: &Path) -> Vec<(&'static str, PathBuf)> {
    // What `keep` answers for a file: `None` leaves it out, `Some(SAME)` copies it, any
    // other text replaces it.
    const SAME: &str = "=";
    let copy = |name: &str, keep: &dyn Fn(&str) -> Option<&'static str>| {
        let dir = good.with_file_name(format!(
            "{}-{name}",
            good.file_name().expect("name").to_string_lossy()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        for entry in std::fs::read_dir(good).expect("good") {
            let path = entry.expect("entry").path();
            let file = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            match keep(&file) {
                Some(SAME) => {
                    std::fs::copy(&path, dir.join(&file)).expect("copy");
                }
                Some(text) => std::fs::write(dir.join(&file), text).expect("write"),
                None => {}
            }
        }
        dir
    };
    vec![
        (
            "only posture.yaml",
            copy("only-posture", &|f| (f == "posture.yaml").then_some(SAME)),
        ),
        (
            "empty files",
            copy("empty-files", &|f| {
                Some(match f.len() % 3 {
                    _ if f == "posture.yaml" => SAME,
                    0 => "",
                    1 => " \n\n",
                    _ => "# emptied\n---\n",
                })
            }),
        ),
        (
            "one file deleted",
            copy("no-audit", &|f| (f != "audit.yaml").then_some(SAME)),
        ),
        ("empty directory", copy("empty-dir", &|_| None)),
    ]
}

/// What the account holds that the AFU-9 posture manages, counted directly: repositories,
/// secrets not scheduled for deletion, topics, alarms, metric filters, roles, customer
/// policies, security groups, keys and trails.
async fn account(emulator: &Emulator) -> BTreeMap<&'static str, usize> {
    let config = emulator.sdk_config();
    let mut counts = BTreeMap::new();
    counts.insert("repositories", emulator.repository_names().await.len());
    let secrets = emulator
        .secretsmanager()
        .list_secrets()
        .send()
        .await
        .expect("secrets");
    counts.insert(
        "secrets",
        secrets
            .secret_list()
            .iter()
            .filter(|s| s.deleted_date().is_none())
            .count(),
    );
    let sns = aws_sdk_sns::Client::new(&config);
    counts.insert(
        "topics",
        sns.list_topics()
            .send()
            .await
            .expect("topics")
            .topics()
            .len(),
    );
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);
    let alarms = cloudwatch.describe_alarms().send().await.expect("alarms");
    counts.insert("alarms", alarms.metric_alarms().len());
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let filters = logs
        .describe_metric_filters()
        .send()
        .await
        .expect("filters");
    counts.insert("metric filters", filters.metric_filters().len());
    let iam = emulator.iam();
    counts.insert(
        "roles",
        iam.list_roles().send().await.expect("roles").roles().len(),
    );
    let policies = iam
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .send()
        .await
        .expect("policies");
    counts.insert("policies", policies.policies().len());
    let groups = emulator
        .ec2()
        .describe_security_groups()
        .send()
        .await
        .expect("groups");
    counts.insert("security groups", groups.security_groups().len());
    let kms = aws_sdk_kms::Client::new(&config);
    counts.insert(
        "keys",
        kms.list_keys().send().await.expect("keys").keys().len(),
    );
    let trails = aws_sdk_cloudtrail::Client::new(&config);
    counts.insert(
        "trails",
        trails
            .describe_trails()
            .send()
            .await
            .expect("trails")
            .trail_list()
            .len(),
    );
    counts
}

/// The AFU-9 posture applied to a seeded account, with pruning on.
fn applied(emulator: &Emulator, name: &str) -> PathBuf {
    emulator.seed_afu9_demo();
    let good = pruning_copy(name);
    let (code, applied) = json(emulator, "apply", &good, &[]);
    assert_eq!(code, Some(0), "{applied:#}");
    good
}

/// The plan's entries with `action`, as (kind, name).
fn entries(plan: &Value, action: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = plan["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| r["action"] == action)
        .map(|r| {
            (
                r["kind"].as_str().unwrap_or_default().to_owned(),
                r["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn bad_revisions_delete_nothing_under_apply_and_an_allowance_deletes_exactly_the_plan() {
    let emulator = Emulator::start();
    let good = applied(&emulator, "apply");
    let before = account(&emulator).await;
    eprintln!("the account holds {before:?}");

    for (revision, dir) in bad_revisions(&good) {
        let (code, output) = json(&emulator, "apply", &dir, &[]);
        eprintln!("{revision}: apply exited {code:?}");
        assert_eq!(
            account(&emulator).await,
            before,
            "{revision} deleted something"
        );
        match revision {
            "one file deleted" => {
                assert_eq!(code, Some(0), "{output:#}");
                let held: Vec<&Value> = output["plan"]["resources"]
                    .as_array()
                    .expect("resources")
                    .iter()
                    .filter(|r| r["orphan"] == true)
                    .collect();
                assert!(held.iter().all(|o| o["action"] == "blocked"), "{held:#?}");
                let by_budget = held
                    .iter()
                    .filter(|o| {
                        o["reason"]
                            .as_str()
                            .is_some_and(|r| r.contains("held by the deletion budget"))
                    })
                    .count();
                assert!(by_budget > 5, "{held:#?}");
            }
            _ => assert_eq!(code, Some(1), "{revision} must be refused at load"),
        }
    }

    // An operator lifts the budget for one run: exactly what the plan showed goes.
    let no_audit = good.with_file_name(format!(
        "{}-no-audit",
        good.file_name().expect("name").to_string_lossy()
    ));
    let (_, plan) = json(&emulator, "plan", &no_audit, &["--allow-deletions", "20"]);
    let planned = entries(&plan, "delete");
    assert!(planned.len() > 5, "{plan:#}");
    let allow = planned.len().to_string();
    let (_, short) = json(&emulator, "apply", &no_audit, &["--allow-deletions", "5"]);
    assert!(entries(&short["plan"], "delete").is_empty(), "{short:#}");
    assert_eq!(
        account(&emulator).await,
        before,
        "an allowance too small deletes nothing"
    );
    let (code, output) = json(
        &emulator,
        "apply",
        &no_audit,
        &["--allow-deletions", &allow],
    );
    assert_eq!(code, Some(0), "{output:#}");
    let deleted: Vec<(String, String)> = {
        let mut deleted: Vec<(String, String)> = output["apply"]["resources"]
            .as_array()
            .expect("applied")
            .iter()
            .filter(|r| {
                r["ops"]
                    .as_array()
                    .is_some_and(|ops| ops.iter().all(|op| op["result"]["outcome"] == "done"))
            })
            .map(|r| {
                (
                    r["kind"].as_str().unwrap_or_default().to_owned(),
                    r["name"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        deleted.sort();
        deleted
    };
    assert_eq!(deleted, planned, "{output:#}");
    let after = account(&emulator).await;
    let gone: usize = before.iter().map(|(k, n)| n - after[k]).sum();
    assert_eq!(gone, planned.len(), "before {before:?}, after {after:?}");
}

#[tokio::test]
async fn a_secret_whose_manifest_comes_back_is_restored_in_the_same_pass() {
    let emulator = Emulator::start();
    let good = applied(&emulator, "restore");
    let without = good.with_file_name(format!(
        "{}-no-secrets",
        good.file_name().expect("name").to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&without);
    std::fs::create_dir_all(&without).expect("dir");
    for entry in std::fs::read_dir(&good).expect("good") {
        let path = entry.expect("entry").path();
        // The task definition's manifest names the secrets, so it goes too (a task
        // definition is never pruned: it is adopted from the application's stack).
        if path
            .file_name()
            .is_some_and(|f| f != "secrets.yaml" && f != "ecs.yaml")
        {
            std::fs::copy(&path, without.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    let (code, output) = json(&emulator, "apply", &without, &["--allow-deletions", "3"]);
    assert_eq!(code, Some(0), "{output:#}");
    let scheduled = entries(&output["plan"], "delete");
    assert!(
        scheduled.iter().any(|(kind, _)| kind == "Secret"),
        "{output:#}"
    );
    let active = |emulator: &Emulator| {
        let client = emulator.secretsmanager();
        async move {
            client
                .list_secrets()
                .include_planned_deletion(true)
                .send()
                .await
                .expect("secrets")
                .secret_list()
                .iter()
                .filter(|s| s.deleted_date().is_none())
                .filter_map(|s| s.name().map(str::to_owned))
                .collect::<Vec<_>>()
        }
    };
    let left = active(&emulator).await;
    assert!(
        scheduled.iter().all(|(_, name)| !left.contains(name)),
        "{left:?}"
    );

    let (code, output) = json(&emulator, "apply", &good, &[]);
    assert_eq!(code, Some(0), "{output:#}");
    let restored = active(&emulator).await;
    for (_, name) in &scheduled {
        assert!(
            restored.contains(name),
            "{name} was not restored: {restored:?}"
        );
    }
    let (code, plan) = json(&emulator, "plan", &good, &["--detailed-exitcode"]);
    assert_eq!(code, Some(0), "converged in the same pass: {plan:#}");
}

/// A running `afu9ctl run` over `dir`, killed when dropped.
struct Daemon {
    child: std::process::Child,
    port: u16,
}

impl Daemon {
    fn start(emulator: &Emulator, dir: &Path) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
            .env_clear()
            .envs(emulator.env())
            .args(["run", "-f"])
            .arg(dir)
            .args(["--interval", "1s", "--reload-every", "200ms", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start afu9ctl run");
        Self { child, port }
    }

    fn status(&self) -> Value {
        http_get(self.port, "/status")
            .and_then(|(_, body)| serde_json::from_str(&body).ok())
            .unwrap_or(Value::Null)
    }

    fn passes(&self) -> u64 {
        self.status()["passes"].as_u64().unwrap_or_default()
    }

    /// Waits until `n` more full passes have finished.
    fn wait_passes(&self, n: u64) {
        let start = self.passes();
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.passes() < start + n {
            assert!(Instant::now() < deadline, "no pass: {:#}", self.status());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Replaces the files of `live` with those of `revision` (as git-sync swaps a checkout).
fn switch_to(live: &Path, revision: &Path) {
    for entry in std::fs::read_dir(live).expect("live") {
        std::fs::remove_file(entry.expect("entry").path()).expect("remove");
    }
    for entry in std::fs::read_dir(revision).expect("revision") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, live.join(path.file_name().expect("name"))).expect("copy");
    }
}

#[tokio::test]
async fn bad_revisions_delete_nothing_under_run_which_holds_or_keeps_the_last_good_revision() {
    let emulator = Emulator::start();
    let good = applied(&emulator, "run");
    let before = account(&emulator).await;
    let live = good.with_file_name(format!(
        "{}-live",
        good.file_name().expect("name").to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&live);
    std::fs::create_dir_all(&live).expect("dir");
    switch_to(&live, &good);
    let daemon = Daemon::start(&emulator, &live);
    daemon.wait_passes(1);

    for (revision, dir) in bad_revisions(&good) {
        switch_to(&live, &dir);
        std::thread::sleep(Duration::from_millis(600));
        daemon.wait_passes(2);
        let status = daemon.status();
        assert_eq!(
            account(&emulator).await,
            before,
            "{revision} deleted something"
        );
        if revision == "one file deleted" {
            assert_eq!(status["held"]["reason"], "DeletionBudget", "{status:#}");
            let metrics = http_get(daemon.port, "/metrics").expect("metrics").1;
            assert!(
                metrics.contains("afu9_held{reason=\"deletion_budget\"} 1"),
                "{metrics}"
            );
        } else {
            assert!(
                status["refusedRevision"].is_string(),
                "{revision}: {status:#}"
            );
            assert!(
                status["desiredStateErrors"].is_string(),
                "{revision}: {status:#}"
            );
        }
    }
    // Meanwhile the last good revision is still reconciled: drift on a repository it names
    // is fixed while the revision on disk is refused.
    emulator
        .ecr()
        .put_image_tag_mutability()
        .repository_name("afu9/mcp-github")
        .image_tag_mutability(aws_sdk_ecr::types::ImageTagMutability::Mutable)
        .send()
        .await
        .expect("inject drift");
    daemon.wait_passes(2);
    let mutability = emulator
        .ecr()
        .describe_repositories()
        .repository_names("afu9/mcp-github")
        .send()
        .await
        .expect("describe")
        .repositories()[0]
        .image_tag_mutability()
        .cloned();
    assert_eq!(
        mutability,
        Some(aws_sdk_ecr::types::ImageTagMutability::Immutable),
        "the last good revision is still enforced"
    );
}

#[test]
fn a_non_loopback_listener_without_a_token_is_refused_unless_told_explicitly() {
    let emulator = Emulator::start();
    let dir = pruning_copy("listen");
    let listen = format!("0.0.0.0:{}", free_port());
    let refused = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .env_clear()
        .envs(emulator.env())
        .args(["run", "-f"])
        .arg(&dir)
        .args(["--listen", &listen])
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("without a token") && stderr.contains("--insecure-listen"),
        "{stderr}"
    );
    let mut told = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .env_clear()
        .envs(emulator.env())
        .args(["run", "-f"])
        .arg(&dir)
        .args(["--listen", &listen, "--insecure-listen", "--observe-only"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run");
    let port: u16 = listen
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut served = false;
    while Instant::now() < deadline && !served {
        served = http_get(port, "/healthz").is_some_and(|(code, _)| code == 200);
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = told.kill();
    let _ = told.wait();
    assert!(served, "--insecure-listen serves without a token");
}
