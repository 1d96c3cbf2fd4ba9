use epilogue::recover;

struct Connection;

#[recover(default)]
fn connect() -> Connection {
    Connection
}

fn main() {
    let _ = connect();
}
