//! Naming the annotated function.
//!
//! Where the name is read (a recovered `Panic`, and with the `tracing`
//! feature the actions' events), the expansion passes a site closure,
//! `|| {}` written at the top of the annotated function; elsewhere it passes
//! `()`, so that a function pays nothing for a name nobody reads. The
//! closure's type name is
//! `path::to::function::{{closure}}` (with `{{closure}}::{{closure}}` inside
//! an `async fn`), which names the function with its `Self` type and generic
//! arguments: `app::Store<u8>::save`. Panics and `tracing` events carry that
//! name at no run-time cost: it is a `'static` string from the type system.

/// The path of the function a site closure of type `S` was written in (for
/// panics and events, so `std` only).
#[cfg(feature = "std")]
#[must_use]
pub(crate) fn site_name<S>() -> &'static str {
    let mut name = core::any::type_name::<S>();
    while let Some(outer) = name.strip_suffix("::{{closure}}") {
        name = outer;
    }
    name
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn site_names_strip_closures() {
        fn site<S>(_: S) -> &'static str {
            site_name::<S>()
        }
        assert_eq!(site(|| {}), "epilogue::site::tests::site_names_strip_closures");
        assert_eq!(site_name::<u8>(), "u8");
    }
}
