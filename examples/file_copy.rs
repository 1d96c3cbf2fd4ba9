//! Copying a file without losing the error of its last write:
//! `cargo run --example file_copy`.
//!
//! Written data usually lands in a buffer (the program's, then the page
//! cache); the disk's "no space left" often only shows up when that buffer is
//! flushed, at `flush`/`sync_all` (in C and Go, at `close`). Go's idiom opens
//! the file, defers its close, keeps writing to it, and reports the late error
//! through a named result:
//!
//! ```go
//! func copyFile(src, dst string) (n int64, err error) {
//!     in, err := os.Open(src)
//!     if err != nil { return 0, err }
//!     defer in.Close()
//!     out, err := os.Create(dst)
//!     if err != nil { return 0, err }
//!     defer func() {
//!         if cerr := out.Close(); cerr != nil && err == nil { err = cerr }
//!         if err != nil { os.Remove(dst) }
//!     }()
//!     return io.Copy(out, in)
//! }
//! ```
//!
//! `copy_file` below is the same function line by line. Its hook,
//! `defer!(|ret| …)`, uses the writer that the body goes on writing to (a
//! deferred action borrows nothing until it runs, and sees the writer as the
//! body left it); it gets the `io::Result` being returned as `&mut` and turns
//! `Ok` into `Err` when the final flush fails. A `defer_on_err!` removes the
//! half-written destination whenever the copy fails, including when it is the
//! hook that made it fail.
//!
//! The full disk is a real one: Linux's `/dev/full` accepts opening and
//! buffering, and fails every write with `ENOSPC`. The destination of case 3
//! is a symbolic link to it, so removing "the copy" removes the link.

use epilogue::defer_on_exit;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Copies `src` to `dst` and makes it durable; returns the bytes copied.
#[defer_on_exit]
fn copy_file(src: &Path, dst: &Path) -> io::Result<u64> {
    let mut input = File::open(src)?;
    let mut output = BufWriter::new(File::create(dst)?);

    // Registered first, so it runs last: it sees the result the hook left.
    defer_on_err! {
        println!("    defer_on_err: removing the incomplete copy {}", dst.display());
        let _ = fs::remove_file(dst);
    }
    // Go's `if cerr := out.Close(); cerr != nil && err == nil { err = cerr }`.
    // `output` is the writer the loop below keeps writing to.
    defer!(|ret| {
        let buffered = output.buffer().len();
        match output.flush().and_then(|()| output.get_ref().sync_all()) {
            Ok(()) => println!("    hook: flushed the last {buffered} buffered bytes and synced"),
            Err(close_error) if ret.is_ok() => {
                println!("    hook: flushing {buffered} bytes failed, so the copy failed: {close_error}");
                *ret = Err(close_error);
            }
            Err(close_error) => {
                println!("    hook: flushing failed too ({close_error}); keeping the first error");
            }
        }
    });

    let mut chunk = [0; 1024];
    let mut copied = 0;
    loop {
        let read = input.read(&mut chunk)?;
        if read == 0 {
            break;
        }
        output.write_all(&chunk[..read])?;
        copied += read as u64;
    }
    println!("    wrote {copied} bytes, every write returned Ok");
    Ok(copied)
}

/// What the four copies returned and left: `main` prints them, the test checks them.
#[cfg_attr(not(test), allow(dead_code))]
struct Results {
    success: io::Result<u64>,
    copy_matches: bool,
    missing_dir: io::Result<u64>,
    disk_full: io::Result<u64>,
    disk_full_left_file: bool,
    unreadable: io::Result<u64>,
    unreadable_left_file: bool,
    work_dir: PathBuf,
}

/// `Ok(n bytes)` or `Err(kind: message)`, for the output.
fn show(result: &io::Result<u64>) -> String {
    match result {
        Ok(bytes) => format!("Ok({bytes} bytes)"),
        Err(error) => format!("Err({:?}: {error})", error.kind()),
    }
}

/// Whether anything, a broken symbolic link included, is at `path`.
fn is_there(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
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

    println!("\n1. A plain copy: the hook flushes and syncs, finds nothing wrong, keeps Ok.");
    let copy = dir.join("notes-copy.txt");
    let success = copy_file(&src, &copy);
    println!("  => {}", show(&success));
    let copy_matches = fs::read(&copy)? == fs::read(&src)?;
    println!("  the copy has the same bytes as the source: {copy_matches}");

    println!("\n2. The destination's directory does not exist: File::create fails.");
    println!("   The `?` returns before the hook and the defer_on_err! were registered,");
    println!("   so neither runs: there is nothing to flush or remove.");
    let missing_dir = copy_file(&src, &dir.join("no-such-dir").join("notes.txt"));
    println!("  => {}", show(&missing_dir));

    println!("\n3. The disk is full (the destination is a link to /dev/full): every write");
    println!("   lands in the buffer and returns Ok, the hook's flush fails and turns Ok");
    println!("   into Err, and defer_on_err!, which runs after it, removes the copy.");
    let full = dir.join("notes-on-a-full-disk.txt");
    std::os::unix::fs::symlink("/dev/full", &full)?;
    let disk_full = copy_file(&src, &full);
    println!("  => {}", show(&disk_full));
    let disk_full_left_file = is_there(&full);
    println!("  {} exists afterwards: {disk_full_left_file}", full.display());

    println!("\n4. Reading the source fails (it is a directory): the `?` in the loop returns");
    println!("   that Err, the hook flushes (nothing) and leaves the error as it is, and");
    println!("   defer_on_err! removes the empty copy.");
    let partial = dir.join("partial-copy.txt");
    let unreadable = copy_file(&dir, &partial);
    println!("  => {}", show(&unreadable));
    let unreadable_left_file = is_there(&partial);
    println!(
        "  {} exists afterwards: {unreadable_left_file}",
        partial.display()
    );

    Ok(Results {
        success,
        copy_matches,
        missing_dir,
        disk_full,
        disk_full_left_file,
        unreadable,
        unreadable_left_file,
        work_dir: dir.clone(),
    })
}

fn main() -> io::Result<()> {
    println!("file_copy: a hook reports a failed flush through the returned io::Result\n");
    run()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::ErrorKind;
    use std::path::Path;

    #[test]
    fn copies_and_reports_late_errors() {
        let results = super::run().unwrap();
        assert_eq!(results.success.unwrap(), 4400);
        assert!(results.copy_matches, "the copy differs from the source");
        assert_eq!(results.missing_dir.unwrap_err().kind(), ErrorKind::NotFound);
        // A real ENOSPC, from the flush in the hook: every write had returned Ok.
        let full = results.disk_full.unwrap_err();
        assert_eq!(full.kind(), ErrorKind::StorageFull, "{full}");
        assert!(
            !results.disk_full_left_file,
            "the link to /dev/full was not removed"
        );
        assert!(Path::new("/dev/full").exists(), "only the link may go");
        // The body's error goes through the hook unchanged.
        assert_eq!(results.unreadable.unwrap_err().kind(), ErrorKind::IsADirectory);
        assert!(!results.unreadable_left_file, "the partial copy was not removed");
        assert!(!results.work_dir.exists(), "the work directory was not removed");
    }
}
