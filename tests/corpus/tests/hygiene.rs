use crate::support::{compare, fallible, infallible};
use epilogue_corpus::hygiene::*;
use epilogue_corpus::probe::Counts;

#[test]
fn shadowing_names() {
    use shadowing::*;
    for (exit, site) in [(0, "s"), (4, "site")] {
        fallible(
            || names_plain(exit, site),
            || names_d(exit, site),
            || names_r(exit, site),
        );
    }
    for ret in [1, u32::MAX] {
        fallible(
            || ret_before_hook_plain(ret),
            || ret_before_hook_d(ret),
            || ret_before_hook_r(ret),
        );
        fallible(
            || handler_names_plain(ret),
            || handler_names_d(ret),
            || handler_names_r(ret),
        );
    }
    fallible(
        || handler_names_plain(0),
        || handler_names_d(0),
        || handler_names_r(0),
    );
}

#[test]
fn crate_names() {
    use crate_names::*;
    for text in ["3", "0", "x"] {
        fallible(|| shadowed_plain(text), || shadowed_d(text), || shadowed_r(text));
    }
    for values in [&[2, 1][..], &[][..], &[u32::MAX][..]] {
        fallible(
            || shadowed_option_plain(values),
            || shadowed_option_d(values),
            || shadowed_option_r(values),
        );
    }
}

#[test]
fn no_prelude() {
    use no_prelude::*;
    for text in ["3", "", "x"] {
        fallible(|| bare_plain(text), || bare_d(text), || bare_r(text));
    }
    for values in [&[2, 1][..], &[][..], &[0][..]] {
        fallible(
            || bare_option_plain(values),
            || bare_option_d(values),
            || bare_option_r(values),
        );
    }
}

#[test]
fn result_alias() {
    use result_alias::*;
    for text in ["3", "x"] {
        fallible(|| aliased_plain(text), || aliased_d(text), || aliased_r(text));
    }
}

#[test]
fn method_names() {
    use method_names::*;
    for text in ["3", "x"] {
        fallible(|| methods_plain(text), || methods_d(text), || methods_r(text));
    }
}

#[test]
fn pick_method() {
    use pick_method::*;
    for values in [&[1][..], &[][..]] {
        fallible(|| picked_plain(values), || picked_d(values), || picked_r(values));
        infallible(
            || picked_hook_plain(values),
            || picked_hook_d(values),
            || picked_hook_r(values),
        );
        compare(
            || picked_hook_plain(values),
            || picked_guards_only_d(values),
            || picked_hook_r(values),
            |_| Counts {
                hooks: 0,
                errs: 0,
                defers: 1,
            },
        );
    }
}
