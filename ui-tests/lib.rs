//! Compile-fail tests of epilogue.
