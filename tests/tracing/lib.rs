//! Tests of epilogue's `tracing` events (feature `tracing`), in their own
//! package so that the main test suite also runs without the feature.
