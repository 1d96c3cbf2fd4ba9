use epilogue::defer_on_exit;

#[defer_on_exit]
fn cleanup_with_a_typo(path: &str) -> std::io::Result<()> {
    defer_on_err! { std::fs::remove_file(path) .ok() + ; }
    std::fs::write(path, "data")
}

fn main() {
    let _ = cleanup_with_a_typo("/tmp/epilogue-ui");
}
