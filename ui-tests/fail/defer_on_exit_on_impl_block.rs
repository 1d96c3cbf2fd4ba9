use epilogue::defer_on_exit;

struct Connection;

#[defer_on_exit]
impl Connection {
    fn close(&self) {}
}

fn main() {
    Connection.close();
}
