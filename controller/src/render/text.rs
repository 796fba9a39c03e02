//! Terminal output. Styles are always written; `anstream` strips them when stdout is not a
//! terminal or `NO_COLOR` is set.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::{
    change_sign, document_diff, in_sync, inline, is_document, orphans_line, partial_warning,
};
use crate::engine::ApplyReport;
use crate::plan::{Action, OpOutcome, Plan, ResourcePlan};
use afu9_spec::ManagementPolicy;

const GREEN: Style = AnsiColor::Green.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const RED: Style = AnsiColor::Red.on_default();
const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn action_style(action: Action) -> Style {
    match action {
        Action::Create => GREEN,
        Action::Update | Action::Replace | Action::Orphaned => YELLOW,
        Action::Blocked | Action::Error | Action::Delete => RED,
        Action::Noop => DIM,
    }
}

fn sign_style(sign: char) -> Style {
    match sign {
        '+' => GREEN,
        '-' => RED,
        '~' => YELLOW,
        _ => Style::new(),
    }
}

/// The plan as terminal text: one block per resource that differs, then the summary.
pub fn plan(plan: &Plan) -> String {
    let mut out = String::new();
    if let Some(selection) = &plan.partial {
        let _ = writeln!(out, "{YELLOW}{}{YELLOW:#}\n", partial_warning(selection));
    }
    for resource in plan.resources.iter().filter(|r| r.action != Action::Noop) {
        resource_block(&mut out, resource);
    }
    let s = plan.summary();
    let _ = writeln!(
        out,
        "{BOLD}Plan:{BOLD:#} {} to create, {} to update, {} to replace, {} blocked, {} in sync, {} errors.",
        s.create, s.update, s.replace, s.blocked, s.noop, s.error
    );
    if let Some(orphans) = orphans_line(plan) {
        let _ = writeln!(out, "{orphans}");
    }
    if !plan.has_drift() && !plan.has_errors() {
        let _ = writeln!(out, "{GREEN}{}{GREEN:#}", in_sync(plan));
    }
    out
}

fn resource_block(out: &mut String, resource: &ResourcePlan) {
    let style = action_style(resource.action);
    let _ = write!(
        out,
        "{BOLD}{} {}{BOLD:#}: {style}{}{style:#}",
        resource.kind,
        resource.name,
        resource.action.as_str()
    );
    if resource.policy == ManagementPolicy::Observe {
        let _ = write!(out, " {DIM}(observe only: nothing will be changed){DIM:#}");
    }
    if resource.orphan && resource.action == Action::Blocked {
        let _ = write!(out, " {DIM}(orphan){DIM:#}");
    }
    out.push('\n');
    if let Some(reason) = &resource.reason {
        let _ = writeln!(out, "  {style}reason:{style:#} {reason}");
    }
    if let Some(provenance) = &resource.provenance {
        let _ = writeln!(out, "  drift: {}", provenance.describe());
    }
    for change in &resource.changes {
        let (before, after) = (change.before.as_ref(), change.after.as_ref());
        let sign = change_sign(before, after);
        let sign_style = sign_style(sign);
        if change.sensitive {
            let _ = writeln!(
                out,
                "  {sign_style}{sign}{sign_style:#} {}: (sensitive value)",
                change.path
            );
        } else if is_document(before, after) {
            let _ = writeln!(out, "  {sign_style}{sign}{sign_style:#} {}:", change.path);
            for (line_sign, line) in document_diff(before, after) {
                let line_style = sign_style_of(line_sign);
                let _ = writeln!(out, "      {line_style}{line_sign} {line}{line_style:#}");
            }
        } else if sign == '~' {
            let _ = writeln!(
                out,
                "  {sign_style}{sign}{sign_style:#} {}: {} {DIM}→{DIM:#} {}",
                change.path,
                inline(before),
                inline(after)
            );
        } else {
            let shown = if sign == '+' { after } else { before };
            let _ = writeln!(
                out,
                "  {sign_style}{sign}{sign_style:#} {}: {}",
                change.path,
                inline(shown)
            );
        }
    }
    out.push('\n');
}

fn sign_style_of(sign: char) -> Style {
    if sign == ' ' { DIM } else { sign_style(sign) }
}

/// What an apply did, one line per operation, then the totals.
pub fn apply(report: &ApplyReport) -> String {
    let mut out = String::new();
    for resource in &report.resources {
        for op in &resource.ops {
            let _ = match &op.result {
                Ok(OpOutcome::Done) => writeln!(
                    out,
                    "{GREEN}✓{GREEN:#} {} {}: {}",
                    resource.kind, resource.name, op.call
                ),
                Ok(OpOutcome::AlreadyDone(note)) => writeln!(
                    out,
                    "{GREEN}✓{GREEN:#} {} {}: {} {DIM}({note}){DIM:#}",
                    resource.kind, resource.name, op.call
                ),
                Err(err) => writeln!(
                    out,
                    "{RED}✗{RED:#} {} {}: {}: {err}",
                    resource.kind, resource.name, op.call
                ),
            };
        }
        if resource.skipped > 0 {
            let _ = writeln!(
                out,
                "{DIM}  {} later operation(s) of {} {} not attempted{DIM:#}",
                resource.skipped, resource.kind, resource.name
            );
        }
    }
    let _ = writeln!(
        out,
        "{BOLD}Apply complete:{BOLD:#} {} operations succeeded, {} failed.",
        report.succeeded(),
        report.failed()
    );
    out
}
