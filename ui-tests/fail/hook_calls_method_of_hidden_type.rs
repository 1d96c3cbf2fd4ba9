use epilogue::defer_on_exit;

#[defer_on_exit]
fn numbers() -> Result<impl Iterator<Item = u32>, String> {
    defer!(|ret| {
        if let Ok(iter) = ret {
            println!("{:?}", iter.size_hint());
        }
    });
    Ok(0..3)
}

fn main() {
    numbers().unwrap().count();
}
