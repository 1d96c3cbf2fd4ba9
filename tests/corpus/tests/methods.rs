use crate::support::{assert_panics, fallible, infallible};
use epilogue_corpus::methods::*;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

fn account(balance: i64) -> Account {
    Account {
        owner: "ann".into(),
        balance,
    }
}

#[test]
fn associated_fn_returning_self() {
    infallible(
        || Account::open_plain("bo", 5),
        || Account::open_d("bo", 5),
        || Account::open_r("bo", 5),
    );
    let out = infallible(
        || Account::open_plain("bo", -1),
        || Account::open_d("bo", -1),
        || Account::open_r("bo", -1),
    );
    assert_panics(&out, "negative opening balance -1");
}

#[test]
fn option_self() {
    for text in ["cy:12", "cy", "cy:x"] {
        fallible(
            || Account::parse_plain(text),
            || Account::parse_d(text),
            || Account::parse_r(text),
        );
    }
}

#[test]
fn self_by_value() {
    for balance in [10, 5000] {
        fallible(
            || account(1).with_balance_plain(balance),
            || account(1).with_balance_d(balance),
            || account(1).with_balance_r(balance),
        );
    }
}

#[test]
fn by_ref() {
    for balance in [10, -10] {
        let a = account(balance);
        fallible(|| a.balance_plain(), || a.balance_d(), || a.balance_r());
    }
}

#[test]
fn by_mut() {
    for amount in [5, 50] {
        let (mut a, mut b, mut c) = (account(10), account(10), account(10));
        fallible(
            || a.withdraw_plain(amount),
            || b.withdraw_d(amount),
            || c.withdraw_r(amount),
        );
        assert_eq!((&a, &b), (&c, &c));
    }
}

#[test]
fn mut_self() {
    infallible(
        || account(1).renamed_plain("dee"),
        || account(1).renamed_d("dee"),
        || account(1).renamed_r("dee"),
    );
}

#[test]
fn boxed_self() {
    for balance in [1, 0] {
        fallible(
            || Box::new(account(balance)).boxed_plain(),
            || Box::new(account(balance)).boxed_d(),
            || Box::new(account(balance)).boxed_r(),
        );
    }
}

#[test]
fn rc_self() {
    fallible(
        || Rc::new(account(1)).rc_plain(),
        || Rc::new(account(1)).rc_d(),
        || Rc::new(account(1)).rc_r(),
    );
    let shared = Rc::new(account(1));
    fallible(
        || Rc::clone(&shared).rc_plain(),
        || Rc::clone(&shared).rc_d(),
        || Rc::clone(&shared).rc_r(),
    );
}

#[test]
fn arc_self() {
    for balance in [3, i64::MAX] {
        let shared = Arc::new(account(balance));
        fallible(
            || Arc::clone(&shared).arc_plain(),
            || Arc::clone(&shared).arc_d(),
            || Arc::clone(&shared).arc_r(),
        );
    }
}

#[test]
fn pinned_self() {
    for amount in [5, 5000] {
        let (mut a, mut b, mut c) = (account(10), account(10), account(10));
        fallible(
            || Pin::new(&mut a).pinned_plain(amount),
            || Pin::new(&mut b).pinned_d(amount),
            || Pin::new(&mut c).pinned_r(amount),
        );
        assert_eq!((&a, &b), (&c, &c));
    }
}

#[test]
fn explicit_lifetime_self() {
    for owner in ["", "eve"] {
        let a = Account {
            owner: owner.into(),
            balance: 0,
        };
        let fallback = String::from("nobody");
        infallible(
            || a.owner_or(&fallback),
            || a.owner_or_d(&fallback),
            || a.owner_or_r(&fallback),
        );
    }
}

#[test]
fn typed_self_ref() {
    for owner in ["", "eve"] {
        let a = Account {
            owner: owner.into(),
            balance: 0,
        };
        fallible(|| a.typed_ref_plain(), || a.typed_ref_d(), || a.typed_ref_r());
    }
}

#[test]
fn trait_default_methods() {
    for entries in [vec![1, 2, 3], vec![i64::MAX, 1]] {
        let book = Book(entries);
        fallible(|| book.total_plain(), || book.total_d(), || book.total_r());
        let object: &dyn Ledger<Entry = (usize, i64)> = &book;
        fallible(|| object.total_plain(), || object.total_d(), || object.total_r());
        fallible(
            || book.first_matching_plain(|x| x > 1),
            || book.first_matching_d(|x| x > 1),
            || book.first_matching_r(|x| x > 1),
        );
    }
    infallible(
        || Book::filled_plain(3),
        || Book::filled_d(3),
        || Book::filled_r(3),
    );
    let boxed = || -> Box<dyn Ledger<Entry = (usize, i64)>> { Box::new(Book(vec![1, 2])) };
    infallible(
        || boxed().into_len_plain(),
        || boxed().into_len_d(),
        || boxed().into_len_r(),
    );
}

#[test]
fn trait_impl_methods() {
    let book = Book(vec![4, 5]);
    for index in [1, 2] {
        fallible(
            || book.entry_plain(index),
            || book.entry_d(index),
            || book.entry_r(index),
        );
    }
    let (mut a, mut b, mut c) = (Book(vec![1, 2]), Book(vec![1, 2]), Book(vec![1, 2]));
    for value in [3, 4] {
        fallible(|| a.push_plain(value), || b.push_d(value), || c.push_r(value));
        assert_eq!((&a, &b), (&c, &c));
    }
}

#[test]
fn generic_impl() {
    for items in [vec![], vec!['a'], vec!['a', 'b', 'c']] {
        let stack = Stack(items.clone());
        fallible(|| stack.peek_plain(), || stack.peek_d(), || stack.peek_r());
        let (mut a, mut b, mut c) = (Stack(items.clone()), Stack(items.clone()), Stack(items));
        fallible(|| a.pop_two_plain(), || b.pop_two_d(), || c.pop_two_r());
        assert_eq!((&a, &b), (&c, &c));
    }
}

#[test]
fn impl_with_lifetime_and_type() {
    let owned = [String::from("ab"), String::from("abc")];
    for items in [&owned[..], &[]] {
        let view = View { items };
        fallible(|| view.longest_plain(), || view.longest_d(), || view.longest_r());
    }
}

#[test]
fn generic_trait_impl() {
    let v = vec![1, 2, 3];
    infallible(|| v.describe_plain(3), || v.describe_d(3), || v.describe_r(3));
    let out = infallible(|| v.describe_plain(2), || v.describe_d(2), || v.describe_r(2));
    assert_panics(&out, "3 items, at most 2");
}
