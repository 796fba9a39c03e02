//! The one-shot commands: `validate`, `schema`, `plan`, `apply`, `report` and `completion`.

use std::process::ExitCode;
use std::time::Instant;

use afu9_controller::aws::{Aws, AwsSettings, ConfigAhead};
use afu9_controller::engine::budget::{self, Allowance};
use afu9_controller::engine::{Engine, check_target};
use afu9_controller::notify;
use afu9_controller::plan::{Action, Plan, ResourcePlan};
use afu9_controller::render::{self, OutputFormat};
use afu9_controller::report;
use afu9_controller::securityhub;
use afu9_controller::select;
use afu9_spec::DesiredState;
use anyhow::Context;
use clap::CommandFactory;

use super::args::{
    ApplyArgs, Cli, FindingsFormat, PlanArgs, ReportArgs, ReportFormat, SelectArgs, ValidateArgs,
};
use super::{EXIT_DRIFT, EXIT_ERROR, EXIT_OK, memory, print};

/// `afu9ctl schema`.
pub fn schema() -> ExitCode {
    print(&afu9_spec::schema::manifest_schema_json());
    ExitCode::from(EXIT_OK)
}

/// `afu9ctl completion SHELL`.
pub fn completion(shell: clap_complete::Shell) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "afu9ctl", &mut script);
    print(&String::from_utf8_lossy(&script));
    ExitCode::from(EXIT_OK)
}

/// `afu9ctl validate`.
pub fn validate(cli: &Cli, args: &ValidateArgs) -> ExitCode {
    let loaded = afu9_spec::load_paths_as_of(&cli.files, cli.today());
    if args.output == FindingsFormat::Sarif {
        let (found, accepted) = match &loaded {
            Ok(state) => (state.warnings.clone(), state.accepted.as_slice()),
            Err(errors) => (errors.0.clone(), &[][..]),
        };
        print(&render::sarif::findings_accepting(
            &found,
            accepted,
            env!("CARGO_PKG_VERSION"),
        ));
        return ExitCode::from(if loaded.is_ok() { EXIT_OK } else { EXIT_ERROR });
    }
    match loaded {
        Ok(state) => {
            print_warnings(&state);
            print(&format!("valid: {} resources\n", state.len()));
            ExitCode::from(EXIT_OK)
        }
        Err(errors) => {
            eprintln!("{errors}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// `afu9ctl plan`.
pub fn plan(cli: &Cli, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    with_plan(
        cli,
        &args.select,
        Orphans::Find {
            prune: args.prune,
            allow: args.allow_deletions,
        },
        async |_, _, aws: &Aws, plan: Plan| {
            log_calls(aws);
            print(&render_plan(&plan, args.output.output));
            Ok(ExitCode::from(if plan.has_errors() {
                EXIT_ERROR
            } else if args.detailed_exitcode && plan.has_drift() {
                EXIT_DRIFT
            } else {
                EXIT_OK
            }))
        },
    )
}

/// `afu9ctl apply`.
pub fn apply(cli: &Cli, args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    let output = args.output.output;
    with_plan(
        cli,
        &args.select,
        Orphans::Find {
            prune: args.prune,
            allow: args.allow_deletions,
        },
        async |state: &DesiredState, engine: &Engine, aws: &Aws, plan: Plan| {
            let targets = if args.notify {
                let env = |name: &str| std::env::var(name).ok();
                let targets = notify::Targets::resolve(aws, state, env).await?;
                anyhow::ensure!(
                    !targets.is_empty(),
                    "--notify: the Posture names no notification target"
                );
                Some(targets)
            } else {
                None
            };
            if output != OutputFormat::Json {
                print(&render_plan(&plan, output));
            }
            let report = engine.apply(aws, &plan).await;
            memory::phase_end("apply");
            log_calls(aws);
            if let Some(targets) = targets {
                let notices = notify::notices(&notify::PassFacts {
                    revision: "afu9ctl apply",
                    time: &afu9_controller::daemon::now_rfc3339(),
                    plan: &plan,
                    report: &report,
                    held: &|_, _| None,
                });
                let notifier =
                    notify::Notifier::start(aws.sns().clone(), notify::SendPolicy::default());
                notifier.send(std::sync::Arc::new(targets), notices);
                notifier.finish().await;
            }
            match output {
                OutputFormat::Text => print(&render::text::apply(&report)),
                OutputFormat::Markdown => print(&render::markdown::apply(&report)),
                OutputFormat::Json => {
                    let _ = render::json::write_apply(std::io::stdout().lock(), &plan, &report);
                }
            }
            Ok(ExitCode::from(
                if plan.has_errors() || report.failed() > 0 {
                    EXIT_ERROR
                } else {
                    EXIT_OK
                },
            ))
        },
    )
}

/// `afu9ctl report`: the plan's observation, judged item by item; no write.
pub fn report(cli: &Cli, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    with_plan(
        cli,
        &args.select,
        Orphans::Ignore,
        async |state: &DesiredState, _, aws: &Aws, plan: Plan| {
            log_calls(aws);
            let mut checklist = report::evaluate(state, &plan);
            report::exceptions::accept(&mut checklist, state, cli.today());
            for exception in checklist.exceptions.iter().filter(|e| e.warns()) {
                eprintln!("warning: {}", exception.line());
            }
            print(&match args.output {
                ReportFormat::Text => report::render::text(&checklist),
                ReportFormat::Markdown => report::render::markdown(&checklist),
                ReportFormat::Json => report::render::json(&checklist),
                ReportFormat::Ocsf => {
                    let scope = securityhub::scope_of(aws).await?;
                    let account = report::ocsf::Account {
                        id: scope.account,
                        region: scope.region,
                        partition: scope.partition,
                    };
                    report::ocsf::ocsf(&checklist, &account, now_millis())
                }
                ReportFormat::Junit => {
                    report::junit::junit(&checklist, &afu9_controller::daemon::now_rfc3339())
                }
            });
            if args.security_hub {
                let scope = securityhub::scope_of(aws).await?;
                let now = afu9_controller::daemon::now_rfc3339();
                let sent = securityhub::export(aws, &checklist, &plan, &scope, &now).await?;
                eprintln!(
                    "security hub: {} failing findings sent, {} resolved",
                    sent.failing, sent.resolved
                );
            }
            Ok(ExitCode::from(if plan.has_errors() {
                EXIT_ERROR
            } else if args.detailed_exitcode && checklist.has_failure() {
                EXIT_DRIFT
            } else {
                EXIT_OK
            }))
        },
    )
}

/// Milliseconds since the epoch, as OCSF stamps time.
fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Whether a command's plan looks for orphans.
#[derive(Debug, Clone, Copy)]
enum Orphans {
    /// It does not (`report`: the checklist is about what the manifests name).
    Ignore,
    /// A whole plan lists them, pruning them when `prune` or the Posture says so, within
    /// the deletion budget or the explicit allowance `allow`.
    Find { prune: bool, allow: Option<usize> },
}

/// What `plan`, `apply` and `report` share: load the desired state, choose the resources
/// `select` names (refused before any AWS call when it chooses wrongly), connect, and plan
/// them (a whole plan with the orphans `orphans` asks for); a plan none of whose resources
/// could be observed, for one and the same reason, is that error. Then `command` with the
/// state, the engine, the connection and the plan.
fn with_plan(
    cli: &Cli,
    select: &SelectArgs,
    orphans: Orphans,
    command: impl AsyncFnOnce(&DesiredState, &Engine, &Aws, Plan) -> anyhow::Result<ExitCode>,
) -> anyhow::Result<ExitCode> {
    let selection = select.selection()?;
    with_state(cli, async move |state: &DesiredState, ahead| {
        let engine = Engine::new(afu9_controller::kinds::standard());
        let chosen = selection.resolve(&engine, state)?;
        let aws = connect(cli, state, ahead).await?;
        memory::phase_end("connect");
        let plan = match (orphans, &chosen) {
            (Orphans::Find { prune, allow }, None) => {
                let prune = prune || state.posture.prune;
                let mut plan = engine.plan_with_orphans(&aws, state, prune).await;
                let allowance = allow.map_or(
                    Allowance::Budget(state.posture.deletion_budget),
                    Allowance::Explicit,
                );
                if let Some(held) = budget::enforce(&mut plan, allowance) {
                    eprintln!("warning: {held}");
                }
                plan
            }
            _ => select::plan(&engine, &aws, state, chosen.as_ref()).await,
        };
        memory::phase_end("plan");
        if let Some(failure) = shared_failure(&plan) {
            log_calls(&aws);
            anyhow::bail!("{failure}");
        }
        command(state, &engine, &aws, plan).await
    })
}

/// When every resource (two or more) could not be observed for one and the same reason (the
/// endpoint is unreachable, access is denied everywhere), that reason once, with what to do:
/// printing it for each resource would bury it.
fn shared_failure(plan: &Plan) -> Option<String> {
    let first = cause(plan.resources.first()?)?;
    if plan.resources.len() < 2 || !plan.resources.iter().all(|r| cause(r) == Some(first)) {
        return None;
    }
    let hint = if first.starts_with("cannot reach AWS") || first == "timed out" {
        "check the network, the region, and the endpoint (--endpoint-url or AWS_ENDPOINT_URL)"
    } else {
        "the credentials in use lack the read permissions `afu9ctl permissions --mode plan` prints"
    };
    Some(format!(
        "no resource could be observed ({} resources): {first}\n  hint: {hint}",
        plan.resources.len()
    ))
}

/// What an `error` resource's reason says after the call it names: the cause itself.
fn cause(resource: &ResourcePlan) -> Option<&str> {
    if resource.action != Action::Error {
        return None;
    }
    let (_, cause) = resource.reason.as_deref()?.split_once("): ")?;
    Some(cause)
}

/// Prints what validation warned about, to stderr, one finding a line.
fn print_warnings(state: &DesiredState) {
    if !state.warnings.is_empty() {
        eprintln!("{}", afu9_spec::ManifestErrors(state.warnings.clone()));
    }
}

/// Loads the desired state, the SDK's configuration loading meanwhile (see [`ConfigAhead`]);
/// on invalid manifests prints every error and makes no AWS call.
fn with_state(
    cli: &Cli,
    command: impl AsyncFnOnce(&DesiredState, ConfigAhead) -> anyhow::Result<ExitCode>,
) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let ahead = ConfigAhead::start(
        runtime.handle(),
        &AwsSettings {
            endpoint_url: cli.endpoint_url.clone(),
            region: cli.region.clone(),
        },
    );
    let started = Instant::now();
    let loaded = afu9_spec::load_paths_as_of(&cli.files, cli.today());
    tracing::debug!(
        target: "afu9ctl::timing",
        seconds = started.elapsed().as_secs_f64(),
        "manifests loaded"
    );
    memory::phase_end("load");
    let state = match loaded {
        Ok(state) => {
            print_warnings(&state);
            state
        }
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    runtime.block_on(command(&state, ahead))
}

async fn connect(cli: &Cli, state: &DesiredState, ahead: ConfigAhead) -> anyhow::Result<Aws> {
    let settings = AwsSettings {
        endpoint_url: cli.endpoint_url.clone(),
        region: cli.region.clone().or_else(|| state.posture.region.clone()),
    };
    let aws = Aws::connect_ahead(ahead, &settings).await?;
    check_target(&aws, state).await?;
    Ok(aws)
}

/// Logs the AWS calls the command made, by `Service.Operation` (target `afu9ctl::calls`,
/// level info; shown with `RUST_LOG=afu9ctl::calls=info`, read by `scripts/bench`).
fn log_calls(aws: &Aws) {
    tracing::info!(
        target: "afu9ctl::calls",
        total = aws.calls.total(),
        calls = %serde_json::to_string(&aws.calls.by_operation()).unwrap_or_default(),
        clients = %aws.built_clients().join(","),
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
