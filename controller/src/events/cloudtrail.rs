//! An EventBridge message from the queue, read as the CloudTrail record it carries.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::string_at;

/// The `detail-type` EventBridge gives the CloudTrail records of API calls.
pub const DETAIL_TYPE: &str = "AWS API Call via CloudTrail";

/// Why a message is not an event the controller can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed event: {0}")]
pub struct Malformed(pub String);

/// One "AWS API Call via CloudTrail" event.
#[derive(Debug, Clone, PartialEq)]
pub struct CloudTrailEvent {
    /// The EventBridge source (`aws.ec2`).
    pub source: String,
    /// The API call (`AuthorizeSecurityGroupIngress`).
    pub name: String,
    /// When the call was made (`detail.eventTime`, else the envelope's `time`).
    pub time: Option<SystemTime>,
    /// The CloudTrail record: `requestParameters`, `responseElements`, `userIdentity`, …
    pub detail: Value,
}

impl CloudTrailEvent {
    /// Reads a message body as EventBridge delivers it to SQS (the event envelope with the
    /// CloudTrail record under `detail`).
    pub fn parse(body: &str) -> Result<Self, Malformed> {
        let envelope: Value =
            serde_json::from_str(body).map_err(|err| Malformed(format!("not JSON: {err}")))?;
        let field = |key: &str| {
            envelope
                .get(key)
                .and_then(Value::as_str)
                .ok_or_else(|| Malformed(format!("no `{key}` string")))
        };
        let detail_type = field("detail-type")?;
        if detail_type != DETAIL_TYPE {
            return Err(Malformed(format!(
                "detail-type is `{detail_type}`, not `{DETAIL_TYPE}`"
            )));
        }
        let source = field("source")?.to_owned();
        let detail = envelope
            .get("detail")
            .filter(|d| d.is_object())
            .cloned()
            .ok_or_else(|| Malformed("no `detail` object".to_owned()))?;
        let name = string_at(&detail, &["eventName"])
            .ok_or_else(|| Malformed("no `detail.eventName` string".to_owned()))?
            .to_owned();
        let time = string_at(&detail, &["eventTime"])
            .or_else(|| envelope.get("time").and_then(Value::as_str))
            .and_then(parse_rfc3339);
        Ok(Self {
            source,
            name,
            time,
            detail,
        })
    }

    /// `requestParameters.<path>` as a string.
    pub fn request(&self, path: &[&str]) -> Option<&str> {
        let mut full = vec!["requestParameters"];
        full.extend_from_slice(path);
        string_at(&self.detail, &full)
    }

    /// `responseElements.<path>` as a string.
    pub fn response(&self, path: &[&str]) -> Option<&str> {
        let mut full = vec!["responseElements"];
        full.extend_from_slice(path);
        string_at(&self.detail, &full)
    }

    /// The strings of the array `requestParameters.<key>` (`alarmNames`).
    pub fn request_list(&self, key: &str) -> Vec<&str> {
        self.detail
            .get("requestParameters")
            .and_then(|p| p.get(key))
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// The AWS error code of a call that failed (CloudTrail records refused calls too;
    /// they changed nothing).
    pub fn error_code(&self) -> Option<&str> {
        string_at(&self.detail, &["errorCode"])
    }
}

/// `2026-12-02T00:01:02Z` or `2026-12-02T00:01:02.345Z` (UTC only, as CloudTrail and
/// EventBridge write it).
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let text = text.strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let mut date = date.splitn(3, '-').map(str::parse::<i64>);
    let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut clock = clock.splitn(3, ':').map(str::parse::<u64>);
    let (h, m, s) = (
        clock.next()?.ok()?,
        clock.next()?.ok()?,
        clock.next()?.ok()?,
    );
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = u64::try_from(era * 146_097 + doe - 719_468).ok()?;
    let millis = format!("{fraction:0<3}")
        .get(..3)
        .and_then(|f| f.parse::<u64>().ok())
        .unwrap_or(0);
    Some(
        UNIX_EPOCH
            + Duration::from_secs(days * 86_400 + h * 3600 + m * 60 + s)
            + Duration::from_millis(millis),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(detail: &Value) -> String {
        json!({
            "version": "0", "id": "1", "detail-type": DETAIL_TYPE, "source": "aws.ec2",
            "account": "123456789012", "time": "2026-12-02T00:00:00Z", "region": "eu-central-1",
            "resources": [], "detail": detail,
        })
        .to_string()
    }

    #[test]
    fn a_cloudtrail_record_is_read_from_its_envelope() {
        let event = CloudTrailEvent::parse(&body(&json!({
            "eventName": "AuthorizeSecurityGroupIngress",
            "eventTime": "2026-12-02T00:00:05Z",
            "requestParameters": {"groupId": "sg-1"},
        })))
        .expect("parses");
        assert_eq!(event.source, "aws.ec2");
        assert_eq!(event.name, "AuthorizeSecurityGroupIngress");
        assert_eq!(event.request(&["groupId"]), Some("sg-1"));
        assert_eq!(
            event.time,
            Some(UNIX_EPOCH + Duration::from_secs(1_796_169_605))
        );
    }

    #[test]
    fn what_is_no_cloudtrail_event_is_malformed() {
        for bad in [
            "not json".to_owned(),
            json!({"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2", "detail": {}}).to_string(),
            json!({"detail-type": DETAIL_TYPE, "source": "aws.ec2", "detail": "text"}).to_string(),
            body(&json!({"requestParameters": {}})),
        ] {
            assert!(CloudTrailEvent::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rfc3339_times_with_and_without_fractions() {
        let whole = parse_rfc3339("2000-02-29T00:00:00Z").expect("valid");
        assert_eq!(whole, UNIX_EPOCH + Duration::from_secs(951_782_400));
        let fraction = parse_rfc3339("2000-02-29T00:00:00.25Z").expect("valid");
        assert_eq!(fraction, whole + Duration::from_millis(250));
        assert_eq!(parse_rfc3339("2000-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
