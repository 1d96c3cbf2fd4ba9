use crate::support::{assert_panics, compare, fallible};
use epilogue_corpus::hidden::*;
use epilogue_corpus::probe::Counts;
use std::task::Poll;

#[test]
fn bail_and_ensure() {
    // anyhow's error has no `PartialEq`: compared by its message.
    let text = |result: anyhow::Result<i64>| result.map_err(|err| err.to_string());
    for n in [4, 0, -3] {
        fallible(
            || text(bail_ensure_plain(n)),
            || text(bail_ensure_d(n)),
            || text(bail_ensure_r(n)),
        );
    }
    let outcome = fallible(
        || text(bail_ensure_plain(13)),
        || text(bail_ensure_d(13)),
        || text(bail_ensure_r(13)),
    );
    assert_panics(&outcome, "unlucky");
}

#[test]
fn itry_in_next() {
    for text in ["4", "x", ""] {
        // `""` has one empty part (an error), then nothing (`None`).
        let (mut plain, mut d, mut r) = (
            Numbers {
                parts: text.split(','),
            },
            Numbers {
                parts: text.split(','),
            },
            Numbers {
                parts: text.split(','),
            },
        );
        for _ in 0..2 {
            fallible(|| itry_plain(&mut plain), || itry_d(&mut d), || itry_r(&mut r));
        }
    }
}

type Polled = Poll<Result<u8, String>>;
type PolledNext = Poll<Option<Result<u8, String>>>;

/// `Poll::Ready(Err(_))` and `Poll::Ready(Some(Err(_)))` are the failures
/// of the `Poll` shapes; `Pending` is not.
fn poll_counts<T>(failing: bool) -> impl FnOnce(&crate::support::Outcome<T>) -> Counts {
    move |_| Counts {
        hooks: 1,
        errs: u32::from(failing),
        defers: 1,
    }
}

#[test]
fn ready_in_a_poll_function() {
    let cases: [(&[Polled], bool); 4] = [
        (&[Poll::Ready(Ok(1)), Poll::Ready(Ok(2))], false),
        (&[Poll::Pending], false),
        (&[Poll::Ready(Ok(1)), Poll::Pending], false),
        (&[Poll::Ready(Err("down".into()))], true),
    ];
    for (polls, failing) in cases {
        let source = || {
            let mut polls = polls.iter().cloned();
            move || polls.next().unwrap()
        };
        compare(
            || ready_plain(source()),
            || ready_d(source()),
            || ready_r(source()),
            poll_counts(failing),
        );
    }
}

#[test]
fn ready_in_poll_next() {
    let cases: [(&[PolledNext], bool); 4] = [
        (&[Poll::Ready(Some(Ok(0))), Poll::Ready(Some(Ok(5)))], false),
        (&[Poll::Ready(Some(Ok(0))), Poll::Pending], false),
        (&[Poll::Ready(None)], false),
        (
            &[Poll::Ready(Some(Ok(0))), Poll::Ready(Some(Err("bad".into())))],
            true,
        ),
    ];
    for (polls, failing) in cases {
        let source = || {
            let mut polls = polls.iter().cloned();
            move || polls.next().unwrap()
        };
        compare(
            || poll_next_plain(source()),
            || poll_next_d(source()),
            || poll_next_r(source()),
            poll_counts(failing),
        );
    }
}

#[test]
fn a_statement_macro_of_several_statements() {
    for (values, wanted) in [(&[4, 5, 6][..], 6), (&[4, 0][..], 7)] {
        fallible(
            || probe_loop_plain(values, wanted),
            || probe_loop_d(values, wanted),
            || probe_loop_r(values, wanted),
        );
    }
}
