//! The deferred forms: how each is written, and what it becomes.
//!
//! This table is the one place that knows the forms. Recognising an
//! invocation, choosing its form by how its tokens are written, the error
//! that lists the forms a macro takes, and the runtime function that builds
//! its guard all read it; a new form is one entry here, its strategy in the
//! runtime, and whatever its expansion adds.

use syn::Path;

use crate::root::Root;

/// The statement macros that `#[defer_on_exit]` rewrites.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Macro {
    Defer,
    DeferOnErr,
}

impl Macro {
    /// Every macro, with the name it is invoked by.
    pub(crate) const ALL: [Macro; 2] = [Macro::Defer, Macro::DeferOnErr];

    pub(crate) const fn name(self) -> &'static str {
        match self {
            Macro::Defer => "defer",
            Macro::DeferOnErr => "defer_on_err",
        }
    }

    /// The macro `path` names, by the one path rule of [`Root::names`].
    pub(crate) fn named_by(path: &Path, root: &Root) -> Option<Macro> {
        Macro::ALL.into_iter().find(|mac| root.names(path, mac.name()))
    }

    /// Whether `ident` is one of the macros' names: a token-level test, for
    /// code that has not been parsed.
    pub(crate) fn is_name(ident: &proc_macro2::Ident) -> bool {
        // One conversion: in a proc macro, each asks the compiler.
        Macro::names(&ident.to_string())
    }

    /// Whether `name` is one of the macros' names.
    pub(crate) fn names(name: &str) -> bool {
        Macro::ALL.iter().any(|mac| name == mac.name())
    }

    /// The forms this macro takes.
    fn forms(self) -> impl Iterator<Item = &'static Form> {
        FORMS.iter().filter(move |form| form.mac == self)
    }
}

/// How the tokens of an invocation are written. `move` may come first in
/// every shape: the action then captures by value at registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Statements: `{ stmts }`, `( stmts )`, or `move { stmts }`.
    Block,
    /// A closure on the function's exit value: `|ret| expr`.
    Closure,
    /// A future awaited when the block is left: `async { stmts }`.
    AsyncBlock,
    /// An async closure on the function's exit value: `async |ret| expr`.
    AsyncClosure,
    /// The attribute's `map_err = …`: a function of the error being
    /// returned, whose value replaces it.
    Mapping,
}

impl Shape {
    /// Whether the action is awaited, and so only possible in an `async fn`.
    pub(crate) const fn is_async(self) -> bool {
        matches!(self, Shape::AsyncBlock | Shape::AsyncClosure)
    }

    /// Whether the action runs only on its block's normal exits, after a
    /// labelled block rather than a frame that catches panics: an async
    /// action cannot run during unwinding, and a mapping has no error then.
    pub(crate) const fn runs_on_normal_exits_only(self) -> bool {
        matches!(self, Shape::AsyncBlock | Shape::AsyncClosure | Shape::Mapping)
    }
}

/// One deferred form.
pub(crate) struct Form {
    pub(crate) mac: Macro,
    pub(crate) shape: Shape,
    /// How it is written, for messages.
    pub(crate) written: &'static str,
    /// What it is called in messages.
    pub(crate) noun: &'static str,
    /// For a closure: what its one parameter is given.
    pub(crate) parameter: &'static str,
    /// The function of the runtime's `__private` that builds its guard
    /// (none for an async form, which is not a guard).
    pub(crate) constructor: &'static str,
    /// The runtime's `Kind` of the action, as `tracing` events name it.
    pub(crate) kind: &'static str,
    /// The prefix of the guard's local (`__defer_0`): what borrow errors and
    /// `cargo expand` show.
    pub(crate) local: &'static str,
    /// Whether the function needs an exit slot: the form looks at the
    /// returned value or at whether the function fails, or (async forms) it
    /// runs at each exit of its block, which the slot's proof keeps from
    /// being skipped.
    pub(crate) needs_slot: bool,
    /// Whether, registered in an inner block, the guard must know if the
    /// thread was already unwinding: the form runs or not depending on a
    /// panic, which must be the function's own.
    pub(crate) runs_on_panic_only_if_own: bool,
    /// The functions of `__private` that take the action as an `Option`
    /// local written before them, where one guard type can serve every
    /// action: in a synchronous function (a future keeps its guards, and
    /// must stay `Send`). The blocks of `defer!` and `defer_on_err!` have
    /// them; a hook changes the value in the slot, which its closure's type
    /// is part of, and the rest are not guards.
    pub(crate) in_place: Option<InPlace>,
}

/// A form's in-place constructors (see [`Form::in_place`]).
#[derive(Clone, Copy)]
pub(crate) struct InPlace {
    /// Builds a guard around a pointer to the action.
    pub(crate) guard: &'static str,
    /// Runs the action at once, after a borrow-free form's frame.
    pub(crate) now: &'static str,
}

/// Every form. Shapes a macro does not take are errors that list the ones it
/// does, from this table.
pub(crate) const FORMS: &[Form] = &[
    Form {
        mac: Macro::Defer,
        shape: Shape::Block,
        written: "defer! { … }",
        noun: "a cleanup",
        parameter: "",
        constructor: "defer",
        kind: "Defer",
        local: "__defer",
        needs_slot: false,
        runs_on_panic_only_if_own: false,
        in_place: Some(InPlace {
            guard: "defer_in_place",
            now: "defer_now",
        }),
    },
    Form {
        mac: Macro::Defer,
        shape: Shape::Closure,
        written: "defer!(|ret| …)",
        noun: "a hook",
        parameter: "the value being returned",
        constructor: "hook",
        kind: "Hook",
        local: "__hook",
        needs_slot: true,
        runs_on_panic_only_if_own: false,
        in_place: None,
    },
    Form {
        mac: Macro::DeferOnErr,
        shape: Shape::Block,
        written: "defer_on_err! { … }",
        noun: "an error-path cleanup",
        parameter: "",
        constructor: "defer_on_err_owning",
        kind: "DeferOnErr",
        local: "__defer_on_err",
        needs_slot: true,
        runs_on_panic_only_if_own: true,
        in_place: Some(InPlace {
            guard: "defer_on_err",
            now: "defer_on_err_now",
        }),
    },
    Form {
        mac: Macro::DeferOnErr,
        shape: Shape::Closure,
        written: "defer_on_err!(|err| …)",
        noun: "an error hook",
        parameter: "the error being returned",
        constructor: "on_err",
        kind: "DeferOnErr",
        local: "__on_err",
        needs_slot: true,
        runs_on_panic_only_if_own: false,
        in_place: None,
    },
    Form {
        mac: Macro::Defer,
        shape: Shape::AsyncBlock,
        written: "defer!(async { … })",
        noun: "an async cleanup",
        parameter: "",
        constructor: "",
        kind: "Defer",
        local: "__defer_async",
        needs_slot: true,
        runs_on_panic_only_if_own: false,
        in_place: None,
    },
    Form {
        mac: Macro::Defer,
        shape: Shape::AsyncClosure,
        written: "defer!(async |ret| …)",
        noun: "an async hook",
        parameter: "the value being returned",
        constructor: "",
        kind: "Hook",
        local: "__hook_async",
        needs_slot: true,
        runs_on_panic_only_if_own: false,
        in_place: None,
    },
    Form {
        mac: Macro::DeferOnErr,
        shape: Shape::AsyncBlock,
        written: "defer_on_err!(async { … })",
        noun: "an async error-path cleanup",
        parameter: "",
        constructor: "",
        kind: "DeferOnErr",
        local: "__defer_on_err_async",
        needs_slot: true,
        runs_on_panic_only_if_own: false,
        in_place: None,
    },
];

/// `#[defer_on_exit(map_err = …)]`: an action of the attribute's, not a
/// macro's, but expanded as the macros' are (at the top of the body).
pub(crate) const MAP_ERR: Form = Form {
    mac: Macro::DeferOnErr,
    shape: Shape::Mapping,
    written: "#[defer_on_exit(map_err = |err| …)]",
    noun: "an error mapping",
    parameter: "the error being returned",
    constructor: "map_err",
    kind: "MapErr",
    local: "__map_err",
    needs_slot: true,
    runs_on_panic_only_if_own: false,
    in_place: None,
};

/// The form `mac` takes in `shape`, or the list of what it takes instead.
pub(crate) fn find(mac: Macro, shape: Shape) -> Result<&'static Form, String> {
    mac.forms().find(|form| form.shape == shape).ok_or_else(|| {
        let written: Vec<String> = mac.forms().map(|form| format!("`{}`", form.written)).collect();
        format!(
            "`{}!` cannot be written this way; it takes {}",
            mac.name(),
            written.join(" or ")
        )
    })
}
