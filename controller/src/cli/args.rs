//! The command line's arguments: global options, subcommands and their flags.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use afu9_controller::render::OutputFormat;
use afu9_controller::select::{Selection, SelectionError};
use afu9_spec::exceptions::Date;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Keeps an AWS account's security posture as the desired state in git says.
#[derive(Debug, Parser)]
#[command(name = "afu9ctl", version, about, long_about = None)]
pub struct Cli {
    /// Manifest file or directory (searched recursively for *.yaml, *.yml); repeatable.
    #[arg(
        short = 'f',
        long = "file",
        global = true,
        default_value = "desired-state"
    )]
    pub files: Vec<PathBuf>,
    /// Send every AWS call to this endpoint (a local emulator).
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// AWS region; defaults to the Posture document's, then to the SDK's configuration.
    #[arg(long, global = true, env = "AWS_REGION")]
    pub region: Option<String>,
    /// Judge the Posture's exceptions as of this day (YYYY-MM-DD, UTC) instead of today: to
    /// see what fails once they expire.
    #[arg(long, global = true, value_parser = parse_date, value_name = "DATE")]
    pub as_of: Option<Date>,
    /// Log format on stderr (the level comes from `RUST_LOG`, default `warn`).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The day the Posture's exceptions are judged on: `--as-of`, else today (UTC).
    pub fn today(&self) -> Date {
        self.as_of.unwrap_or_else(Date::today)
    }
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date (YYYY-MM-DD)"))
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the manifests and exit: 0 valid, 1 invalid. Makes no AWS call.
    Validate(ValidateArgs),
    /// Print the JSON Schema of every manifest kind.
    Schema,
    /// Show what apply would change (dry run).
    Plan(PlanArgs),
    /// Change the account to match the desired state, then report what was done.
    Apply(ApplyArgs),
    /// The security guide's checklist, judged from the plan's observation. Makes no write.
    Report(ReportArgs),
    /// Reconcile continuously, as a service: reload on change, status, metrics, audit trail.
    Run(RunArgs),
    /// Show the resource status a running controller serves.
    Status(StatusArgs),
    /// Print a shell completion script (e.g. `afu9ctl completion bash > /etc/bash_completion.d/afu9ctl`).
    Completion(CompletionArgs),
    /// Print the IAM policy the controller needs for this desired state. Makes no AWS call.
    Permissions(PermissionsArgs),
    /// Write manifests for live resources (one file per area, `adopt: true` where the
    /// resource was not created by afu9-posture). Reads only; never reads a secret's value.
    Import(ImportArgs),
    /// Generate documentation from the code (the reference under docs/reference/).
    #[command(hide = true)]
    Docs(DocsArgs),
}

/// `afu9ctl docs`.
#[derive(Debug, Args)]
pub struct DocsArgs {
    /// What to generate.
    #[command(subcommand)]
    pub command: DocsCommand,
}

/// The documents `afu9ctl docs` generates.
#[derive(Debug, Subcommand)]
pub enum DocsCommand {
    /// One page per kind, an index and the permissions page, from the schema, the
    /// invalid-manifest corpus and desired-state/.
    Reference {
        /// The directory to write the pages into (its other `*.md` files are removed).
        #[arg(long, default_value = "docs/reference")]
        out: PathBuf,
        /// The repository root (holding desired-state/, tests/fixtures/invalid/, spec/src/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// `afu9ctl completion`.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `--target KIND/NAME` and `-l SELECTOR`: which resources a command acts on. Flatten it
/// into a command's arguments (`#[command(flatten)] pub select: SelectArgs`).
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Act only on this resource and what it depends on (e.g. `IamRole/afu9-task-role`);
    /// repeatable. Like Terraform's -target, the plan is then partial.
    #[arg(long = "target", value_name = "KIND/NAME")]
    pub targets: Vec<String>,
    /// Act only on resources whose metadata.labels match: `key=value`, `key!=value`, `key`
    /// (set), `!key` (not set); comma-separated or repeated, all must hold. With --target,
    /// the targets that match.
    #[arg(short = 'l', long = "selector", value_name = "SELECTOR")]
    pub selectors: Vec<String>,
}

impl SelectArgs {
    /// The selection these arguments write.
    pub fn selection(&self) -> Result<Selection, SelectionError> {
        Selection::parse(&self.targets, &self.selectors)
    }
}

/// `afu9ctl permissions`.
#[derive(Debug, Args)]
pub struct PermissionsArgs {
    /// `plan`: the reads only; `apply`: the reads, the writes and the event queue `run`
    /// listens on.
    #[arg(long, value_enum, default_value_t = PermissionsMode::Apply)]
    pub mode: PermissionsMode,
    /// `json`: exactly an IAM policy document; `text`: one block per statement.
    #[arg(short, long, value_enum, default_value_t = PermissionsFormat::Json)]
    pub output: PermissionsFormat,
    /// The account id in the ARNs; defaults to the Posture's `accountId`, else `*`.
    #[arg(long)]
    pub account: Option<String>,
    /// Also what `report --security-hub` and `run --security-hub` need to send findings.
    #[arg(long)]
    pub security_hub: bool,
    /// Also what `apply --prune` needs to delete orphans (included anyway when the Posture
    /// says `prune: true`).
    #[arg(long)]
    pub prune: bool,
    /// Also the calls `run --lease-table` makes on its lease table (in `apply` mode).
    #[arg(long)]
    pub lease_table: Option<String>,
}

/// Which command's permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PermissionsMode {
    Plan,
    Apply,
}

/// How the policy is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PermissionsFormat {
    Json,
    Text,
}

/// `afu9ctl import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// `KIND` or `KIND/NAME` to import (repeatable); none imports every kind.
    pub selectors: Vec<String>,
    /// Only resources whose name starts with this.
    #[arg(long)]
    pub name_prefix: Option<String>,
    /// The directory to write the manifests into (created if missing).
    #[arg(short = 'o', long = "output-dir")]
    pub output_dir: PathBuf,
}

/// `afu9ctl validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Output format: findings as text on stderr, or every finding as a SARIF 2.1.0 log on
    /// stdout (for GitHub code scanning).
    #[arg(short, long, value_enum, default_value_t = FindingsFormat::Text)]
    pub output: FindingsFormat,
}

/// How `validate` reports what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindingsFormat {
    Text,
    Sarif,
}

/// The output formats of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Human-readable.
    Text,
    /// A pull-request comment or wiki page.
    Markdown,
    /// Machine-readable, this project's own shape.
    Json,
    /// OCSF 1.5.0 Compliance Findings (class 2003), one per item per resource, as a JSON
    /// array (Security Lake, Prowler and SIEMs read them).
    Ocsf,
    /// JUnit XML: one test case per item (any CI shows it).
    Junit,
}

/// `afu9ctl run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Time between passes (e.g. 30s, 5m, 1h); each pass is jittered by ±10 %.
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub interval: Duration,
    /// Address of the status page (/), /status, /metrics, /healthz and /readyz.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Require this bearer token (the file's first line) on /, /status and /metrics;
    /// also read from the `AFU9_STATUS_TOKEN` environment variable.
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// Serve on a non-loopback --listen address without a token (refused otherwise: the
    /// status page, /status and /metrics would be open to anyone who can reach it).
    #[arg(long)]
    pub insecure_listen: bool,
    /// Change nothing in a pass that would change more resources than this.
    #[arg(long)]
    pub max_changes: Option<usize>,
    /// Plan and report only; never write.
    #[arg(long)]
    pub observe_only: bool,
    /// Also append the audit trail (one JSON line per AWS write) to this file.
    #[arg(long)]
    pub audit_file: Option<PathBuf>,
    /// How often the manifest files are checked for changes.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub reload_every: Duration,
    /// How long the events of a burst are gathered before the resources they touched are
    /// reconciled, once each (events come from the `EventSource` manifest's queue).
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub event_window: Duration,
    /// After each full pass, send failing checklist items and the drift left to AWS Security
    /// Hub as findings, and resolve the ones that pass now.
    #[arg(long)]
    pub security_hub: bool,
    /// Longest wait for the write in flight after SIGTERM before exiting anyway.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub shutdown_timeout: Duration,
    /// Hold a lease in this DynamoDB table (partition key `lease`, a string) so that of the
    /// processes of one instance only the holder writes; the others stand by and take over
    /// within --lease-duration plus two --lease-renew after the holder dies.
    #[arg(long, env = "AFU9_LEASE_TABLE")]
    pub lease_table: Option<String>,
    /// How long the lease lasts without renewal.
    #[arg(long, default_value = "15s", value_parser = parse_duration)]
    pub lease_duration: Duration,
    /// How often the holder renews the lease and a standby looks at it (at most a third of
    /// --lease-duration).
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub lease_renew: Duration,
    /// Whether this instance writes the account's global resources (IAM), overriding the
    /// Posture's `manageGlobal`: one instance per account does (the deploy template says `false`
    /// outside its primary region).
    #[arg(long, env = "AFU9_MANAGE_GLOBAL")]
    pub manage_global: Option<bool>,
}

/// `afu9ctl status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The running controller's address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub server: SocketAddr,
    /// The bearer token the controller requires, from this file (or `AFU9_STATUS_TOKEN`).
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// Print the raw JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `-o text|markdown|json`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// `afu9ctl apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Delete orphans (live resources with the ownership tag that no manifest names), as
    /// the Posture's `prune: true` does; deletions come last. Not with --target or -l: a
    /// partial plan cannot tell what no manifest names.
    #[arg(long, conflicts_with_all = ["targets", "selectors"])]
    pub prune: bool,
    /// Lift the deletion budget for this run: delete up to N orphans (the number `plan`
    /// shows as held), and none when there are more.
    #[arg(long, value_name = "N", conflicts_with_all = ["targets", "selectors"])]
    pub allow_deletions: Option<usize>,
    /// Tell the Posture's notification targets (SNS topic, webhooks) what was fixed, blocked
    /// or failed, as `run` does after each pass.
    #[arg(long)]
    pub notify: bool,
}

/// `afu9ctl plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Exit 0 when in sync, 2 when changes are pending, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Plan what `apply --prune` does to orphans: `delete`, or `blocked` by a protection.
    #[arg(long, conflicts_with_all = ["targets", "selectors"])]
    pub prune: bool,
    /// Plan as `apply --allow-deletions N` would: up to N deletions instead of the budget.
    #[arg(long, value_name = "N", conflicts_with_all = ["targets", "selectors"])]
    pub allow_deletions: Option<usize>,
}

/// `afu9ctl report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ReportFormat::Text)]
    pub output: ReportFormat,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Exit 0 when every checked item passes, 2 when one fails, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Also send failing items and drift to AWS Security Hub as findings, and resolve the
    /// ones sent before that pass now (`securityhub:BatchImportFindings`, `GetFindings`).
    /// Not with --target or -l: a partial report cannot tell what was resolved.
    #[arg(long, conflicts_with_all = ["targets", "selectors"])]
    pub security_hub: bool,
}

/// `500ms`, `30s`, `5m`, `1h`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 30s or 5m"))?;
    let millis = match unit {
        "ms" => 1,
        "s" | "" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(format!("`{text}`: the unit is one of ms, s, m, h")),
    };
    Ok(Duration::from_millis(number.saturating_mul(millis)))
}
