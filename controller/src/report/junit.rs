//! The checklist as JUnit XML, for any CI: one test case per checklist item; a failing item
//! is a `<failure>` listing its evidence, an item outside the account or not read is
//! `<skipped>` with the reason.

use std::fmt::Write;

use super::render::evidence_line;
use super::{ItemReport, Report, Status};

/// The checklist as a JUnit `<testsuites>` document, stamped `timestamp` (RFC 3339).
pub fn junit(report: &Report, timestamp: &str) -> String {
    let tests = report.items.len();
    let failures = report.count(Status::Fail);
    let skipped = report.count(Status::Unknown)
        + report.count(Status::Outside)
        + report.count(Status::Accepted);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"afu9-posture\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"security checklist\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" timestamp=\"{}\">",
        escape(timestamp)
    );
    if let Some(selection) = &report.partial {
        let _ = writeln!(
            out,
            "    <properties>\n      <property name=\"selection\" value=\"{}\"/>\n    </properties>",
            escape(selection)
        );
    }
    for item in &report.items {
        testcase(&mut out, item);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn testcase(out: &mut String, item: &ItemReport) {
    let name = format!("{:02}. {}", item.number, item.title);
    let open = format!(
        "    <testcase classname=\"afu9-posture.checklist\" name=\"{}\"",
        escape(&name)
    );
    let evidence: Vec<String> = item.evidence.iter().map(evidence_line).collect();
    match item.status {
        Status::Pass => {
            let _ = writeln!(out, "{open}/>");
        }
        Status::Fail => {
            let failing: Vec<&String> = item
                .evidence
                .iter()
                .zip(&evidence)
                .filter(|(e, _)| e.fails())
                .map(|(_, line)| line)
                .collect();
            let message = failing
                .first()
                .map_or_else(|| item.title.to_owned(), |line| (*line).clone());
            let _ = writeln!(
                out,
                "{open}>\n      <failure type=\"fail\" message=\"{}\">{}</failure>\n    </testcase>",
                escape(&message),
                escape(&body(item, &evidence))
            );
        }
        Status::Unknown | Status::Outside | Status::Accepted => {
            let reason = if item.status == Status::Accepted {
                "accepted: every failure is an accepted risk until its exception expires".to_owned()
            } else if item.status == Status::Outside {
                format!(
                    "outside the account: {}",
                    item.verify.unwrap_or("it lives in the application's code")
                )
            } else {
                "unknown: a resource it relies on could not be read".to_owned()
            };
            let _ = writeln!(
                out,
                "{open}>\n      <skipped message=\"{}\">{}</skipped>\n    </testcase>",
                escape(&reason),
                escape(&body(item, &evidence))
            );
        }
    }
}

/// The evidence lines, then the controls and what would verify the rest.
fn body(item: &ItemReport, evidence: &[String]) -> String {
    let mut text = evidence.join("\n");
    if !item.controls.is_empty() {
        let _ = write!(text, "\ncontrols: {}", item.controls.join(", "));
    }
    if let Some(verify) = item.verify {
        let _ = write!(text, "\nverify: {verify}");
    }
    text.trim_start().to_owned()
}

/// Escapes text for an XML attribute or element; characters XML 1.0 cannot carry are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if u32::from(c) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(
            escape("a<b & \"c\"\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot;&#10;"
        );
    }
}
