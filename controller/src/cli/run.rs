//! `afu9ctl run`: wires the reconcile loop, the HTTP server and the signal handlers.

use std::process::ExitCode;
use std::sync::Arc;

use afu9_controller::aws::{Aws, AwsSettings};
use afu9_controller::daemon::{
    AuditLog, Lease, LeaseConfig, Reconciler, RunOptions, Shared, Token, keep_lease, serve,
};
use afu9_controller::engine::Engine;
use afu9_controller::notify::{Notifier, SendPolicy};
use anyhow::Context;
use tokio_util::sync::CancellationToken;

use super::args::{Cli, RunArgs};
use super::{EXIT_ERROR, EXIT_OK};

/// Runs the reconcile loop and the HTTP endpoints until SIGTERM or SIGINT; a second signal
/// exits at once.
pub fn run(cli: &Cli, args: &RunArgs) -> anyhow::Result<ExitCode> {
    let token = Token::load(args.token_file.as_deref())?;
    if token.is_none() && !args.listen.ip().is_loopback() && !args.insecure_listen {
        anyhow::bail!(
            "refusing to serve on {} without a token: /, /status and /metrics would be open to anyone who can reach it; give one (--token-file or AFU9_STATUS_TOKEN), listen on a loopback address, or pass --insecure-listen",
            args.listen
        );
    }
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
        let aws = Aws::connect(&settings).await?;
        let shared = Arc::new(Shared::default());
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let guarded = token.is_some();
        tracing::info!(listen = %args.listen, token = guarded, "serving / /status /metrics /healthz /readyz");
        if !guarded && !args.listen.ip().is_loopback() {
            tracing::warn!(
                "{} is not a loopback address and no token is set (--token-file or AFU9_STATUS_TOKEN): /, /status and /metrics are open to anyone who can reach it",
                args.listen
            );
        }
        let server = tokio::spawn(serve(listener, Arc::clone(&shared), token, shutdown.clone()));
        let audit =
            AuditLog::open(args.audit_file.as_deref()).context("cannot open the audit file")?;
        let options = RunOptions {
            paths: cli.files.clone(),
            interval: args.interval,
            reload_every: args.reload_every,
            max_changes: args.max_changes,
            observe_only: args.observe_only,
            security_hub: args.security_hub,
            event_window: args.event_window,
            manage_global: args.manage_global,
            lease: lease(args, &aws, cli.files.as_slice())?,
        };
        let keeping = options.lease.as_ref().map(|lease| {
            tracing::info!(
                table = %lease.config().table,
                key = %lease.config().key,
                holder = %lease.config().holder,
                takeover_within = ?lease.config().takeover_bound(),
                "holding a lease: only its holder writes"
            );
            tokio::spawn(keep_lease(lease.clone(), aws.clone(), Arc::clone(&shared), shutdown.clone()))
        });
        let notifier = Notifier::start(aws.sns().clone(), SendPolicy::default());
        let reconciler = Reconciler::new(
            options,
            aws,
            Engine::new(afu9_controller::kinds::standard()),
            shared,
            audit,
            notifier,
        );
        let looping = tokio::spawn(reconciler.run(shutdown.clone()));
        shutdown.cancelled().await;
        let stopped = tokio::time::timeout(args.shutdown_timeout, async {
            let _ = looping.await;
            let _ = server.await;
            // The lease is released once the loop stopped writing.
            if let Some(keeping) = keeping {
                let _ = keeping.await;
            }
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

/// The lease `--lease-table` asks for, keyed by the Posture's instance and the region.
fn lease(args: &RunArgs, aws: &Aws, files: &[std::path::PathBuf]) -> anyhow::Result<Option<Lease>> {
    let Some(table) = &args.lease_table else {
        return Ok(None);
    };
    anyhow::ensure!(
        args.lease_renew * 3 <= args.lease_duration,
        "--lease-renew ({:?}) must be at most a third of --lease-duration ({:?})",
        args.lease_renew,
        args.lease_duration
    );
    let instance = afu9_spec::load_paths(files).ok().map_or_else(
        || afu9_spec::tags::DEFAULT_INSTANCE.to_owned(),
        |state| state.posture.owner().name().to_owned(),
    );
    let region = aws.region.clone().unwrap_or_else(|| "-".to_owned());
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "afu9ctl".to_owned());
    Ok(Some(Lease::new(LeaseConfig {
        table: table.clone(),
        key: format!("{instance}/{region}"),
        holder: format!("{host}/{}", std::process::id()),
        duration: args.lease_duration,
        renew_every: args.lease_renew,
    })))
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
