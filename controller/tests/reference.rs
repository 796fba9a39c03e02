//! The generated reference under docs/reference/ is what the generator produces now: one page
//! per kind, the index and the permissions page. Fast: no emulator, no AWS call.

use afu9_controller::reference::{self, OUT_DIR, REGENERATE};

#[test]
fn docs_reference_is_up_to_date() {
    let root = afu9_e2e::repo_root();
    let pages = reference::generate(&root).unwrap_or_else(|err| panic!("{err}"));
    let stale = reference::differences(&root.join(OUT_DIR), &pages);
    assert!(
        stale.is_empty(),
        "{OUT_DIR}/ differs from what the code generates: {stale:?}\nregenerate it, from the \
         repository root, with:\n    {REGENERATE}"
    );
}

#[test]
fn docs_reference_has_a_page_per_kind_and_is_deterministic() {
    let root = afu9_e2e::repo_root();
    let pages = reference::generate(&root).unwrap_or_else(|err| panic!("{err}"));
    for kind in afu9_spec::KINDS {
        let page = &pages[&format!("{kind}.md")];
        assert!(page.contains(&format!("# {kind}\n")), "{kind}");
        assert!(page.contains("## Fields"), "{kind}");
        assert!(
            pages["README.md"].contains(&format!("[{kind}]({kind}.md)")),
            "the index does not link {kind}"
        );
    }
    assert!(pages["permissions.md"].contains("--mode plan"));
    assert_eq!(reference::generate(&root).expect("again"), pages);
}
