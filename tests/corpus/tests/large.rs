use crate::support::{assert_panics, fallible, infallible};
use epilogue_corpus::large::*;

#[test]
fn big_array() {
    for (fill, fail) in [(1, false), (1, true), (u8::MAX, false)] {
        // Compared whole, in a thread with a small stack of its own.
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                fallible(
                    || {
                        big_array_plain(fill, fail)
                            .map(|a| (a[0], a[SIZE - 1], a.iter().map(|x| u32::from(*x)).sum::<u32>()))
                    },
                    || {
                        big_array_d(fill, fail)
                            .map(|a| (a[0], a[SIZE - 1], a.iter().map(|x| u32::from(*x)).sum::<u32>()))
                    },
                    || {
                        big_array_r(fill, fail)
                            .map(|a| (a[0], a[SIZE - 1], a.iter().map(|x| u32::from(*x)).sum::<u32>()))
                    },
                );
            })
            .unwrap()
            .join()
            .unwrap();
    }
}

#[test]
fn big_struct() {
    for id in [1, u32::MAX] {
        let frame = Frame {
            id: 1,
            words: [7; 4096],
        };
        fallible(
            || big_struct_plain(frame.clone(), id).map(|f| (f.id, f.words[0], f.words[4095])),
            || big_struct_d(frame.clone(), id).map(|f| (f.id, f.words[0], f.words[4095])),
            || big_struct_r(frame.clone(), id).map(|f| (f.id, f.words[0], f.words[4095])),
        );
    }
}

#[test]
fn boxed_big() {
    infallible(
        || boxed_big_plain(3)[3],
        || boxed_big_d(3)[3],
        || boxed_big_r(3)[3],
    );
    let out = infallible(
        || boxed_big_plain(SIZE)[0],
        || boxed_big_d(SIZE)[0],
        || boxed_big_r(SIZE)[0],
    );
    assert_panics(
        &out,
        "index out of bounds: the len is 65536 but the index is 65536",
    );
}
