//! What the emulator's account holds, read for assertions, and scratch manifests for the
//! CLI tests.

use std::path::PathBuf;

use crate::Emulator;

impl Emulator {
    /// The names of the account's ECR repositories, sorted.
    pub async fn repository_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .ecr()
            .describe_repositories()
            .send()
            .await
            .expect("describe repositories")
            .repositories
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.repository_name)
            .collect();
        names.sort();
        names
    }

    /// Whether the IAM role `name` exists.
    pub async fn role_exists(&self, name: &str) -> bool {
        self.iam().get_role().role_name(name).send().await.is_ok()
    }
}

/// The files of `desired-state/` the 14-resource core posture is made of (the first
/// benchmark's resources and the Posture): what the calls test and the benchmark plan.
pub const CORE_FILES: [&str; 6] = [
    "ecr.yaml",
    "iam.yaml",
    "network.yaml",
    "secrets.yaml",
    "ecs.yaml",
    "posture.yaml",
];

/// A fresh scratch directory `afu9-<name>-<pid>` holding `yaml` as its one manifest file.
pub fn manifests_dir(name: &str, yaml: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afu9-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    std::fs::write(dir.join("state.yaml"), yaml).expect("manifests written");
    dir
}
