use crate::support::{assert_panics, block_on, fallible, infallible, Outcome};
use epilogue_corpus::returns::*;

#[test]
fn impl_iterator() {
    for n in [4, 0, 100] {
        infallible(
            || impl_iterator_plain(n).collect::<Vec<_>>(),
            || impl_iterator_d(n).collect::<Vec<_>>(),
            || impl_iterator_r(n).collect::<Vec<_>>(),
        );
    }
}

#[test]
fn result_impl_iterator() {
    for text in ["7", "", "x"] {
        fallible(
            || result_impl_iterator_plain(text).map(Iterator::collect::<Vec<_>>),
            || result_impl_iterator_d(text).map(Iterator::collect::<Vec<_>>),
            || result_impl_iterator_r(text).map(Iterator::collect::<Vec<_>>),
        );
    }
}

#[test]
fn option_impl_fn() {
    for k in [3, i32::MAX] {
        fallible(
            || option_impl_fn_plain(k).map(|f| f(1)),
            || option_impl_fn_d(k).map(|f| f(1)),
            || option_impl_fn_r(k).map(|f| f(1)),
        );
    }
}

#[test]
fn impl_fn() {
    for k in [3, 0] {
        infallible(|| impl_fn_plain(k)(5), || impl_fn_d(k)(5), || impl_fn_r(k)(5));
    }
}

#[test]
fn result_impl_fn_mut() {
    let run = |mut f: Box<dyn FnMut(u32) -> u32>| (f(1), f(2));
    for offset in [5, 11] {
        fallible(
            || result_impl_fn_mut_plain(offset).map(|f| run(Box::new(f))),
            || result_impl_fn_mut_d(offset).map(|f| run(Box::new(f))),
            || result_impl_fn_mut_r(offset).map(|f| run(Box::new(f))),
        );
    }
}

#[test]
fn impl_display() {
    for n in [5, -5] {
        infallible(
            || impl_display_plain(n).to_string(),
            || impl_display_d(n).to_string(),
            || impl_display_r(n).to_string(),
        );
    }
}

#[test]
fn nested_impl() {
    let show = |it: &mut dyn Iterator<Item = String>| it.collect::<Vec<_>>().join(",");
    infallible(
        || show(&mut nested_impl_plain(3).map(|c| c.to_string())),
        || show(&mut nested_impl_d(3).map(|c| c.to_string())),
        || show(&mut nested_impl_r(3).map(|c| c.to_string())),
    );
}

#[test]
fn tuple_with_impl() {
    infallible(
        || {
            let (f, n) = tuple_with_impl_plain(3);
            (f(), n)
        },
        || {
            let (f, n) = tuple_with_impl_d(3);
            (f(), n)
        },
        || {
            let (f, n) = tuple_with_impl_r(3);
            (f(), n)
        },
    );
}

#[test]
fn impl_future() {
    for n in [4, u32::MAX] {
        infallible(
            || block_on(impl_future_plain(n)),
            || block_on(impl_future_d(n)),
            || block_on(impl_future_r(n)),
        );
    }
}

#[test]
fn impl_with_lifetime() {
    for word in ["bb", "zz"] {
        let text = String::from("a bb ccc");
        fallible(
            || impl_with_lifetime_plain(&text, word).map(Iterator::collect::<Vec<_>>),
            || impl_with_lifetime_d(&text, word).map(Iterator::collect::<Vec<_>>),
            || impl_with_lifetime_r(&text, word).map(Iterator::collect::<Vec<_>>),
        );
    }
}

#[test]
fn precise_capture() {
    let values = [1, 2, 3];
    infallible(
        || precise_capture_plain(&values, &10).collect::<Vec<_>>(),
        || precise_capture_d(&values, &10).collect::<Vec<_>>(),
        || precise_capture_r(&values, &10).collect::<Vec<_>>(),
    );
}

#[test]
fn box_dyn_fn() {
    for k in [0, 4] {
        infallible(
            || box_dyn_fn_plain(k)(10),
            || box_dyn_fn_d(k)(10),
            || box_dyn_fn_r(k)(10),
        );
    }
}

#[test]
fn box_dyn_error() {
    for text in ["5", "0", "x"] {
        fallible(
            || box_dyn_error_plain(text).map_err(|e| e.to_string()),
            || box_dyn_error_d(text).map_err(|e| e.to_string()),
            || box_dyn_error_r(text).map_err(|e| e.to_string()),
        );
    }
}

#[test]
fn result_box_dyn() {
    for n in [2, 3, 13] {
        fallible(
            || result_box_dyn_plain(n).map(|shown| shown.to_string()),
            || result_box_dyn_d(n).map(|shown| shown.to_string()),
            || result_box_dyn_r(n).map(|shown| shown.to_string()),
        );
    }
}

#[test]
fn box_dyn_iter() {
    let values = [1, 2, 3];
    for reverse in [true, false] {
        infallible(
            || box_dyn_iter_plain(&values, reverse).copied().collect::<Vec<_>>(),
            || box_dyn_iter_d(&values, reverse).copied().collect::<Vec<_>>(),
            || box_dyn_iter_r(&values, reverse).copied().collect::<Vec<_>>(),
        );
    }
}

#[test]
fn ref_dyn() {
    let name = String::from("name");
    for pick in [true, false] {
        infallible(
            || format!("{:?}", ref_dyn_plain(&7, &name, pick)),
            || format!("{:?}", ref_dyn_d(&7, &name, pick)),
            || format!("{:?}", ref_dyn_r(&7, &name, pick)),
        );
    }
}

#[test]
fn never() {
    let out = infallible(
        || -> () { never_plain(3) },
        || -> () { never_d(3) },
        || -> () { never_r(3) },
    );
    assert_panics(&out, "never returns (3)");
    let out = infallible(
        || -> () { never_loop_plain(5) },
        || -> () { never_loop_d(5) },
        || -> () { never_loop_r(5) },
    );
    assert_panics(&out, "reached 5");
}

#[test]
fn unit_returns() {
    for value in [0, 7] {
        let mut logs = [Vec::new(), Vec::new(), Vec::new()];
        let [a, b, c] = &mut logs;
        infallible(
            || unit_implicit_plain(a, value),
            || unit_implicit_d(b, value),
            || unit_implicit_r(c, value),
        );
        assert!(logs[0] == logs[1] && logs[1] == logs[2]);
        let [a, b, c] = &mut logs;
        infallible(
            || unit_explicit_plain(a, value),
            || unit_explicit_d(b, value),
            || unit_explicit_r(c, value),
        );
        assert!(logs[0] == logs[1] && logs[1] == logs[2]);
        let [a, b, c] = &mut logs;
        infallible(
            || unit_tail_loop_plain(a, value),
            || unit_tail_loop_d(b, value),
            || unit_tail_loop_r(c, value),
        );
        assert!(logs[0] == logs[1] && logs[1] == logs[2]);
        let [a, b, c] = &mut logs;
        fallible(
            || result_unit_plain(a, value),
            || result_unit_d(b, value),
            || result_unit_r(c, value),
        );
        assert!(logs[0] == logs[1] && logs[1] == logs[2]);
    }
    infallible(
        || unit_tail_macro_plain(1, 3),
        || unit_tail_macro_d(1, 3),
        || unit_tail_macro_r(1, 3),
    );
    let out = infallible(
        || unit_tail_macro_plain(1, 2),
        || unit_tail_macro_d(1, 2),
        || unit_tail_macro_r(1, 2),
    );
    assert_panics(
        &out,
        "assertion `left == right` failed: odd sum 3\n  left: 1\n right: 0",
    );
}

#[test]
fn alias() {
    for text in ["1", "a"] {
        fallible(|| alias_plain(text), || alias_d(text), || alias_r(text));
    }
}

#[test]
fn nested_result() {
    for text in ["4", "5", "x"] {
        fallible(
            || nested_result_plain(text),
            || nested_result_d(text),
            || nested_result_r(text),
        );
    }
}

#[test]
fn collect_result() {
    for items in [&["1", "2"][..], &["1", "x"][..], &[][..]] {
        fallible(
            || collect_result_plain(items),
            || collect_result_d(items),
            || collect_result_r(items),
        );
    }
}

#[test]
fn control_flow() {
    for n in [2, 4, 11] {
        infallible(
            || control_flow_plain(n),
            || control_flow_d(n),
            || control_flow_r(n),
        );
    }
}

#[test]
fn poll() {
    for n in [0, 5, 500] {
        fallible(
            || question_on_poll_plain(n),
            || question_on_poll_d(n),
            || question_on_poll_r(n),
        );
    }
    for text in ["", "5", "x"] {
        infallible(
            || returns_poll_plain(text),
            || returns_poll_d(text),
            || returns_poll_r(text),
        );
    }
}

#[test]
fn coercions() {
    for name in ["", "ann"] {
        let name: std::rc::Rc<str> = name.into();
        infallible(
            || deref_coercion_plain(&name, "nobody").to_owned(),
            || deref_coercion_d(&name, "nobody").to_owned(),
            || deref_coercion_r(&name, "nobody").to_owned(),
        );
    }
    for (bytes, keep) in [([1, 2, 3, 4], true), ([0, 2, 3, 4], true), ([1, 2, 3, 4], false)] {
        fallible(
            || unsize_array_plain(&bytes, keep),
            || unsize_array_d(&bytes, keep),
            || unsize_array_r(&bytes, keep),
        );
    }
    for which in [0, 1, 2] {
        infallible(
            || fn_pointer_plain(which)(10),
            || fn_pointer_d(which)(10),
            || fn_pointer_r(which)(10),
        );
    }
    let (mut a, mut b, mut c) = (vec![1], vec![1], vec![1]);
    infallible(
        || mut_to_shared_plain(&mut a, 2).clone(),
        || mut_to_shared_d(&mut b, 2).clone(),
        || mut_to_shared_r(&mut c, 2).clone(),
    );
}

#[test]
fn impl_fn_method() {
    let outcome = infallible(
        || impl_fn_method_plain(1)(" ab "),
        || impl_fn_method_d(1)(" ab "),
        || impl_fn_method_r(1)(" ab "),
    );
    assert!(matches!(outcome, Outcome::Returned(3)), "{outcome:?}");
}
