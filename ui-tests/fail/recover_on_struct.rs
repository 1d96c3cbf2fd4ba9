use epilogue::recover;

#[recover]
struct Server;

fn main() {}
