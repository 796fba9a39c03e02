//! Reading manifests: files and directories, multi-document YAML, errors with
//! `file:line:column`.
//!
//! Each document is parsed twice: first leniently for its `kind` (and the location of its name),
//! then strictly into that kind's type, which rejects unknown fields, wrong types and bad enum
//! values. Documents are cut apart at `---` lines before parsing, and the parser's line
//! numbers are shifted by the lines that precede the document, so that they are the file's.
//! (Padding each document with those lines instead would make loading quadratic in the size of
//! a file: a 1,000-document file took 1.5 s and 30 MB to load that way.)

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_saphyr::Spanned;

use crate::error::{ManifestError, ManifestErrors, SourceLocation};
use crate::exceptions::Date;
use crate::kinds::{KINDS, ManifestKind, ParseDocument, parse_managed};
use crate::meta::Document;
use crate::posture::PostureSpec;
use crate::state::{DesiredState, Resource};
use crate::validate;

mod parser_errors;

use parser_errors::{hint_for, in_authors_terms, strip_location_suffix};

/// The largest manifest file we read, a guard against feeding the loader something that is
/// not a manifest.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Loads and validates every manifest under `paths` (files, or directories searched
/// recursively for `*.yaml` and `*.yml` in name order, hidden entries left out, each real
/// file read once however many links lead to it). Returns every problem found. The
/// Posture's exceptions are judged on today's date (UTC).
pub fn load_paths(paths: &[PathBuf]) -> Result<DesiredState, ManifestErrors> {
    load_paths_as_of(paths, Date::today())
}

/// [`load_paths`], with the Posture's exceptions judged on `today`.
pub fn load_paths_as_of(paths: &[PathBuf], today: Date) -> Result<DesiredState, ManifestErrors> {
    let mut errors = Vec::new();
    let mut walk = FileWalk::default();
    for path in paths {
        walk.add(path, true, &mut errors);
    }
    let files = walk.files;
    let mut parsed = ParsedDocuments::default();
    for file in &files {
        if let Some(text) = read_manifest_file(file, &mut errors) {
            parse_file(file, &text, &mut parsed, &mut errors);
        }
    }
    if files.is_empty() && errors.is_empty() {
        errors.push(
            ManifestError::new(
                SourceLocation::new(paths.first().cloned().unwrap_or_default(), 0, 0),
                "no manifest files (*.yaml, *.yml) found",
            )
            .hint("pass a manifest file or directory with -f"),
        );
    }
    let state = validate::assemble(parsed, today, &mut errors);
    if errors.is_empty() && state.len() == PostureSpec::resources(&state).len() {
        errors.push(
            ManifestError::new(
                SourceLocation::new(paths.first().cloned().unwrap_or_default(), 0, 0),
                "the desired state manages no resource: refused, as it would make pruning delete everything the controller owns",
            )
            .rule(NO_RESOURCE)
            .hint("restore the manifests; to stop managing resources, stop the controller"),
        );
    }
    finish(state, errors)
}

/// The rule id of a manifest file with no document (0 bytes, whitespace or comments only).
pub const EMPTY_FILE: &str = "AFU9-EMPTY-001";

/// The rule id of a desired state that manages no resource (the Posture's account settings
/// aside).
pub const NO_RESOURCE: &str = "AFU9-EMPTY-002";

/// Loads manifests from YAML text, as if read from a file named `file` (for tests and tools).
pub fn load_str(file: &Path, text: &str) -> Result<DesiredState, ManifestErrors> {
    load_str_as_of(file, text, Date::today())
}

/// [`load_str`], with the Posture's exceptions judged on `today`.
pub fn load_str_as_of(
    file: &Path,
    text: &str,
    today: Date,
) -> Result<DesiredState, ManifestErrors> {
    let mut errors = Vec::new();
    let mut parsed = ParsedDocuments::default();
    parse_file(file, text, &mut parsed, &mut errors);
    let state = validate::assemble(parsed, today, &mut errors);
    finish(state, errors)
}

/// The desired state when nothing but warnings was found; otherwise every error, with the
/// warnings after them.
fn finish(
    state: DesiredState,
    mut errors: Vec<ManifestError>,
) -> Result<DesiredState, ManifestErrors> {
    if errors.is_empty() {
        Ok(state)
    } else {
        errors.extend(state.warnings);
        Err(ManifestErrors(errors))
    }
}

/// Documents that parsed, before cross-document validation: the `Posture` documents, and
/// the managed kinds' resources already in their `DesiredState` fields.
#[derive(Debug, Default)]
pub(crate) struct ParsedDocuments {
    pub postures: Vec<Resource<PostureSpec>>,
    pub state: DesiredState,
}

/// The manifest files under the paths given, each real file once.
#[derive(Default)]
struct FileWalk {
    files: Vec<PathBuf>,
    /// Directories entered and files taken, by real path: a symlink back up the tree, or a
    /// second way to the same file (git-sync's worktree link), is not followed again.
    seen: HashSet<PathBuf>,
}

impl FileWalk {
    /// Adds `path`: a file given by name whatever its extension, a directory searched for
    /// `*.yaml` and `*.yml` in name order, hidden entries (`.git`, git-sync's `.worktrees`)
    /// left out unless named.
    fn add(&mut self, path: &Path, named: bool, errors: &mut Vec<ManifestError>) {
        let location = || SourceLocation::new(path, 0, 0);
        let Ok(meta) = fs::metadata(path) else {
            errors.push(ManifestError::new(location(), "no such file or directory"));
            return;
        };
        let is_manifest = path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml");
        if meta.is_file() && !(named || is_manifest) {
            return;
        }
        let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !self.seen.insert(real) {
            return;
        }
        if meta.is_file() {
            self.files.push(path.to_path_buf());
            return;
        }
        let entries = match fs::read_dir(path) {
            Ok(entries) => entries,
            Err(err) => {
                errors.push(ManifestError::new(
                    location(),
                    format!("cannot read directory: {err}"),
                ));
                return;
            }
        };
        let mut children: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|child| {
                !child
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with('.'))
            })
            .collect();
        children.sort();
        for child in children {
            self.add(&child, false, errors);
        }
    }
}

/// Reads a manifest file as UTF-8 text, or adds why it cannot be read to `errors`.
fn read_manifest_file(file: &Path, errors: &mut Vec<ManifestError>) -> Option<String> {
    let fail = |message: String| ManifestError::new(SourceLocation::new(file, 0, 0), message);
    let size = match fs::metadata(file) {
        Ok(meta) => meta.len(),
        Err(err) => {
            errors.push(fail(format!("cannot read: {err}")));
            return None;
        }
    };
    if size > MAX_FILE_BYTES {
        errors.push(fail(format!(
            "file is {size} bytes, larger than the {MAX_FILE_BYTES} bytes a manifest may be"
        )));
        return None;
    }
    match fs::read(file).map(String::from_utf8) {
        Ok(Ok(text)) => Some(text),
        Ok(Err(_)) => {
            errors.push(fail("file is not valid UTF-8".to_owned()));
            None
        }
        Err(err) => {
            errors.push(fail(format!("cannot read: {err}")));
            None
        }
    }
}

/// One YAML document cut out of a file.
struct RawDocument {
    /// The file's line number of its first content line.
    first_line: u64,
    /// How many lines of the file precede `text`: its line N is the file's N + `line_offset`.
    line_offset: u64,
    text: String,
}

/// Splits YAML text at document markers (`---` and `...` at column 1).
fn split_documents(text: &str) -> Vec<RawDocument> {
    let mut documents = Vec::new();
    let mut current = String::new();
    let mut first_line = 1;
    let mut line_offset = 0;
    let mut has_content = false;
    for (index, line) in text.lines().enumerate() {
        let number = index as u64 + 1;
        let is_start = line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        let is_end = line == "..." || line.starts_with("... ");
        if is_start || is_end {
            if has_content {
                documents.push(RawDocument {
                    first_line,
                    line_offset,
                    text: std::mem::take(&mut current),
                });
            }
            current.clear();
            line_offset = number;
            has_content = false;
            first_line = number + 1;
            if is_start && line.len() > 3 {
                // Content after `--- ` belongs to the new document; keep its columns.
                line_offset = number - 1;
                current.push_str("   ");
                current.push_str(&line[3..]);
                current.push('\n');
                has_content |= is_content(&line[3..]);
                first_line = number;
            }
            continue;
        }
        if !has_content && is_content(line) {
            first_line = number;
        }
        has_content |= is_content(line);
        current.push_str(line);
        current.push('\n');
    }
    if has_content {
        documents.push(RawDocument {
            first_line,
            line_offset,
            text: current,
        });
    }
    documents
}

fn is_content(line: &str) -> bool {
    let trimmed = line.trim();
    !trimmed.is_empty() && !trimmed.starts_with('#') && !trimmed.starts_with('%')
}

fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        budget: serde_saphyr::budget! {
            max_depth: 64,
            max_aliases: 256,
            max_nodes: 100_000,
            max_total_scalar_bytes: 4 * 1024 * 1024,
        },
    }
}

/// What the lenient first parse learns about a document.
#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    kind: Option<Spanned<String>>,
    #[serde(default)]
    metadata: Option<HeaderMetadata>,
}

#[derive(Deserialize)]
struct HeaderMetadata {
    #[serde(default)]
    name: Option<Spanned<String>>,
}

fn parse_file(
    file: &Path,
    text: &str,
    parsed: &mut ParsedDocuments,
    errors: &mut Vec<ManifestError>,
) {
    let documents = split_documents(text);
    if documents.is_empty() {
        errors.push(
            ManifestError::new(
                SourceLocation::new(file, 0, 0),
                "manifest file has no document (empty, or only whitespace and comments)",
            )
            .rule(EMPTY_FILE)
            .hint("restore its manifests, or delete the file"),
        );
    }
    for document in documents {
        let start = SourceLocation::new(file, document.first_line, 1);
        let header: Header =
            match serde_saphyr::from_str_with_options(&document.text, yaml_options()) {
                Ok(header) => header,
                Err(err) => {
                    errors.push(yaml_error(file, &document, &start, &err));
                    continue;
                }
            };
        let Some(kind) = header.kind else {
            errors.push(
                ManifestError::new(start, "document has no `kind`")
                    .field("kind")
                    .hint(format!("add `kind:` with one of {}", KINDS.join(", "))),
            );
            continue;
        };
        let name_location = header
            .metadata
            .and_then(|m| m.name)
            .map_or(start.clone(), |name| {
                spanned_location(file, &document, &name, &start)
            });
        let kind_location = spanned_location(file, &document, &kind, &start);
        let mut parser = TypedParser {
            file,
            document: &document,
            start: &start,
            name_location,
            errors,
        };
        if kind.value == "Posture" {
            if let Some(posture) = parser.parse_posture() {
                parsed.postures.push(posture);
            }
        } else if !parse_managed(&kind.value, &mut parser, &mut parsed.state) {
            errors.push(
                ManifestError::new(kind_location, format!("unknown kind `{}`", kind.value))
                    .field("kind")
                    .hint(format!("known kinds: {}", KINDS.join(", "))),
            );
        }
    }
}

/// The strict second parse of one document, into the type of its kind.
struct TypedParser<'a> {
    file: &'a Path,
    document: &'a RawDocument,
    start: &'a SourceLocation,
    name_location: SourceLocation,
    errors: &'a mut Vec<ManifestError>,
}

impl TypedParser<'_> {
    fn parse_posture(&mut self) -> Option<Resource<PostureSpec>> {
        let mut posture: Resource<PostureSpec> = parse_typed(
            self.file,
            self.document,
            self.start,
            self.name_location.clone(),
            self.errors,
        )?;
        crate::exceptions::locate(
            self.file,
            &self.document.text,
            self.document.line_offset,
            &mut posture.spec.exceptions,
        );
        Some(posture)
    }
}

impl ParseDocument for TypedParser<'_> {
    fn parse<S: ManifestKind>(&mut self) -> Option<Resource<S>> {
        parse_typed(
            self.file,
            self.document,
            self.start,
            self.name_location.clone(),
            self.errors,
        )
    }
}

fn parse_typed<S: DeserializeOwned>(
    file: &Path,
    document: &RawDocument,
    start: &SourceLocation,
    name_location: SourceLocation,
    errors: &mut Vec<ManifestError>,
) -> Option<Resource<S>> {
    match serde_saphyr::from_str_with_options::<Document<S>>(&document.text, yaml_options()) {
        Ok(doc) => Some(Resource {
            metadata: doc.metadata,
            spec: doc.spec,
            source: name_location,
        }),
        Err(err) => {
            errors.push(yaml_error(file, document, start, &err));
            None
        }
    }
}

fn spanned_location<T>(
    file: &Path,
    document: &RawDocument,
    spanned: &Spanned<T>,
    fallback: &SourceLocation,
) -> SourceLocation {
    let at = spanned.referenced;
    if at.line() == 0 {
        fallback.clone()
    } else {
        SourceLocation::new(file, at.line() + document.line_offset, at.column())
    }
}

/// Turns a parser error into ours: its location (or the document's), and its message with
/// the location prefix the parser adds taken off.
fn yaml_error(
    file: &Path,
    document: &RawDocument,
    start: &SourceLocation,
    err: &serde_saphyr::Error,
) -> ManifestError {
    let location = err.location().filter(|at| at.line() > 0).map_or_else(
        || start.clone(),
        |at| SourceLocation::new(file, at.line() + document.line_offset, at.column()),
    );
    let mut message = in_authors_terms(err).unwrap_or_else(|| err.without_snippet().to_string());
    if let Some(stripped) = strip_location_suffix(&message) {
        message = stripped;
    }
    let hint = hint_for(&message);
    let error = ManifestError::new(location, message);
    match hint {
        Some(hint) => error.hint(hint),
        None => error,
    }
}

#[cfg(test)]
mod tests;
