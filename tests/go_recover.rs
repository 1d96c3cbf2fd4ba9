//! Common Go `recover()` examples (safe division, a recovering wrapper, HTTP
//! middleware, a self-healing task), translated to `#[recover]`. Each test
//! gives Go's output in a comment (go1.19.8 on this machine) and asserts
//! epilogue's.

use epilogue::{catch, recover, Panic};
use std::cell::RefCell;
use std::sync::Mutex;

// Go: safeDivide recovers a panic into its named results.
//
//     func safeDivide(a, b int) (result int, success bool) {
//         defer func() {
//             if r := recover(); r != nil {
//                 result = 0
//                 success = false
//                 fmt.Println("捕获 panic:", r)
//             }
//         }()
//         if b == 0 { panic("除数为零") }
//         return a / b, true
//     }
//
// Go: safeDivide(10, 2) = 5 true; safeDivide(10, 0) prints
// "捕获 panic: 除数为零" and returns 0 false.
#[recover(with = |panic| {
    println!("捕获 panic: {}", panic.message());
    (0, false)
})]
fn safe_divide(a: i32, b: i32) -> (i32, bool) {
    if b == 0 {
        panic!("除数为零");
    }
    (a / b, true)
}

// Go: the same recovery of a runtime panic, integer division by zero.
// Go prints: recovered: runtime error: integer divide by zero
#[recover]
fn divide(a: i32, b: i32) -> Result<i32, Panic> {
    Ok(a / b)
}

#[test]
fn safe_divide_recovers_into_the_named_results() {
    assert_eq!(safe_divide(10, 2), (5, true));
    assert_eq!(safe_divide(10, 0), (0, false));
    assert_eq!(divide(10, 0).unwrap_err().message(), "attempt to divide by zero");
}

// Go: `defer mu.Unlock()` registered before the recovering defer.
//
//     mu.Lock()
//     defer mu.Unlock()
//     defer func() { if r := recover(); r != nil { log.Printf("panic recovered: %v", r) } }()
//     riskyCall() // panics
//
// Go: the recovering defer runs first, with the lock still held; then
// Unlock; after the function the lock is free again.
static MUTEX: Mutex<u32> = Mutex::new(0);

#[recover(with = |panic| {
    // The guard was dropped while unwinding, inside the boundary: the lock is
    // free when the panic becomes the return value. (A Rust mutex is also
    // poisoned by the panic.)
    println!("panic recovered: {}", panic.message());
    MUTEX.try_lock().is_ok() || matches!(MUTEX.try_lock(), Err(std::sync::TryLockError::Poisoned(_)))
})]
fn safe_operation() -> bool {
    let mut guard = MUTEX.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    *guard += 1;
    panic!("risky failure");
}

#[test]
fn the_lock_is_released_before_the_panic_becomes_the_value() {
    assert!(safe_operation(), "the lock was free in the handler");
    MUTEX.clear_poison();
    assert!(MUTEX.try_lock().is_ok());
}

// Go: WithRecovery(fn) runs a task and logs its panic.
//
//     WithRecovery(func() { fmt.Println("task 1 ok") })
//     WithRecovery(func() { panic("task 2 failed") })
//     WithRecovery(func() { var p *int; _ = *p })
//     fmt.Println("main still running")
//
// Go: task 1 ok / recovered from panic: task 2 failed / recovered from panic:
// runtime error: invalid memory address or nil pointer dereference / main
// still running
fn with_recovery(log: &RefCell<Vec<String>>, task: impl FnOnce()) {
    if let Err(panic) = catch(task) {
        log.borrow_mut()
            .push(format!("recovered from panic: {}", panic.message()));
    }
}

#[test]
fn with_recovery_is_catch() {
    let log = RefCell::new(Vec::new());
    with_recovery(&log, || log.borrow_mut().push("task 1 ok".into()));
    with_recovery(&log, || panic!("task 2 failed"));
    with_recovery(&log, || {
        let missing: Option<&u32> = std::hint::black_box(None);
        let _ = *missing.unwrap();
    });
    log.borrow_mut().push("main still running".into());
    assert_eq!(
        *log.borrow(),
        [
            "task 1 ok",
            "recovered from panic: task 2 failed",
            "recovered from panic: called `Option::unwrap()` on a `None` value",
            "main still running"
        ]
    );
}

// Go: a net/http middleware whose defer+recover turns a handler's panic into
// a 500:
//
//     GET /ok -> 200 hello
//     GET /boom -> 500 {"error":"Internal Server Error"}   (logs: Uncaught exception: db down)
//     GET /ok -> 200 hello
#[derive(Debug, PartialEq)]
struct Response {
    status: u16,
    body: String,
}

#[recover(with = |panic| {
    eprintln!("Uncaught exception: {}", panic.message());
    Response { status: 500, body: r#"{"error":"Internal Server Error"}"#.into() }
})]
fn handle(path: &str) -> Response {
    match path {
        "/ok" => Response {
            status: 200,
            body: "hello".into(),
        },
        "/boom" => panic!("db down"),
        _ => Response {
            status: 404,
            body: String::new(),
        },
    }
}

#[test]
fn middleware_turns_a_panic_into_a_500() {
    let responses: Vec<_> = ["/ok", "/boom", "/ok"].iter().map(|path| handle(path)).collect();
    assert_eq!(responses[0].status, 200);
    assert_eq!(
        responses[1],
        Response {
            status: 500,
            body: r#"{"error":"Internal Server Error"}"#.into()
        }
    );
    assert_eq!(responses[2].body, "hello");
}

// Go: a self-healing task wraps each attempt in defer+recover and retries at
// most 3 times, with an exponential backoff of 2^attempts units. Go, failing
// the first 2 calls:
//
//     attempt failed: transient failure #1 -> attempts=1, status=failed, sleep 2 units
//     attempt failed: transient failure #2 -> attempts=2, status=failed, sleep 4 units
//     run(): work done
//     final: status=completed attempts=2 run() calls=3
//
// and failing every call: 4 attempts (1 + 3 retries), status=failed.
#[derive(Debug, PartialEq)]
enum Status {
    Idle,
    Running,
    Failed,
    Completed,
}

struct SelfHealingTask {
    status: Status,
    attempts: u32,
    max_retries: u32,
    fail_until: u32,
    calls: u32,
    sleeps: Vec<u32>,
}

impl SelfHealingTask {
    fn new(fail_until: u32) -> Self {
        SelfHealingTask {
            status: Status::Idle,
            attempts: 0,
            max_retries: 3,
            fail_until,
            calls: 0,
            sleeps: Vec::new(),
        }
    }

    fn run(&mut self) {
        self.calls += 1;
        assert!(self.calls > self.fail_until, "transient failure #{}", self.calls);
    }

    /// One attempt: a panic becomes an error.
    #[recover]
    fn try_once(&mut self) -> Result<(), Panic> {
        self.status = Status::Running;
        self.run();
        self.status = Status::Completed;
        Ok(())
    }

    fn execute_with_retry(&mut self) {
        while self.attempts <= self.max_retries {
            match self.try_once() {
                Ok(()) => break,
                Err(_panic) => {
                    self.attempts += 1;
                    self.status = Status::Failed;
                    self.sleeps.push(1 << self.attempts);
                }
            }
        }
    }
}

#[test]
fn a_self_healing_task_retries_with_backoff() {
    let mut task = SelfHealingTask::new(2);
    task.execute_with_retry();
    assert_eq!(
        (task.status, task.attempts, task.calls),
        (Status::Completed, 2, 3)
    );
    assert_eq!(task.sleeps, [2, 4]);

    let mut task = SelfHealingTask::new(10);
    task.execute_with_retry();
    assert_eq!((task.status, task.attempts, task.calls), (Status::Failed, 4, 4));
    assert_eq!(task.sleeps, [2, 4, 8, 16]);
}

// Go's `recover()` only works when called directly by a deferred function
// (`defer recover()` or a helper called from the deferred func returns nil
// and the panic goes on). `#[recover]` is a boundary on the function itself:
// there is no wrong place to put it.
#[recover]
fn recovered_anywhere() -> Option<u32> {
    fn helper() -> u32 {
        panic!("deep inside a helper")
    }
    Some(helper())
}

#[test]
fn there_is_no_wrong_place_for_recover() {
    assert_eq!(recovered_anywhere(), None);
}
