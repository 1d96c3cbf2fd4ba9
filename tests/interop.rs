//! `Panic` with the error handling crates people use: `?` carries
//! it into `anyhow::Error`, `thiserror` wraps it with `#[from]`, and a tokio
//! task whose body is a recovered `async fn` reports the panic as a value.

use epilogue::{recover, Panic};

#[recover]
fn parse_strict(text: &str) -> Result<u32, Panic> {
    Ok(text.parse().expect("not a number"))
}

fn with_anyhow(text: &str) -> anyhow::Result<u32> {
    let value = parse_strict(text)?;
    Ok(value + 1)
}

#[recover]
fn recover_into_anyhow(text: &str) -> anyhow::Result<u32> {
    Ok(text.parse().expect("still not a number"))
}

#[test]
fn question_mark_carries_a_panic_into_anyhow() {
    assert_eq!(with_anyhow("41").unwrap(), 42);
    let error = with_anyhow("x").unwrap_err();
    let panic = error
        .downcast_ref::<Panic>()
        .expect("the Panic is the anyhow error");
    assert!(panic.message().starts_with("not a number"));
    let error = recover_into_anyhow("y").unwrap_err();
    assert!(error.to_string().contains("still not a number"));
}

#[derive(Debug, thiserror::Error)]
enum StoreError {
    #[error("invalid key {0:?}")]
    InvalidKey(String),
    #[error("the store crashed: {0}")]
    Crashed(#[from] Panic),
}

#[recover]
fn lookup(key: &str) -> Result<u32, StoreError> {
    if key.is_empty() {
        return Err(StoreError::InvalidKey(key.into()));
    }
    let index: usize = key.len() * 10;
    Ok([1, 2, 3][index])
}

#[test]
fn thiserror_wraps_a_panic_with_from() {
    assert!(matches!(lookup(""), Err(StoreError::InvalidKey(_))));
    let error = lookup("ab").unwrap_err();
    let StoreError::Crashed(panic) = &error else {
        panic!("expected a crash, got {error:?}")
    };
    assert!(panic.message().contains("index out of bounds"));
    assert!(error
        .to_string()
        .starts_with("the store crashed: panicked at tests/interop.rs:"));
    let source = std::error::Error::source(&error).expect("the Panic is the source");
    assert!(source.is::<Panic>());
}

#[recover]
async fn job(id: u32) -> Result<u32, Panic> {
    tokio::task::yield_now().await;
    assert!(id != 3, "job {id} crashed");
    Ok(id * 10)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spawned_task_reports_its_panic_as_a_value() {
    let handles: Vec<_> = (1..=4).map(|id| tokio::spawn(job(id))).collect();
    let mut results = Vec::new();
    for handle in handles {
        // The task itself never panics: the JoinHandle is always Ok.
        results.push(handle.await.expect("the task did not panic"));
    }
    assert_eq!(results[0].as_ref().unwrap(), &10);
    assert_eq!(results[2].as_ref().unwrap_err().message(), "job 3 crashed");
    assert_eq!(results[2].as_ref().unwrap_err().function(), "interop::job");
}
