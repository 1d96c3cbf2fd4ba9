use epilogue::defer_on_exit;

#[defer_on_exit]
fn serve() -> ! {
    defer!(|ret| println!("returning {ret:?}"));
    loop {}
}

fn main() {
    serve();
}
