//! The YAML parser's messages in a manifest author's terms, with a hint where one helps.

/// The parser's errors that speak of its own configuration (`set DuplicateKeyPolicy in
/// Options`, `budget breached: Nodes { nodes: 100001 }`), said in a manifest author's terms.
pub(super) fn in_authors_terms(err: &serde_saphyr::Error) -> Option<String> {
    use serde_saphyr::Error;
    use serde_saphyr::budget::BudgetBreach;
    let mut err = err;
    while let Error::AliasError { error, .. } | Error::WithSnippet { error, .. } = err {
        err = error;
    }
    match err {
        Error::DuplicateMappingKey { key: Some(key), .. } => Some(format!("duplicate key `{key}`")),
        Error::DuplicateMappingKey { key: None, .. } => Some("duplicate key".to_owned()),
        Error::Budget { breach, .. } => Some(
            match breach {
                BudgetBreach::Depth { .. } => "the document is nested more than 64 levels deep",
                BudgetBreach::Nodes { .. } => {
                    "the document expands to more than 100,000 values once its aliases are resolved"
                }
                BudgetBreach::Aliases { .. } => "the document uses more than 256 aliases",
                BudgetBreach::ScalarBytes { .. } => "the document holds more than 4 MiB of text",
                _ => "the document is too large to be a manifest",
            }
            .to_owned(),
        ),
        _ => None,
    }
}

/// The parser ends messages with ` at line L, column C`; we print the location first instead.
pub(super) fn strip_location_suffix(message: &str) -> Option<String> {
    let index = message.rfind(" at line ")?;
    Some(message[..index].to_owned())
}

/// What a manifest author can do about the parser's message, when we know.
pub(super) fn hint_for(message: &str) -> Option<String> {
    if message.contains("duplicate key") {
        Some("each key may appear once in a mapping".to_owned())
    } else if message.contains("unknown field") {
        Some("check the spelling against `afu9ctl schema`".to_owned())
    } else if message.contains("unknown variant") {
        Some("use one of the values listed".to_owned())
    } else if message.starts_with("the document ") {
        Some(
            "a manifest needs neither deep nesting nor many aliases; is this an alias bomb?"
                .to_owned(),
        )
    } else if message.contains("expected mapping") {
        Some("a mapping (key: value) belongs here; a manifest is a mapping with apiVersion, kind, metadata and spec".to_owned())
    } else if message.starts_with("invalid i") || message.starts_with("invalid u") {
        Some("a whole number belongs here".to_owned())
    } else {
        None
    }
}
