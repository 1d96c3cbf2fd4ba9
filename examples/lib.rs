//! Examples of epilogue.
