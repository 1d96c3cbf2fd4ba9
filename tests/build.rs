//! Builds the C caller of the FFI boundary test (`ffi/caller.c`).
fn main() {
    println!("cargo::rerun-if-changed=ffi/caller.c");
    cc::Build::new()
        .file("ffi/caller.c")
        .compile("epilogue_ffi_caller");
}
