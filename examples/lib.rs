//! Runnable examples of epilogue: `cargo run --example NAME` from the
//! workspace root. Start with `tour`.
