//! The loader's own tests: documents cut apart with their line numbers, and what an empty
//! desired state is refused as.

use super::*;

#[test]
fn split_keeps_file_line_numbers() {
    let text = "# header comment\n---\nkind: A\n---\n\nkind: B\n...\n";
    let docs = split_documents(text);
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].first_line, 3);
    // Line N of a document's text is line N + line_offset of the file.
    assert_eq!(docs[0].line_offset, 2);
    assert_eq!(docs[0].text.lines().next(), Some("kind: A"));
    assert_eq!(docs[1].first_line, 6);
    assert_eq!(docs[1].line_offset, 4);
    assert_eq!(docs[1].text.lines().nth(1), Some("kind: B"));
}

#[test]
fn comment_only_documents_are_skipped() {
    assert!(split_documents("# nothing\n---\n# still nothing\n").is_empty());
}

fn dir_with(files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "afu9-load-{}-{}",
        std::process::id(),
        files
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join("-")
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("dir");
    for (name, text) in files {
        fs::write(dir.join(name), text).expect("write");
    }
    dir
}

const REPOSITORY: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: EcrRepository\nmetadata:\n  name: afu9/app\nspec: {}\n";

const POSTURE: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: Posture\nmetadata:\n  name: p\nspec:\n  ebsEncryptionByDefault: true\n";

#[test]
fn an_empty_or_comment_only_manifest_file_is_an_error_naming_the_file() {
    for (name, text) in [
        ("zero.yaml", ""),
        ("blank.yaml", " \n\n"),
        ("comments.yaml", "# gone\n---\n"),
    ] {
        let dir = dir_with(&[("ecr.yaml", REPOSITORY), (name, text)]);
        let errors = load_paths(std::slice::from_ref(&dir)).expect_err(name).0;
        assert_eq!(errors.len(), 1, "{name}: {errors:?}");
        assert_eq!(errors[0].rule, EMPTY_FILE);
        assert!(
            errors[0].location.to_string().contains(name),
            "{}",
            errors[0].location
        );
        let _ = fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_desired_state_that_manages_no_resource_is_an_error() {
    let dir = dir_with(&[("posture.yaml", POSTURE)]);
    let errors = load_paths(std::slice::from_ref(&dir))
        .expect_err("only the Posture")
        .0;
    assert_eq!(errors[0].rule, NO_RESOURCE);
    let _ = fs::remove_dir_all(&dir);
    let dir = dir_with(&[("posture.yaml", POSTURE), ("ecr.yaml", REPOSITORY)]);
    assert!(load_paths(std::slice::from_ref(&dir)).is_ok());
    let _ = fs::remove_dir_all(&dir);
}
