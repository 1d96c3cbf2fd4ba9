use epilogue::defer_on_exit;

// `matches!`'s second argument is a pattern, not an expression: the `?` in
// its guard cannot be rewritten, and the statements after the `defer!`
// (which uses `items`, as they do) run in a frame that it cannot leave.
#[defer_on_exit]
fn starts_above(items: &mut Vec<u32>, text: &str) -> Result<bool, std::num::ParseIntError> {
    defer! { items.clear(); }
    items.push(1);
    Ok(matches!(items.first(), Some(&first) if first > text.parse()?))
}

fn main() {
    starts_above(&mut Vec::new(), "0").unwrap();
}
