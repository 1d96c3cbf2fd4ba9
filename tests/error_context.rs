//! Capturing the error and adding context to it.
//!
//! `defer_on_err!(|err| …)` runs on every `Err` exit with `err: &mut E`
//! (Zig's `errdefer |err|`), after `?`'s conversion, LIFO with the other
//! actions, and not on a panic or a cancellation, which have no error value.
//! `#[defer_on_exit(map_err = |err| …)]` replaces the error the function
//! returns with the closure's value, built only on the error path: one line
//! of function-level context, for any error type.

use anyhow::bail;
use epilogue::defer_on_exit;
use epilogue_test_support::{block_on, events, log, panic_message};
use std::cell::Cell;
use std::fmt;
use std::path::{Path, PathBuf};

#[defer_on_exit]
fn parse_all(texts: &[&str]) -> Result<u32, String> {
    defer_on_err!(|err| log(format!("errdefer saw {err}")));
    defer!(|ret| log(format!("hook saw {ret:?}")));
    let mut total = 0;
    for text in texts {
        if text.is_empty() {
            return Err("empty".into());
        }
        total += text.parse::<u32>().map_err(|error| error.to_string())?;
    }
    if total == 0 {
        Err("zero".into())
    } else {
        Ok(total)
    }
}

#[test]
fn errdefer_sees_the_error_on_every_err_exit() {
    assert_eq!(parse_all(&["1"]), Ok(1));
    assert_eq!(events(), ["hook saw Ok(1)"]);
    for (texts, error) in [
        (&["1", ""][..], "empty"),
        (&["x"][..], "invalid digit found in string"),
        (&["0"][..], "zero"),
    ] {
        assert_eq!(parse_all(texts), Err(error.to_owned()));
        // Registered first, it runs last: after the hook.
        assert_eq!(
            events(),
            [
                format!("hook saw Err({error:?})"),
                format!("errdefer saw {error}")
            ]
        );
    }
}

#[defer_on_exit]
fn replaces(fail: bool) -> Result<u8, String> {
    defer_on_err!(|err| err.push_str(" (while replacing)"));
    defer_on_err!(|err| *err = err.to_uppercase());
    if fail {
        return Err("failed".into());
    }
    Ok(1)
}

#[test]
fn errdefer_can_change_the_error_lifo() {
    assert_eq!(replaces(true), Err("FAILED (while replacing)".into()));
    assert_eq!(replaces(false), Ok(1));
}

#[defer_on_exit]
fn panics_after(fail: bool) -> Result<u8, String> {
    defer_on_err! { log("block form: runs on the panic") }
    defer_on_err!(|err| log(format!("capture form: never on a panic ({err})")));
    assert!(!fail, "boom");
    Ok(1)
}

#[test]
fn errdefer_does_not_run_on_a_panic() {
    assert_eq!(panic_message(|| panics_after(true)).unwrap_err(), "boom");
    assert_eq!(events(), ["block form: runs on the panic"]);
}

/// `move` captures at registration; the body may consume the original.
#[defer_on_exit]
fn consumes(name: String) -> Result<usize, String> {
    let shown = name.len();
    defer_on_err!(move |err| err.push_str(&format!(" (name of {shown} bytes)")));
    let owned: Vec<u8> = name.into_bytes();
    if owned.is_empty() {
        return Err("empty name".into());
    }
    Ok(owned.len())
}

#[test]
fn errdefer_move_captures_at_registration() {
    assert_eq!(
        consumes(String::new()),
        Err("empty name (name of 0 bytes)".into())
    );
    assert_eq!(consumes("ab".into()), Ok(2));
}

#[defer_on_exit]
async fn async_errdefer(fail: bool) -> Result<u8, String> {
    defer_on_err!(|err| log(format!("async errdefer saw {err}")));
    std::future::ready(()).await;
    if fail {
        return Err("async failure".into());
    }
    Ok(1)
}

#[test]
fn errdefer_in_an_async_fn() {
    assert_eq!(block_on(async_errdefer(true)), Err("async failure".into()));
    assert_eq!(events(), ["async errdefer saw async failure"]);
    let mut future = Box::pin(async_errdefer(true));
    assert!(epilogue_test_support::poll_once(future.as_mut()).is_ready());
    drop(future);
    assert_eq!(events(), ["async errdefer saw async failure"]);
}

// ---- Function-level context: `map_err`.

/// Counts how often the context is built: it must not be on success.
struct Counted<'a>(&'a Cell<u32>, &'a Path);

impl fmt::Display for Counted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.set(self.0.get() + 1);
        write!(f, "loading {}", self.1.display())
    }
}

#[defer_on_exit(map_err = |err| err.context(Counted(built, path).to_string()))]
fn load(path: &Path, built: &Cell<u32>, how: &str) -> anyhow::Result<String> {
    match how {
        "return" => return Err(anyhow::anyhow!("returned")),
        "bail" => bail!("bailed"),
        "question" => {
            let number: u32 = "x".parse()?;
            return Ok(number.to_string());
        }
        "tail" => {}
        _ => return Ok("fine".into()),
    }
    Err(anyhow::anyhow!("at the tail"))
}

#[test]
fn anyhow_context_on_every_exit_and_only_on_errors() {
    let built = Cell::new(0);
    let path = Path::new("config.toml");
    assert_eq!(load(path, &built, "ok").unwrap(), "fine");
    assert_eq!(built.get(), 0, "no context is built on success");
    for (how, cause) in [
        ("return", "returned"),
        ("bail", "bailed"),
        ("question", "invalid digit found in string"),
        ("tail", "at the tail"),
    ] {
        let error = load(path, &built, how).unwrap_err();
        assert_eq!(format!("{error:#}"), format!("loading config.toml: {cause}"));
    }
    assert_eq!(built.get(), 4);
}

#[defer_on_exit(map_err = |err| err.wrap_err(format!("reading {}", path.display())))]
fn eyre_read(path: &Path) -> eyre::Result<String> {
    eyre::ensure!(path.extension().is_some(), "no extension");
    Ok(path.display().to_string())
}

#[test]
fn eyre_wrap_err() {
    let error = eyre_read(Path::new("README")).unwrap_err();
    assert_eq!(format!("{error:#}"), "reading README: no extension");
    assert_eq!(eyre_read(Path::new("a.md")).unwrap(), "a.md");
}

/// A boxed error, wrapped in a context error that keeps it as its source.
#[derive(Debug)]
struct WithContext {
    context: String,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl fmt::Display for WithContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.context)
    }
}

impl std::error::Error for WithContext {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[defer_on_exit(map_err = |source| Box::new(WithContext { context: format!("opening {}", path.display()), source }))]
fn open(path: &Path) -> Result<std::fs::File, BoxError> {
    Ok(std::fs::File::open(path)?)
}

#[test]
fn a_boxed_error_keeps_its_source() {
    let error = open(Path::new("/nonexistent/file")).unwrap_err();
    assert_eq!(error.to_string(), "opening /nonexistent/file");
    let source = error.source().expect("the original error is the source");
    assert!(source.to_string().contains("No such file"));
}

/// A thiserror enum whose variant wraps the error it adds context to.
#[derive(Debug, thiserror::Error)]
enum ConfigError {
    #[error("cannot read the file")]
    Io(#[from] std::io::Error),
    #[error("invalid number")]
    Number(#[from] std::num::ParseIntError),
    #[error("loading {path}")]
    Loading {
        path: PathBuf,
        #[source]
        source: Box<ConfigError>,
    },
}

/// The message names an argument the body consumes: a block ending in a
/// `move` closure runs at the top of the body, and keeps a clone.
#[defer_on_exit(map_err = {
    let shown = path.clone();
    move |err| ConfigError::Loading { path: shown, source: Box::new(err) }
})]
fn read_number(path: PathBuf) -> Result<u32, ConfigError> {
    let text = std::fs::read_to_string(path)?;
    Ok(text.trim().parse()?)
}

#[test]
fn a_thiserror_variant_wraps_the_error() {
    let dir = std::env::temp_dir().join(format!("epilogue-context-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("number.txt");
    std::fs::write(&file, "12\n").unwrap();
    assert_eq!(read_number(file.clone()).unwrap(), 12);
    std::fs::write(&file, "twelve").unwrap();
    let error = read_number(file.clone()).unwrap_err();
    assert_eq!(error.to_string(), format!("loading {}", file.display()));
    assert!(
        matches!(&error, ConfigError::Loading { source, .. } if matches!(**source, ConfigError::Number(_)))
    );
    let missing = dir.join("missing");
    let error = read_number(missing.clone()).unwrap_err();
    assert_eq!(error.to_string(), format!("loading {}", missing.display()));
    assert!(matches!(&error, ConfigError::Loading { source, .. } if matches!(**source, ConfigError::Io(_))));
    std::fs::remove_dir_all(&dir).unwrap();
}

struct User {
    id: u64,
    name: String,
}

fn insert(users: &mut Vec<String>, user: User) -> anyhow::Result<()> {
    anyhow::ensure!(!user.name.is_empty(), "a user needs a name");
    users.push(user.name);
    Ok(())
}

/// The body consumes `user`; a `move` mapping copies the `Copy` field it
/// names at the top of the body, and builds its message only on an error.
#[defer_on_exit(map_err = move |err| err.context(format!("saving user {}", user.id)))]
fn save(users: &mut Vec<String>, user: User) -> anyhow::Result<usize> {
    insert(users, user)?;
    Ok(users.len())
}

#[test]
fn a_move_mapping_names_a_field_of_an_argument_the_body_consumes() {
    let mut users = Vec::new();
    assert_eq!(
        save(
            &mut users,
            User {
                id: 1,
                name: "ada".into()
            }
        )
        .unwrap(),
        1
    );
    let error = save(
        &mut users,
        User {
            id: 7,
            name: String::new(),
        },
    )
    .unwrap_err();
    assert_eq!(format!("{error:#}"), "saving user 7: a user needs a name");
}

/// The mapping runs last, after the body's own error-path actions, which see
/// the unmapped error.
#[defer_on_exit(map_err = |err| format!("outer: {err}"))]
fn layered() -> Result<(), String> {
    defer_on_err!(|err| log(format!("inner saw {err}")));
    Err("cause".into())
}

#[test]
fn the_mapping_runs_after_the_body_actions() {
    assert_eq!(layered(), Err("outer: cause".into()));
    assert_eq!(events(), ["inner saw cause"]);
}

/// A mapping that panics turns the exit into a panic; the actions registered
/// before it see a panicking exit.
#[defer_on_exit(map_err = |err: String| -> String { panic!("mapping {err} failed") })]
fn mapping_panics() -> Result<(), String> {
    defer_on_err! { log("the block form sees a failing exit") }
    Err("cause".into())
}

#[test]
fn a_mapping_that_panics_follows_the_panic_policy() {
    assert_eq!(panic_message(mapping_panics).unwrap_err(), "mapping cause failed");
    assert_eq!(events(), ["the block form sees a failing exit"]);
}
