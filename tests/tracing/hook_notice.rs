//! With the `tracing` feature, the notice that epilogue's panic hook was
//! replaced is a WARN event with target `epilogue`, given once, and not
//! printed on stderr; with no subscriber to take it, it goes to stderr.
//!
//! The hook is process-wide and the notice once per process, so each
//! scenario runs in a child process (this test binary re-run with
//! `EPILOGUE_NOTICE_CASE` set).

use epilogue::{catch, Panic};
use epilogue_test_support::child_process;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// The WARN events under target `epilogue`: their messages.
#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<Vec<String>>>);

struct Message<'a>(&'a mut String);

impl Visit for Message<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            *self.0 = format!("{value:?}");
        }
    }
}

impl<S: Subscriber> Layer<S> for Warnings {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let metadata = event.metadata();
        if *metadata.level() == Level::WARN && metadata.target() == "epilogue" {
            let mut message = String::new();
            event.record(&mut Message(&mut message));
            self.0.lock().unwrap().push(message);
        }
    }
}

fn recover_one() -> Panic {
    catch(|| -> u32 { panic!("recovered") }).unwrap_err()
}

fn run_case(case: &str) {
    // The first boundary installs epilogue's hook; this replaces it.
    assert!(recover_one().location().is_some());
    std::panic::set_hook(Box::new(|_| {}));
    match case {
        "subscriber" => {
            let warnings = Warnings::default();
            let subscriber = tracing_subscriber::registry().with(warnings.clone());
            tracing::subscriber::with_default(subscriber, || {
                assert!(recover_one().location().is_none());
                assert!(recover_one().location().is_none());
            });
            let warnings = warnings.0.lock().unwrap();
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert!(
                warnings[0].contains("call `epilogue::install_panic_hook()` after setting it"),
                "{warnings:?}"
            );
        }
        "no_subscriber" => {
            assert!(recover_one().location().is_none());
            assert!(recover_one().location().is_none());
        }
        other => panic!("unknown case {other}"),
    }
    eprintln!("done");
}

/// The child side: runs one scenario.
#[test]
fn child() {
    if let Ok(case) = std::env::var("EPILOGUE_NOTICE_CASE") {
        run_case(&case);
    }
}

fn run(case: &str) -> String {
    let output = child_process("EPILOGUE_NOTICE_CASE", case).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{case}: {stderr}");
    assert!(stderr.contains("done"), "{case}: {stderr}");
    stderr
}

const NOTICE: &str = "epilogue: the panic hook that `#[recover]` and `catch` rely on was replaced";

#[test]
fn with_a_subscriber_the_notice_is_one_warn_event_and_not_on_stderr() {
    let stderr = run("subscriber");
    assert!(!stderr.contains(NOTICE), "{stderr}");
}

#[test]
fn without_a_subscriber_the_notice_is_on_stderr_once() {
    let stderr = run("no_subscriber");
    assert_eq!(stderr.matches(NOTICE).count(), 1, "{stderr}");
}
