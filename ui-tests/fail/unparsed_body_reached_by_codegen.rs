// What a function the attribute could not parse starts with. Were the
// attribute's parser ever to reject a body that rustc accepts, the function
// would compile without its deferred actions: this call makes that build
// fail, naming the function by the closure at its start. (With a real syntax
// error, rustc stops before it is evaluated: see `syntax_error_*.rs`.)
fn parsed_by_rustc_only() -> u8 {
    epilogue::__private::unparsed_body(|| {});
    1
}

fn main() {
    let _ = parsed_by_rustc_only();
}
