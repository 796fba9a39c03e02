//! How release builds of the controller's binaries are linked on Linux with glibc (decision
//! 0122); debug builds link as rustc does by default.
//!
//! - Relative relocations packed (`DT_RELR`; glibc 2.36 and binutils 2.38 or later): the
//!   table the loader reads at every start shrinks from 3.5 MiB to a few KiB. The binary
//!   stays position-independent.
//! - On x86-64, where rustc links with LLD, the functions `code-order.txt` names (what a
//!   plan, an apply and a report run; written by `scripts/order-code`) first and next to each
//!   other, so that a run maps the code it executes and not the 64 KiB around each function
//!   of it all over the binary. Names the build no longer has are skipped.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=code-order.txt");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("PROFILE") != "release"
        || var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
    {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    let order = std::path::Path::new(&var("CARGO_MANIFEST_DIR")).join("code-order.txt");
    if var("CARGO_CFG_TARGET_ARCH") == "x86_64" && order.exists() {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}
