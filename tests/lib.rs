//! Integration tests of epilogue.
