//! The generated reference under `docs/reference/`: one page per kind (what it is, every
//! field, its validation rules with the Security Hub controls they cite, an example), an index,
//! and the controller's own permissions. Everything comes from the code and the repository:
//! the JSON Schema the spec types generate, the loader run over the invalid-manifest corpus,
//! `desired-state/`, and the policy `afu9ctl permissions` prints. Output is deterministic, so a
//! test can compare the committed pages with what the generator produces now.
//!
//! Regenerate with `cargo run -p afu9-controller --bin afu9ctl -- docs reference --out
//! docs/reference` (the command is hidden from `--help`).

mod fields;
mod guardrails;
mod pages;
mod permissions;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use fields::{Field, KindSchema, kind_schema, metadata_fields};
pub use guardrails::{Finding, Rules, security_hub_controls};

/// The command that regenerates the pages, from the repository root.
pub const REGENERATE: &str =
    "cargo run -p afu9-controller --bin afu9ctl -- docs reference --out docs/reference";

/// Where the reference is written, relative to the repository root.
pub const OUT_DIR: &str = "docs/reference";

/// A file the generator could not read, or a desired state that does not load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    fn io(path: &Path, err: &std::io::Error) -> Self {
        Self(format!("{}: {err}", path.display()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Every page, by file name (`EcrRepository.md`, `README.md`, `permissions.md`), generated
/// from the repository at `root`.
pub fn generate(root: &Path) -> Result<BTreeMap<String, String>, Error> {
    let root = &root.canonicalize().map_err(|err| Error::io(root, &err))?;
    let schema = afu9_spec::schema::manifest_schema().to_value();
    let rules = guardrails::rules(
        root,
        &root.join("tests/fixtures/invalid"),
        &root.join("spec/src"),
    )?;
    let manifests = pages::manifests(&root.join("desired-state"))?;
    let mut out = BTreeMap::new();
    for kind in afu9_spec::KINDS {
        let described = kind_schema(&schema, kind)
            .ok_or_else(|| Error(format!("the schema has no branch for {kind}")))?;
        out.insert(
            format!("{kind}.md"),
            pages::kind_page(kind, &described, &rules, &manifests),
        );
    }
    out.insert(
        "README.md".to_owned(),
        pages::index(&schema, &rules, &manifests),
    );
    out.insert(
        "permissions.md".to_owned(),
        permissions::page(&root.join("desired-state"))?,
    );
    Ok(out)
}

/// Writes `pages` into `dir` (created if missing) and removes the other `*.md` files there.
pub fn write(dir: &Path, pages: &BTreeMap<String, String>) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|err| Error::io(dir, &err))?;
    for stale in markdown_files(dir)? {
        let name = file_name(&stale);
        if !pages.contains_key(&name) {
            std::fs::remove_file(&stale).map_err(|err| Error::io(&stale, &err))?;
        }
    }
    for (name, text) in pages {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|err| Error::io(&path, &err))?;
    }
    Ok(())
}

/// The files in `dir` that differ from `pages`: changed, missing, or not generated at all.
pub fn differences(dir: &Path, pages: &BTreeMap<String, String>) -> Vec<String> {
    let mut differ = Vec::new();
    for (name, text) in pages {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(committed) if &committed == text => {}
            Ok(_) => differ.push(format!("{name} (changed)")),
            Err(_) => differ.push(format!("{name} (missing)")),
        }
    }
    for extra in markdown_files(dir).unwrap_or_default() {
        let name = file_name(&extra);
        if !pages.contains_key(&name) {
            differ.push(format!("{name} (not generated)"));
        }
    }
    differ
}

fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|err| Error::io(dir, &err))? {
        let path = entry.map_err(|err| Error::io(dir, &err))?.path();
        if path.extension().is_some_and(|ext| ext == "md") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `*.yaml` and `*.yml` files directly in `dir`, in name order.
fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|err| Error::io(dir, &err))? {
        let path = entry.map_err(|err| Error::io(dir, &err))?.path();
        if path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml")
        {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|err| Error::io(path, &err))
}
