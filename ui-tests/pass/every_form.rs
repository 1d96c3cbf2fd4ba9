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

// A cleanup that uses what the rest of its block keeps changing.
#[defer_on_exit]
fn borrow_free(values: &[u32]) -> usize {
    let mut kept = Vec::new();
    defer! { println!("kept {kept:?}") }
    for value in values {
        kept.push(*value);
    }
    kept.len()
}

async fn flush() {}

// Async cleanups, awaited when their block is left.
#[defer_on_exit]
async fn async_forms(value: u32) -> Result<u32, String> {
    defer!(async { flush().await });
    defer!(async move { println!("async value was {value}") });
    defer_on_err!(async { flush().await });
    defer!(async |ret| {
        flush().await;
        if let Ok(v) = ret {
            *v += 1;
        }
    });
    defer!(async move |ret| println!("{ret:?} from {value}"));
    Ok(value)
}

// A return hidden in another macro.
macro_rules! bail {
    ($message:expr) => {
        return Err($message.to_owned())
    };
}

#[defer_on_exit]
fn hidden(value: u32) -> Result<u32, String> {
    defer_on_err! { println!("bailed") }
    if value == 0 {
        bail!("zero");
    }
    Ok(value)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

fn main() {
    assert_eq!(run(1), Ok(2));
    assert_eq!(borrow_free(&[1, 2]), 2);
    assert_eq!(block_on(async_forms(1)), Ok(2));
    assert_eq!(hidden(0), Err("zero".into()));
}
