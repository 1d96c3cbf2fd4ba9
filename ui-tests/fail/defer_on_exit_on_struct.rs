use epilogue::defer_on_exit;

#[defer_on_exit]
struct Connection {
    open: bool,
}

fn main() {
    let _ = Connection { open: true }.open;
}
