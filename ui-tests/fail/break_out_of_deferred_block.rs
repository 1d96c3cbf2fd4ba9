use epilogue::defer_on_exit;

#[defer_on_exit]
fn scan(items: &[u32]) {
    for item in items {
        defer! {
            if *item == 0 {
                break;
            }
        }
    }
    'outer: for _ in 0..2 {
        defer! { continue 'outer; }
    }
}

fn main() {
    scan(&[1]);
}
