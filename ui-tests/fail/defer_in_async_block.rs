use epilogue::defer_on_exit;

#[defer_on_exit]
fn spawn_work() -> impl std::future::Future<Output = ()> {
    async {
        defer! { println!("cleanup") }
    }
}

fn main() {
    drop(spawn_work());
}
