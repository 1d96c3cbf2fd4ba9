use epilogue::{defer_on_exit, recover};

mod reexport {
    pub use epilogue;
}

#[recover(crate = epilogue)]
#[defer_on_exit(crate = reexport::epilogue)]
fn run() -> Option<u32> {
    Some(1)
}

fn main() {
    run();
}
