//! The status page (`GET /`): one server-rendered HTML document, complete without script,
//! that `page.js` (served from the same origin, as is `page.css`) keeps current by polling
//! `/status` and `/changes`. Errors and blocked resources come first; the tables filter by
//! kind and condition through a plain GET form, which the script applies as you choose.

mod filter;

use std::fmt::Write as _;

pub use filter::{ConditionFilter, Filter};

use super::changes::ChangeEntry;
use super::shared::Health;
use super::status::ResourceStatus;

/// The page's script.
pub const SCRIPT: &str = include_str!("page.js");
/// The page's style sheet.
pub const STYLE: &str = include_str!("page.css");

/// What the page shows.
pub struct View<'a> {
    /// Revision, passes, readiness, the last pass.
    pub health: &'a Health,
    /// Every resource's status.
    pub resources: &'a [ResourceStatus],
    /// The recent changes, newest first.
    pub changes: &'a [ChangeEntry],
    /// The filter from the query string.
    pub filter: &'a Filter,
}

/// Renders the whole page.
pub fn render(view: &View<'_>) -> String {
    let mut html = String::with_capacity(8 * 1024);
    html.push_str(concat!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<title>afu9-posture status</title>\n",
        "<link rel=\"stylesheet\" href=\"/page.css\">\n",
        "<script src=\"/page.js\" defer></script>\n</head>\n<body>\n",
        "<header><h1>afu9-posture</h1>",
        "<p>The security posture this controller keeps, as of its last pass.</p></header>\n<main>\n",
    ));
    summary(&mut html, view.health);
    resources(&mut html, view.resources, view.filter);
    changes(&mut html, view.changes);
    html.push_str(concat!(
        "<p id=\"live\" role=\"status\" aria-live=\"polite\"></p>\n",
        "</main>\n</body>\n</html>\n"
    ));
    html
}

/// Whether this process writes: `leader` or `standby` with a lease, else `single writer`.
fn role(health: &Health) -> String {
    match (health.role, &health.lease_holder) {
        (None, _) => "single writer (no lease)".to_owned(),
        (Some(role), Some(holder)) => format!("{} (lease held by {holder})", role.as_str()),
        (Some(role), None) => role.as_str().to_owned(),
    }
}

fn summary(html: &mut String, health: &Health) {
    html.push_str("<section aria-labelledby=\"h-pass\">\n<h2 id=\"h-pass\">Last pass</h2>\n");
    let _ = writeln!(
        html,
        "<div id=\"invalid\" class=\"alert\"{}><h3>The desired state on disk is invalid</h3>\
         <p>Nothing is changed until it is fixed; the last valid revision is kept.</p>\
         <pre id=\"invalid-errors\">{}</pre></div>",
        if health.invalid.is_some() {
            ""
        } else {
            " hidden"
        },
        escape(health.invalid.as_deref().unwrap_or_default()),
    );
    let pass = health.last_pass.as_ref();
    let ready = match health.not_ready_reason() {
        None => "yes".to_owned(),
        Some(reason) => format!("no: {}", reason.lines().next().unwrap_or_default()),
    };
    let rows = [
        (
            "revision",
            "Revision",
            health.revision.clone().unwrap_or("-".into()),
        ),
        ("ready", "Ready", ready),
        ("role", "Role", role(health)),
        ("passes", "Passes", health.passes.to_string()),
        (
            "finished",
            "Finished",
            pass.map_or("-".into(), |p| p.finished_at.clone()),
        ),
        (
            "duration",
            "Duration",
            pass.map_or("-".into(), |p| duration(p.seconds)),
        ),
        (
            "calls",
            "AWS calls",
            pass.map_or("-".into(), |p| p.calls.to_string()),
        ),
        (
            "tally",
            "Resources",
            pass.map_or("-".into(), |p| {
                let t = &p.tally;
                format!(
                    "{} in total: {} errors, {} blocked, {} drifted, {} changed",
                    t.resources, t.errors, t.blocked, t.drifted, t.changed
                )
            }),
        ),
        (
            "accepted",
            "Accepted risks",
            if health.accepted_risks.is_empty() {
                "none".to_owned()
            } else {
                health.accepted_risks.join("; ")
            },
        ),
    ];
    html.push_str("<dl id=\"pass\">\n");
    for (id, label, value) in rows {
        let _ = writeln!(
            html,
            "<div><dt>{label}</dt><dd id=\"pass-{id}\">{}</dd></div>",
            escape(&value)
        );
    }
    html.push_str("</dl>\n</section>\n");
}

fn resources(html: &mut String, all: &[ResourceStatus], filter: &Filter) {
    let mut sorted: Vec<&ResourceStatus> = all.iter().collect();
    sorted.sort_by_key(|r| (rank(r), r.kind.as_str(), r.name.as_str()));
    let mut kinds: Vec<&str> = all.iter().map(|r| r.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    html.push_str(concat!(
        "<section aria-labelledby=\"h-resources\">\n<h2 id=\"h-resources\">Resources</h2>\n",
        "<form id=\"filters\" method=\"get\" action=\"/\">\n",
        "<label for=\"kind\">Kind</label>\n<select id=\"kind\" name=\"kind\">",
        "<option value=\"\">All kinds</option>",
    ));
    for kind in &kinds {
        option(html, kind, kind, filter.kind.as_deref() == Some(kind));
    }
    html.push_str(concat!(
        "</select>\n<label for=\"condition\">Condition</label>\n",
        "<select id=\"condition\" name=\"condition\"><option value=\"\">Any condition</option>",
    ));
    for condition in ConditionFilter::ALL {
        option(
            html,
            condition.as_str(),
            condition.label(),
            filter.condition == Some(condition),
        );
    }
    html.push_str("</select>\n<button type=\"submit\">Filter</button>\n</form>\n");
    let shown: Vec<&&ResourceStatus> = sorted.iter().filter(|r| filter.matches(r)).collect();
    let _ = write!(
        html,
        "<table id=\"resources\">\n<caption>{} of {} resources, errors and blocked first</caption>\n\
         <thead><tr><th scope=\"col\">State</th><th scope=\"col\">Kind</th>\
         <th scope=\"col\">Name</th><th scope=\"col\">Synced</th><th scope=\"col\">Ready</th>\
         <th scope=\"col\">Drifted</th><th scope=\"col\">Terminal</th>\
         <th scope=\"col\">Reason</th><th scope=\"col\">Last transition</th>\
         <th scope=\"col\">Message</th></tr></thead>\n<tbody>\n",
        shown.len(),
        all.len()
    );
    for resource in shown {
        resource_row(html, resource);
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn resource_row(html: &mut String, resource: &ResourceStatus) {
    let (state, label) = state(resource);
    let _ = write!(
        html,
        "<tr class=\"{state}\"><td>{label}</td><td>{}</td><th scope=\"row\">{}</th>",
        escape(&resource.kind),
        escape(&resource.name)
    );
    for (kind, good_when) in [
        ("Synced", "True"),
        ("Ready", "True"),
        ("Drifted", "False"),
        ("Terminal", "False"),
    ] {
        let status = resource
            .conditions
            .iter()
            .find(|c| c.kind == kind)
            .map_or("-", |c| c.status);
        let class = if status == good_when { "good" } else { "bad" };
        let _ = write!(html, "<td class=\"{class}\">{status}</td>");
    }
    let reason = resource
        .conditions
        .first()
        .map_or("", |c| c.reason.as_str());
    let since = resource
        .conditions
        .iter()
        .map(|c| c.last_transition_time.as_str())
        .max()
        .unwrap_or("-");
    let message = resource.last_error.as_deref().unwrap_or_else(|| {
        resource
            .conditions
            .first()
            .map_or("", |c| c.message.as_str())
    });
    let drift = resource
        .last_drift
        .as_ref()
        .map(|d| format!("<br><small>drift: {}</small>", escape(&d.description)))
        .unwrap_or_default();
    let _ = writeln!(
        html,
        "<td>{}</td><td><time>{}</time></td><td class=\"message\">{}{drift}</td></tr>",
        escape(reason),
        escape(since),
        escape(message)
    );
}

fn changes(html: &mut String, changes: &[ChangeEntry]) {
    let _ = write!(
        html,
        "<section aria-labelledby=\"h-changes\">\n<h2 id=\"h-changes\">Recent changes</h2>\n\
         <table id=\"changes\">\n<caption>The last {} fields written, newest first</caption>\n\
         <thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Resource</th>\
         <th scope=\"col\">Field</th><th scope=\"col\">Before</th><th scope=\"col\">After</th>\
         <th scope=\"col\">Outcome</th></tr></thead>\n<tbody>\n",
        changes.len()
    );
    if changes.is_empty() {
        html.push_str(
            "<tr><td colspan=\"6\">No change written since the controller started.</td></tr>\n",
        );
    }
    for change in changes {
        let value = |value: &Option<String>| match (change.sensitive, value) {
            (true, _) => "(sensitive, not shown)".to_owned(),
            (false, None) => "<span class=\"absent\">(absent)</span>".to_owned(),
            (false, Some(text)) => escape(text),
        };
        let _ = writeln!(
            html,
            "<tr class=\"{}\"><td><time>{}</time></td><th scope=\"row\">{} {}</th><td>{}</td>\
             <td class=\"value\">{}</td><td class=\"value\">{}</td><td>{}</td></tr>",
            if change.outcome == "applied" {
                "ok"
            } else {
                "error"
            },
            escape(&change.time),
            escape(&change.kind),
            escape(&change.name),
            escape(&change.field),
            value(&change.before),
            value(&change.after),
            change.outcome
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn option(html: &mut String, value: &str, label: &str, selected: bool) {
    let _ = write!(
        html,
        "<option value=\"{}\"{}>{}</option>",
        escape(value),
        if selected { " selected" } else { "" },
        escape(label)
    );
}

/// The sort rank: errors and terminal failures, then drift that remains (blocked, held
/// back), then not ready, then in sync. `page.js` sorts the same way.
fn rank(resource: &ResourceStatus) -> u8 {
    state_rank(resource).0
}

/// The row's class and the state shown in its first cell.
fn state(resource: &ResourceStatus) -> (&'static str, &'static str) {
    let (_, class, label) = state_rank(resource);
    (class, label)
}

fn state_rank(resource: &ResourceStatus) -> (u8, &'static str, &'static str) {
    if !resource.is("Synced") || resource.is("Terminal") {
        (0, "error", "Error")
    } else if resource.is("Drifted") {
        (1, "blocked", "Drift remains")
    } else if !resource.is("Ready") {
        (2, "waiting", "Not ready")
    } else {
        (3, "ok", "In sync")
    }
}

/// `46 ms` below a second, `1.3 s` above (`page.js` writes the same).
fn duration(seconds: f64) -> String {
    if seconds < 1.0 {
        format!("{:.0} ms", seconds * 1000.0)
    } else {
        format!("{seconds:.1} s")
    }
}

/// Escapes text for HTML element content and quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
