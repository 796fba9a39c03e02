//! What the account holds of the AFU-9 posture, read directly from the emulator, to prove
//! that nothing was duplicated and nothing is missing after faults and crashes.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::Filter;

use crate::Emulator;

/// Counts of AFU-9 things in the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    /// Security groups named `afu9-*`, by name, with their number of rules.
    pub security_group_rules: BTreeMap<String, usize>,
    /// Security groups named `afu9-*` in all (a duplicate name would show here).
    pub security_groups: usize,
    /// ECR repositories under `afu9/`.
    pub repositories: usize,
    /// The two AFU-9 roles, with their inline policies and attached managed policies (IAM
    /// names are unique, so a role cannot be duplicated; its policies can be missing).
    pub roles: BTreeMap<String, (usize, usize)>,
    /// Secrets named `afu9/*`.
    pub secrets: usize,
    /// Registered revisions of the task-definition family.
    pub task_definition_revisions: usize,
}

impl Inventory {
    /// Reads the inventory.
    pub async fn read(emulator: &Emulator) -> Self {
        let (security_groups, security_group_rules) = security_groups(emulator).await;
        let repositories = emulator
            .ecr()
            .describe_repositories()
            .send()
            .await
            .expect("repositories")
            .repositories
            .unwrap_or_default()
            .iter()
            .filter(|r| r.repository_name().is_some_and(|n| n.starts_with("afu9/")))
            .count();
        let iam = emulator.iam();
        let mut roles = BTreeMap::new();
        for role in iam.list_roles().send().await.expect("roles").roles {
            if !["afu9-task-execution-role", "afu9-task-role"].contains(&role.role_name.as_str()) {
                continue;
            }
            let inline = iam
                .list_role_policies()
                .role_name(&role.role_name)
                .send()
                .await
                .expect("inline")
                .policy_names
                .len();
            let attached = iam
                .list_attached_role_policies()
                .role_name(&role.role_name)
                .send()
                .await
                .expect("attached")
                .attached_policies
                .unwrap_or_default()
                .len();
            roles.insert(role.role_name, (inline, attached));
        }
        let secrets = emulator
            .secretsmanager()
            .list_secrets()
            .send()
            .await
            .expect("secrets")
            .secret_list
            .unwrap_or_default()
            .iter()
            .filter(|s| s.name().is_some_and(|n| n.starts_with("afu9/")))
            .count();
        let task_definition_revisions = emulator
            .ecs()
            .list_task_definitions()
            .family_prefix("afu9-control-center")
            .send()
            .await
            .expect("task definitions")
            .task_definition_arns
            .unwrap_or_default()
            .len();
        Self {
            security_group_rules,
            security_groups,
            repositories,
            roles,
            secrets,
            task_definition_revisions,
        }
    }

    /// Asserts the AFU-9 posture is in the account exactly once: three groups with 3, 3 and 1
    /// rules, four repositories, the two roles with their policies, the three secrets.
    pub fn assert_exactly_afu9(&self) {
        let wanted_rule_counts: BTreeMap<String, usize> =
            [("afu9-alb", 3), ("afu9-ecs", 3), ("afu9-rds", 1)]
                .into_iter()
                .map(|(name, count)| (name.to_owned(), count))
                .collect();
        assert_eq!(self.security_groups, 3, "{self:?}");
        assert_eq!(
            self.security_group_rules, wanted_rule_counts,
            "a rule is missing or duplicated: {self:?}"
        );
        assert_eq!(self.repositories, 4, "{self:?}");
        let wanted_policies: BTreeMap<String, (usize, usize)> = [
            ("afu9-task-execution-role", (1, 1)),
            ("afu9-task-role", (3, 0)),
        ]
        .into_iter()
        .map(|(name, counts)| (name.to_owned(), counts))
        .collect();
        assert_eq!(self.roles, wanted_policies, "{self:?}");
        assert_eq!(self.secrets, 3, "{self:?}");
    }

    /// Asserts nothing of the AFU-9 posture is there twice, midway through converging: no
    /// two security groups share a name, and no more repositories or secrets than it names.
    pub fn assert_nothing_duplicated(&self) {
        assert_eq!(
            self.security_groups,
            self.security_group_rules.len(),
            "two groups share a name: {self:?}"
        );
        assert!(self.repositories <= 4, "{self:?}");
        assert!(self.secrets <= 3, "{self:?}");
    }
}

/// The `afu9-*` security groups: how many, and each one's number of rules.
async fn security_groups(emulator: &Emulator) -> (usize, BTreeMap<String, usize>) {
    let ec2 = emulator.ec2();
    let groups = ec2
        .describe_security_groups()
        .filters(
            Filter::builder()
                .name("group-name")
                .values("afu9-*")
                .build(),
        )
        .send()
        .await
        .expect("groups")
        .security_groups
        .unwrap_or_default();
    let mut security_group_rules = BTreeMap::new();
    for group in &groups {
        let rules = ec2
            .describe_security_group_rules()
            .filters(
                Filter::builder()
                    .name("group-id")
                    .values(group.group_id().unwrap_or_default())
                    .build(),
            )
            .send()
            .await
            .expect("rules")
            .security_group_rules
            .unwrap_or_default();
        security_group_rules.insert(
            group.group_name().unwrap_or_default().to_owned(),
            rules.len(),
        );
    }
    (groups.len(), security_group_rules)
}
