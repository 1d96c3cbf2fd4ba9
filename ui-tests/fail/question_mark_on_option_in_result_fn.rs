use epilogue::defer_on_exit;

#[defer_on_exit]
fn first(items: &[u32]) -> Result<u32, String> {
    defer_on_err! { eprintln!("no first item") }
    let item = items.first()?;
    Ok(*item)
}

fn main() {
    first(&[1]).unwrap();
}
