//! `async fn`: `.await` inside nested expressions, in `match` scrutinees and
//! `if` conditions, `?` after `.await`, methods, generics, lifetimes, native
//! `async fn` in traits, `#[async_trait]`, `#[tracing::instrument]`.

use crate::probe;
use epilogue::{defer_on_exit, recover};
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Pending once, then ready: an `.await` that suspends.
#[derive(Debug, Default)]
pub struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

async fn fetch(x: u32) -> Result<u32, String> {
    YieldNow::default().await;
    if x == 0 {
        return Err("nothing at 0".into());
    }
    Ok(x + 1)
}

async fn double(x: u32) -> u32 {
    YieldNow::default().await;
    assert!(x < 1000, "too big to double: {x}");
    x * 2
}

async fn maybe(x: u32) -> Option<u32> {
    YieldNow::default().await;
    x.checked_sub(1)
}

// ---- `foo(bar().await?).await` ---------------------------------------------------

/// # Errors
/// When `x` is zero.
/// # Panics
/// When the value is too big to double.
pub async fn nested_await_plain(x: u32) -> Result<u32, String> {
    let value = double(fetch(x).await?).await;
    Ok(value)
}

/// # Errors
/// When `x` is zero.
/// # Panics
/// When the value is too big to double.
#[defer_on_exit]
pub async fn nested_await_d(x: u32) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let value = double(fetch(x).await?).await;
    Ok(value)
}

/// # Errors
/// When `x` is zero.
/// # Panics
/// When the value is too big to double.
#[recover(with = |p| p.resume())]
pub async fn nested_await_r(x: u32) -> Result<u32, String> {
    let value = double(fetch(x).await?).await;
    Ok(value)
}

// ---- `.await` in a `match` scrutinee, `return` in an arm -----------------------------

/// # Errors
/// When the fetched value is small or missing.
pub async fn await_in_match_plain(x: u32) -> Result<u32, String> {
    let value = match fetch(x).await {
        Ok(value) if value > 10 => value,
        Ok(value) => return Err(format!("small {value}")),
        Err(error) => return Err(error),
    };
    Ok(double(value).await)
}

/// # Errors
/// When the fetched value is small or missing.
#[defer_on_exit]
pub async fn await_in_match_d(x: u32) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let value = match fetch(x).await {
        Ok(value) if value > 10 => value,
        Ok(value) => return Err(format!("small {value}")),
        Err(error) => return Err(error),
    };
    Ok(double(value).await)
}

/// # Errors
/// When the fetched value is small or missing.
#[recover(with = |p| p.resume())]
pub async fn await_in_match_r(x: u32) -> Result<u32, String> {
    let value = match fetch(x).await {
        Ok(value) if value > 10 => value,
        Ok(value) => return Err(format!("small {value}")),
        Err(error) => return Err(error),
    };
    Ok(double(value).await)
}

// ---- `.await` in `if` and `while` conditions ------------------------------------------------

/// # Errors
/// When `x` is zero.
pub async fn await_in_if_plain(x: u32) -> Result<u32, String> {
    let mut rounds = 0;
    while double(rounds).await < 6 {
        rounds += 1;
    }
    if fetch(x).await? > 5 {
        Ok(rounds * 100)
    } else if maybe(x).await.is_some() {
        Ok(rounds)
    } else {
        Err("small".into())
    }
}

/// # Errors
/// When `x` is zero.
#[defer_on_exit]
pub async fn await_in_if_d(x: u32) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut rounds = 0;
    while double(rounds).await < 6 {
        rounds += 1;
    }
    if fetch(x).await? > 5 {
        Ok(rounds * 100)
    } else if maybe(x).await.is_some() {
        Ok(rounds)
    } else {
        Err("small".into())
    }
}

/// # Errors
/// When `x` is zero.
#[recover(with = |p| p.resume())]
pub async fn await_in_if_r(x: u32) -> Result<u32, String> {
    let mut rounds = 0;
    while double(rounds).await < 6 {
        rounds += 1;
    }
    if fetch(x).await? > 5 {
        Ok(rounds * 100)
    } else if maybe(x).await.is_some() {
        Ok(rounds)
    } else {
        Err("small".into())
    }
}

// ---- `Option` with `?` after `.await`, and `.await` after `?` --------------------------------

pub async fn await_option_plain(x: u32, later: Option<YieldNow>) -> Option<u32> {
    let first = maybe(x).await?;
    later?.await;
    maybe(first).await
}

#[defer_on_exit]
pub async fn await_option_d(x: u32, later: Option<YieldNow>) -> Option<u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let first = maybe(x).await?;
    later?.await;
    maybe(first).await
}

#[recover(with = |p| p.resume())]
pub async fn await_option_r(x: u32, later: Option<YieldNow>) -> Option<u32> {
    let first = maybe(x).await?;
    later?.await;
    maybe(first).await
}

// ---- async methods: `&self` and `&mut self` ---------------------------------------------------

#[derive(Debug, Default, PartialEq, Eq, Clone)]
pub struct Counter {
    pub hits: u32,
}

impl Counter {
    /// # Errors
    /// When `x` is zero.
    pub async fn peek_plain(&self, x: u32) -> Result<u32, String> {
        Ok(fetch(x).await? + self.hits)
    }

    /// # Errors
    /// When `x` is zero.
    #[defer_on_exit]
    pub async fn peek_d(&self, x: u32) -> Result<u32, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        Ok(fetch(x).await? + self.hits)
    }

    /// # Errors
    /// When `x` is zero.
    #[recover(with = |p| p.resume())]
    pub async fn peek_r(&self, x: u32) -> Result<u32, String> {
        Ok(fetch(x).await? + self.hits)
    }

    pub async fn hit_plain(&mut self, x: u32) -> Option<u32> {
        self.hits += 1;
        let value = maybe(x).await?;
        self.hits += value;
        Some(self.hits)
    }

    #[defer_on_exit]
    pub async fn hit_d(&mut self, x: u32) -> Option<u32> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        self.hits += 1;
        let value = maybe(x).await?;
        self.hits += value;
        Some(self.hits)
    }

    #[recover(with = |p| p.resume())]
    pub async fn hit_r(&mut self, x: u32) -> Option<u32> {
        self.hits += 1;
        let value = maybe(x).await?;
        self.hits += value;
        Some(self.hits)
    }
}

// ---- a generic `async fn` with a `where` clause and an `impl Future` argument -----------------------

/// # Errors
/// When `source` fails or `limit` is exceeded.
pub async fn generic_async_plain<F, T>(source: F, limit: T) -> Result<String, String>
where
    F: Future<Output = Result<u32, String>> + Send,
    T: Into<u32> + Send,
{
    let value = source.await?;
    if value > limit.into() {
        return Err(format!("{value} over the limit"));
    }
    Ok(value.to_string())
}

/// # Errors
/// When `source` fails or `limit` is exceeded.
#[defer_on_exit]
pub async fn generic_async_d<F, T>(source: F, limit: T) -> Result<String, String>
where
    F: Future<Output = Result<u32, String>> + Send,
    T: Into<u32> + Send,
{
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let value = source.await?;
    if value > limit.into() {
        return Err(format!("{value} over the limit"));
    }
    Ok(value.to_string())
}

/// # Errors
/// When `source` fails or `limit` is exceeded.
#[recover(with = |p| p.resume())]
pub async fn generic_async_r<F, T>(source: F, limit: T) -> Result<String, String>
where
    F: Future<Output = Result<u32, String>> + Send,
    T: Into<u32> + Send,
{
    let value = source.await?;
    if value > limit.into() {
        return Err(format!("{value} over the limit"));
    }
    Ok(value.to_string())
}

// ---- an `async fn` with an explicit lifetime in the result ------------------------------------------

/// # Errors
/// When there is no word.
pub async fn async_lifetime_plain<'a>(text: &'a str, skip: &str) -> Result<&'a str, String> {
    YieldNow::default().await;
    text.split_whitespace()
        .find(|word| *word != skip)
        .ok_or_else(|| format!("only {skip:?}"))
}

/// # Errors
/// When there is no word.
#[defer_on_exit]
pub async fn async_lifetime_d<'a>(text: &'a str, skip: &str) -> Result<&'a str, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    YieldNow::default().await;
    text.split_whitespace()
        .find(|word| *word != skip)
        .ok_or_else(|| format!("only {skip:?}"))
}

/// # Errors
/// When there is no word.
#[recover(with = |p| p.resume())]
pub async fn async_lifetime_r<'a>(text: &'a str, skip: &str) -> Result<&'a str, String> {
    YieldNow::default().await;
    text.split_whitespace()
        .find(|word| *word != skip)
        .ok_or_else(|| format!("only {skip:?}"))
}

// ---- an `async fn` returning `impl Display` ------------------------------------------------------

pub async fn async_impl_plain(x: u32) -> impl Display {
    let doubled = double(x).await;
    format!("<{doubled}>")
}

#[defer_on_exit]
pub async fn async_impl_d(x: u32) -> impl Display {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    let doubled = double(x).await;
    format!("<{doubled}>")
}

#[recover(with = |p| p.resume())]
pub async fn async_impl_r(x: u32) -> impl Display {
    let doubled = double(x).await;
    format!("<{doubled}>")
}

// ---- unit `async fn` with an early `return` -----------------------------------------------------------

pub async fn async_unit_plain(log: &mut Vec<u32>, x: u32) {
    if x == 0 {
        return;
    }
    log.push(double(x).await);
}

#[defer_on_exit]
pub async fn async_unit_d(log: &mut Vec<u32>, x: u32) {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    if x == 0 {
        return;
    }
    log.push(double(x).await);
}

#[recover(with = |p| p.resume())]
pub async fn async_unit_r(log: &mut Vec<u32>, x: u32) {
    if x == 0 {
        return;
    }
    log.push(double(x).await);
}

// ---- an `async` block and an async closure in the body, with their own `?` ---------------------------------

/// # Errors
/// When a fetch fails.
pub async fn inner_async_plain(x: u32) -> Result<u32, String> {
    let inner = async {
        let value = maybe(x).await?;
        Some(value * 10)
    };
    let add = async |y: u32| -> Result<u32, String> { Ok(fetch(y).await? + 1) };
    let base = inner.await.unwrap_or(0);
    Ok(base + add(x).await?)
}

/// # Errors
/// When a fetch fails.
#[defer_on_exit]
pub async fn inner_async_d(x: u32) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let inner = async {
        let value = maybe(x).await?;
        Some(value * 10)
    };
    let add = async |y: u32| -> Result<u32, String> { Ok(fetch(y).await? + 1) };
    let base = inner.await.unwrap_or(0);
    Ok(base + add(x).await?)
}

/// # Errors
/// When a fetch fails.
#[recover(with = |p| p.resume())]
pub async fn inner_async_r(x: u32) -> Result<u32, String> {
    let inner = async {
        let value = maybe(x).await?;
        Some(value * 10)
    };
    let add = async |y: u32| -> Result<u32, String> { Ok(fetch(y).await? + 1) };
    let base = inner.await.unwrap_or(0);
    Ok(base + add(x).await?)
}

// ---- native `async fn` in a trait: default body and impl --------------------------------------------------

#[allow(async_fn_in_trait)] // the shape: a public trait with `async fn` (no `Send` bound to promise)
pub trait Store {
    fn base(&self) -> u32;

    /// # Errors
    /// When `x` is zero.
    async fn load_plain(&self, x: u32) -> Result<u32, String> {
        Ok(fetch(x).await? * self.base())
    }

    /// # Errors
    /// When `x` is zero.
    #[defer_on_exit]
    async fn load_d(&self, x: u32) -> Result<u32, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        Ok(fetch(x).await? * self.base())
    }

    /// # Errors
    /// When `x` is zero.
    #[recover(with = |p| p.resume())]
    async fn load_r(&self, x: u32) -> Result<u32, String> {
        Ok(fetch(x).await? * self.base())
    }

    async fn next_plain(&mut self) -> Option<u32>;
    async fn next_d(&mut self) -> Option<u32>;
    async fn next_r(&mut self) -> Option<u32>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memory(pub Vec<u32>);

impl Store for Memory {
    fn base(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }

    async fn next_plain(&mut self) -> Option<u32> {
        let value = self.0.pop()?;
        maybe(value).await
    }

    #[defer_on_exit]
    async fn next_d(&mut self) -> Option<u32> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let value = self.0.pop()?;
        maybe(value).await
    }

    #[recover(with = |p| p.resume())]
    async fn next_r(&mut self) -> Option<u32> {
        let value = self.0.pop()?;
        maybe(value).await
    }
}

// ---- `#[async_trait]` --------------------------------------------------------------------------------------

#[async_trait::async_trait]
pub trait Remote {
    /// # Errors
    /// When `x` is zero.
    async fn call_plain(&self, x: u32) -> Result<u32, String>;
    /// # Errors
    /// When `x` is zero.
    async fn call_d(&self, x: u32) -> Result<u32, String>;
    /// # Errors
    /// When `x` is zero.
    async fn call_r(&self, x: u32) -> Result<u32, String>;

    async fn log_plain(&self, log: &mut Vec<u32>, x: u32);
    async fn log_d(&self, log: &mut Vec<u32>, x: u32);
    async fn log_r(&self, log: &mut Vec<u32>, x: u32);
}

#[derive(Debug)]
pub struct Server(pub u32);

#[async_trait::async_trait]
impl Remote for Server {
    async fn call_plain(&self, x: u32) -> Result<u32, String> {
        let value = fetch(x).await?;
        Ok(value + self.0)
    }

    #[defer_on_exit]
    async fn call_d(&self, x: u32) -> Result<u32, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let value = fetch(x).await?;
        Ok(value + self.0)
    }

    #[recover(with = |p| p.resume())]
    async fn call_r(&self, x: u32) -> Result<u32, String> {
        let value = fetch(x).await?;
        Ok(value + self.0)
    }

    async fn log_plain(&self, log: &mut Vec<u32>, x: u32) {
        if x == 0 {
            return;
        }
        log.push(double(x).await + self.0);
    }

    #[defer_on_exit]
    async fn log_d(&self, log: &mut Vec<u32>, x: u32) {
        defer! { probe::defer() }
        defer!(|ret| probe::hook(ret));
        if x == 0 {
            return;
        }
        log.push(double(x).await + self.0);
    }

    #[recover(with = |p| p.resume())]
    async fn log_r(&self, log: &mut Vec<u32>, x: u32) {
        if x == 0 {
            return;
        }
        log.push(double(x).await + self.0);
    }
}

// ---- `#[tracing::instrument]` above the attribute ------------------------------------------------------------

/// # Errors
/// When `x` is zero.
#[tracing::instrument]
pub async fn instrumented_plain(x: u32) -> Result<u32, String> {
    let value = fetch(x).await?;
    Ok(double(value).await)
}

/// # Errors
/// When `x` is zero.
#[tracing::instrument]
#[defer_on_exit]
pub async fn instrumented_d(x: u32) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let value = fetch(x).await?;
    Ok(double(value).await)
}

/// # Errors
/// When `x` is zero.
#[tracing::instrument]
#[recover(with = |p| p.resume())]
pub async fn instrumented_r(x: u32) -> Result<u32, String> {
    let value = fetch(x).await?;
    Ok(double(value).await)
}

// ---- `#[tracing::instrument]` on a synchronous function -----------------------------------------------------

/// # Errors
/// When `x` is zero.
#[tracing::instrument]
pub fn instrumented_sync_plain(x: u32) -> Result<u32, String> {
    if x == 0 {
        return Err("zero".into());
    }
    Ok(x * 3)
}

/// # Errors
/// When `x` is zero.
#[tracing::instrument]
#[defer_on_exit]
pub fn instrumented_sync_d(x: u32) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if x == 0 {
        return Err("zero".into());
    }
    Ok(x * 3)
}

/// # Errors
/// When `x` is zero.
#[tracing::instrument]
#[recover(with = |p| p.resume())]
pub fn instrumented_sync_r(x: u32) -> Result<u32, String> {
    if x == 0 {
        return Err("zero".into());
    }
    Ok(x * 3)
}

// ---- an `async fn` returning an `impl Fn` whose parameter is used by a method call ---------------------

pub async fn async_impl_fn_plain(extra: usize) -> impl Fn(String) -> usize {
    YieldNow::default().await;
    move |text| text.len() + extra
}

#[defer_on_exit]
pub async fn async_impl_fn_d(extra: usize) -> impl Fn(String) -> usize {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    YieldNow::default().await;
    move |text| text.len() + extra
}

#[recover(with = |p| p.resume())]
pub async fn async_impl_fn_r(extra: usize) -> impl Fn(String) -> usize {
    YieldNow::default().await;
    move |text| text.len() + extra
}
