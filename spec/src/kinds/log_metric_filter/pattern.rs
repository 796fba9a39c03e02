//! Filter patterns compared by meaning, and what a pattern says about the events it needs.

/// A pattern with insignificant whitespace taken out: none next to an operator or bracket
/// (`{`, `}`, `(`, `)`, `=`, `!`, `<`, `>`, `&`, `|`, `,`, `[`, `]`), one space between other
/// terms, none at either end; text inside double quotes kept exactly.
pub fn canonical_pattern(pattern: &str) -> String {
    const OPERATORS: &[char] = &[
        '{', '}', '(', ')', '=', '!', '<', '>', '&', '|', ',', '[', ']',
    ];
    let mut out = String::with_capacity(pattern.len());
    let mut quoted = false;
    let mut pending_space = false;
    for c in pattern.chars() {
        if quoted {
            out.push(c);
            quoted = c != '"';
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space && !OPERATORS.contains(&c) && !out.ends_with(OPERATORS) {
            out.push(' ');
        }
        pending_space = false;
        quoted = c == '"';
        out.push(c);
    }
    out
}

/// The read-only API calls a pattern matches by name (`$.eventName = GetSecretValue`):
/// names starting with `Get`, `List`, `Describe`, `Head` or `Lookup`. A trail delivers them
/// only when it records read management events.
pub fn read_events_named(pattern: &str) -> Vec<String> {
    let canonical = canonical_pattern(pattern);
    let mut names = Vec::new();
    let mut rest = canonical.as_str();
    while let Some(at) = rest.find("$.eventName=") {
        rest = &rest[at + "$.eventName=".len()..];
        let name: String = rest
            .trim_start_matches('"')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let read = ["Get", "List", "Describe", "Head", "Lookup"]
            .iter()
            .any(|prefix| name.starts_with(prefix));
        if read && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Whether a pattern selects CloudTrail events (it tests one of their JSON fields).
pub(super) fn is_cloudtrail_pattern(pattern: &str) -> bool {
    [
        "$.eventName",
        "$.eventSource",
        "$.userIdentity",
        "$.errorCode",
    ]
    .iter()
    .any(|field| pattern.contains(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUIDE: &str =
        "{ ($.eventName = GetSecretValue) && ($.requestParameters.secretId = afu9/*) }";

    #[test]
    fn whitespace_around_operators_and_between_terms_does_not_matter() {
        let tight = "{($.eventName=GetSecretValue)&&($.requestParameters.secretId=afu9/*)}";
        assert_eq!(canonical_pattern(GUIDE), tight);
        assert_eq!(canonical_pattern(&GUIDE.replace(' ', "  \n ")), tight);
        assert_eq!(canonical_pattern("  ERROR   Exception "), "ERROR Exception");
    }

    #[test]
    fn quoted_text_and_different_values_still_differ() {
        assert_ne!(canonical_pattern("\"a  b\""), canonical_pattern("\"a b\""));
        assert_ne!(
            canonical_pattern(GUIDE),
            canonical_pattern(&GUIDE.replace("afu9/*", "afu9/db*"))
        );
        assert_ne!(
            canonical_pattern("ERROR Exception"),
            canonical_pattern("ERRORException")
        );
    }

    #[test]
    fn read_events_are_found_by_name() {
        assert_eq!(read_events_named(GUIDE), ["GetSecretValue"]);
        assert!(read_events_named("{ $.eventName = PutRolePolicy }").is_empty());
        assert!(is_cloudtrail_pattern(GUIDE));
        assert!(!is_cloudtrail_pattern("ERROR"));
    }
}
