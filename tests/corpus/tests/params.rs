use crate::support::{assert_panics, fallible, infallible};
use epilogue_corpus::params::*;
use std::num::ParseIntError;

#[test]
fn tuple_pattern() {
    for input in [(1, 2), (u32::MAX, 1)] {
        fallible(
            || tuple_pattern_plain(input),
            || tuple_pattern_d(input),
            || tuple_pattern_r(input),
        );
    }
}

#[test]
fn struct_pattern() {
    for p in [Point { x: 3, y: 4 }, Point { x: i64::MAX, y: 2 }] {
        fallible(
            || struct_pattern_plain(p),
            || struct_pattern_d(p),
            || struct_pattern_r(p),
        );
    }
}

#[test]
fn ref_pattern() {
    for a in [[1, 2, 3, 4], [1, u32::MAX, 0, 0], [0, 0, u32::MAX, 1]] {
        fallible(
            || ref_pattern_plain(&a),
            || ref_pattern_d(&a),
            || ref_pattern_r(&a),
        );
    }
}

#[test]
fn ref_tuple() {
    for t in [("apples".to_owned(), 3), ("pears".to_owned(), 0)] {
        fallible(|| ref_tuple_plain(&t), || ref_tuple_d(&t), || ref_tuple_r(&t));
    }
}

#[test]
fn mut_params() {
    for a in [2, u32::MAX] {
        let v = vec![5, 1];
        fallible(
            || mut_params_plain(a, v.clone()),
            || mut_params_d(a, v.clone()),
            || mut_params_r(a, v.clone()),
        );
    }
}

#[test]
fn nested_pattern() {
    for input in [((1, 2), [3, 4]), ((255, 1), [0, 0]), ((0, 0), [200, 100])] {
        fallible(
            || nested_pattern_plain(input),
            || nested_pattern_d(input),
            || nested_pattern_r(input),
        );
    }
}

#[test]
fn wildcard_param() {
    infallible(
        || wildcard_param_plain(7, 5),
        || wildcard_param_d(7, 5),
        || wildcard_param_r(7, 5),
    );
    let out = infallible(
        || wildcard_param_plain(7, 0),
        || wildcard_param_d(7, 0),
        || wildcard_param_r(7, 0),
    );
    assert_panics(&out, "attempt to divide by zero");
}

#[test]
fn tuple_struct_pattern() {
    for m in [Meters(12), Meters(3)] {
        fallible(
            || tuple_struct_pattern_plain(m),
            || tuple_struct_pattern_d(m),
            || tuple_struct_pattern_r(m),
        );
    }
}

#[test]
fn explicit_lifetime() {
    for text in ["a,b,c", "abc"] {
        let sep = String::from(",");
        fallible(
            || explicit_lifetime_plain(text, &sep),
            || explicit_lifetime_d(text, &sep),
            || explicit_lifetime_r(text, &sep),
        );
    }
}

#[test]
fn elided_lifetime() {
    for text in ["  x ", "   "] {
        fallible(
            || elided_lifetime_plain(text),
            || elided_lifetime_d(text),
            || elided_lifetime_r(text),
        );
    }
}

#[test]
fn lifetime_bounds() {
    let a = String::from("a");
    for pick_b in [true, false] {
        let b = String::from("b");
        infallible(
            || lifetime_bounds_plain(&a, &b, pick_b).clone(),
            || lifetime_bounds_d(&a, &b, pick_b).clone(),
            || lifetime_bounds_r(&a, &b, pick_b).clone(),
        );
    }
}

#[test]
fn mut_ref_return() {
    for values in [vec![1, 5, 2], vec![]] {
        let (mut a, mut b, mut c) = (values.clone(), values.clone(), values);
        fallible(
            || mut_ref_return_plain(&mut a).map(|max| std::mem::replace(max, 0)),
            || mut_ref_return_d(&mut b).map(|max| std::mem::replace(max, 0)),
            || mut_ref_return_r(&mut c).map(|max| std::mem::replace(max, 0)),
        );
        assert_eq!((&a, &b), (&c, &c));
    }
}

#[test]
fn static_str() {
    for code in [200, 404, 500] {
        fallible(
            || static_str_plain(code),
            || static_str_d(code),
            || static_str_r(code),
        );
    }
}

#[test]
fn higher_ranked() {
    for text in ["a,b", "ab", " x,y"] {
        fallible(
            || higher_ranked_plain(str::trim, text),
            || higher_ranked_d(str::trim, text),
            || higher_ranked_r(str::trim, text),
        );
    }
}

#[test]
fn const_generic() {
    fallible(
        || const_generic_plain([1, 2, 3]),
        || const_generic_d([1, 2, 3]),
        || const_generic_r([1, 2, 3]),
    );
    fallible(
        || const_generic_plain([]),
        || const_generic_d([]),
        || const_generic_r([]),
    );
}

#[test]
fn const_and_type_generic() {
    fallible(
        || const_and_type_generic_plain::<3, u8>(7),
        || const_and_type_generic_d::<3, u8>(7),
        || const_and_type_generic_r::<3, u8>(7),
    );
    fallible(
        || const_and_type_generic_plain::<5, char>('x'),
        || const_and_type_generic_d::<5, char>('x'),
        || const_and_type_generic_r::<5, char>('x'),
    );
}

#[test]
fn where_clause() {
    let items = [1, 20, 3, 40];
    for limit in [10, 100] {
        let keep = |x: &i32| *x > limit;
        fallible(
            || where_clause_plain(&items, keep),
            || where_clause_d(&items, keep),
            || where_clause_r(&items, keep),
        );
    }
}

#[test]
fn impl_arg() {
    fallible(
        || impl_arg_plain([3, 9, 2]),
        || impl_arg_d(vec![3, 9, 2]),
        || impl_arg_r(3..10),
    );
    fallible(
        || impl_arg_plain([]),
        || impl_arg_d(Vec::new()),
        || impl_arg_r(0..0),
    );
}

#[test]
fn unsized_generic() {
    for text in [" 42 ", "x"] {
        fallible(
            || unsized_generic_plain(text),
            || unsized_generic_d(text),
            || unsized_generic_r(&String::from(text)),
        );
    }
}

#[test]
fn assoc_type_return() {
    for text in ["12", "-1", "z"] {
        fallible(
            || assoc_type_return_plain::<u8>(text),
            || assoc_type_return_d::<u8>(text),
            || assoc_type_return_r::<u8>(text),
        );
        fallible(
            || assoc_type_return_plain::<bool>(text),
            || assoc_type_return_d::<bool>(text),
            || assoc_type_return_r::<bool>(text),
        );
    }
}

#[test]
fn generic_return() {
    infallible(
        || generic_return_plain("v", false),
        || generic_return_d("v", false),
        || generic_return_r("v", false),
    );
    let out = infallible(
        || generic_return_plain(vec![1], true),
        || generic_return_d(vec![1], true),
        || generic_return_r(vec![1], true),
    );
    assert_panics(&out, "asked to fail with [1]");
}

#[test]
fn generic_error() {
    #[derive(Debug, PartialEq)]
    struct Wrapped(ParseIntError);
    impl From<ParseIntError> for Wrapped {
        fn from(error: ParseIntError) -> Self {
            Wrapped(error)
        }
    }
    for text in ["5", "five"] {
        fallible(
            || generic_error_plain::<Wrapped>(text),
            || generic_error_d::<Wrapped>(text),
            || generic_error_r::<Wrapped>(text),
        );
    }
}

#[test]
fn qualified_item() {
    for n in [0, 1, 3] {
        fallible(
            || qualified_item_plain(0..n),
            || qualified_item_d(0..n),
            || qualified_item_r(0..n),
        );
    }
}

#[test]
fn dyn_param() {
    for width in [6, 2] {
        fallible(
            || dyn_param_plain(&1234, width),
            || dyn_param_d(&1234, width),
            || dyn_param_r(&1234, width),
        );
    }
}

#[test]
fn fn_pointer_param() {
    let half: fn(u32) -> Option<u32> = |x| (x % 2 == 0).then_some(x / 2);
    for start in [8, 6, 3] {
        fallible(
            || fn_pointer_param_plain(half, start),
            || fn_pointer_param_d(half, start),
            || fn_pointer_param_r(half, start),
        );
    }
}
