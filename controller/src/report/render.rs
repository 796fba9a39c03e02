//! The checklist as text for a terminal, Markdown for a pull request or wiki, JSON for machines.

use std::fmt::Write;

use serde_json::json;

use super::{Evidence, Finding, ItemReport, Report, Status};
use crate::render::{inline, partial_warning};

/// The JSON output's format version.
pub const FORMAT_VERSION: u32 = 1;

fn summary(report: &Report) -> String {
    let mut text = format!(
        "{} pass, {} fail, {} unknown, {} outside the account",
        report.count(Status::Pass),
        report.count(Status::Fail),
        report.count(Status::Unknown),
        report.count(Status::Outside)
    );
    if report.count(Status::Accepted) > 0 {
        let _ = write!(text, ", {} accepted", report.count(Status::Accepted));
    }
    text
}

/// The exceptions' standings, one line each (none when the Posture lists none).
fn exception_lines(report: &Report) -> Vec<String> {
    report
        .exceptions
        .iter()
        .map(|e| {
            let mark = if e.warns() { "warning" } else { "ok" };
            format!("{mark}: {}", e.line())
        })
        .collect()
}

fn controls(item: &ItemReport) -> String {
    if item.controls.is_empty() {
        "no Security Hub control".to_owned()
    } else {
        item.controls.join(", ")
    }
}

/// One line for a piece of evidence: the resource, the field, the values, the note.
pub(super) fn evidence_line(evidence: &Evidence) -> String {
    let mut text = if evidence.name.is_empty() {
        evidence.kind.clone()
    } else {
        format!("{}/{}", evidence.kind, evidence.name)
    };
    if let Some(rule) = &evidence.rule {
        let _ = write!(text, " [{rule}]");
    }
    if let Some(field) = &evidence.field {
        let _ = write!(text, " {field}");
    }
    let (live, wanted) = (evidence.live.as_ref(), evidence.wanted.as_ref());
    if live.is_some() && live == wanted {
        let _ = write!(text, " = {}", inline(live));
    } else {
        if live.is_some() || evidence.finding == Finding::Drifted {
            let _ = write!(text, " live {}", inline(live));
        }
        if wanted.is_some() {
            let _ = write!(text, " wanted {}", inline(wanted));
        }
    }
    let _ = write!(text, ": {}", evidence.note);
    if let Some(accepted) = &evidence.accepted {
        let _ = write!(text, " [{}]", accepted.line());
    }
    text
}

/// The checklist as text: one block per item, its evidence indented under it.
pub fn text(report: &Report) -> String {
    let mut out = String::from("Security checklist (the guide's 15 items)\n\n");
    if let Some(selection) = &report.partial {
        let _ = writeln!(out, "{}\n", partial_warning(selection));
    }
    for item in &report.items {
        let _ = writeln!(
            out,
            "{:>2}. [{}] {}  ({})",
            item.number,
            item.status.as_str().to_uppercase(),
            item.title,
            controls(item)
        );
        for evidence in &item.evidence {
            let _ = writeln!(out, "      {}", evidence_line(evidence));
        }
        if let Some(verify) = item.verify {
            let _ = writeln!(out, "      verify: {verify}");
        }
    }
    let exceptions = exception_lines(report);
    if !exceptions.is_empty() {
        out.push_str("\nAccepted risks (the Posture's exceptions)\n");
        for line in exceptions {
            let _ = writeln!(out, "  {line}");
        }
    }
    let _ = writeln!(out, "\n{}", summary(report));
    out
}

/// The checklist as Markdown: a table of the items, then the evidence per item.
pub fn markdown(report: &Report) -> String {
    let cell = |text: &str| text.replace('|', "\\|");
    let mut out = String::from("### Security checklist\n\n");
    if let Some(selection) = &report.partial {
        let _ = writeln!(out, "> {}\n", partial_warning(selection));
    }
    out.push_str("| # | Item | Status | Controls |\n| --- | --- | --- | --- |\n");
    for item in &report.items {
        let _ = writeln!(
            out,
            "| {} | {} | **{}** | {} |",
            item.number,
            cell(item.title),
            item.status.as_str(),
            cell(&controls(item))
        );
    }
    let _ = writeln!(out, "\n{}\n", summary(report));
    for line in exception_lines(report) {
        let _ = writeln!(out, "- {}", cell(&line));
    }
    if !report.exceptions.is_empty() {
        out.push('\n');
    }
    for item in &report.items {
        let _ = writeln!(
            out,
            "<details><summary>{}. {} — {}</summary>\n",
            item.number,
            item.title,
            item.status.as_str()
        );
        for evidence in &item.evidence {
            let _ = writeln!(out, "- `{}`", evidence_line(evidence).replace('`', "'"));
        }
        if let Some(verify) = item.verify {
            let _ = writeln!(out, "- verify: {verify}");
        }
        out.push_str("\n</details>\n\n");
    }
    out
}

/// The checklist as JSON: the items with their evidence, and the counts per status.
pub fn json(report: &Report) -> String {
    let mut value = json!({
        "formatVersion": FORMAT_VERSION,
        "summary": {
            "pass": report.count(Status::Pass),
            "fail": report.count(Status::Fail),
            "unknown": report.count(Status::Unknown),
            "outside": report.count(Status::Outside),
            "accepted": report.count(Status::Accepted),
        },
        "items": report.items,
    });
    if !report.exceptions.is_empty() {
        value["exceptions"] = json!(report.exceptions);
    }
    if let Some(selection) = &report.partial {
        value["partial"] = json!({ "selection": selection });
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
