//! The reconcile loop: when to pass, reloading the desired state, listening for events
//! between passes, and one pass (of everything, or of what events touched) from plan to
//! record.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use afu9_spec::DesiredState;
use afu9_spec::exceptions::Date;
use tokio_util::sync::CancellationToken;

use super::audit::AuditLog;
use super::backoff::Backoff;
use super::hold::{Held, hold_back, hold_deletions};
use super::lease::Lease;
use super::listen::Listener;
use super::pass_hold::PassHold;
use super::provenance::Provenances;
use super::record::{Scope, record};
use super::shared::{LastPass, Shared};
use super::status::{Tally, now_rfc3339};
use super::verify::Achieved;
use super::{RunOptions, revision};
use crate::aws::Aws;
use crate::engine::budget::Allowance;
use crate::engine::{ApplyReport, Engine, check_target};
use crate::events::Target;
use crate::notify::{Notice, Notifier, PassFacts, Targets};
use crate::plan::Plan;

/// The loaded desired state and where it came from.
struct Loaded {
    state: DesiredState,
    revision: String,
}

/// The reconcile loop.
pub struct Reconciler {
    options: RunOptions,
    aws: Aws,
    engine: Engine,
    shared: Arc<Shared>,
    audit: AuditLog,
    backoff: Backoff,
    loaded: Option<Loaded>,
    seen_hash: Option<String>,
    listener: Listener,
    telling: Telling,
    provenances: Provenances,
}

impl Reconciler {
    /// A loop over `options.paths` with these clients, kinds, shared state, audit log and
    /// notifier.
    pub fn new(
        options: RunOptions,
        aws: Aws,
        engine: Engine,
        shared: Arc<Shared>,
        audit: AuditLog,
        notifier: Notifier,
    ) -> Self {
        Self {
            listener: Listener::new(options.event_window),
            options,
            aws,
            engine,
            shared,
            audit,
            backoff: Backoff::default(),
            loaded: None,
            seen_hash: None,
            telling: Telling {
                notifier,
                targets: None,
            },
            provenances: Provenances::default(),
        }
    }

    /// Runs until `shutdown` is cancelled; the AWS write in flight then finishes and no
    /// other starts.
    pub async fn run(mut self, shutdown: CancellationToken) {
        let mut next_pass = Instant::now();
        let mut last_pass = Instant::now();
        while !shutdown.is_cancelled() {
            if !self.writes() {
                self.stand_by(&shutdown).await;
                next_pass = Instant::now();
                continue;
            }
            let changed = self.reload();
            let now = Instant::now();
            let backoff_due = self.backoff.expired_between(last_pass, now);
            // An invalid revision on disk is refused: the last valid one stays in force.
            let valid = self.loaded.is_some();
            if valid && (changed || backoff_due || now >= next_pass) {
                self.pass(&shutdown, None).await;
                last_pass = Instant::now();
                next_pass =
                    Instant::now() + self.options.interval.mul_f64(0.9 + 0.2 * fastrand::f64());
            }
            if valid && self.listener.due().is_some_and(|due| due <= Instant::now()) {
                let targets = self.listener.targets();
                tracing::info!(
                    events = self.listener.len(),
                    resources = targets.len(),
                    "reconciling what events touched"
                );
                self.pass(&shutdown, Some(&targets)).await;
            }
            let now = Instant::now();
            let mut wake = next_pass.min(now + self.options.reload_every);
            if let Some(expiry) = self.backoff.next_expiry(now) {
                wake = wake.min(expiry);
            }
            if let Some(loaded) = self.loaded.as_ref().filter(|_| valid)
                && self
                    .listener
                    .prepare(&self.aws, &loaded.state, &self.shared)
                    .await
            {
                self.listener
                    .listen(
                        &self.aws,
                        &self.engine,
                        &loaded.state,
                        wake,
                        &self.shared,
                        &shutdown,
                    )
                    .await;
                continue;
            }
            tokio::select! {
                () = tokio::time::sleep_until(wake.into()) => {}
                () = shutdown.cancelled() => {}
            }
        }
        tracing::info!("reconcile loop stopped");
    }

    /// Whether this process may write now: it holds the lease, or runs without one.
    fn writes(&self) -> bool {
        self.options.lease.as_ref().is_none_or(Lease::held)
    }

    /// Stands by until the lease is won (or shutdown): keeps loading the desired state, so
    /// that readiness and `/status` tell an invalid one, and neither passes nor receives
    /// events. The events of a batch left open stay in the queue for the holder.
    async fn stand_by(&mut self, shutdown: &CancellationToken) {
        let Some(lease) = self.options.lease.clone() else {
            return;
        };
        self.listener.abandon();
        tracing::info!(
            holder = lease.holder().as_deref().unwrap_or("-"),
            "standing by: another process of this instance holds the lease"
        );
        while !shutdown.is_cancelled() && !lease.held() {
            self.reload();
            tokio::select! {
                () = lease.won_or(Instant::now() + self.options.reload_every) => {}
                () = shutdown.cancelled() => {}
            }
        }
        if lease.held() {
            tracing::info!("the lease is won: reconciling");
            self.listener.look_again();
        }
    }

    /// Loads the desired state when its files changed; returns whether a new valid state
    /// was loaded.
    fn reload(&mut self) -> bool {
        let hash = revision::content_hash(&self.options.paths);
        if self.seen_hash.as_deref() == Some(hash.as_str()) {
            return false;
        }
        self.seen_hash = Some(hash.clone());
        match afu9_spec::load_paths(&self.options.paths) {
            Ok(mut state) => {
                if let Some(manage) = self.options.manage_global {
                    state.posture.manage_global = Some(manage);
                }
                let revision = revision::revision(&self.options.paths, &hash);
                tracing::info!(%revision, resources = state.len(), "desired state loaded");
                self.shared.update_health(|h| {
                    h.invalid = None;
                    h.refused = None;
                    h.revision = Some(revision.clone());
                });
                self.shared.metrics(|m| m.desired_state_valid(true));
                self.loaded = Some(Loaded { state, revision });
                self.telling.targets = None;
                true
            }
            Err(errors) => {
                let refused = revision::revision(&self.options.paths, &hash);
                let kept = self.loaded.as_ref().map(|l| l.revision.as_str());
                tracing::error!(
                    %refused,
                    kept = kept.unwrap_or("none"),
                    "the desired state on disk is invalid and refused; the last valid revision stays in force:\n{errors}"
                );
                self.shared.update_health(|h| {
                    h.invalid = Some(errors.to_string());
                    h.refused = Some(refused);
                });
                self.shared.metrics(|m| {
                    m.desired_state_valid(false);
                    m.error("invalid_desired_state");
                });
                false
            }
        }
    }

    /// Records a finished pass: metrics, the log line, health.
    fn finish_pass(
        &mut self,
        revision: &str,
        plan: &Plan,
        scope: Scope,
        calls: u64,
        seconds: f64,
        tally: Tally,
    ) {
        let aws_calls = self.aws.calls.snapshot();
        self.shared.metrics(|m| {
            m.sync_calls(aws_calls);
            if scope == Scope::Targeted {
                for resource in &plan.resources {
                    m.event_reconcile(resource.kind);
                }
            } else {
                m.pass(seconds, if tally.errors > 0 { "errors" } else { "ok" });
            }
        });
        let last_pass = LastPass {
            finished_at: now_rfc3339(),
            seconds,
            calls,
            tally,
        };
        log_pass(revision, &last_pass, scope);
        self.shared.update_health(|h| match scope {
            Scope::Full => {
                self.listener.look_again();
                h.passes += 1;
                h.last_pass = Some(last_pass);
            }
            Scope::Targeted => {
                h.event_passes += 1;
                h.last_event_pass = Some(last_pass);
            }
        });
    }

    /// One pass over every resource (`targets` is `None`) or over what events touched; the
    /// events received meanwhile are settled by it either way (a full pass reconciles
    /// whatever they touched).
    async fn pass(&mut self, shutdown: &CancellationToken, targets: Option<&BTreeSet<Target>>) {
        let Some(loaded) = &self.loaded else { return };
        let revision = loaded.revision.clone();
        let started = Instant::now();
        let calls_before = self.aws.calls.total();
        if let Err(err) = check_target(&self.aws, &loaded.state).await {
            tracing::error!("{err}");
            self.telling
                .refused(&self.aws, &loaded.state, &revision, err.to_string())
                .await;
            self.shared.metrics(|m| {
                m.error("refused");
                m.pass(started.elapsed().as_secs_f64(), "refused");
            });
            return;
        }
        let risks = crate::report::exceptions::standings(&loaded.state, Date::today());
        self.shared.update_health(|h| h.accepted_risks = risks);
        let planned = plan_pass(&self.engine, &self.aws, &loaded.state, targets);
        let mut plan: Plan = tokio::select! {
            plan = planned => plan,
            () = shutdown.cancelled() => return,
        };
        let scope = targets.map_or(Scope::Full, |_| Scope::Targeted);
        self.provenances
            .attribute(&mut plan, self.listener.origins(), scope);
        let mut held = Held::new();
        if targets.is_none() {
            let budget = Allowance::Budget(loaded.state.posture.deletion_budget);
            let pass_hold = hold_deletions(&mut plan, budget, &mut held);
            self.telling
                .held(&self.aws, &loaded.state, &revision, pass_hold.as_ref())
                .await;
            record_pass_hold(&self.shared, pass_hold);
        }
        held.extend(hold_back(
            &mut plan,
            &revision,
            &self.options,
            &self.backoff,
            &self.shared,
        ));
        let report = self
            .engine
            .apply_until(&self.aws, &plan, &|| {
                shutdown.is_cancelled() || !self.writes()
            })
            .await;
        let calls = self.aws.calls.total().saturating_sub(calls_before);
        let achieved =
            Achieved::read_back(&self.engine, &self.aws, &loaded.state, &plan, &report).await;
        self.audit.record(&revision, &plan, &report, &achieved);
        self.shared
            .update_changes(|changes| changes.record(&revision, &plan, &report, &achieved));
        self.shared.set_plan(crate::render::json::plan_value(&plan));
        let tally = record(
            &self.shared,
            &mut self.backoff,
            &plan,
            &report,
            &held,
            &revision,
            scope,
        );
        let seconds = started.elapsed().as_secs_f64();
        self.telling
            .pass(&self.aws, &loaded.state, &revision, &plan, &report, &held)
            .await;
        if self.listener.pending() {
            self.listener
                .settle_unless(
                    !self.writes(),
                    &self.aws,
                    &plan,
                    &report,
                    &held,
                    &self.shared,
                )
                .await;
        }
        if scope == Scope::Full && self.options.security_hub {
            crate::securityhub::settle(&mut plan, &report);
            export_findings(&self.aws, &loaded.state, &plan).await;
        }
        self.finish_pass(&revision, &plan, scope, calls, seconds, tally);
    }
}

/// The plan of a pass: every resource and the orphans (pruned as the Posture says), or what
/// `targets` names.
async fn plan_pass(
    engine: &Engine,
    aws: &Aws,
    state: &DesiredState,
    targets: Option<&BTreeSet<Target>>,
) -> Plan {
    match targets {
        None => {
            engine
                .plan_with_orphans(aws, state, state.posture.prune)
                .await
        }
        Some(targets) => engine.plan_targets(aws, state, targets).await,
    }
}

/// Shows why a whole pass was held, if it was (`/status` `held`, the `afu9_held` gauge, a
/// counted error), or that it was not.
fn record_pass_hold(shared: &Shared, pass_hold: Option<PassHold>) {
    shared.metrics(|m| {
        m.held("deletion_budget", pass_hold.is_some());
        if pass_hold.is_some() {
            m.error("deletion_budget_exceeded");
        }
    });
    shared.update_health(|h| h.held = pass_hold);
}

/// The notifier, and the loaded desired state's targets once resolved (reset when a new state
/// loads).
struct Telling {
    notifier: Notifier,
    targets: Option<Arc<Targets>>,
}

impl Telling {
    /// Tells a pass's notices, with the reason of each resource held back.
    async fn pass(
        &mut self,
        aws: &Aws,
        state: &DesiredState,
        revision: &str,
        plan: &Plan,
        report: &ApplyReport,
        held: &Held,
    ) {
        let notices = crate::notify::notices(&PassFacts {
            revision,
            time: &now_rfc3339(),
            plan,
            report,
            held: &|kind, name| {
                held.get(&(kind.to_owned(), name.to_owned()))
                    .map(|(_, message)| message.clone())
            },
        });
        self.tell(aws, state, notices).await;
    }

    /// Tells that a whole pass was held back, and why, if it was.
    async fn held(
        &mut self,
        aws: &Aws,
        state: &DesiredState,
        revision: &str,
        hold: Option<&PassHold>,
    ) {
        let Some(PassHold::DeletionBudget { message, .. }) = hold else {
            return;
        };
        let notice = crate::notify::held(revision, &now_rfc3339(), message.clone());
        self.tell(aws, state, vec![notice]).await;
    }

    /// Tells that a pass was refused before it planned, and why.
    async fn refused(&mut self, aws: &Aws, state: &DesiredState, revision: &str, why: String) {
        let notice = crate::notify::refused(revision, &now_rfc3339(), why);
        self.tell(aws, state, vec![notice]).await;
    }

    /// Queues a pass's notices for the desired state's targets, resolving them at its first
    /// pass; a failure is logged, naming the variable, never a URL.
    async fn tell(&mut self, aws: &Aws, state: &DesiredState, notices: Vec<Notice>) {
        if notices.is_empty() || state.posture.notifications.is_none() {
            return;
        }
        if self.targets.is_none() {
            match Targets::resolve(aws, state, |name| std::env::var(name).ok()).await {
                Ok(resolved) => self.targets = Some(Arc::new(resolved)),
                Err(err) => {
                    tracing::warn!("notifications not sent: {err}");
                    return;
                }
            }
        }
        if let Some(targets) = &self.targets {
            self.notifier.send(Arc::clone(targets), notices);
        }
    }
}

/// Sends what is left failing after a pass to Security Hub; a failure is logged, and the next
/// pass tries again.
async fn export_findings(aws: &Aws, state: &DesiredState, plan: &Plan) {
    let mut checklist = crate::report::evaluate(state, plan);
    crate::report::exceptions::accept(&mut checklist, state, Date::today());
    let sent = async {
        let scope = crate::securityhub::scope_of(aws).await?;
        crate::securityhub::export(aws, &checklist, plan, &scope, &now_rfc3339()).await
    };
    match sent.await {
        Ok(sent) => tracing::info!(
            failing = sent.failing,
            resolved = sent.resolved,
            "security hub findings exported"
        ),
        Err(err) => tracing::warn!("security hub findings not exported: {err}"),
    }
}

/// One line per pass; a warning when a resource could not be read or written.
fn log_pass(revision: &str, pass: &LastPass, scope: Scope) {
    let what = match scope {
        Scope::Full => "pass",
        Scope::Targeted => "event reconcile",
    };
    let Tally {
        resources,
        drifted,
        changed,
        blocked,
        errors,
    } = pass.tally;
    if errors > 0 {
        tracing::warn!(
            %revision, seconds = pass.seconds, calls = pass.calls,
            resources, drifted, changed, blocked, errors,
            "{what} finished with errors"
        );
    } else {
        tracing::info!(
            %revision, seconds = pass.seconds, calls = pass.calls,
            resources, drifted, changed, blocked, errors,
            "{what} finished"
        );
    }
}
