//! A panic stopped at an `extern "C"` boundary: `cargo run --example ffi_boundary`.
//!
//! A Rust library exposes `parse_endpoint` to C programs. A panic must never
//! unwind out of an `extern "C"` function: Rust aborts the whole process when
//! it tries (and a C caller could not unwind anyway). `#[recover(with = …)]`
//! puts a `catch_unwind` around the body and turns a panic into the error code
//! `-1`; the handler also keeps the panic's message and location, which the
//! host can ask for afterwards, as C libraries do with `errno`-style
//! "last error" functions.
//!
//! The host here is Rust calling the function through a C-ABI function
//! pointer, exactly what a C caller or a plugin loader does.

use epilogue::{recover, Panic};
use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr, CString};

/// Success.
const OK: c_int = 0;
/// The library panicked: a bug, described by [`last_error`].
const E_PANIC: c_int = -1;
/// A null pointer was passed.
const E_NULL: c_int = -2;
/// The text is not `host:port`.
const E_SYNTAX: c_int = -3;

thread_local! {
    /// The last panic caught on this thread, as `errno` is per thread.
    static LAST_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The error handler of the boundary: records the panic, returns the code.
fn record(panic: &Panic) -> c_int {
    let location = panic
        .location()
        .map_or_else(|| "an unknown location".to_owned(), ToString::to_string);
    println!("    [boundary] caught a panic in {}", panic.function());
    println!("    [boundary]   message:  {}", panic.message());
    println!("    [boundary]   location: {location}");
    println!(
        "    [boundary]   thread:   {}",
        panic.thread().unwrap_or("<unnamed>")
    );
    LAST_ERROR.with(|last| {
        *last.borrow_mut() = Some(format!("{} at {location}", panic.message()));
    });
    E_PANIC
}

/// The exported function: `int parse_endpoint(const char *text, uint16_t *port)`.
///
/// Parses `host:port` and stores the port. Returns 0, or a negative code.
///
/// # Safety
///
/// `text` is null or a valid NUL-terminated string; `port` is null or valid
/// for writing a `u16`.
#[recover(with = |panic| record(&panic))]
pub unsafe extern "C" fn parse_endpoint(text: *const c_char, port: *mut u16) -> c_int {
    if text.is_null() || port.is_null() {
        return E_NULL;
    }
    // SAFETY: not null, and valid by the function's contract.
    let text = unsafe { CStr::from_ptr(text) };
    // A latent bug: non-UTF-8 input panics here instead of returning E_SYNTAX.
    let text = text.to_str().unwrap();
    let Some((_host, number)) = text.rsplit_once(':') else {
        return E_SYNTAX;
    };
    // Another bug: an unknown service name panics instead of returning E_SYNTAX.
    let value = number.parse::<u16>().unwrap_or_else(|_| {
        SERVICES
            .iter()
            .find(|(name, _)| *name == number)
            .map(|(_, port)| *port)
            .expect("unknown service name")
    });
    // SAFETY: not null, and valid by the function's contract.
    unsafe { *port = value };
    OK
}

/// Service names accepted in place of a port number.
const SERVICES: [(&str, u16); 3] = [("http", 80), ("https", 443), ("smtp", 25)];

/// The type of the symbol a C host or plugin loader resolves.
type ParseEndpoint = unsafe extern "C" fn(*const c_char, *mut u16) -> c_int;

/// What the host sees for one call: the code, the port and the last error.
#[derive(Debug, PartialEq)]
struct Call {
    code: c_int,
    port: u16,
    last_error: Option<String>,
}

/// The host's side: a call through the C-ABI function pointer.
fn call(function: ParseEndpoint, text: &CStr) -> Call {
    LAST_ERROR.with(|last| last.borrow_mut().take());
    let mut port = 0;
    // SAFETY: a valid C string and a valid `u16`, as the contract asks.
    let code = unsafe { function(text.as_ptr(), std::ptr::from_mut(&mut port)) };
    let last_error = LAST_ERROR.with(|last| last.borrow().clone());
    Call {
        code,
        port,
        last_error,
    }
}

fn run() -> Vec<Call> {
    let function: ParseEndpoint = parse_endpoint;
    let inputs = [
        CString::new("db.internal:5432").unwrap(),
        CString::new("example.org:https").unwrap(),
        CString::new("localhost").unwrap(),
        CString::new(b"caf\xe9:80".to_vec()).unwrap(),
        CString::new("mail:submission").unwrap(),
    ];
    let mut calls = Vec::new();
    for text in &inputs {
        println!("\nparse_endpoint({text:?})");
        let result = call(function, text);
        match result.code {
            OK => println!("  => {OK} (ok), port {}", result.port),
            E_SYNTAX => println!("  => {E_SYNTAX} (not host:port), a handled error"),
            code => println!(
                "  => {code}; last_error() = {:?}",
                result.last_error.as_deref().unwrap_or("")
            ),
        }
        calls.push(result);
    }
    calls
}

/// The same kind of bug without the boundary: Rust aborts the process when
/// the panic reaches the `extern "C"` frame, since it must not unwind into C.
extern "C" fn parse_endpoint_unprotected(text: *const c_char) -> c_int {
    // SAFETY: called below with a valid C string.
    let text = unsafe { CStr::from_ptr(text) };
    c_int::from(!text.to_str().unwrap().is_empty())
}

/// Set in the child process that demonstrates the abort.
const UNPROTECTED: &str = "FFI_BOUNDARY_UNPROTECTED";

fn main() {
    if std::env::var_os(UNPROTECTED).is_some() {
        let function: extern "C" fn(*const c_char) -> c_int = parse_endpoint_unprotected;
        function(c"caf\xe9:80".as_ptr());
        unreachable!("the process aborted in the call above");
    }

    println!("ffi_boundary: #[recover] turns a panic into an error code at an extern \"C\" fn");
    let calls = run();
    println!(
        "\nThe process is still running after {} calls, {} of which panicked.",
        calls.len(),
        calls.iter().filter(|call| call.code == E_PANIC).count()
    );

    println!("\nWithout #[recover], the same bug in a child process of this example:");
    let child = std::process::Command::new(std::env::current_exe().expect("current_exe"))
        .env(UNPROTECTED, "1")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("could not start the child process");
    let stderr = String::from_utf8_lossy(&child.stderr);
    // The panic messages, without the report's headers and backtrace.
    let messages = stderr.lines().filter(|line| {
        !(line.is_empty()
            || line.starts_with(char::is_whitespace)
            || line.starts_with("thread '")
            || line.starts_with("note:")
            || line.starts_with("stack backtrace"))
    });
    for line in messages {
        println!("    child: {line}");
    }
    println!("  => exit status: {} (no error code, no cleanup)", child.status);
}

#[cfg(test)]
mod tests {
    use super::{E_PANIC, E_SYNTAX, OK};

    #[test]
    fn panics_become_error_codes() {
        let calls = super::run();
        let codes: Vec<_> = calls.iter().map(|call| call.code).collect();
        assert_eq!(codes, [OK, OK, E_SYNTAX, E_PANIC, E_PANIC]);
        assert_eq!(calls[0].port, 5432);
        assert_eq!(calls[1].port, 443);
        let utf8 = calls[3].last_error.as_deref().unwrap();
        assert!(utf8.contains("Utf8Error"), "{utf8}");
        assert!(utf8.contains("ffi_boundary.rs:"), "{utf8}");
        let service = calls[4].last_error.as_deref().unwrap();
        assert!(service.starts_with("unknown service name at "), "{service}");
        // SAFETY: null pointers are allowed.
        let code = unsafe { super::parse_endpoint(std::ptr::null(), std::ptr::null_mut()) };
        assert_eq!(code, super::E_NULL);
    }
}
