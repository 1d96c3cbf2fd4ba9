//! `icount CASE FLAVOUR N`: runs a benchmark case N times, for callgrind
//! (see `scripts/bench.sh`, which runs N and 2N calls and takes the
//! difference, so that start-up cancels). `icount empty - N` runs the loop
//! alone; `icount panic_by_hand - N` and `icount epilogue_panic - N` the
//! panic path. Built with `--features tracing`, it installs a `tracing`
//! subscriber at the level `EPILOGUE_BENCH_SUBSCRIBER` names (`info`,
//! `trace`), writing to nowhere; unset, none.
use epilogue_benches::{empty, CASES, PANIC_CASES};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, flavour, n] = &args[..] else {
        panic!("usage: icount CASE FLAVOUR N");
    };
    let n: u64 = n.parse().expect("N is a number");
    // The panic cases report through the hook: silence it, as the reference
    // measurements did (a no-op hook).
    std::panic::set_hook(Box::new(|_| {}));
    #[cfg(feature = "tracing")]
    subscribe();
    let case = if name == "empty" {
        empty
    } else if let Some((_, case)) = PANIC_CASES.iter().find(|(case, _)| case == name) {
        *case
    } else {
        CASES
            .iter()
            .find(|(case, kind, _)| case == name && kind == flavour)
            .unwrap_or_else(|| panic!("unknown case {name} {flavour}"))
            .2
    };
    println!("{}", case(n));
}

#[cfg(feature = "tracing")]
fn subscribe() {
    let level = match std::env::var("EPILOGUE_BENCH_SUBSCRIBER").as_deref() {
        Ok("info") => tracing_subscriber::filter::LevelFilter::INFO,
        Ok("trace") => tracing_subscriber::filter::LevelFilter::TRACE,
        Ok("") | Err(_) => return,
        Ok(other) => panic!("EPILOGUE_BENCH_SUBSCRIBER is `info` or `trace`, not {other:?}"),
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::sink)
        .init();
}
