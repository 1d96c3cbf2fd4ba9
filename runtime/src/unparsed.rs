//! A function whose body did not parse, as the attributes leave it.
//!
//! While code is being typed, most of the time it does not parse. The
//! attributes then give the function back as written, so that rustc reports
//! the syntax error once, at the user's tokens, and nothing else: each
//! deferred statement becomes [`__epilogue_unparsed!`](crate::__private::unparsed),
//! which type-checks its code where it can (so that an editor still
//! completes and hovers inside it) and runs nothing, and the body starts
//! with a call to [`unparsed_body`].
//!
//! Should the attribute's parser ever reject a body that rustc accepts, the
//! build would succeed with the actions missing. `unparsed_body` makes that
//! a build error instead: its constant is evaluated only when the function
//! is compiled to machine code, which rustc never does once the syntax error
//! is reported.

/// Holds the constant whose evaluation fails the build.
struct Unparsed<S>(S);

impl<S> Unparsed<S> {
    const STOP: () = panic!(
        "epilogue's attribute could not parse the body of a function that rustc parses, and left \
         it as written: its deferred actions and panic boundary are missing. This is a bug of \
         epilogue; please report it with the function (the closure named below is at its start)."
    );
}

/// The first statement of a function whose body the attribute could not
/// parse: `site` is a closure written there, which names it.
#[inline(always)]
pub fn unparsed_body<S>(site: S) {
    let () = Unparsed::<S>::STOP;
    drop(site);
}

/// A deferred statement of a function whose body did not parse: its code,
/// type-checked but never run, where its form allows. Its first tokens are
/// the macro's name and, in brackets, the function's return type when it is
/// known (for a hook's parameter).
#[doc(hidden)]
#[macro_export]
macro_rules! __epilogue_unparsed {
    ($mac:ident [$($ret:ty)?] move $($rest:tt)*) => {
        $crate::__epilogue_unparsed!($mac [$($ret)?] $($rest)*)
    };
    (defer [$ret:ty] | $param:pat_param | $($body:tt)*) => {
        if false {
            let _ = |$param: &mut $ret| { $($body)* };
        }
    };
    ($mac:ident [$($ret:ty)?] async $(move)? { $($stmts:tt)* }) => {
        if false {
            let _ = async { $($stmts)* };
        }
    };
    // Closures whose parameter's type is not known here, async closures.
    ($mac:ident [$($ret:ty)?] | $($rest:tt)*) => {};
    ($mac:ident [$($ret:ty)?] || $($rest:tt)*) => {};
    ($mac:ident [$($ret:ty)?] async $($rest:tt)*) => {};
    ($mac:ident [$($ret:ty)?] { $($stmts:tt)* }) => {
        if false {
            let _ = { $($stmts)* };
        }
    };
    ($mac:ident [$($ret:ty)?] $($stmts:tt)*) => {
        if false {
            let _ = { $($stmts)* };
        }
    };
}
