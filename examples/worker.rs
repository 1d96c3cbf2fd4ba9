//! A self-healing worker pool on tokio: `cargo run --example worker`.
//!
//! Each job runs in its own tokio task behind `#[recover]`, so a panicking job
//! becomes an `Err(Panic)` instead of a dead task. Its supervisor restarts it
//! with exponential backoff (at most 3 retries, waiting 2^attempt units, one
//! unit being 10 ms here instead of Go's one second) and gives up after that.
//! A `defer_on_err!` in the job releases its lease whenever a run fails.
//!
//! With the `tracing` feature, epilogue logs every recovered panic as an ERROR
//! event under target `epilogue`, its message the panic's. Set `RUST_LOG`
//! (for example `RUST_LOG=trace`) to see more, such as every deferred action.

use epilogue::{defer_on_exit, recover, Panic};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tracing::{error, info, warn};

/// Retries after the first run, as in Go's `maxRetries = 3`.
const MAX_RETRIES: u32 = 3;
/// One unit of backoff: the wait before retry n is `2^n` units.
const BACKOFF_UNIT: Duration = Duration::from_millis(10);

/// A job and how it misbehaves: it panics on its first `crashes` runs.
struct Job {
    name: &'static str,
    crashes: u32,
    runs: AtomicU32,
}

impl Job {
    fn new(name: &'static str, crashes: u32) -> Arc<Self> {
        Arc::new(Job {
            name,
            crashes,
            runs: AtomicU32::new(0),
        })
    }
}

/// One run of a job. A panic anywhere in it, across `.await`s, becomes
/// `Err(panic)` after the deferred actions ran.
#[recover]
#[defer_on_exit]
async fn run_job(job: &Job) -> Result<String, Panic> {
    let run = job.runs.fetch_add(1, Ordering::Relaxed) + 1;
    info!(job = job.name, run, "acquired the lease");
    defer_on_err! { warn!(job = job.name, run, "run failed: lease released for the next run"); }

    tokio::time::sleep(Duration::from_millis(5)).await; // the work
                                                        // Stands in for a bug that bites now and then: an `unwrap` on an empty pool.
    assert!(run > job.crashes, "connection pool is empty");
    Ok(format!("{} finished on run {run}", job.name))
}

/// How a supervised job ended.
#[derive(Debug, PartialEq)]
enum Outcome {
    Succeeded { runs: u32 },
    GaveUp { runs: u32, last_panic: String },
}

/// Runs a job until it succeeds, restarting it after each panic.
async fn supervise(job: Arc<Job>) -> Outcome {
    let mut attempts = 0;
    loop {
        match run_job(&job).await {
            Ok(output) => {
                info!(job = job.name, "{output}");
                return Outcome::Succeeded { runs: attempts + 1 };
            }
            Err(panic) if attempts < MAX_RETRIES => {
                attempts += 1;
                let backoff = BACKOFF_UNIT * 2_u32.pow(attempts);
                warn!(
                    job = job.name,
                    retry = attempts,
                    backoff_ms = backoff.as_millis(),
                    "restarting after a panic: {}",
                    panic.message()
                );
                tokio::time::sleep(backoff).await;
            }
            Err(panic) => {
                error!(
                    job = job.name,
                    runs = attempts + 1,
                    "giving up after {MAX_RETRIES} retries"
                );
                return Outcome::GaveUp {
                    runs: attempts + 1,
                    last_panic: panic.message().to_owned(),
                };
            }
        }
    }
}

/// Starts the three jobs, each in its own task, and waits for all of them.
async fn run() -> Vec<(&'static str, Outcome)> {
    let jobs = [
        Job::new("index-search", 0),
        Job::new("resize-images", 2),
        Job::new("send-report", u32::MAX),
    ];
    let tasks: Vec<_> = jobs
        .iter()
        .map(|job| (job.name, tokio::spawn(supervise(Arc::clone(job)))))
        .collect();
    let mut outcomes = Vec::new();
    for (name, task) in tasks {
        // `#[recover]` caught every panic: no task ended with a JoinError.
        let outcome = task.await.expect("a supervisor task panicked");
        outcomes.push((name, outcome));
    }
    outcomes
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::stdout().is_terminal())
        .without_time()
        .init();
    println!("worker: jobs behind #[recover], restarted with exponential backoff\n");
    let outcomes = run().await;
    println!();
    for (name, outcome) in outcomes {
        println!("{name:>14}: {outcome:?}");
    }
    println!("\nEvery panic stayed inside its task; the pool never lost a worker thread.");
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jobs_are_restarted_then_given_up() {
        let outcomes = super::run().await;
        assert_eq!(
            outcomes,
            [
                ("index-search", Outcome::Succeeded { runs: 1 }),
                ("resize-images", Outcome::Succeeded { runs: 3 }),
                (
                    "send-report",
                    Outcome::GaveUp {
                        runs: 4,
                        last_panic: "connection pool is empty".to_owned()
                    }
                ),
            ]
        );
    }
}
