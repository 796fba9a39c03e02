//! The peer baseline: the AFU-9 posture as an Ansible playbook (`amazon.aws` and `community.aws`
//! from the `ansible` package on `PyPI`), run with `--check --diff` against the same emulator.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use afu9_e2e::{Emulator, repo_root};
use serde::Serialize;

/// What the Ansible runs cost.
#[derive(Debug, Clone, Serialize)]
pub struct AnsibleRuns {
    /// Wall time of each `ansible-playbook --check --diff`, seconds.
    pub wall_s: Vec<f64>,
    /// The `PLAY RECAP` line of the last run.
    pub recap: String,
    /// afu9ctl's steady plans of the same resources, made right after each run (see
    /// [`crate::PLANS_AFTER_EACH_PEER_RUN`]), seconds.
    pub afu9ctl_alongside_s: Vec<f64>,
}

/// The playbook.
pub fn playbook() -> PathBuf {
    repo_root().join("scripts/bench-ansible/afu9.yml")
}

/// Runs the playbook `runs` times with `ansible_playbook`, `alongside` after each run (it
/// returns afu9ctl's wall times); panics if a run fails.
pub fn run(
    ansible_playbook: &Path,
    emulator: &Emulator,
    runs: usize,
    alongside: &mut dyn FnMut() -> Vec<f64>,
) -> AnsibleRuns {
    let mut wall_s = Vec::with_capacity(runs);
    let mut recap = String::new();
    let mut afu9ctl_alongside_s = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let output = Command::new(ansible_playbook)
            .args(["-i", "localhost,", "-c", "local", "--check", "--diff"])
            .arg(playbook())
            .envs(emulator.env())
            .env("ANSIBLE_NOCOLOR", "1")
            .env("ANSIBLE_HOST_KEY_CHECKING", "false")
            .env("ANSIBLE_LOCALHOST_WARNING", "false")
            .env("ANSIBLE_INVENTORY_UNPARSED_WARNING", "false")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|err| panic!("cannot run {}: {err}", ansible_playbook.display()));
        wall_s.push(started.elapsed().as_secs_f64());
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "ansible-playbook failed ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        recap = stdout
            .lines()
            .skip_while(|line| !line.starts_with("PLAY RECAP"))
            .nth(1)
            .map(|line| {
                line.split_whitespace()
                    .skip(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        afu9ctl_alongside_s.extend(alongside());
    }
    AnsibleRuns {
        wall_s,
        recap,
        afu9ctl_alongside_s,
    }
}
