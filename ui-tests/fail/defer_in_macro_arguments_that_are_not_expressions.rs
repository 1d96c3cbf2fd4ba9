use epilogue::defer_on_exit;

macro_rules! labelled {
    ($($label:ident: $body:block)*) => {
        $($body)*
    };
}

#[defer_on_exit]
fn run() {
    labelled! {
        first: {
            defer! { println!("cleanup") }
            println!("work");
        }
    }
}

fn main() {
    run();
}
