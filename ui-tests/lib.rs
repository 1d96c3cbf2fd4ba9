//! Compile-fail tests of epilogue: `fail/*.rs` must fail to compile with
//! exactly the messages in `fail/*.stderr`; `pass/*.rs` must compile. Run
//! with `cargo test -p epilogue-ui-tests`; `TRYBUILD=overwrite` rewrites the
//! snapshots (read every changed one as a user would).
