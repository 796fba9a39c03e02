//! Reading manifests from directories with symlinks: a link back up the tree is not followed
//! forever, and git-sync's layout (a link to the current worktree under a hidden folder)
//! reads each real file once, whether the root or the link is given.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use afu9_spec::load_paths;

const REPOSITORY: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: EcrRepository\nmetadata: {name: afu9/one}\nspec: {scanOnPush: true}\n";

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "afu9-load-{}-{}-{name}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("a parent")).expect("parent directory");
    fs::write(path, text).expect("manifest written");
}

#[test]
fn a_symlink_back_up_the_tree_is_read_once_and_ends() {
    let root = scratch("loop");
    write(&root.join("desired-state/ecr.yaml"), REPOSITORY);
    symlink("..", root.join("desired-state/loop")).expect("symlink");
    symlink(".", root.join("desired-state/again")).expect("symlink");

    let state = load_paths(&[root.join("desired-state")]).expect("valid, read once");

    assert_eq!(state.ecr_repositories.len(), 1);
    assert_eq!(state.ecr_repositories[0].name(), "afu9/one");
}

#[test]
fn git_sync_s_worktree_layout_reads_each_file_once_from_the_root_or_the_link() {
    let root = scratch("git-sync");
    let worktree = root.join(".worktrees/3f2c9a1");
    write(&worktree.join("desired-state/ecr.yaml"), REPOSITORY);
    fs::create_dir_all(root.join(".git")).expect(".git");
    write(&root.join(".git/stray.yaml"), "not: a manifest\n");
    symlink(".worktrees/3f2c9a1", root.join("afu9")).expect("the worktree link");

    for given in [
        root.clone(),
        root.join("afu9"),
        root.join("afu9/desired-state"),
    ] {
        let state = load_paths(std::slice::from_ref(&given))
            .unwrap_or_else(|errors| panic!("{}: {errors}", given.display()));
        assert_eq!(state.ecr_repositories.len(), 1, "{}", given.display());
        let source = state.ecr_repositories[0].source.to_string();
        assert!(
            !source.contains(".worktrees"),
            "{}: errors must name the link's path, not the hidden worktree: {source}",
            given.display()
        );
    }
}
