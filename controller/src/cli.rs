//! The command line: parse, load the desired state, run one command, choose the exit code.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use afu9_controller::aws::{Aws, AwsSettings};
use afu9_controller::engine::{Engine, Plan, check_target};
use afu9_controller::render::{self, OutputFormat};
use afu9_spec::DesiredState;
use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};

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
    init_logging(cli.log_format);
    match &cli.command {
        Command::Schema => {
            print(&afu9_spec::schema::manifest_schema_json());
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Validate => Ok(match afu9_spec::load_paths(&cli.files) {
            Ok(state) => {
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
    }
}

/// Loads the desired state; on invalid manifests prints every error and makes no AWS call.
fn with_state(
    cli: &Cli,
    command: impl AsyncFnOnce(&DesiredState) -> anyhow::Result<ExitCode>,
) -> anyhow::Result<ExitCode> {
    let state = match afu9_spec::load_paths(&cli.files) {
        Ok(state) => state,
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
    let plan = Engine::standard().plan(&aws, state).await;
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
    let engine = Engine::standard();
    let plan = engine.plan(&aws, state).await;
    if output != OutputFormat::Json {
        print(&render_plan(&plan, output));
    }
    let report = engine.apply(&aws, &plan).await;
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

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
