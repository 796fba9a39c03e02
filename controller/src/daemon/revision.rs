//! Which revision of the desired state is being applied: the git commit when the path is in
//! a git checkout (a git-sync worktree included), else a hash of the manifests' content.
//! Git is read from its files; no git client is embedded.

use std::fs;
use std::path::{Path, PathBuf};

/// A fingerprint of the manifest files under `paths`: changes when any byte or file name does.
/// FNV-1a 64: stable across releases and platforms, and not a security boundary here.
pub fn content_hash(paths: &[PathBuf]) -> String {
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files);
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for file in &files {
        feed(file.to_string_lossy().as_bytes());
        feed(&[0]);
        feed(&fs::read(file).unwrap_or_default());
        feed(&[0]);
    }
    format!("{hash:016x}")
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_file() {
        files.push(path.to_path_buf());
    } else if let Ok(entries) = fs::read_dir(path) {
        for entry in entries.flatten() {
            let child = entry.path();
            if child.is_dir() {
                collect(&child, files);
            } else if child.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(child);
            }
        }
    }
}

/// The revision to record: `git:<commit>` when the first path is inside a git checkout,
/// `sha:<content hash>` otherwise.
pub fn revision(paths: &[PathBuf], content_hash: &str) -> String {
    paths.first().and_then(|path| git_commit(path)).map_or_else(
        || format!("content:{content_hash}"),
        |commit| format!("git:{commit}"),
    )
}

/// The commit checked out in the git work tree containing `path`, read from `.git`.
fn git_commit(path: &Path) -> Option<String> {
    let start = fs::canonicalize(path).ok()?;
    let mut dir = if start.is_dir() {
        start
    } else {
        start.parent()?.to_path_buf()
    };
    loop {
        let dot_git = dir.join(".git");
        if dot_git.exists() {
            let git_dir = if dot_git.is_file() {
                // A worktree (git-sync uses them): `.git` is a file naming the real git dir.
                let text = fs::read_to_string(&dot_git).ok()?;
                let target = text.strip_prefix("gitdir:")?.trim();
                dir.join(target)
            } else {
                dot_git
            };
            return head_commit(&git_dir);
        }
        dir = dir.parent()?.to_path_buf();
    }
}

fn head_commit(git_dir: &Path) -> Option<String> {
    let head = fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref:").map(str::trim) else {
        return is_commit(head).then(|| head.to_owned());
    };
    // Worktrees keep refs in the common dir.
    let common = fs::read_to_string(git_dir.join("commondir"))
        .map_or_else(|_| git_dir.to_path_buf(), |c| git_dir.join(c.trim()));
    for dir in [git_dir, common.as_path()] {
        if let Ok(commit) = fs::read_to_string(dir.join(reference)) {
            let commit = commit.trim();
            if is_commit(commit) {
                return Some(commit.to_owned());
            }
        }
        if let Ok(packed) = fs::read_to_string(dir.join("packed-refs")) {
            let found = packed.lines().find_map(|line| {
                let (commit, name) = line.split_once(' ')?;
                (name == reference && is_commit(commit)).then(|| commit.to_owned())
            });
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

fn is_commit(text: &str) -> bool {
    (text.len() == 40 || text.len() == 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_changes_with_content_and_only_with_it() {
        let dir = std::env::temp_dir().join(format!("afu9-rev-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("a.yaml");
        fs::write(&file, "kind: A\n").expect("write");
        fs::write(dir.join("notes.txt"), "ignored").expect("write");
        let first = content_hash(std::slice::from_ref(&dir));
        assert_eq!(first, content_hash(std::slice::from_ref(&dir)));
        fs::write(dir.join("notes.txt"), "still ignored").expect("write");
        assert_eq!(first, content_hash(std::slice::from_ref(&dir)));
        fs::write(&file, "kind: B\n").expect("write");
        assert_ne!(first, content_hash(std::slice::from_ref(&dir)));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_repository_itself_reports_its_commit() {
        let root = crate::repo_root();
        // This test runs inside the project's git checkout (CI clones it).
        let revision = revision(&[root.join("desired-state")], "x");
        assert!(revision.starts_with("git:"), "{revision}");
        assert_eq!(revision.len(), 4 + 40);
    }
}
