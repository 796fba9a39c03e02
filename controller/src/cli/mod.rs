//! The command line: parse, load the desired state, run one command, choose the exit code.

mod args;
mod docs;
mod import;
mod memory;
mod oneshot;
mod permissions;
mod run;
mod status;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, LogFormat};

/// Exit code: success, or in sync with `--detailed-exitcode`.
pub const EXIT_OK: u8 = 0;
/// Exit code: invalid manifests, refused target, AWS errors, failed operations.
pub const EXIT_ERROR: u8 = 1;
/// Exit code with `--detailed-exitcode`: changes pending.
pub const EXIT_DRIFT: u8 = 2;

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let default_level = if matches!(cli.command, Command::Run(_)) {
        "info"
    } else {
        "warn"
    };
    init_logging(cli.log_format, default_level);
    match &cli.command {
        Command::Schema => Ok(oneshot::schema()),
        Command::Validate(args) => Ok(oneshot::validate(&cli, args)),
        Command::Plan(args) => oneshot::plan(&cli, args),
        Command::Apply(args) => oneshot::apply(&cli, args),
        Command::Report(args) => oneshot::report(&cli, args),
        Command::Run(args) => run::run(&cli, args),
        Command::Status(args) => status::status(args),
        Command::Completion(args) => Ok(oneshot::completion(args.shell)),
        Command::Permissions(args) => Ok(permissions::permissions(&cli, args)),
        Command::Import(args) => import::import(&cli, args),
        Command::Docs(args) => docs::docs(args),
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
    // The SDK's credential chain warns once per source it tries; when none has credentials
    // the CLI says so itself, once, with what to do (`aws::credentials`).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!(
            "{default_level},aws_config::meta::credentials::chain=error"
        ))
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
