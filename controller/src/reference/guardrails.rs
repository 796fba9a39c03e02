//! The validation rules of each kind, from real validation output: the loader run over the
//! invalid-manifest corpus (`tests/fixtures/invalid/*.yaml`), and the rule ids the spec crate
//! declares (`AFU9-…` in `spec/src`) for the rules the corpus has no example of.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{Error, read, yaml_files};

/// One rule as `validate` reports it on a corpus file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule id (`AFU9-ECR-003`).
    pub rule: String,
    /// The field the finding names (`spec.lifecyclePolicy.keepLast`).
    pub field: String,
    /// The message, as `validate` prints it.
    pub message: String,
    /// The Security Hub controls the message cites (`ECR.1`, `EC2.19`).
    pub controls: Vec<String>,
    /// A warning: reported, but the desired state stays valid.
    pub warning: bool,
    /// The corpus file's name.
    pub example: String,
}

/// What validation says about each kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// Per kind, per rule id, the first corpus finding (files in name order).
    pub found: BTreeMap<String, BTreeMap<String, Finding>>,
    /// Per kind, rule ids the spec crate declares that no corpus file shows.
    pub unshown: BTreeMap<String, BTreeSet<String>>,
    /// Rules of every kind (duplicate names, metadata, tags), with a corpus finding when
    /// there is one.
    pub common: BTreeMap<String, Option<Finding>>,
}

/// The rule families that every kind shares: a finding of theirs is not about one kind.
const COMMON: &[&str] = &["AFU9-DUP", "AFU9-META", "AFU9-TAG"];

/// Runs the loader over every file in `corpus` and reads the rule ids under `spec_src`.
pub fn rules(root: &Path, corpus: &Path, spec_src: &Path) -> Result<Rules, Error> {
    let mut rules = Rules::default();
    for file in yaml_files(corpus)? {
        let text = read(&file)?;
        let example = file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let findings = match afu9_spec::load_paths(std::slice::from_ref(&file)) {
            Ok(state) => state.warnings,
            Err(errors) => errors.0,
        };
        for finding in findings.into_iter().filter(|f| !f.rule.is_empty()) {
            let Some(kind) = kind_at(&text, finding.location.line) else {
                continue;
            };
            let message = finding.message.replace(&format!("{}/", root.display()), "");
            let shown = Finding {
                rule: finding.rule.to_owned(),
                field: finding.field.clone(),
                controls: security_hub_controls(&message),
                message,
                warning: finding.warning,
                example: example.clone(),
            };
            if COMMON.contains(&prefix(finding.rule)) {
                let entry = rules.common.entry(shown.rule.clone()).or_default();
                entry.get_or_insert(shown);
                continue;
            }
            rules
                .found
                .entry(kind)
                .or_default()
                .entry(shown.rule.clone())
                .or_insert(shown);
        }
    }
    let mut owners: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (kind, found) in &rules.found {
        for rule in found.keys() {
            owners
                .entry(prefix(rule).to_owned())
                .or_default()
                .insert(kind.clone());
        }
    }
    for rule in declared_rules(spec_src)? {
        match owners.get(prefix(&rule)) {
            Some(kinds) => {
                for kind in kinds {
                    if !rules.found[kind].contains_key(&rule) {
                        rules
                            .unshown
                            .entry(kind.clone())
                            .or_default()
                            .insert(rule.clone());
                    }
                }
            }
            None if COMMON.contains(&prefix(&rule)) => {
                rules.common.entry(rule).or_default();
            }
            None => {}
        }
    }
    Ok(rules)
}

/// `AFU9-ECR` for `AFU9-ECR-003`.
fn prefix(rule: &str) -> &str {
    rule.rsplit_once('-').map_or(rule, |(prefix, _)| prefix)
}

/// The `kind:` of the YAML document that holds `line` (1-based; 0: the file's first kind).
fn kind_at(text: &str, line: u64) -> Option<String> {
    let mut documents: Vec<(usize, Option<String>)> = vec![(1, None)];
    for (index, content) in text.lines().enumerate() {
        if content.trim_end() == "---" {
            documents.push((index + 2, None));
        } else if let Some(kind) = content.strip_prefix("kind:") {
            let kind = kind.split('#').next().unwrap_or_default().trim();
            if let Some(last) = documents.last_mut() {
                last.1.get_or_insert_with(|| kind.to_owned());
            }
        }
    }
    let line = usize::try_from(line).unwrap_or(0);
    if line == 0 {
        return documents.into_iter().find_map(|(_, kind)| kind);
    }
    documents
        .into_iter()
        .rev()
        .find(|(start, _)| *start <= line)
        .and_then(|(_, kind)| kind)
}

/// The Security Hub control ids a message cites after `Security Hub` (`IAM.1`, `EC2.18`).
pub fn security_hub_controls(message: &str) -> Vec<String> {
    let Some((_, cited)) = message.split_once("Security Hub") else {
        return Vec::new();
    };
    let mut controls = Vec::new();
    for token in cited.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')) {
        let token = token.trim_end_matches('.');
        let Some((service, number)) = token.split_once('.') else {
            continue;
        };
        let service_ok = service.starts_with(|c: char| c.is_ascii_uppercase())
            && service.chars().all(|c| c.is_ascii_alphanumeric());
        let number_ok = !number.is_empty() && number.chars().all(|c| c.is_ascii_digit());
        if service_ok && number_ok && !controls.iter().any(|c| c == token) {
            controls.push(token.to_owned());
        }
    }
    controls
}

/// Every rule id (`AFU9-XXX-NNN`) written in the spec crate's sources.
fn declared_rules(spec_src: &Path) -> Result<BTreeSet<String>, Error> {
    let mut found = BTreeSet::new();
    let mut pending = vec![spec_src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|err| Error::io(&dir, &err))?;
        for entry in entries {
            let path = entry.map_err(|err| Error::io(&dir, &err))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = read(&path)?;
                found.extend(rule_ids(&text));
            }
        }
    }
    Ok(found)
}

/// `AFU9-` followed by capitals, `-` and three digits, wherever it appears.
fn rule_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for (index, _) in text.match_indices("AFU9-") {
        let rest = &text[index + "AFU9-".len()..];
        let letters = rest
            .find(|c: char| !c.is_ascii_uppercase())
            .unwrap_or(rest.len());
        let after = &rest[letters..];
        let digits = after
            .strip_prefix('-')
            .map(|d| d.chars().take_while(char::is_ascii_digit).count());
        if letters > 0 && digits == Some(3) {
            ids.push(format!("AFU9-{}", &rest[..letters + 4]));
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_read_after_security_hub_only() {
        assert_eq!(
            security_hub_controls("ingress from anywhere to 8080; Security Hub EC2.18/EC2.19"),
            ["EC2.18", "EC2.19"]
        );
        assert_eq!(
            security_hub_controls("TLS 1.0 is old; Security Hub ELB.17."),
            ["ELB.17"]
        );
        assert!(security_hub_controls("allows TLS1.0").is_empty());
    }

    #[test]
    fn the_kind_is_the_one_of_the_document_holding_the_line() {
        let text = "kind: A\nx: 1\n---\n# c\nkind: B\ny: 2\n";
        assert_eq!(kind_at(text, 2).as_deref(), Some("A"));
        assert_eq!(kind_at(text, 6).as_deref(), Some("B"));
        assert_eq!(kind_at(text, 0).as_deref(), Some("A"));
    }

    #[test]
    fn rule_ids_need_three_digits() {
        assert_eq!(
            rule_ids("\"AFU9-SG-010\", AFU9-IAM-02x, AFU9-TRAIL-001…005"),
            ["AFU9-SG-010", "AFU9-TRAIL-001"]
        );
    }
}
