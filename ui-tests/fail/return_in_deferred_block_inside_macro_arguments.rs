use epilogue::defer_on_exit;

#[defer_on_exit]
fn describe(x: u32) -> Result<String, String> {
    defer!(|ret| println!("{ret:?}"));
    let text = format!("{}", {
        defer! { return 7; }
        x + 1
    });
    Ok(text)
}

fn main() {
    describe(1).unwrap();
}
