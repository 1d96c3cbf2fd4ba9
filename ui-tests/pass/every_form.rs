// Every form, in a crate with no `use` of the macros besides the attribute:
// `defer!` and `defer_on_err!` need no import inside `#[defer_on_exit]`.
use epilogue::defer_on_exit;

#[defer_on_exit]
fn run(value: u32) -> Result<u32, String> {
    defer! { println!("always") }
    defer!(move { println!("value was {value}") });
    defer_on_err! { println!("failed") }
    defer_on_err!(move { println!("failed with {value}") });
    defer!(|ret| {
        if let Ok(v) = ret {
            *v += 1;
        }
    });
    defer!(move |ret| println!("{ret:?} from {value}"));
    if value == 0 {
        return Err("zero".into());
    }
    Ok(value)
}

fn main() {
    assert_eq!(run(1), Ok(2));
}
