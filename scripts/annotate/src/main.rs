//! `epilogue-annotate MODE DIR...`: puts epilogue's attributes on every
//! function with a body in every `.rs` file under each DIR, in place.
//!
//! `scripts/annotate-crates.sh` runs it on the `src/`, `tests/`, `benches/`
//! and `examples/` of published crates, then runs their own test suites.
//!
//! MODE is one of:
//! - `defer`: `#[::epilogue::defer_on_exit]` and, first in the body, an empty
//!   `defer! {}` (what the attribute expands on tokens, in a synchronous
//!   function);
//! - `hook`: `#[::epilogue::defer_on_exit]` and, first in the body, a hook
//!   that reads the return value without changing it:
//!   `defer!(|ret| { let _ = &ret; });`
//! - `hook_err`: the same, plus an empty `defer_on_err! {}` in functions whose
//!   return type is syntactically `Option<..>`, a path whose last segment is
//!   `Result` (`Result<..>`, `io::Result<T>`, `fmt::Result`, a crate's
//!   `Result<T>` alias), `Poll<Result<..>>` or `Poll<Option<Result<..>>>`;
//! - `recover`: `#[::epilogue::recover(with = |p| p.resume())]` only, which
//!   re-raises every panic;
//! - `both`: `hook_err` and `recover` together.
//!
//! Every function with a body is annotated: free functions, inherent and
//! trait-impl methods, trait default methods, nested functions, `async`,
//! `unsafe`, `extern "C"` and generic functions, tests. A function returning
//! `!` gets a plain `defer! {}` instead of the hook. Skipped: `const fn`,
//! functions without a body, functions that already carry an epilogue
//! attribute, and functions inside macro invocations and `macro_rules!`
//! bodies (syn does not parse those; they are only counted).
//!
//! The text is inserted at byte offsets taken from the parsed spans, on the
//! line where it belongs, so comments, doc tests, formatting and line numbers
//! stay as they were. In an edition-2015 package, each crate root file
//! (`src/lib.rs`, `src/main.rs`, `src/bin/*`, top-level files of `tests/`,
//! `benches/`, `examples/`) also gets `extern crate epilogue;`.
//!
//! Prints one summary line: files rewritten, functions annotated, functions
//! skipped by reason.

mod annotate;

use annotate::{Insertion, Mode, Tally};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::{env, fs, io};

const USAGE: &str = "usage: epilogue-annotate defer|hook|hook_err|recover|both DIR...";

/// Counts of files, beside the functions' [`Tally`].
#[derive(Default)]
struct Files {
    seen: usize,
    rewritten: usize,
    unparsable: usize,
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let Some((name, dirs)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Some(mode) = Mode::parse(name) else {
        eprintln!("unknown mode `{name}`\n{USAGE}");
        return ExitCode::from(2);
    };
    match run(mode, dirs) {
        Ok((files, tally)) => {
            println!("{}", summary(name, &files, &tally));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("epilogue-annotate: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Annotates every `.rs` file under each of `dirs`.
fn run(mode: Mode, dirs: &[String]) -> io::Result<(Files, Tally)> {
    let mut files = Files::default();
    let mut tally = Tally::default();
    for dir in dirs {
        for path in rust_files(Path::new(dir))? {
            files.seen += 1;
            match annotate_file(&path, mode, &mut tally)? {
                Outcome::Rewritten => files.rewritten += 1,
                Outcome::Unchanged => {}
                Outcome::Unparsable(error) => {
                    eprintln!("epilogue-annotate: left {} alone: {error}", path.display());
                    files.unparsable += 1;
                }
            }
        }
    }
    Ok((files, tally))
}

/// Every `.rs` file under `dir`, in a stable order.
fn rust_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            found.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
    Ok(found)
}

enum Outcome {
    Rewritten,
    Unchanged,
    Unparsable(syn::Error),
}

/// Annotates one file in place.
fn annotate_file(path: &Path, mode: Mode, tally: &mut Tally) -> io::Result<Outcome> {
    let source = fs::read_to_string(path)?;
    let file = match parse(&source) {
        Ok(file) => file,
        Err(error) => return Ok(Outcome::Unparsable(error)),
    };
    let mut insertions = annotate::insertions(&source, &file, mode, tally);
    if needs_extern_crate(path) {
        insertions.push(Insertion {
            at: annotate::after_inner_attributes(&source, &file),
            text: " extern crate epilogue;".to_owned(),
        });
    }
    if insertions.is_empty() {
        return Ok(Outcome::Unchanged);
    }
    fs::write(path, apply(&source, insertions))?;
    Ok(Outcome::Rewritten)
}

/// Parses `source` so that span byte offsets are offsets into `source`
/// (`syn::parse_file` cuts a BOM and a shebang off first, which shifts them).
fn parse(source: &str) -> syn::Result<syn::File> {
    let mut masked = source.to_owned();
    if let Some(rest) = source.strip_prefix('\u{feff}') {
        masked = format!("{}{rest}", " ".repeat('\u{feff}'.len_utf8()));
    }
    let body = masked.trim_start_matches(' ');
    if body.starts_with("#!") && !body[2..].trim_start().starts_with('[') {
        let line_end = masked.find('\n').unwrap_or(masked.len());
        masked.replace_range(..line_end, &" ".repeat(line_end));
    }
    syn::parse_str(&masked)
}

/// Whether `path` is a crate root of an edition-2015 package, where the
/// absolute paths `::epilogue::…` need an `extern crate`.
fn needs_extern_crate(path: &Path) -> bool {
    let Some(package) = path
        .ancestors()
        .skip(1)
        .find(|dir| dir.join("Cargo.toml").is_file())
    else {
        return false;
    };
    let manifest = fs::read_to_string(package.join("Cargo.toml")).unwrap_or_default();
    edition(&manifest) == "2015" && path.strip_prefix(package).is_ok_and(is_crate_root)
}

/// The `edition = "…"` of a manifest; 2015 when it has none.
fn edition(manifest: &str) -> String {
    manifest
        .lines()
        .filter_map(|line| line.trim().strip_prefix("edition"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .map(|value| value.trim().trim_matches('"').to_owned())
        .next()
        .unwrap_or_else(|| "2015".to_owned())
}

/// Cargo's default target roots, relative to the package directory.
fn is_crate_root(relative: &Path) -> bool {
    let parts: Vec<&str> = relative.iter().filter_map(|part| part.to_str()).collect();
    matches!(
        parts.as_slice(),
        ["src", "lib.rs" | "main.rs"]
            | ["src", "bin", _]
            | ["src", "bin", _, "main.rs"]
            | ["tests" | "benches" | "examples", _]
            | ["tests" | "benches" | "examples", _, "main.rs"]
    )
}

/// `source` with every insertion made; insertions at the same offset keep
/// their order (an enclosing body's statement before a nested function's attribute).
fn apply(source: &str, mut insertions: Vec<Insertion>) -> String {
    insertions.sort_by_key(|insertion| insertion.at);
    let mut out = String::with_capacity(source.len() + insertions.len() * 48);
    let mut copied = 0;
    for insertion in insertions {
        out.push_str(&source[copied..insertion.at]);
        out.push_str(&insertion.text);
        copied = insertion.at;
    }
    out.push_str(&source[copied..]);
    out
}

fn summary(mode: &str, files: &Files, tally: &Tally) -> String {
    format!(
        "epilogue-annotate {mode}: {} of {} files rewritten, {} functions annotated \
         ({} with defer_on_err!, {} returning ! with a plain defer!); skipped: {} const fn, \
         {} without a body, {} already annotated, {} in macro bodies; {} files unparsable",
        files.rewritten,
        files.seen,
        tally.annotated,
        tally.with_on_err,
        tally.never_returning,
        tally.const_fn,
        tally.no_body,
        tally.already_annotated,
        tally.in_macros,
        files.unparsable,
    )
}
