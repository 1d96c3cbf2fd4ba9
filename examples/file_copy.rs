//! Copying a file without losing the error of its last write:
//! `cargo run --example file_copy`.
//!
//! A write to a file usually lands in the page cache; the disk's "no space
//! left" or the network file system's "server went away" often only shows up
//! when the data is flushed, at `sync_all` (or, in C and Go, at `close`).
//! Go's idiom reports that late error through a named result:
//!
//! ```go
//! func copyFile(src, dst string) (n int64, err error) {
//!     out, err := os.Create(dst)
//!     if err != nil { return 0, err }
//!     defer func() {
//!         if cerr := out.Close(); cerr != nil && err == nil { err = cerr }
//!     }()
//!     ...
//! }
//! ```
//!
//! With epilogue the same is a hook, `defer!(|ret| …)`, which gets the
//! `io::Result` being returned as `&mut` and may replace it. A
//! `defer_on_err!` removes the half-written destination whenever the copy
//! fails, including when it is the hook that made it fail.

use epilogue::defer_on_exit;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The destination file, with the one fault this example needs to simulate:
/// a sync that fails, as it does on a full disk or a vanished NFS server.
struct Output {
    file: File,
    fail_sync: bool,
}

impl Output {
    fn create(path: &Path, fail_sync: bool) -> io::Result<Self> {
        Ok(Output {
            file: File::create(path)?,
            fail_sync,
        })
    }

    /// Flushes the data to the disk: where late write errors surface.
    fn sync_all(&self) -> io::Result<()> {
        if self.fail_sync {
            return Err(io::Error::other(
                "sync failed: no space left on device (simulated)",
            ));
        }
        self.file.sync_all()
    }
}

/// Writing through a shared reference, as `&File` does: the hook below
/// borrows the output for its `sync_all` while the body writes to it.
impl Write for &Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&self.file).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&self.file).flush()
    }
}

/// Copies `src` to `dst` and makes it durable; returns the bytes copied.
#[defer_on_exit]
fn copy_file(src: &Path, dst: &Path, fail_sync: bool) -> io::Result<u64> {
    let mut input = File::open(src)?;
    let output = Output::create(dst, fail_sync)?;

    // Registered first, so it runs last: it sees the result after the hook.
    defer_on_err! {
        println!("    defer_on_err: removing the incomplete {}", dst.display());
        let _ = fs::remove_file(dst);
    }
    // Go's `if cerr := out.Close(); cerr != nil && err == nil { err = cerr }`.
    defer!(|ret| {
        match output.sync_all() {
            Ok(()) => println!("    hook: synced {}", dst.display()),
            Err(sync_error) if ret.is_ok() => {
                println!("    hook: sync failed, so the copy failed: {sync_error}");
                *ret = Err(sync_error);
            }
            Err(sync_error) => {
                println!("    hook: sync failed too ({sync_error}); keeping the first error");
            }
        }
    });

    let bytes = io::copy(&mut input, &mut &output)?;
    println!("    copied {bytes} bytes (still in the page cache)");
    Ok(bytes)
}

/// What the three copies returned: `main` prints them, the tests check them.
#[cfg_attr(not(test), allow(dead_code))]
struct Results {
    success: io::Result<u64>,
    missing_dir: io::Result<u64>,
    sync_failure: io::Result<u64>,
    sync_failure_left_file: bool,
    work_dir: PathBuf,
}

/// `Ok(n bytes)` or `Err(message)`, for the output.
fn show(result: &io::Result<u64>) -> String {
    match result {
        Ok(bytes) => format!("Ok({bytes} bytes)"),
        Err(error) => format!("Err({:?}: {error})", error.kind()),
    }
}

/// A fresh directory under the system's temporary directory.
fn unique_temp_dir() -> io::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "epilogue-file-copy-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[defer_on_exit]
fn run() -> io::Result<Results> {
    let dir = unique_temp_dir()?;
    defer! {
        fs::remove_dir_all(&dir).ok();
        println!("\n(removed the work directory {})", dir.display());
    }

    let src = dir.join("notes.txt");
    fs::write(&src, "Remember: every exit path runs the cleanup.\n".repeat(100))?;
    println!("source: {} ({} bytes)", src.display(), fs::metadata(&src)?.len());

    println!("\n1. A plain copy: the hook syncs, finds nothing wrong, keeps Ok.");
    let copy = dir.join("notes-copy.txt");
    let success = copy_file(&src, &copy, false);
    println!("  => {}", show(&success));
    assert_eq!(fs::read(&copy)?, fs::read(&src)?, "the copy differs");

    println!("\n2. The destination's directory does not exist: File::create fails.");
    println!("   The `?` returns before the hook and the defer_on_err! were registered,");
    println!("   so neither runs: there is nothing to sync or remove.");
    let missing_dir = copy_file(&src, &dir.join("no-such-dir").join("notes.txt"), false);
    println!("  => {}", show(&missing_dir));

    println!("\n3. Every write succeeds, but the sync fails: the hook turns Ok into Err,");
    println!("   and defer_on_err!, which runs after it, sees the failure and cleans up.");
    let doomed = dir.join("notes-doomed.txt");
    let sync_failure = copy_file(&src, &doomed, true);
    println!("  => {}", show(&sync_failure));
    let sync_failure_left_file = doomed.exists();
    println!(
        "  {} exists afterwards: {sync_failure_left_file}",
        doomed.display()
    );

    Ok(Results {
        success,
        missing_dir,
        sync_failure,
        sync_failure_left_file,
        work_dir: dir.clone(),
    })
}

fn main() -> io::Result<()> {
    println!("file_copy: a hook reports a failed sync through the returned io::Result\n");
    run()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::ErrorKind;

    #[test]
    fn copies_and_reports_late_errors() {
        let results = super::run().unwrap();
        assert_eq!(results.success.unwrap(), 4400);
        assert_eq!(results.missing_dir.unwrap_err().kind(), ErrorKind::NotFound);
        let sync_error = results.sync_failure.unwrap_err();
        assert!(sync_error.to_string().contains("no space left on device"));
        assert!(!results.sync_failure_left_file);
        assert!(!results.work_dir.exists(), "the work directory was not removed");
    }
}
