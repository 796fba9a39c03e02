//! Provenance of drift, end to end against the emulator: an out-of-band security-group change
//! delivered as a CloudTrail event shows who made it (principal, source IP, user agent, event
//! id) in the daemon's plan JSON (`/plan`), `/status`, the status page, the audit line of its
//! fix and the Security Hub finding of the drift left (an observe-only group); a drift the
//! periodic pass finds with no event says so.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use afu9_e2e::cloudtrail_events::{SOMEONE_ELSE, SOURCE_IP, USER_AGENT, put};
use afu9_e2e::{Emulator, env_for, free_port, http_get, repo_root};
use aws_sdk_ec2::types::{Filter, IpPermission, IpRange};
use serde_json::{Value, json};

/// A running `afu9ctl run`, killed when dropped.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn start(endpoint: &str, manifests: &Path, audit: &Path) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
            .env_clear()
            .envs(env_for(endpoint))
            .args(["run", "-f"])
            .arg(manifests)
            .args([
                "--interval",
                "12s",
                "--event-window",
                "1s",
                "--security-hub",
            ])
            .arg("--audit-file")
            .arg(audit)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cannot start afu9ctl run");
        let daemon = Self { child, port };
        let ready = wait_for(Duration::from_secs(60), || {
            daemon.get("/status")["events"]["queue"].is_string()
        });
        assert!(ready, "not listening: {}", daemon.get("/status"));
        daemon
    }

    fn get(&self, path: &str) -> Value {
        http_get(self.port, path)
            .and_then(|(_, body)| serde_json::from_str(&body).ok())
            .unwrap_or_default()
    }

    fn page(&self) -> String {
        http_get(self.port, "/")
            .map(|(_, body)| body)
            .unwrap_or_default()
    }

    fn resource(&self, name: &str) -> Value {
        self.get("/status")["resources"]
            .as_array()
            .and_then(|all| all.iter().find(|r| r["name"] == name).cloned())
            .unwrap_or_default()
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

/// The posture, two groups (`afu9-db` observe-only when `observe_db`) and the event source.
fn write_manifests(dir: &Path, observe_db: bool) -> PathBuf {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::copy(
        repo_root().join("desired-state/posture.yaml"),
        dir.join("posture.yaml"),
    )
    .expect("copy");
    let group = |name: &str, policy: &str| {
        format!(
            "---\napiVersion: posture.afu9.io/v1alpha1\nkind: SecurityGroup\n\
             metadata: {{name: {name}{policy}}}\nspec:\n  vpc: {{tags: {{Name: afu9-vpc}}}}\n  \
             description: {name}\n  ingress:\n    - {{protocol: tcp, ports: 443, from: {{cidr: 10.0.0.0/16}}, description: https}}\n"
        )
    };
    let text = [
        group("afu9-web", ""),
        group(
            "afu9-db",
            if observe_db {
                ", managementPolicy: observe"
            } else {
                ""
            },
        ),
        "---\napiVersion: posture.afu9.io/v1alpha1\nkind: EventSource\nmetadata: {name: afu9-posture-events}\nspec: {}\n"
            .to_owned(),
    ];
    std::fs::write(dir.join("resources.yaml"), text.concat()).expect("write");
    dir.to_path_buf()
}

async fn group_id(emulator: &Emulator, name: &str) -> String {
    emulator
        .ec2()
        .describe_security_groups()
        .filters(Filter::builder().name("group-name").values(name).build())
        .send()
        .await
        .expect("describe")
        .security_groups()
        .first()
        .and_then(|g| g.group_id().map(str::to_owned))
        .expect("the group exists")
}

/// Opens SSH to the world on `id`, as someone at a console would, and puts the CloudTrail
/// event of that call (a request parameter holds a decoy that must never be shown).
async fn open_ssh(emulator: &Emulator, id: &str) {
    emulator
        .ec2()
        .authorize_security_group_ingress()
        .group_id(id)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await
        .expect("inject drift");
    let request = json!({"groupId": id, "ipPermissions": {"items": [{"ipProtocol": "tcp",
        "fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0",
        "description": "decoy-request-parameter"}]}}]}});
    put(
        &emulator.events(),
        &[(
            "aws.ec2",
            "AuthorizeSecurityGroupIngress",
            request,
            SOMEONE_ELSE,
        )],
    )
    .await;
}

fn assert_origin(provenance: &Value, what: &str) {
    assert_eq!(provenance["foundBy"], "event", "{what}: {provenance}");
    assert_eq!(
        provenance["principal"], SOMEONE_ELSE,
        "{what}: {provenance}"
    );
    assert_eq!(provenance["sourceIp"], SOURCE_IP, "{what}: {provenance}");
    assert_eq!(provenance["userAgent"], USER_AGENT, "{what}: {provenance}");
    assert_eq!(
        provenance["eventName"], "AuthorizeSecurityGroupIngress",
        "{what}: {provenance}"
    );
    assert!(provenance["eventId"].is_string(), "{what}: {provenance}");
    assert!(provenance["eventTime"].is_string(), "{what}: {provenance}");
}

/// The description of the drift finding of `group`, once it is there.
async fn drift_finding(emulator: &Emulator, group: &str) -> Option<String> {
    let client = aws_sdk_securityhub::Client::new(&emulator.sdk_config());
    let id = format!("afu9-posture/123456789012/eu-central-1/drift/SecurityGroup/{group}");
    let deadline = Instant::now() + Duration::from_secs(40);
    while Instant::now() < deadline {
        let page = client.get_findings().send().await.expect("GetFindings");
        let description = page
            .findings()
            .iter()
            .find(|f| f.id() == Some(id.as_str()))
            .and_then(|f| f.description().map(str::to_owned));
        if description
            .as_deref()
            .is_some_and(|d| d.contains(SOURCE_IP))
        {
            return description;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    None
}

#[tokio::test]
async fn an_out_of_band_change_shows_who_made_it_everywhere_the_drift_is_shown() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();
    let dir = std::env::temp_dir().join(format!("afu9-provenance-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let manifests = write_manifests(&dir.join("manifests"), false);
    let audit = dir.join("audit.jsonl");
    let daemon = Daemon::start(&emulator.endpoint(), &manifests, &audit);
    let (web, db) = (
        group_id(&emulator, "afu9-web").await,
        group_id(&emulator, "afu9-db").await,
    );

    // Both groups exist as wanted; from now on `afu9-db` is only observed. Right after the
    // full pass of that revision, so that the events' targeted reconcile comes first.
    let revision = daemon.get("/status")["revision"].clone();
    let passes = daemon.get("/status")["passes"].as_u64().unwrap_or(0);
    write_manifests(&dir.join("manifests"), true);
    assert!(wait_for(Duration::from_secs(20), || {
        let status = daemon.get("/status");
        status["revision"] != revision && status["passes"].as_u64().unwrap_or(0) > passes
    }));
    open_ssh(&emulator, &web).await;
    open_ssh(&emulator, &db).await;
    assert!(
        wait_for(Duration::from_secs(10), || {
            daemon.resource("afu9-web")["lastDrift"]["foundBy"] == "event"
                && daemon.resource("afu9-db")["lastDrift"]["foundBy"] == "event"
        }),
        "{}",
        daemon.get("/status")
    );

    // `/status`, for the group fixed and the group only observed.
    assert_origin(
        &daemon.resource("afu9-web")["lastDrift"],
        "/status afu9-web",
    );
    assert_origin(&daemon.resource("afu9-db")["lastDrift"], "/status afu9-db");
    // The status page.
    let page = daemon.page();
    assert!(
        page.contains(&format!("changed by {SOMEONE_ELSE} from {SOURCE_IP}")),
        "{page}"
    );

    // The audit line of the fix.
    let lines = std::fs::read_to_string(&audit).expect("the audit file");
    let fix: Value = lines
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["name"] == "afu9-web" && l["op"] == "RevokeSecurityGroupIngress")
        .unwrap_or_else(|| panic!("no audit line of the fix: {lines}"));
    assert_origin(&fix["provenance"], "audit line");

    // The plan JSON of the next full pass: the observed group's drift is still alice's.
    let full = daemon.get("/status")["passes"].as_u64().unwrap_or(0);
    assert!(wait_for(Duration::from_secs(20), || {
        daemon.get("/status")["passes"].as_u64().unwrap_or(0) > full
    }));
    let plan = daemon.get("/plan");
    assert_eq!(plan["partial"], Value::Null, "{plan}");
    let db_plan = plan["resources"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["name"] == "afu9-db"))
        .unwrap_or_else(|| panic!("{plan}"));
    assert_origin(&db_plan["provenance"], "plan JSON");

    // The Security Hub finding of the drift left.
    let description = drift_finding(&emulator, "afu9-db")
        .await
        .expect("a drift finding naming who made it");
    assert!(
        description.contains(SOMEONE_ELSE) && description.contains(SOURCE_IP),
        "{description}"
    );

    // Never a request parameter, anywhere.
    let everything = format!(
        "{} {} {lines} {description} {plan}",
        daemon.get("/status"),
        daemon.page()
    );
    assert!(!everything.contains("decoy-request-parameter"));
    drop(daemon);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_drift_no_event_named_is_found_by_the_periodic_pass() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();
    let dir = std::env::temp_dir().join(format!("afu9-periodic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let manifests = write_manifests(&dir.join("manifests"), false);
    let audit = dir.join("audit.jsonl");
    let daemon = Daemon::start(&emulator.endpoint(), &manifests, &audit);
    let web = group_id(&emulator, "afu9-web").await;
    // The change, with no event.
    emulator
        .ec2()
        .authorize_security_group_ingress()
        .group_id(&web)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await
        .expect("inject drift");
    // The first pass may have created the group; the fix is the revoke of what was injected.
    let fix_line = || {
        std::fs::read_to_string(&audit)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|l| l["name"] == "afu9-web" && l["op"] == "RevokeSecurityGroupIngress")
    };
    assert!(
        wait_for(Duration::from_secs(30), || fix_line().is_some()),
        "no audit line of the fix: {:?}",
        std::fs::read_to_string(&audit)
    );
    assert_eq!(
        daemon.resource("afu9-web")["lastDrift"]["foundBy"],
        "periodicPass",
        "{}",
        daemon.get("/status")
    );
    assert!(
        daemon
            .page()
            .contains("drift: found by the periodic pass; no event")
    );
    let fix = fix_line().expect("the audit line of the fix");
    assert_eq!(fix["provenance"], json!({"foundBy": "periodicPass"}));
    drop(daemon);
    let _ = std::fs::remove_dir_all(&dir);
}
