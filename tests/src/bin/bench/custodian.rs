//! The detection peer: Cloud Custodian (`c7n` on `PyPI`) with the policies of
//! `scripts/bench-custodian/afu9.yml`, which look for the violations `afu9ctl plan` looks for
//! over the resources of the core posture, as far as Custodian's filters reach (the file's
//! header says what they leave out), run with `custodian run --dryrun` against the same
//! emulator: detection only, no action.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use afu9_e2e::{Emulator, REGION, repo_root};
use serde::Serialize;

/// What the Custodian runs cost, and what they found.
#[derive(Debug, Clone, Serialize)]
pub struct CustodianRuns {
    /// Wall time of each `custodian run --dryrun`, seconds.
    pub wall_s: Vec<f64>,
    /// How many resources each policy matched in the last run, by policy name.
    pub matched: BTreeMap<String, usize>,
    /// afu9ctl's steady plans of the same resources, made right after each run (see
    /// [`crate::PLANS_AFTER_EACH_PEER_RUN`]), seconds.
    pub afu9ctl_alongside_s: Vec<f64>,
}

/// The policy file.
pub fn policies() -> PathBuf {
    repo_root().join("scripts/bench-custodian/afu9.yml")
}

/// The names of the policies in the file: the `  - name:` lines directly under `policies:`.
fn policy_names(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", file.display()));
    text.lines()
        .filter_map(|line| line.strip_prefix("  - name: "))
        .map(|name| name.trim().to_owned())
        .collect()
}

/// How many resources a policy matched: the length of its `resources.json` in `out`.
fn matched_by(out: &Path, policy: &str) -> usize {
    let path = out.join(policy).join("resources.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "policy {policy} left no {} ({err}): see its custodian-run.log",
            path.display()
        )
    });
    serde_json::from_str::<Vec<serde_json::Value>>(&text)
        .unwrap_or_else(|err| panic!("{} is not a JSON list: {err}", path.display()))
        .len()
}

/// Runs the policies `runs` times with `custodian`, each run into a fresh output directory
/// under `dir` (removed afterwards), `alongside` after each run (it returns afu9ctl's wall
/// times); panics if a run fails or a policy leaves no result.
///
/// `--cache memory`: the policies of one run share each resource type's listing, and no run
/// reads what another listed (Custodian's default is a 15-minute cache on disk).
pub fn run(
    custodian: &Path,
    emulator: &Emulator,
    dir: &Path,
    runs: usize,
    alongside: &mut dyn FnMut() -> Vec<f64>,
) -> CustodianRuns {
    let file = policies();
    let site = file
        .parent()
        .expect("the policy file has a directory")
        .to_path_buf();
    let names = policy_names(&file);
    assert!(!names.is_empty(), "no policy in {}", file.display());
    let mut wall_s = Vec::with_capacity(runs);
    let mut matched: BTreeMap<String, usize> = BTreeMap::new();
    let mut afu9ctl_alongside_s = Vec::new();
    for i in 0..runs {
        let out = dir.join(format!("custodian-{i}"));
        let _ = std::fs::remove_dir_all(&out);
        let started = Instant::now();
        let output = Command::new(custodian)
            .args([
                "run", "--dryrun", "--cache", "memory", "--region", REGION, "-s",
            ])
            .arg(&out)
            .arg(&file)
            .envs(emulator.env())
            .env("AWS_DEFAULT_REGION", REGION)
            // Its sitecustomize.py: S3 Control's endpoint rules put the account id in front of
            // the emulator's host name; the hook takes it out again.
            .env("PYTHONPATH", &site)
            // and leaves no __pycache__ beside it in the repository
            .env("PYTHONDONTWRITEBYTECODE", "1")
            // Custodian's opt-in regional STS endpoint is a fixed amazonaws.com URL, which
            // AWS_ENDPOINT_URL does not override; a profile would name credentials other
            // than the emulator's.
            .env_remove("C7N_USE_STS_REGIONAL")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|err| panic!("cannot run {}: {err}", custodian.display()));
        wall_s.push(started.elapsed().as_secs_f64());
        assert!(
            output.status.success(),
            "custodian run failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        matched = names
            .iter()
            .map(|name| (name.clone(), matched_by(&out, name)))
            .collect();
        let _ = std::fs::remove_dir_all(&out);
        afu9ctl_alongside_s.extend(alongside());
    }
    CustodianRuns {
        wall_s,
        matched,
        afu9ctl_alongside_s,
    }
}
