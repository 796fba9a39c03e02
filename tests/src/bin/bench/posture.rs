//! The postures measured: the AFU-9 posture of `desired-state/`, and generated postures of N
//! resources (security groups with rules, roles with inline policies, repositories, secrets);
//! what must exist before `apply`; and the out-of-band drift injected through the SDK.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use afu9_e2e::account::CORE_FILES;
use afu9_e2e::{Emulator, REGION, repo_root};
use aws_sdk_ec2::types::{IpPermission, IpRange, ResourceType, Tag, TagSpecification};
use aws_sdk_ecr::types::ImageTagMutability;
use aws_sdk_ecs::types::{Compatibility, ContainerDefinition, NetworkMode, PortMapping};

/// A posture to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posture {
    /// `desired-state/`: 35 resources of fifteen kinds.
    Afu9,
    /// The ECR, IAM, network, secrets, ECS and Posture manifests of `desired-state/`: 14
    /// resources, what the first benchmark and the Ansible playbook cover.
    Core,
    /// N resources, split evenly over security groups, roles, repositories and secrets.
    Generated(usize),
}

/// How many of each generated kind: `[groups, roles, repositories, secrets]`.
pub fn split(total: usize) -> [usize; 4] {
    let mut counts = [total / 4; 4];
    for count in counts.iter_mut().take(total % 4) {
        *count += 1;
    }
    counts
}

impl Posture {
    /// The label in the table (`afu9`, `n=100`).
    pub fn label(self) -> String {
        match self {
            Self::Afu9 => "afu9".to_owned(),
            Self::Core => "afu9-core".to_owned(),
            Self::Generated(n) => format!("n={n}"),
        }
    }

    /// How many managed resources it has.
    pub fn resources(self) -> usize {
        match self {
            Self::Afu9 => 35,
            Self::Core => 14,
            Self::Generated(n) => n,
        }
    }

    /// Writes the manifests (generated postures) into `dir` and returns what `-f` takes.
    pub fn manifests(self, dir: &Path) -> PathBuf {
        match self {
            Self::Afu9 => repo_root().join("desired-state"),
            Self::Core => {
                let core = dir.join("afu9-core");
                std::fs::create_dir_all(&core).expect("core posture dir");
                for file in CORE_FILES {
                    std::fs::copy(
                        repo_root().join("desired-state").join(file),
                        core.join(file),
                    )
                    .expect("copy a core manifest file");
                }
                core
            }
            Self::Generated(n) => {
                let path = dir.join(format!("bench-{n}.yaml"));
                std::fs::write(&path, generate(n)).expect("write the generated manifests");
                path
            }
        }
    }

    /// Creates what the posture expects to exist and does not manage: the VPC, and for AFU-9
    /// (whole or core) the rotation Lambda, the secrets with their (dummy) values, the
    /// task-definition family, and for the whole of it the audit trail's bucket, log group, role and keys, the data tier
    /// (`afu9_e2e::data`: database, cluster, service, subnets) and the application's
    /// load balancer (insecure) with its certificate and log bucket. Also makes the first
    /// IAM call, which loads moto's AWS managed policies.
    pub async fn seed(self, emulator: &Emulator) {
        let vpc_name = match self {
            Self::Afu9 | Self::Core => "afu9-vpc",
            Self::Generated(_) => "bench-vpc",
        };
        let vpc = create_vpc(emulator, vpc_name).await;
        emulator
            .iam()
            .list_roles()
            .max_items(1)
            .send()
            .await
            .expect("warm up IAM");
        if let Self::Generated(_) = self {
            return;
        }
        emulator.create_stub_lambda("afu9-rotate-db-password").await;
        for name in ["afu9/database", "afu9/github", "afu9/llm"] {
            emulator
                .secretsmanager()
                .create_secret()
                .name(name)
                .secret_string("dummy-value-set-by-the-owner")
                .send()
                .await
                .expect("create secret");
        }
        register_task_definition(emulator).await;
        if self == Self::Core {
            // The service the family's manifest names (the whole posture's data tier has it).
            afu9_e2e::data::seed_control_center_service(emulator, &vpc).await;
        }
        if self == Self::Afu9 {
            afu9_e2e::audit::seed_audit_prerequisites(emulator).await;
            afu9_e2e::data::seed_data_tier(emulator).await;
            afu9_e2e::edge::seed_edge_prerequisites(emulator).await;
        }
    }

    /// Changes about a tenth of the resources out of band; returns how many.
    pub async fn drift(self, emulator: &Emulator) -> usize {
        match self {
            Self::Afu9 | Self::Core => {
                mutable_tags(emulator, "afu9/control-center").await;
                open_ssh(emulator, "afu9-ecs").await;
                2
            }
            Self::Generated(n) => {
                let [groups, roles, repositories, _] = split(n);
                // Every tenth resource of the manifests, in order (groups, roles,
                // repositories, secrets), counting from the sixth.
                let drifted: Vec<usize> = (5..n).step_by(10).collect();
                for &index in &drifted {
                    match index {
                        i if i < groups => open_ssh(emulator, &group_name(i)).await,
                        i if i < groups + roles => {
                            delete_inline_policy(emulator, &role_name(i - groups)).await;
                        }
                        i if i < groups + roles + repositories => {
                            mutable_tags(emulator, &repository_name(i - groups - roles)).await;
                        }
                        i => {
                            let secret = i - groups - roles - repositories;
                            change_description(emulator, &secret_name(secret)).await;
                        }
                    }
                }
                drifted.len()
            }
        }
    }
}

fn group_name(i: usize) -> String {
    format!("bench-sg-{i:04}")
}

fn role_name(i: usize) -> String {
    format!("bench-role-{i:04}")
}

fn repository_name(i: usize) -> String {
    format!("bench/repo-{i:04}")
}

fn secret_name(i: usize) -> String {
    format!("bench/secret-{i:04}")
}

const HEADER: &str = "apiVersion: posture.afu9.io/v1alpha1\n";

/// The manifests of a generated posture of `total` resources.
pub fn generate(total: usize) -> String {
    let [groups, roles, repositories, secrets] = split(total);
    let mut out = format!(
        "{HEADER}kind: Posture\nmetadata: {{name: bench}}\nspec:\n  region: {REGION}\n  defaultTags: {{project: bench}}\n"
    );
    for i in 0..groups {
        write_group(&mut out, i);
    }
    for i in 0..roles {
        write_role(&mut out, i);
    }
    for i in 0..repositories {
        let _ = write!(
            out,
            "---\n{HEADER}kind: EcrRepository\nmetadata: {{name: {}}}\nspec:\n  scanOnPush: true\n  tagMutability: IMMUTABLE\n  lifecyclePolicy: {{keepLast: 10}}\n  tags: {{team: bench}}\n",
            repository_name(i)
        );
    }
    for i in 0..secrets {
        let _ = write!(
            out,
            "---\n{HEADER}kind: Secret\nmetadata: {{name: {}}}\nspec:\n  description: bench secret {i}\n  create: true\n  tags: {{team: bench}}\n",
            secret_name(i)
        );
    }
    out
}

/// A group with four rules: two ingress (a CIDR, and the previous group when there is one)
/// and two egress.
fn write_group(out: &mut String, i: usize) {
    let _ = write!(
        out,
        "---\n{HEADER}kind: SecurityGroup\nmetadata: {{name: {}}}\nspec:\n  vpc: {{tags: {{Name: bench-vpc}}}}\n  description: bench group {i}\n  ingress:\n    - {{protocol: tcp, ports: 443, from: {{cidr: 10.0.0.0/8}}, description: https}}\n",
        group_name(i)
    );
    if i > 0 {
        let _ = writeln!(
            out,
            "    - {{protocol: tcp, ports: 8080, from: {{securityGroup: {}}}, description: from the previous group}}",
            group_name(i - 1)
        );
    }
    out.push_str(
        "  egress:\n    - {protocol: tcp, ports: 443, to: {cidr: 0.0.0.0/0}, description: https out}\n    - {protocol: tcp, ports: 5432, to: {cidr: 10.1.0.0/16}, description: database}\n",
    );
}

/// A role with two inline policies.
fn write_role(out: &mut String, i: usize) {
    let _ = write!(
        out,
        "---\n{HEADER}kind: IamRole\nmetadata: {{name: {}}}\nspec:\n  description: bench role {i}\n  trustPolicy: {{service: ecs-tasks.amazonaws.com}}\n  inlinePolicies:\n    logs:\n      Version: \"2012-10-17\"\n      Statement:\n        - {{Effect: Allow, Action: [logs:CreateLogStream, logs:PutLogEvents], Resource: \"arn:aws:logs:*:*:log-group:/bench/{i}*\"}}\n    read:\n      Version: \"2012-10-17\"\n      Statement:\n        - {{Effect: Allow, Action: s3:GetObject, Resource: \"arn:aws:s3:::bench-{i}/*\"}}\n  maxSessionDuration: 3600\n",
        role_name(i)
    );
}

/// Creates the VPC named `name`; returns its id.
async fn create_vpc(emulator: &Emulator, name: &str) -> String {
    emulator
        .ec2()
        .create_vpc()
        .cidr_block("10.9.0.0/16")
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::Vpc)
                .tags(Tag::builder().key("Name").value(name).build())
                .build(),
        )
        .send()
        .await
        .expect("create the VPC")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("the VPC's id")
}

/// The control center's family as its deployment registers it (running as root, no logs):
/// `apply` registers the hardened revision.
async fn register_task_definition(emulator: &Emulator) {
    let web = ContainerDefinition::builder()
        .name("web")
        .image("registry.example/afu9/control-center:1")
        .user("root")
        .privileged(true)
        .readonly_root_filesystem(false)
        .port_mappings(PortMapping::builder().container_port(8080).build())
        .build();
    emulator
        .ecs()
        .register_task_definition()
        .family("afu9-control-center")
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("512")
        .memory("1024")
        .task_role_arn("arn:aws:iam::123456789012:role/afu9-task-role")
        .execution_role_arn("arn:aws:iam::123456789012:role/afu9-task-execution-role")
        .container_definitions(web)
        .send()
        .await
        .expect("register the task definition");
}

async fn open_ssh(emulator: &Emulator, group: &str) {
    let ec2 = emulator.ec2();
    let id = ec2
        .describe_security_groups()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("group-name")
                .values(group)
                .build(),
        )
        .send()
        .await
        .expect("describe the group")
        .security_groups
        .and_then(|groups| groups.into_iter().next())
        .and_then(|g| g.group_id)
        .unwrap_or_else(|| panic!("{group} does not exist"));
    ec2.authorize_security_group_ingress()
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
        .expect("open SSH");
}

async fn mutable_tags(emulator: &Emulator, repository: &str) {
    emulator
        .ecr()
        .put_image_tag_mutability()
        .repository_name(repository)
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .expect("make tags mutable");
}

async fn delete_inline_policy(emulator: &Emulator, role: &str) {
    emulator
        .iam()
        .delete_role_policy()
        .role_name(role)
        .policy_name("read")
        .send()
        .await
        .expect("delete an inline policy");
}

async fn change_description(emulator: &Emulator, secret: &str) {
    emulator
        .secretsmanager()
        .update_secret()
        .secret_id(secret)
        .description("changed out of band")
        .send()
        .await
        .expect("change the description");
}
