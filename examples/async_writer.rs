//! An async hook that flushes a tokio `BufWriter` over TCP and reports its
//! error: `cargo run --example async_writer`.
//!
//! `ship` sends log lines to a collector over a real TCP connection on
//! loopback, through a `tokio::io::BufWriter`. Its writes land in the buffer
//! and return `Ok`; the bytes only leave at the final flush, so that is where
//! a dead connection shows up. Go's `defer conn.Close()` drops that error;
//! here an async hook, `defer!(async |ret| …)`, awaits `flush()` and
//! `shutdown()` on every normal exit, uses the writer the body kept writing
//! to, and turns `Ok` into `Err` when they fail. A synchronous
//! `defer_on_err!`, registered before it so that it runs after it, then keeps
//! the lines for the next attempt.
//!
//! An async action is awaited when its block is left normally: at its end, on
//! `return`, `?`, `break` or `continue`. A panic or a cancellation leaves
//! nothing to await it, so it does not run then; the synchronous
//! `defer_on_err!` does, which is why the two are paired (case 3).
//!
//! The three collectors are real tasks on `127.0.0.1:0`:
//! 1. one reads everything: the hook flushes, the shipment succeeds;
//! 2. one resets the connection (`SO_LINGER` 0) before we flush: every write
//!    still returns `Ok`, the flush fails with `EPIPE`;
//! 3. one never reads, so the socket buffers fill up and a timeout cancels
//!    `ship`: the hook does not run, `defer_on_err!` does.

use epilogue::defer_on_exit;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// What the deferred actions of `ship` did, for the caller to see.
#[derive(Default)]
struct Outbox {
    /// Lines of failed shipments, to send again later.
    retry: Vec<String>,
    /// How many times the async hook ran.
    hook_runs: u32,
}

/// Sends `lines` to the collector at the other end of `stream`, one per line;
/// returns the bytes sent. On any failure the lines are kept in `outbox`.
#[defer_on_exit]
async fn ship(stream: TcpStream, lines: &[String], outbox: &mut Outbox) -> io::Result<usize> {
    let mut out = BufWriter::new(stream);

    // Synchronous, registered first so that it runs last: on an `Err` by any
    // path (the hook's included), on a panic and on a cancellation.
    defer_on_err! {
        outbox.retry.extend_from_slice(lines);
        println!("    defer_on_err: {} lines kept for the next attempt", lines.len());
    }
    // Awaited on every normal exit, with the writer as the body left it.
    defer!(async |ret| {
        outbox.hook_runs += 1;
        let buffered = out.buffer().len();
        let closed = match out.flush().await {
            Ok(()) => out.shutdown().await,
            Err(error) => Err(error),
        };
        match closed {
            Ok(()) => println!("    hook: flushed {buffered} buffered bytes and shut down writing"),
            Err(error) if ret.is_ok() => {
                println!("    hook: flushing {buffered} bytes failed, so the shipment failed: {error}");
                *ret = Err(error);
            }
            Err(error) => println!("    hook: flushing failed too ({error}); keeping the first error"),
        }
    });

    let mut sent = 0;
    for line in lines {
        out.write_all(line.as_bytes()).await?;
        out.write_all(b"\n").await?;
        sent += line.len() + 1;
    }
    println!(
        "    wrote {} lines ({sent} bytes), every write returned Ok",
        lines.len()
    );
    Ok(sent)
}

/// How a collector treats the one connection it accepts.
#[derive(Clone, Copy)]
enum Collector {
    /// Reads until the client shuts down writing, and returns what it read.
    ReadsAll,
    /// Resets the connection at once: `SO_LINGER` 0, then close.
    Resets,
    /// Accepts and never reads, as a stalled server does.
    Stalls,
}

/// Binds `127.0.0.1:0`, with a small receive buffer so that a stalled
/// collector blocks the writer quickly.
fn listen() -> io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_recv_buffer_size(4096)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
    socket.listen(8)
}

/// Spawns a collector that accepts one connection; its task returns what it
/// received. Spawned once the client is connected, so that a reset cannot
/// reach the client while it is still connecting.
fn start_collector(listener: TcpListener, behaviour: Collector) -> JoinHandle<io::Result<String>> {
    tokio::spawn(async move {
        let (mut connection, _) = listener.accept().await?;
        match behaviour {
            Collector::ReadsAll => {
                let mut received = String::new();
                connection.read_to_string(&mut received).await?;
                Ok(received)
            }
            Collector::Resets => {
                connection.set_zero_linger()?;
                drop(connection);
                Ok(String::new())
            }
            Collector::Stalls => {
                // Hold the connection open and unread (the example aborts this task).
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(String::new())
            }
        }
    })
}

/// Connects to `listener` with a small send buffer.
async fn connect(listener: &TcpListener) -> io::Result<TcpStream> {
    let addr = listener.local_addr()?;
    println!("   collector on {addr}");
    let socket = TcpSocket::new_v4()?;
    socket.set_send_buffer_size(4096)?;
    socket.connect(addr).await
}

fn log_lines(count: usize) -> Vec<String> {
    (1..=count)
        .map(|i| format!("event {i}: disk /var at {}% of capacity", 60 + i % 40))
        .collect()
}

/// `Ok(n bytes)` or `Err(kind: message)`, for the output.
fn show<T: std::fmt::Display>(result: &io::Result<T>, unit: &str) -> String {
    match result {
        Ok(value) => format!("Ok({value}{unit})"),
        Err(error) => format!("Err({:?}: {error})", error.kind()),
    }
}

/// Prints what `ship` returned and what its deferred actions did.
fn report(result: &io::Result<usize>, outbox: &Outbox) {
    println!("  => {}", show(result, " bytes"));
    println!(
        "  the async hook ran {} time(s); kept for retry: {} lines",
        outbox.hook_runs,
        outbox.retry.len()
    );
}

/// What each case returned and left behind: `main` prints it, the test checks it.
#[cfg_attr(not(test), allow(dead_code))]
struct Results {
    sent: Vec<String>,
    success: io::Result<usize>,
    success_outbox: Outbox,
    received: String,
    reset: io::Result<usize>,
    reset_outbox: Outbox,
    stalled_lines: Vec<String>,
    stalled_cancelled: bool,
    stalled_outbox: Outbox,
}

async fn run() -> io::Result<Results> {
    let lines = log_lines(3);

    println!("1. The collector reads everything: the writes fill the buffer, the hook");
    println!("   flushes it and shuts down writing, and the collector gets every line.");
    let listener = listen()?;
    let stream = connect(&listener).await?;
    let collector = start_collector(listener, Collector::ReadsAll);
    let mut success_outbox = Outbox::default();
    let success = ship(stream, &lines, &mut success_outbox).await;
    report(&success, &success_outbox);
    let received = collector.await.expect("the collector panicked")?;
    println!(
        "  the collector received {} lines ({} bytes), the first: {:?}",
        received.lines().count(),
        received.len(),
        received.lines().next().unwrap_or_default()
    );

    println!("\n2. The collector resets the connection before we flush (we wait until our");
    println!("   side has seen the reset, so nothing depends on timing). Every write still");
    println!("   lands in the buffer and returns Ok; the hook's flush fails, the hook turns");
    println!("   Ok into Err, and the defer_on_err! registered before it keeps the lines.");
    let listener = listen()?;
    let stream = connect(&listener).await?;
    start_collector(listener, Collector::Resets)
        .await
        .expect("the collector panicked")?;
    let seen = stream.peek(&mut [0; 1]).await;
    println!("   a peek at the connection: {}", show(&seen, " bytes"));
    let mut reset_outbox = Outbox::default();
    let reset = ship(stream, &lines, &mut reset_outbox).await;
    report(&reset, &reset_outbox);

    println!("\n3. The collector never reads: once the socket buffers are full a write waits,");
    println!("   and a timeout drops `ship`. A cancelled future is not awaited any more, so");
    println!("   the async hook does not run; the synchronous defer_on_err! does.");
    let stalled_lines = log_lines(50_000);
    let listener = listen()?;
    let stream = connect(&listener).await?;
    let collector = start_collector(listener, Collector::Stalls);
    let mut stalled_outbox = Outbox::default();
    let shipment = ship(stream, &stalled_lines, &mut stalled_outbox);
    let stalled_cancelled = tokio::time::timeout(Duration::from_millis(200), shipment)
        .await
        .is_err();
    println!("  => cancelled by the timeout after 200 ms: {stalled_cancelled}");
    println!(
        "  the async hook ran {} time(s); kept for retry: {} lines",
        stalled_outbox.hook_runs,
        stalled_outbox.retry.len()
    );
    collector.abort();

    Ok(Results {
        sent: lines,
        success,
        success_outbox,
        received,
        reset,
        reset_outbox,
        stalled_lines,
        stalled_cancelled,
        stalled_outbox,
    })
}

#[tokio::main]
async fn main() -> io::Result<()> {
    println!("async_writer: an async hook flushes a BufWriter over TCP and reports its error\n");
    run().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::ErrorKind;

    #[tokio::test]
    async fn flush_errors_reach_the_caller_and_failed_lines_are_kept() {
        let results = super::run().await.unwrap();

        let expected = results.sent.join("\n") + "\n";
        assert_eq!(results.success.unwrap(), expected.len());
        assert_eq!(results.received, expected);
        assert_eq!(results.success_outbox.hook_runs, 1);
        assert!(results.success_outbox.retry.is_empty());

        // EPIPE from the flush in the hook, after every write returned Ok.
        let error = results.reset.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BrokenPipe, "{error}");
        assert_eq!(results.reset_outbox.hook_runs, 1);
        assert_eq!(results.reset_outbox.retry, results.sent);

        // Cancelled: no hook, but the synchronous defer_on_err! ran.
        assert!(results.stalled_cancelled);
        assert_eq!(results.stalled_outbox.hook_runs, 0);
        assert_eq!(results.stalled_outbox.retry, results.stalled_lines);
    }
}
