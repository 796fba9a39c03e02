//! What a notice says: the JSON message (SNS and generic webhooks), a subject line, and a
//! Slack incoming-webhook body.

use std::fmt::Write;

use serde_json::{Value, json};

use super::{Notice, NoticeChange, NoticeResource};

/// SNS takes subjects of at most 100 ASCII characters.
pub const SUBJECT_LIMIT: usize = 100;

/// How many resources a Slack message lists before "and N more" (Slack cuts a section's
/// text at 3,000 characters).
const SLACK_RESOURCES: usize = 10;

/// The message's format version.
const FORMAT_VERSION: u32 = 1;

/// The notice as JSON: `source`, `event`, `summary` and the resources with their changes.
pub fn json_message(notice: &Notice) -> String {
    let mut value = json!({
        "source": "afu9-posture",
        "formatVersion": FORMAT_VERSION,
        "summary": summary(notice),
    });
    if let (Value::Object(out), Ok(Value::Object(fields))) =
        (&mut value, serde_json::to_value(notice))
    {
        out.extend(fields);
    }
    value.to_string()
}

/// A short subject: what happened, to how many resources, the first of them.
pub fn subject(notice: &Notice) -> String {
    let mut text = format!("afu9-posture: {}", notice.event.title());
    match notice.resources.as_slice() {
        [] => {}
        [only] => {
            let _ = write!(text, ": {}/{}", only.kind, only.name);
        }
        [first, rest @ ..] => {
            let _ = write!(
                text,
                ": {}/{} and {} more",
                first.kind,
                first.name,
                rest.len()
            );
        }
    }
    let ascii: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect();
    if ascii.len() <= SUBJECT_LIMIT {
        ascii
    } else {
        format!("{}...", &ascii[..SUBJECT_LIMIT - 3])
    }
}

/// One sentence for the whole notice.
fn summary(notice: &Notice) -> String {
    let count = notice.resources.len();
    let noun = if count == 1 { "resource" } else { "resources" };
    match &notice.detail {
        Some(detail) if count == 0 => format!("{}: {detail}", capitalised(notice.event.title())),
        _ => format!(
            "{} on {count} {noun} (revision {})",
            capitalised(notice.event.title()),
            notice.revision
        ),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A Slack incoming-webhook body: `text` (notifications, clients without blocks) and one
/// section per resource, up to [`SLACK_RESOURCES`].
pub fn slack_body(notice: &Notice) -> String {
    let mut blocks = vec![json!({
        "type": "section",
        "text": { "type": "mrkdwn", "text": format!("*{}*", summary(notice)) },
    })];
    for resource in notice.resources.iter().take(SLACK_RESOURCES) {
        blocks.push(json!({
            "type": "section",
            "text": { "type": "mrkdwn", "text": slack_resource(resource) },
        }));
    }
    if notice.resources.len() > SLACK_RESOURCES {
        blocks.push(json!({
            "type": "context",
            "elements": [{
                "type": "mrkdwn",
                "text": format!("and {} more", notice.resources.len() - SLACK_RESOURCES),
            }],
        }));
    }
    json!({ "text": subject(notice), "blocks": blocks }).to_string()
}

fn slack_resource(resource: &NoticeResource) -> String {
    let mut text = format!("`{}/{}`: {}", resource.kind, resource.name, resource.done);
    for change in &resource.changes {
        let _ = write!(text, "\n• `{}`: {}", change.field, values(change));
    }
    text
}

fn values(change: &NoticeChange) -> String {
    if change.sensitive {
        return "(sensitive value)".to_owned();
    }
    let show = |v: Option<&Value>| v.map_or_else(|| "(none)".to_owned(), Value::to_string);
    format!(
        "{} → {}",
        show(change.live.as_ref()),
        show(change.wanted.as_ref())
    )
}
