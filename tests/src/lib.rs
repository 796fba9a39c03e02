//! Test harness for afu9-posture: a local AWS emulator (moto) per test, SDK clients pointed
//! at it for injecting drift, and a call trap that proves a command made no AWS call.
//!
//! The emulator is installed on first use by `scripts/ensure-emulator` into the project's
//! virtualenv. A test that cannot start it fails loudly; nothing is skipped.
//!
//! Every function here panics, with the reason, when the emulator or the machine does not
//! cooperate: that is how a test harness fails.
#![allow(clippy::missing_panics_doc)]

pub mod account;
pub mod audit;
pub mod cloudtrail_events;
pub mod data;
pub mod edge;
pub mod fault_proxy;
mod http;
pub mod inventory;

use http::http_post;
pub use http::{CallTrap, free_port, http_get};

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

/// The region every test uses.
pub const REGION: &str = "eu-central-1";
/// The account moto answers for by default.
pub const ACCOUNT_ID: &str = "123456789012";

/// The repository's root directory: the parent of the running test's crate (cargo sets
/// `CARGO_MANIFEST_DIR` when it runs a test), read at run time so that a build reused from a
/// clone at another path never points there; the compile-time path otherwise.
pub fn repo_root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The emulator's python, installing it the first time (once per test process).
fn emulator_python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let script = repo_root().join("scripts/ensure-emulator");
        let output = Command::new(&script)
            .stderr(Stdio::inherit())
            .output()
            .unwrap_or_else(|err| panic!("cannot run {}: {err}", script.display()));
        assert!(
            output.status.success(),
            "{} failed ({}): the AWS emulator could not be installed",
            script.display(),
            output.status
        );
        PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
    })
}

/// A moto server on 127.0.0.1 with a free port, killed when dropped; or, split, one moto
/// server per named service beside one for the rest, behind a router (the benchmark's model
/// of AWS, whose services do not share one process).
pub struct Emulator {
    child: Child,
    port: u16,
    shards: Vec<(Vec<String>, Child, u16)>,
    router: Option<fault_proxy::FaultProxy>,
}

impl Emulator {
    /// Starts a fresh emulator and waits until it answers. Panics with the reason if it
    /// cannot: an emulator-backed test must never pass without one.
    pub fn start() -> Self {
        let (child, port) = spawn_moto();
        Self {
            child,
            port,
            shards: Vec::new(),
            router: None,
        }
    }

    /// Starts a fresh emulator that can enforce IAM policies ([`Emulator::enforce_iam`]),
    /// authorizing each request by its access key's user and that user's policies, without
    /// checking signatures (moto checks them over a re-encoded body: see
    /// `scripts/moto_server.py`). Enforcement starts off, so that the test can seed the
    /// account and create the users with the test credentials first.
    pub fn start_enforcing() -> Self {
        let (child, port) = spawn_moto_with(&["--iam-without-signatures"]);
        Self {
            child,
            port,
            shards: Vec::new(),
            router: None,
        }
    }

    /// Turns moto's IAM enforcement on (every later request is authorized against its
    /// caller's policies; the test credentials then belong to no user and are refused) or
    /// off (`/moto-api/reset-auth`).
    pub fn enforce_iam(&self, on: bool) {
        for port in self.ports() {
            let status = http_post(port, "/moto-api/reset-auth", if on { "0" } else { "inf" });
            assert_eq!(status, 200, "switching IAM enforcement failed");
        }
    }

    /// Starts one emulator per group of `groups` (signing names: `ecr`, `ec2`; a group's
    /// services share one process, as ECS's services must see EC2's subnets) and one for
    /// every other service, behind a router that sends each request to its service's.
    pub fn start_split(groups: &[&[&str]]) -> Self {
        let (child, port) = spawn_moto();
        let shards: Vec<(Vec<String>, Child, u16)> = groups
            .iter()
            .map(|group| {
                let (child, port) = spawn_moto();
                (group.iter().map(|s| (*s).to_owned()).collect(), child, port)
            })
            .collect();
        let mut emulator = Self {
            child,
            port,
            shards,
            router: None,
        };
        emulator.router = Some(fault_proxy::FaultProxy::start_routed(
            emulator.upstreams(),
            0,
        ));
        emulator
    }

    /// The emulator processes' ports, by service.
    pub fn upstreams(&self) -> fault_proxy::Upstreams {
        fault_proxy::Upstreams {
            default: self.port,
            by_service: self
                .shards
                .iter()
                .flat_map(|(services, _, port)| {
                    services.iter().map(|service| (service.clone(), *port))
                })
                .collect(),
        }
    }

    /// The ids of the emulator's processes (the benchmark reads their CPU time).
    pub fn pids(&self) -> Vec<u32> {
        std::iter::once(self.child.id())
            .chain(self.shards.iter().map(|(_, child, _)| child.id()))
            .collect()
    }

    fn ports(&self) -> Vec<u16> {
        std::iter::once(self.port)
            .chain(self.shards.iter().map(|(_, _, port)| *port))
            .collect()
    }

    /// `http://127.0.0.1:PORT` (of the router, when split).
    pub fn endpoint(&self) -> String {
        self.router.as_ref().map_or_else(
            || format!("http://127.0.0.1:{}", self.port),
            fault_proxy::FaultProxy::endpoint,
        )
    }

    /// The emulator's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Seeds the account as the demo does (`scripts/seed_demo.py`): the VPC, the secrets
    /// with dummy values, the rotation Lambda and a task-definition family the AFU-9 posture
    /// needs, plus drift and missing resources for the controller to fix.
    pub fn seed_afu9_demo(&self) {
        let output = Command::new(emulator_python())
            .arg(repo_root().join("scripts/seed_demo.py"))
            .envs(self.env())
            .output()
            .expect("cannot run scripts/seed_demo.py");
        assert!(
            output.status.success(),
            "seeding failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Wipes all emulated state.
    pub fn reset(&self) {
        for port in self.ports() {
            let status = http_post(port, "/moto-api/reset", "");
            assert_eq!(status, 200, "emulator reset failed");
        }
    }

    /// Sends a JSON document to moto's configuration API (`/moto-api/config`).
    pub fn configure(&self, json: &str) {
        for port in self.ports() {
            let status = http_post(port, "/moto-api/config", json);
            assert!(
                (200..300).contains(&status),
                "emulator configuration failed ({status})"
            );
        }
    }

    /// Environment for a child process (the CLI) to talk to this emulator with test
    /// credentials and no local AWS profile.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        env_for(&self.endpoint())
    }

    /// An SDK configuration pointed at this emulator.
    pub fn sdk_config(&self) -> SdkConfig {
        sdk_config_for(&self.endpoint())
    }

    /// An ECR client for injecting and checking state.
    pub fn ecr(&self) -> aws_sdk_ecr::Client {
        aws_sdk_ecr::Client::new(&self.sdk_config())
    }

    /// An EventBridge client (to put the CloudTrail events moto does not emit).
    pub fn events(&self) -> aws_sdk_eventbridge::Client {
        aws_sdk_eventbridge::Client::new(&self.sdk_config())
    }

    /// An SQS client for checking the event queue.
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.sdk_config())
    }

    /// An Elastic Load Balancing (v2) client for injecting and checking state.
    pub fn elbv2(&self) -> aws_sdk_elasticloadbalancingv2::Client {
        aws_sdk_elasticloadbalancingv2::Client::new(&self.sdk_config())
    }

    /// An ACM client for injecting and checking state.
    pub fn wafv2(&self) -> aws_sdk_wafv2::Client {
        aws_sdk_wafv2::Client::new(&self.sdk_config())
    }

    /// An ACM client for the emulator.
    pub fn acm(&self) -> aws_sdk_acm::Client {
        aws_sdk_acm::Client::new(&self.sdk_config())
    }

    /// Imports a fresh self-signed certificate for `domain` into the emulator's ACM
    /// (`scripts/self_signed.py`) and returns its ARN.
    pub async fn import_certificate(&self, domain: &str) -> String {
        let output = Command::new(emulator_python())
            .arg(repo_root().join("scripts/self_signed.py"))
            .arg(domain)
            .output()
            .expect("cannot run scripts/self_signed.py");
        assert!(
            output.status.success(),
            "certificate generation failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let pair: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("a certificate and key as JSON");
        let pem = |field: &str| {
            aws_smithy_types::Blob::new(pair[field].as_str().expect("a PEM string").as_bytes())
        };
        self.acm()
            .import_certificate()
            .certificate(pem("certificate"))
            .private_key(pem("key"))
            .send()
            .await
            .expect("import the certificate")
            .certificate_arn
            .expect("the certificate's ARN")
    }

    /// An EC2 client for injecting and checking state.
    pub fn ec2(&self) -> aws_sdk_ec2::Client {
        aws_sdk_ec2::Client::new(&self.sdk_config())
    }

    /// An ECS client for injecting and checking state.
    pub fn ecs(&self) -> aws_sdk_ecs::Client {
        aws_sdk_ecs::Client::new(&self.sdk_config())
    }

    /// An RDS client for injecting and checking state.
    pub fn rds(&self) -> aws_sdk_rds::Client {
        aws_sdk_rds::Client::new(&self.sdk_config())
    }

    /// A Lambda client (rotation functions must exist for Secrets Manager).
    pub fn lambda(&self) -> aws_sdk_lambda::Client {
        aws_sdk_lambda::Client::new(&self.sdk_config())
    }

    /// Creates a Lambda function named `name` that moto invokes as a stub (no Docker), as
    /// Secrets Manager rotation needs one to exist, and returns its ARN.
    pub async fn create_stub_lambda(&self, name: &str) -> String {
        self.configure(r#"{"lambda": {"use_docker": false}}"#);
        let role = self
            .iam()
            .create_role()
            .role_name(format!("{name}-role"))
            .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
            .send()
            .await
            .expect("create the Lambda's role")
            .role
            .expect("role")
            .arn;
        self.lambda()
            .create_function()
            .function_name(name)
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .role(role)
            .handler("index.handler")
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_sdk_lambda::primitives::Blob::new(b"stub".to_vec()))
                    .build(),
            )
            .send()
            .await
            .expect("create the Lambda function")
            .function_arn
            .expect("function ARN")
    }

    /// A Secrets Manager client for injecting and checking state.
    pub fn secretsmanager(&self) -> aws_sdk_secretsmanager::Client {
        aws_sdk_secretsmanager::Client::new(&self.sdk_config())
    }

    /// An IAM client for injecting and checking state.
    pub fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.sdk_config())
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for child in
            std::iter::once(&mut self.child).chain(self.shards.iter_mut().map(|(_, c, _)| c))
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts one moto server on a free port and waits until it answers.
fn spawn_moto() -> (Child, u16) {
    spawn_moto_with(&[])
}

/// Starts one moto server with extra `scripts/moto_server.py` arguments.
fn spawn_moto_with(extra: &[&str]) -> (Child, u16) {
    let mut child = Command::new(emulator_python())
        .arg(repo_root().join("scripts/moto_server.py"))
        .args(["--port", "0"])
        .args(extra)
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start the AWS emulator (scripts/moto_server.py)");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("cannot read the emulator's address");
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| {
            let _ = child.kill();
            panic!("the AWS emulator did not start: it printed {line:?}")
        });
    (child, port)
}

/// Environment for a child process to talk to `endpoint` (the emulator, or a proxy in front
/// of it) with test credentials.
pub fn env_for(endpoint: &str) -> Vec<(&'static str, String)> {
    let mut env = test_credentials_env();
    env.push(("AWS_ENDPOINT_URL", endpoint.to_owned()));
    env
}

/// Test credentials, region, and no shared config or instance metadata.
pub fn test_credentials_env() -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
        ("AWS_REGION", REGION.to_owned()),
        ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("NO_COLOR", "1".to_owned()),
    ]
}

/// An SDK configuration with test credentials for `endpoint`.
pub fn sdk_config_for(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(REGION))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                "test",
                "test",
                None,
                None,
                "afu9-tests",
            )),
        )
        .build()
}
