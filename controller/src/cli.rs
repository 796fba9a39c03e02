//! The command line: parse, load the desired state, run one command, choose the exit code.

use std::fmt::Write as _;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use afu9_controller::aws::{Aws, AwsSettings};
use afu9_controller::daemon::{AuditLog, Reconciler, RunOptions, Shared, serve};
use afu9_controller::engine::{Engine, check_target};
use afu9_controller::plan::Plan;
use afu9_controller::render::{self, OutputFormat};
use afu9_spec::DesiredState;
use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use tokio_util::sync::CancellationToken;

/// Exit code: success, or in sync with `--detailed-exitcode`.
pub const EXIT_OK: u8 = 0;
/// Exit code: invalid manifests, refused target, AWS errors, failed operations.
pub const EXIT_ERROR: u8 = 1;
/// Exit code with `--detailed-exitcode`: changes pending.
pub const EXIT_DRIFT: u8 = 2;

/// Keeps an AWS account's security posture as the desired state in git says.
#[derive(Debug, Parser)]
#[command(name = "afu9ctl", version, about, long_about = None)]
struct Cli {
    /// Manifest file or directory (searched recursively for *.yaml, *.yml); repeatable.
    #[arg(
        short = 'f',
        long = "file",
        global = true,
        default_value = "desired-state"
    )]
    files: Vec<PathBuf>,
    /// Send every AWS call to this endpoint (a local emulator).
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL")]
    endpoint_url: Option<String>,
    /// AWS region; defaults to the Posture document's, then to the SDK's configuration.
    #[arg(long, global = true, env = "AWS_REGION")]
    region: Option<String>,
    /// Log format on stderr (the level comes from `RUST_LOG`, default `warn`).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the manifests and exit: 0 valid, 1 invalid. Makes no AWS call.
    Validate,
    /// Print the JSON Schema of every manifest kind.
    Schema,
    /// Show what apply would change (dry run).
    Plan(PlanArgs),
    /// Change the account to match the desired state, then report what was done.
    Apply(OutputArgs),
    /// Reconcile continuously, as a service: reload on change, status, metrics, audit trail.
    Run(RunArgs),
    /// Show the resource status a running controller serves.
    Status(StatusArgs),
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Time between passes (e.g. 30s, 5m, 1h); each pass is jittered by ±10 %.
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    interval: Duration,
    /// Address of /healthz, /readyz, /metrics and /status.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Change nothing in a pass that would change more resources than this.
    #[arg(long)]
    max_changes: Option<usize>,
    /// Plan and report only; never write.
    #[arg(long)]
    observe_only: bool,
    /// Also append the audit trail (one JSON line per AWS write) to this file.
    #[arg(long)]
    audit_file: Option<PathBuf>,
    /// How often the manifest files are checked for changes.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    reload_every: Duration,
    /// Longest wait for the write in flight after SIGTERM before exiting anyway.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    shutdown_timeout: Duration,
}

#[derive(Debug, Args)]
struct StatusArgs {
    /// The running controller's address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    server: SocketAddr,
    /// Print the raw JSON instead of a table.
    #[arg(long)]
    json: bool,
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

#[derive(Debug, Args)]
struct OutputArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Text)]
    output: OutputFormat,
}

#[derive(Debug, Args)]
struct PlanArgs {
    #[command(flatten)]
    output: OutputArgs,
    /// Exit 0 when in sync, 2 when changes are pending, 1 on error.
    #[arg(long)]
    detailed_exitcode: bool,
}

pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let default_level = if matches!(cli.command, Command::Run(_)) {
        "info"
    } else {
        "warn"
    };
    init_logging(cli.log_format, default_level);
    match &cli.command {
        Command::Schema => {
            print(&afu9_spec::schema::manifest_schema_json());
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Validate => Ok(match afu9_spec::load_paths(&cli.files) {
            Ok(state) => {
                print_warnings(&state);
                print(&format!("valid: {} resources\n", state.len()));
                ExitCode::from(EXIT_OK)
            }
            Err(errors) => {
                eprintln!("{errors}");
                ExitCode::from(EXIT_ERROR)
            }
        }),
        Command::Plan(args) => with_state(&cli, async |state: &DesiredState| {
            plan(&cli, state, args).await
        }),
        Command::Apply(args) => with_state(&cli, async |state: &DesiredState| {
            apply(&cli, state, args.output).await
        }),
        Command::Run(args) => run_daemon(&cli, args),
        Command::Status(args) => status(args),
    }
}

/// Prints what validation warned about, to stderr, one finding a line.
fn print_warnings(state: &DesiredState) {
    if !state.warnings.is_empty() {
        eprintln!("{}", afu9_spec::ManifestErrors(state.warnings.clone()));
    }
}

/// Loads the desired state; on invalid manifests prints every error and makes no AWS call.
fn with_state(
    cli: &Cli,
    command: impl AsyncFnOnce(&DesiredState) -> anyhow::Result<ExitCode>,
) -> anyhow::Result<ExitCode> {
    let state = match afu9_spec::load_paths(&cli.files) {
        Ok(state) => {
            print_warnings(&state);
            state
        }
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(command(&state))
}

async fn connect(cli: &Cli, state: &DesiredState) -> anyhow::Result<Aws> {
    let settings = AwsSettings {
        endpoint_url: cli.endpoint_url.clone(),
        region: cli.region.clone().or_else(|| state.posture.region.clone()),
    };
    let aws = Aws::connect(&settings).await;
    check_target(&aws, state).await?;
    Ok(aws)
}

async fn plan(cli: &Cli, state: &DesiredState, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let aws = connect(cli, state).await?;
    let plan = Engine::new(afu9_controller::kinds::standard())
        .plan(&aws, state)
        .await;
    log_calls(&aws);
    print(&render_plan(&plan, args.output.output));
    Ok(ExitCode::from(if plan.has_errors() {
        EXIT_ERROR
    } else if args.detailed_exitcode && plan.has_drift() {
        EXIT_DRIFT
    } else {
        EXIT_OK
    }))
}

async fn apply(cli: &Cli, state: &DesiredState, output: OutputFormat) -> anyhow::Result<ExitCode> {
    let aws = connect(cli, state).await?;
    let engine = Engine::new(afu9_controller::kinds::standard());
    let plan = engine.plan(&aws, state).await;
    if output != OutputFormat::Json {
        print(&render_plan(&plan, output));
    }
    let report = engine.apply(&aws, &plan).await;
    log_calls(&aws);
    print(&match output {
        OutputFormat::Text => render::text::apply(&report),
        OutputFormat::Markdown => render::markdown::apply(&report),
        OutputFormat::Json => render::json::apply(&plan, &report),
    });
    Ok(ExitCode::from(
        if plan.has_errors() || report.failed() > 0 {
            EXIT_ERROR
        } else {
            EXIT_OK
        },
    ))
}

/// Logs the AWS calls the command made, by `Service.Operation` (target `afu9ctl::calls`,
/// level info; shown with `RUST_LOG=afu9ctl::calls=info`, read by `scripts/bench`).
fn log_calls(aws: &Aws) {
    tracing::info!(
        target: "afu9ctl::calls",
        total = aws.calls.total(),
        calls = %serde_json::to_string(&aws.calls.by_operation()).unwrap_or_default(),
        "aws calls"
    );
}

fn render_plan(plan: &Plan, output: OutputFormat) -> String {
    match output {
        OutputFormat::Text => render::text::plan(plan),
        OutputFormat::Markdown => render::markdown::plan(plan),
        OutputFormat::Json => render::json::plan(plan),
    }
}

/// Writes to stdout through `anstream`, which drops colour when stdout is not a terminal
/// or `NO_COLOR` is set. A closed pipe is not an error worth reporting.
fn print(text: &str) {
    let mut stdout = anstream::stdout();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

fn init_logging(format: LogFormat, default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Runs the reconcile loop and the HTTP endpoints until SIGTERM or SIGINT; a second signal
/// exits at once.
fn run_daemon(cli: &Cli, args: &RunArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let shutdown = CancellationToken::new();
        tokio::spawn(watch_signals(shutdown.clone()));
        // The region may come from the Posture document; an invalid desired state at start
        // leaves it to the flag, the environment and the SDK's chain.
        let posture_region = afu9_spec::load_paths(&cli.files)
            .ok()
            .and_then(|s| s.posture.region);
        let settings = AwsSettings {
            endpoint_url: cli.endpoint_url.clone(),
            region: cli.region.clone().or(posture_region),
        };
        let aws = Aws::connect(&settings).await;
        let shared = Arc::new(Shared::default());
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        tracing::info!(listen = %args.listen, "serving /healthz /readyz /metrics /status");
        let server = tokio::spawn(serve(listener, Arc::clone(&shared), shutdown.clone()));
        let audit =
            AuditLog::open(args.audit_file.as_deref()).context("cannot open the audit file")?;
        let options = RunOptions {
            paths: cli.files.clone(),
            interval: args.interval,
            reload_every: args.reload_every,
            max_changes: args.max_changes,
            observe_only: args.observe_only,
        };
        let reconciler = Reconciler::new(
            options,
            aws,
            Engine::new(afu9_controller::kinds::standard()),
            shared,
            audit,
        );
        let looping = tokio::spawn(reconciler.run(shutdown.clone()));
        shutdown.cancelled().await;
        let stopped = tokio::time::timeout(args.shutdown_timeout, async {
            let _ = looping.await;
            let _ = server.await;
        })
        .await;
        Ok(if let Ok(()) = stopped {
            tracing::info!("stopped");
            ExitCode::from(EXIT_OK)
        } else {
            tracing::error!(
                "did not stop within {:?}; exiting anyway",
                args.shutdown_timeout
            );
            ExitCode::from(EXIT_ERROR)
        })
    })
}

async fn watch_signals(shutdown: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut terminate) = signal(SignalKind::terminate()) else {
        tracing::error!("cannot listen for SIGTERM");
        return;
    };
    let next = async {
        tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = tokio::signal::ctrl_c() => "SIGINT",
        }
    };
    let first = next.await;
    tracing::info!("{first}: finishing the AWS call in flight, then stopping");
    shutdown.cancel();
    let again = async {
        tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = tokio::signal::ctrl_c() => "SIGINT",
        }
    };
    let second = again.await;
    tracing::warn!("second {second}: exiting now");
    std::process::exit(130);
}

/// Prints a running controller's `/status`.
fn status(args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let body = http_get(args.server, "/status")
        .with_context(|| format!("cannot read the status from {}", args.server))?;
    if args.json {
        print(&body);
        return Ok(ExitCode::from(EXIT_OK));
    }
    let value: serde_json::Value = serde_json::from_str(&body).context("the status is not JSON")?;
    let mut out = format!(
        "revision {}  passes {}  ready {}\n",
        value["revision"].as_str().unwrap_or("-"),
        value["passes"],
        value["ready"]
    );
    let _ = writeln!(
        out,
        "{:<20} {:<32} {:<7} {:<7} {:<8} {:<9} REASON",
        "KIND", "NAME", "SYNCED", "READY", "DRIFTED", "TERMINAL"
    );
    for resource in value["resources"].as_array().into_iter().flatten() {
        let condition = |kind: &str| {
            resource["conditions"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["type"] == kind))
                .and_then(|c| c["status"].as_str())
                .unwrap_or("-")
                .to_owned()
        };
        let reason = resource["conditions"][0]["reason"].as_str().unwrap_or("");
        let _ = writeln!(
            out,
            "{:<20} {:<32} {:<7} {:<7} {:<8} {:<9} {reason}",
            resource["kind"].as_str().unwrap_or(""),
            resource["name"].as_str().unwrap_or(""),
            condition("Synced"),
            condition("Ready"),
            condition("Drifted"),
            condition("Terminal"),
        );
    }
    print(&out);
    Ok(ExitCode::from(if value["ready"] == true {
        EXIT_OK
    } else {
        EXIT_ERROR
    }))
}

/// A plain HTTP/1.1 GET to the controller on `addr` (a local or in-cluster address).
fn http_get(addr: SocketAddr, path: &str) -> anyhow::Result<String> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .context("malformed HTTP response")?;
    anyhow::ensure!(
        head.starts_with("HTTP/1.1 200"),
        "{}",
        head.lines().next().unwrap_or_default()
    );
    Ok(body.to_owned())
}
