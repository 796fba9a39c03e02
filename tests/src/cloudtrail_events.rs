//! CloudTrail-shaped events, as AWS would put them on the default bus after an API call
//! (moto emits none itself): the test makes the change through the SDK, then puts its event.

use std::time::SystemTime;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use serde_json::{Value, json};

/// Someone who is not the controller, as CloudTrail names a console user.
pub const SOMEONE_ELSE: &str = "arn:aws:iam::123456789012:user/alice";

/// The address every test event's call came from (a documentation range).
pub const SOURCE_IP: &str = "203.0.113.7";

/// The user agent of every test event's call.
pub const USER_AGENT: &str = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64";

/// The `detail` of the CloudTrail record of the call `name` with `request` by `principal`
/// (from [`SOURCE_IP`] with [`USER_AGENT`], under a fresh `eventID`).
pub fn detail(source: &str, name: &str, request: &Value, principal: &str) -> Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "arn": principal, "accountId": crate::ACCOUNT_ID},
        "eventTime": now_rfc3339(),
        "eventID": format!("{:032x}", fastrand::u128(..)),
        "sourceIPAddress": SOURCE_IP,
        "userAgent": USER_AGENT,
        "eventSource": format!("{}.amazonaws.com", source.trim_start_matches("aws.")),
        "eventName": name,
        "awsRegion": crate::REGION,
        "requestParameters": request,
        "responseElements": null,
    })
}

/// The message EventBridge delivers to an SQS target for that event (its envelope around
/// the CloudTrail record), for tests that fill the queue faster than `PutEvents` can.
pub fn envelope(source: &str, name: &str, request: &Value, principal: &str) -> String {
    json!({
        "version": "0",
        "id": format!("{:032x}", fastrand::u128(..)),
        "detail-type": "AWS API Call via CloudTrail",
        "source": source,
        "account": crate::ACCOUNT_ID,
        "time": now_rfc3339(),
        "region": crate::REGION,
        "resources": [],
        "detail": detail(source, name, request, principal),
    })
    .to_string()
}

/// Puts the events `(source, name, request, principal)` on the default bus, ten a call, and
/// panics if EventBridge refused one.
pub async fn put(events: &aws_sdk_eventbridge::Client, entries: &[(&str, &str, Value, &str)]) {
    for chunk in entries.chunks(10) {
        let output = events
            .put_events()
            .set_entries(Some(
                chunk
                    .iter()
                    .map(|(source, name, request, principal)| {
                        PutEventsRequestEntry::builder()
                            .source(*source)
                            .detail_type("AWS API Call via CloudTrail")
                            .detail(detail(source, name, request, principal).to_string())
                            .build()
                    })
                    .collect(),
            ))
            .send()
            .await
            .expect("PutEvents");
        assert_eq!(output.failed_entry_count, 0, "{output:?}");
    }
}

fn now_rfc3339() -> String {
    let millis = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let secs = u64::try_from(millis / 1000).unwrap_or(0);
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        millis % 1000
    )
}
