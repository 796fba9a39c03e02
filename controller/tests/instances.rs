//! Several controllers on one account, through `afu9ctl` against moto: two instances with
//! different desired states, both pruning, never delete each other's resources; of two
//! processes of one instance only the lease holder writes, and the other takes over within the
//! stated bound after `kill -9` of the holder; an instance that does not manage global
//! resources leaves IAM alone.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use afu9_e2e::{Emulator, free_port, http_get};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_sdk_ecr::types::{ImageTagMutability, Tag};
use serde_json::Value;

/// A running `afu9ctl run` with its audit file, killed (SIGKILL) when dropped.
struct Daemon {
    child: Child,
    port: u16,
    audit: PathBuf,
}

impl Daemon {
    fn start(emulator: &Emulator, manifests: &Path, audit: PathBuf, extra: &[&str]) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
            .env_clear()
            .envs(emulator.env())
            .args(["run", "-f"])
            .arg(manifests)
            .args(["--interval", "1s", "--reload-every", "200ms", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--audit-file")
            .arg(&audit)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start afu9ctl run");
        Self { child, port, audit }
    }

    fn status(&self) -> Value {
        http_get(self.port, "/status")
            .and_then(|(_, body)| serde_json::from_str(&body).ok())
            .unwrap_or_default()
    }

    fn role(&self) -> Option<String> {
        self.status()["role"].as_str().map(str::to_owned)
    }

    /// The AWS write calls this process made, from its audit file.
    fn writes(&self) -> Vec<String> {
        std::fs::read_to_string(&self.audit)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|l| Some(format!("{} {}", l["op"].as_str()?, l["name"].as_str()?)))
            .collect()
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
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}

/// A scratch desired-state directory: a Posture with `posture` lines, and `repositories`.
fn desired_state(name: &str, posture: &str, repositories: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afu9-instances-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("posture.yaml"),
        format!(
            "apiVersion: posture.afu9.io/v1alpha1\nkind: Posture\nmetadata:\n  name: {name}\nspec:\n{posture}"
        ),
    )
    .expect("posture");
    let repos: Vec<String> = repositories
        .iter()
        .map(|repo| {
            format!(
                "apiVersion: posture.afu9.io/v1alpha1\nkind: EcrRepository\nmetadata:\n  name: {repo}\nspec:\n  tagMutability: IMMUTABLE\n"
            )
        })
        .collect();
    std::fs::write(dir.join("ecr.yaml"), repos.join("---\n")).expect("repositories");
    dir
}

/// Every repository of the account, with its creation time.
async fn repositories(emulator: &Emulator) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = emulator
        .ecr()
        .describe_repositories()
        .send()
        .await
        .expect("describe repositories")
        .repositories
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            (
                r.repository_name.unwrap_or_default(),
                format!("{:?}", r.created_at),
            )
        })
        .collect();
    all.sort();
    all
}

/// A repository tagged as `tags` say, made out of band (an orphan of whoever owns it).
async fn tagged_repository(emulator: &Emulator, name: &str, tags: &[(&str, &str)]) {
    emulator
        .ecr()
        .create_repository()
        .repository_name(name)
        .set_tags(Some(
            tags.iter()
                .map(|(k, v)| Tag::builder().key(*k).value(*v).build().expect("tag"))
                .collect(),
        ))
        .send()
        .await
        .expect("create repository");
}

#[tokio::test]
async fn two_instances_pruning_for_a_minute_never_delete_each_other_s_resources() {
    let emulator = Emulator::start();
    let blue_repos = ["blue/api", "blue/web"];
    let green_repos = ["green/api"];
    let blue = desired_state("blue", "  instance: blue\n  prune: true\n", &blue_repos);
    let green = desired_state("green", "  instance: green\n  prune: true\n", &green_repos);
    // An orphan of each instance, which its own pruning deletes; a resource of the default
    // instance (the ownership tag only, as before instances existed), which neither touches.
    let owned = |instance| {
        [
            ("managed-by", "afu9-posture"),
            ("afu9-posture/instance", instance),
        ]
    };
    tagged_repository(&emulator, "blue/old", &owned("blue")).await;
    tagged_repository(&emulator, "green/old", &owned("green")).await;
    tagged_repository(&emulator, "legacy/app", &[("managed-by", "afu9-posture")]).await;
    let blue_daemon = Daemon::start(&emulator, &blue, blue.join("audit.jsonl"), &[]);
    let green_daemon = Daemon::start(&emulator, &green, green.join("audit.jsonl"), &[]);

    let wanted: Vec<&str> = [&blue_repos[..], &green_repos[..], &["legacy/app"]].concat();
    let mut first: Option<Vec<(String, String)>> = None;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        let now = repositories(&emulator).await;
        let names: Vec<&str> = now.iter().map(|(n, _)| n.as_str()).collect();
        if wanted.iter().all(|w| names.contains(w)) {
            // Once both have created theirs, every repository keeps its creation time: none
            // was deleted and made again.
            match &first {
                None => first = Some(now.clone()),
                Some(first) => {
                    for (name, created) in
                        first.iter().filter(|(n, _)| wanted.contains(&n.as_str()))
                    {
                        assert!(
                            now.contains(&(name.clone(), created.clone())),
                            "{name} was deleted and created again: {now:?}"
                        );
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let end = repositories(&emulator).await;
    let names: Vec<&str> = end.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["blue/api", "blue/web", "green/api", "legacy/app"],
        "{end:?}"
    );
    let (blue_writes, green_writes) = (blue_daemon.writes(), green_daemon.writes());
    let deletes = |writes: &[String]| -> Vec<String> {
        writes
            .iter()
            .filter(|w| w.starts_with("DeleteRepository"))
            .cloned()
            .collect()
    };
    assert_eq!(
        deletes(&blue_writes),
        ["DeleteRepository blue/old"],
        "{blue_writes:?}"
    );
    assert_eq!(
        deletes(&green_writes),
        ["DeleteRepository green/old"],
        "{green_writes:?}"
    );
    let creates = |writes: &[String]| {
        writes
            .iter()
            .filter(|w| w.starts_with("CreateRepository"))
            .count()
    };
    assert_eq!((creates(&blue_writes), creates(&green_writes)), (2, 1));
    let passes = |d: &Daemon| d.status()["passes"].as_u64().unwrap_or(0);
    assert!(
        passes(&blue_daemon) >= 20 && passes(&green_daemon) >= 20,
        "both kept passing"
    );
    for dir in [blue, green] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

async fn create_lease_table(emulator: &Emulator, table: &str) {
    let dynamodb = aws_sdk_dynamodb::Client::new(&emulator.sdk_config());
    dynamodb
        .create_table()
        .table_name(table)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("lease")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("lease")
                .key_type(KeyType::Hash)
                .build()
                .expect("key"),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("create the lease table");
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

async fn immutable_within(emulator: &Emulator, name: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let live = emulator
            .ecr()
            .describe_repositories()
            .repository_names(name)
            .send()
            .await
            .ok()
            .and_then(|r| r.repositories?.pop()?.image_tag_mutability);
        if live == Some(ImageTagMutability::Immutable) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn of_two_processes_only_the_lease_holder_writes_and_the_other_takes_over_after_kill_9() {
    let emulator = Emulator::start();
    create_lease_table(&emulator, "afu9-posture-lease").await;
    let dir = desired_state("lease", "  prune: true\n", &["lease/app"]);
    // Duration 3 s, renewal every second: a standby takes over within 3 + 2 × 1 = 5 s.
    let lease = [
        "--lease-table",
        "afu9-posture-lease",
        "--lease-duration",
        "3s",
        "--lease-renew",
        "1s",
    ];
    let bound = Duration::from_secs(5);
    let first = Daemon::start(&emulator, &dir, dir.join("first.jsonl"), &lease);
    assert!(
        wait_for(Duration::from_secs(30), || first.role().as_deref()
            == Some("leader")),
        "{}",
        first.status()
    );
    // A pass that failed counts as a pass too (on a loaded machine the first may time out):
    // what the drifts below need is the repository the holder's pass creates.
    assert!(
        immutable_within(&emulator, "lease/app", Duration::from_secs(30)).await,
        "the holder never created lease/app: {}",
        first.status()
    );
    let second = Daemon::start(&emulator, &dir, dir.join("second.jsonl"), &lease);
    assert!(
        wait_for(Duration::from_secs(30), || second.role().as_deref()
            == Some("standby")),
        "{}",
        second.status()
    );
    let ready = http_get(second.port, "/readyz").expect("readyz");
    assert_eq!(ready.0, 200, "a standby is ready: {ready:?}");
    assert!(http_get(second.port, "/").is_some_and(|(_, page)| page.contains("standby")));

    // Three drifts while both run: each is fixed, by the holder only.
    for _ in 0..3 {
        make_mutable(&emulator, "lease/app").await;
        assert!(immutable_within(&emulator, "lease/app", Duration::from_secs(15)).await);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let fixes = |d: &Daemon| {
        d.writes()
            .iter()
            .filter(|w| w.starts_with("PutImageTagMutability"))
            .count()
    };
    assert!(
        wait_for(Duration::from_secs(5), || fixes(&first) >= 3),
        "{:?}",
        first.writes()
    );
    assert_eq!(second.writes(), Vec::<String>::new(), "the standby wrote");
    assert_eq!(second.status()["role"], "standby");

    // kill -9 of the holder: the standby takes over within the bound and fixes the next drift.
    let mut first = first;
    first.child.kill().expect("kill -9");
    let killed = Instant::now();
    let _ = first.child.wait();
    assert!(
        wait_for(bound + Duration::from_secs(2), || second.role().as_deref()
            == Some("leader")),
        "no takeover within {bound:?}: {}",
        second.status()
    );
    let takeover = killed.elapsed();
    eprintln!("takeover after kill -9: {takeover:?} (bound {bound:?})");
    assert!(
        takeover <= bound + Duration::from_millis(1500),
        "{takeover:?}"
    );
    make_mutable(&emulator, "lease/app").await;
    assert!(immutable_within(&emulator, "lease/app", Duration::from_secs(15)).await);
    // The audit line follows the write it records: wait for it rather than race it.
    assert!(
        wait_for(Duration::from_secs(5), || fixes(&second) >= 1),
        "{:?}",
        second.writes()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_instance_that_does_not_manage_global_resources_observes_iam_and_writes_none() {
    let emulator = Emulator::start();
    let dir = desired_state(
        "regional",
        "  manageGlobal: false\n  prune: true\n",
        &["regional/app"],
    );
    std::fs::write(
        dir.join("iam.yaml"),
        "apiVersion: posture.afu9.io/v1alpha1\nkind: IamRole\nmetadata:\n  name: afu9-regional\nspec:\n  trustPolicy: {service: ecs-tasks.amazonaws.com}\n",
    )
    .expect("role");
    let orphan_role = "afu9-global-orphan";
    emulator
        .iam()
        .create_role()
        .role_name(orphan_role)
        .assume_role_policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .tags(aws_sdk_iam::types::Tag::builder().key("managed-by").value("afu9-posture").build().expect("tag"))
        .send()
        .await
        .expect("role");
    let output = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .env_clear()
        .envs(emulator.env())
        .args(["apply", "-o", "json", "-f"])
        .arg(&dir)
        .output()
        .expect("afu9ctl apply");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let roles: Vec<String> = emulator
        .iam()
        .list_roles()
        .send()
        .await
        .expect("roles")
        .roles
        .into_iter()
        .map(|r| r.role_name)
        .collect();
    assert_eq!(
        roles,
        [orphan_role],
        "no role created, the orphan role kept: {report}"
    );
    assert_eq!(
        repositories(&emulator).await.len(),
        1,
        "the regional repository is created"
    );
    let text = report.to_string();
    assert!(
        text.contains("afu9-regional"),
        "the role's drift is reported: {text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
