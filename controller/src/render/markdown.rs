//! A pull-request comment: a summary table, then one collapsible section per resource.

use std::fmt::Write;

use super::{
    change_sign, document_diff, in_sync, inline, is_document, orphans_line, partial_warning,
};
use crate::engine::ApplyReport;
use crate::plan::{Action, OpOutcome, Plan};
use afu9_spec::ManagementPolicy;

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The plan as Markdown.
pub fn plan(plan: &Plan) -> String {
    let mut out = String::from("### afu9-posture plan\n\n");
    if let Some(selection) = &plan.partial {
        let _ = writeln!(out, "> [!WARNING]\n> {}\n", partial_warning(selection));
    }
    let s = plan.summary();
    let _ = writeln!(
        out,
        "**{} to create, {} to update, {} to replace, {} blocked, {} in sync, {} errors.**\n",
        s.create, s.update, s.replace, s.blocked, s.noop, s.error
    );
    if let Some(orphans) = orphans_line(plan) {
        let _ = writeln!(out, "{orphans}\n");
    }
    let drifted: Vec<_> = plan
        .resources
        .iter()
        .filter(|r| r.action != Action::Noop)
        .collect();
    if drifted.is_empty() {
        out.push_str(in_sync(plan));
        out.push('\n');
        return out;
    }
    out.push_str("| Kind | Name | Action | Changes |\n|---|---|---|---|\n");
    for resource in &drifted {
        let observe = if resource.policy == ManagementPolicy::Observe {
            " (observe only)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | **{}**{observe} | {} |",
            resource.kind,
            cell(&resource.name),
            resource.action.as_str(),
            resource.changes.len()
        );
    }
    out.push('\n');
    for resource in drifted {
        let _ = writeln!(
            out,
            "<details><summary>{} <code>{}</code>: {}</summary>\n",
            resource.kind,
            resource.name,
            resource.action.as_str()
        );
        if let Some(reason) = &resource.reason {
            let _ = writeln!(out, "> {}\n", cell(reason));
        }
        write_changes(&mut out, resource);
        out.push_str("</details>\n\n");
    }
    out
}

fn write_changes(out: &mut String, resource: &crate::plan::ResourcePlan) {
    let (documents, fields): (Vec<_>, Vec<_>) = resource
        .changes
        .iter()
        .partition(|c| !c.sensitive && is_document(c.before.as_ref(), c.after.as_ref()));
    if !fields.is_empty() {
        out.push_str("| | Field | Live | Desired |\n|---|---|---|---|\n");
        for change in fields {
            // A sensitive change holds masks, never values.
            let (before, after) = (
                inline(change.before.as_ref()),
                inline(change.after.as_ref()),
            );
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | `{}` |",
                change_sign(change.before.as_ref(), change.after.as_ref()),
                change.path,
                cell(&before),
                cell(&after)
            );
        }
        out.push('\n');
    }
    for change in documents {
        let _ = writeln!(out, "`{}`:\n\n```diff", change.path);
        for (sign, line) in document_diff(change.before.as_ref(), change.after.as_ref()) {
            let _ = writeln!(out, "{sign}{line}");
        }
        out.push_str("```\n\n");
    }
}

/// What an apply did, as Markdown.
pub fn apply(report: &ApplyReport) -> String {
    let mut out = String::from(
        "### afu9-posture apply\n\n| Kind | Name | Call | Outcome |\n|---|---|---|---|\n",
    );
    for resource in &report.resources {
        for op in &resource.ops {
            let outcome = match &op.result {
                Ok(OpOutcome::Done) => "done".to_owned(),
                Ok(OpOutcome::AlreadyDone(note)) => format!("already done: {note}"),
                Err(err) => format!("**failed**: {err}"),
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                resource.kind,
                cell(&resource.name),
                op.call,
                cell(&outcome)
            );
        }
    }
    let _ = writeln!(
        out,
        "\n**{} operations succeeded, {} failed.**",
        report.succeeded(),
        report.failed()
    );
    out
}
