//! A corpus of function shapes, each annotated with `#[defer_on_exit]` and
//! separately with `#[recover(with = |p| p.resume())]`.
