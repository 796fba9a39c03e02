//! Crash-safe creates: `afu9ctl apply` of the AFU-9 posture on the seeded account, killed
//! (`kill -9`) right after each of its first writes — the fault proxy forwards exactly N
//! writes and holds every later request, so the kill lands after the N-th write and before
//! anything else — then a normal apply converges, with nothing duplicated and no leaked KMS
//! key (counted: keys carrying the ownership tag, each behind its alias).

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use afu9_e2e::fault_proxy::{Fault, FaultConfig, FaultProxy};
use afu9_e2e::inventory::Inventory;
use afu9_e2e::{Emulator, env_for, repo_root};

/// How many runs: one killed after each of the first `WRITES` writes.
const WRITES: usize = 10;

/// The keys carrying the ownership tag, each with the aliases pointing to it.
async fn owned_keys(emulator: &Emulator) -> BTreeMap<String, Vec<String>> {
    let kms = aws_sdk_kms::Client::new(&emulator.sdk_config());
    let aliases = kms.list_aliases().send().await.expect("aliases");
    let mut keys = BTreeMap::new();
    for key in kms.list_keys().send().await.expect("keys").keys() {
        let id = key.key_id().unwrap_or_default();
        let tags = kms
            .list_resource_tags()
            .key_id(id)
            .send()
            .await
            .expect("tags");
        let owned = tags
            .tags()
            .iter()
            .any(|t| t.tag_key() == "managed-by" && t.tag_value() == "afu9-posture");
        if owned {
            let named: Vec<String> = aliases
                .aliases()
                .iter()
                .filter(|a| a.target_key_id() == Some(id))
                .filter_map(|a| a.alias_name().map(str::to_owned))
                .collect();
            keys.insert(id.to_owned(), named);
        }
    }
    keys
}

#[tokio::test]
async fn killed_after_each_of_its_first_writes_the_next_apply_converges_with_nothing_leaked() {
    let emulator = Emulator::start();
    let proxy = FaultProxy::start(emulator.port(), 7);
    let wanted_keys = afu9_spec::load_paths(&[repo_root().join("desired-state")])
        .expect("valid")
        .kms_keys
        .len();
    for n in 1..=WRITES {
        emulator.reset();
        emulator.seed_afu9_demo();
        proxy.clear_records();
        proxy.configure(FaultConfig {
            hold_after_writes: Some(n),
            ..FaultConfig::default()
        });
        let mut child = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
            .current_dir(repo_root())
            .env_clear()
            .envs(env_for(&proxy.endpoint()))
            .arg("apply")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start apply");
        let deadline = Instant::now() + Duration::from_secs(60);
        let held = loop {
            if proxy.records().iter().any(|r| r.fault == Fault::Held) {
                break true;
            }
            if child.try_wait().expect("wait").is_some() {
                break false;
            }
            assert!(
                Instant::now() < deadline,
                "run {n}: apply neither wrote nor ended"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        let _ = child.kill();
        let _ = child.wait();
        // A write let through just before the hold may still be on its way to the emulator:
        // the next apply starts once it has landed, as after a crash AWS has finished it.
        proxy.wait_until_forwarded();
        let writes: Vec<String> = proxy
            .records()
            .iter()
            .filter(|r| r.fault == Fault::None && !r.is_read())
            .map(|r| r.operation.clone())
            .collect();
        proxy.configure(FaultConfig::default());
        assert!(
            held,
            "run {n}: the apply finished with fewer than {n} writes"
        );
        assert_eq!(writes.len(), n, "{writes:?}");
        eprintln!("run {n}: killed after {}", writes.join(", "));

        let apply = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
            .current_dir(repo_root())
            .env_clear()
            .envs(emulator.env())
            .arg("apply")
            .output()
            .expect("apply");
        assert_eq!(
            apply.status.code(),
            Some(0),
            "run {n}: {}",
            String::from_utf8_lossy(&apply.stdout)
        );
        let plan = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
            .current_dir(repo_root())
            .env_clear()
            .envs(emulator.env())
            .args(["plan", "--detailed-exitcode"])
            .output()
            .expect("plan");
        assert_eq!(
            plan.status.code(),
            Some(0),
            "run {n}: {}",
            String::from_utf8_lossy(&plan.stdout)
        );
        Inventory::read(&emulator).await.assert_exactly_afu9();
        let keys = owned_keys(&emulator).await;
        assert_eq!(keys.len(), wanted_keys, "run {n}: a key leaked: {keys:?}");
        assert!(
            keys.values().all(|aliases| aliases.len() == 1),
            "run {n}: a key without its alias: {keys:?}"
        );
    }
}
