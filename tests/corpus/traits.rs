//! Implementations of standard traits (`Iterator`, `Display`, `FromStr`,
//! `TryFrom`, `Future`, `Index`, `IndexMut`, `Error`, `Drop`, `Clone`,
//! `PartialOrd`), a trait with a generic associated type and a trait with
//! `impl Trait` in return position, each method annotated in the impl.
//!
//! Each trait is implemented three times, on `Plain<T>`, `D<T>` (methods
//! with `#[defer_on_exit]`) and `R<T>` (methods with
//! `#[recover(with = |p| p.resume())]`).

use crate::probe;
use epilogue::{defer_on_exit, recover};
use std::fmt;
use std::future::Future;
use std::ops::{Index, IndexMut};
use std::pin::Pin;
use std::str::FromStr;
use std::task::{Context, Poll};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plain<T>(pub T);
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct D<T>(pub T);
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct R<T>(pub T);

// ---- `Iterator::next` -> `Option<Self::Item>` ---------------------------------------

impl Iterator for Plain<u32> {
    type Item = u32;

    fn next(&mut self) -> Option<Self::Item> {
        self.0 = self.0.checked_sub(1)?;
        Some(self.0 * 10)
    }
}

impl Iterator for D<u32> {
    type Item = u32;

    #[defer_on_exit]
    fn next(&mut self) -> Option<Self::Item> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::hook(ret));
        self.0 = self.0.checked_sub(1)?;
        Some(self.0 * 10)
    }
}

impl Iterator for R<u32> {
    type Item = u32;

    #[recover(with = |p| p.resume())]
    fn next(&mut self) -> Option<Self::Item> {
        self.0 = self.0.checked_sub(1)?;
        Some(self.0 * 10)
    }
}

// ---- an iterator handing out `&'a mut` items moved out of `self` --------------------------

pub struct IterMut<'a, T> {
    pub rest: &'a mut [T],
}

pub fn iter_mut_next_plain<'a, T>(iter: &mut IterMut<'a, T>) -> Option<&'a mut T> {
    let rest = std::mem::take(&mut iter.rest);
    let (first, tail) = rest.split_first_mut()?;
    iter.rest = tail;
    Some(first)
}

#[defer_on_exit]
pub fn iter_mut_next_d<'a, T: fmt::Debug>(iter: &mut IterMut<'a, T>) -> Option<&'a mut T> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::hook(ret));
    let rest = std::mem::take(&mut iter.rest);
    let (first, tail) = rest.split_first_mut()?;
    iter.rest = tail;
    Some(first)
}

#[recover(with = |p| p.resume())]
pub fn iter_mut_next_r<'a, T>(iter: &mut IterMut<'a, T>) -> Option<&'a mut T> {
    let rest = std::mem::take(&mut iter.rest);
    let (first, tail) = rest.split_first_mut()?;
    iter.rest = tail;
    Some(first)
}

// ---- `Display::fmt` -> `fmt::Result`, `?` on `write!` ------------------------------------------

impl fmt::Display for Plain<Vec<u32>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return Err(fmt::Error);
        }
        for value in &self.0 {
            write!(f, "<{value}>")?;
        }
        Ok(())
    }
}

impl fmt::Display for D<Vec<u32>> {
    #[defer_on_exit]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::hook(ret));
        if self.0.is_empty() {
            return Err(fmt::Error);
        }
        for value in &self.0 {
            write!(f, "<{value}>")?;
        }
        Ok(())
    }
}

impl fmt::Display for R<Vec<u32>> {
    #[recover(with = |p| p.resume())]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return Err(fmt::Error);
        }
        for value in &self.0 {
            write!(f, "<{value}>")?;
        }
        Ok(())
    }
}

// ---- `FromStr::from_str` -> `Result<Self, Self::Err>` ---------------------------------------------

impl FromStr for Plain<(u8, u8)> {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (a, b) = text.split_once(',').ok_or("no comma")?;
        let parse = |part: &str| part.trim().parse::<u8>().map_err(|e| e.to_string());
        Ok(Self((parse(a)?, parse(b)?)))
    }
}

impl FromStr for D<(u8, u8)> {
    type Err = String;

    #[defer_on_exit]
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::hook(ret));
        let (a, b) = text.split_once(',').ok_or("no comma")?;
        let parse = |part: &str| part.trim().parse::<u8>().map_err(|e| e.to_string());
        Ok(Self((parse(a)?, parse(b)?)))
    }
}

impl FromStr for R<(u8, u8)> {
    type Err = String;

    #[recover(with = |p| p.resume())]
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (a, b) = text.split_once(',').ok_or("no comma")?;
        let parse = |part: &str| part.trim().parse::<u8>().map_err(|e| e.to_string());
        Ok(Self((parse(a)?, parse(b)?)))
    }
}

// ---- `TryFrom::try_from` -> `Result<Self, Self::Error>` ------------------------------------------------

impl TryFrom<i64> for Plain<u16> {
    type Error = std::num::TryFromIntError;

    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Ok(Self(u16::try_from(value)?))
    }
}

impl TryFrom<i64> for D<u16> {
    type Error = std::num::TryFromIntError;

    #[defer_on_exit]
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::hook(ret));
        Ok(Self(u16::try_from(value)?))
    }
}

impl TryFrom<i64> for R<u16> {
    type Error = std::num::TryFromIntError;

    #[recover(with = |p| p.resume())]
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Ok(Self(u16::try_from(value)?))
    }
}

// ---- `Future::poll` with `self: Pin<&mut Self>` and `Context<'_>` -------------------------------------------

impl Future for Plain<u8> {
    type Output = u8;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> {
        if self.0 == 0 {
            return Poll::Ready(42);
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl Future for D<u8> {
    type Output = u8;

    #[defer_on_exit]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> {
        defer! { probe::defer() }
        defer!(|ret| probe::hook(ret));
        if self.0 == 0 {
            return Poll::Ready(42);
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl Future for R<u8> {
    type Output = u8;

    #[recover(with = |p| p.resume())]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> {
        if self.0 == 0 {
            return Poll::Ready(42);
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

// ---- `Index::index` -> `&Self::Output` --------------------------------------------------------------

impl Index<usize> for Plain<Vec<String>> {
    type Output = str;

    fn index(&self, index: usize) -> &str {
        assert!(index < self.0.len(), "no item {index}");
        &self.0[index]
    }
}

impl Index<usize> for D<Vec<String>> {
    type Output = str;

    #[defer_on_exit]
    fn index(&self, index: usize) -> &str {
        defer! { probe::defer() }
        defer!(|ret| probe::hook(ret));
        assert!(index < self.0.len(), "no item {index}");
        &self.0[index]
    }
}

impl Index<usize> for R<Vec<String>> {
    type Output = str;

    #[recover(with = |p| p.resume())]
    fn index(&self, index: usize) -> &str {
        assert!(index < self.0.len(), "no item {index}");
        &self.0[index]
    }
}

// ---- `IndexMut::index_mut` -> `&mut Self::Output` ----------------------------------------------------------

impl IndexMut<usize> for Plain<Vec<String>> {
    fn index_mut(&mut self, index: usize) -> &mut str {
        assert!(index < self.0.len(), "no item {index}");
        &mut self.0[index]
    }
}

impl IndexMut<usize> for D<Vec<String>> {
    #[defer_on_exit]
    fn index_mut(&mut self, index: usize) -> &mut str {
        defer! { probe::defer() }
        defer!(|ret| probe::hook(ret));
        assert!(index < self.0.len(), "no item {index}");
        &mut self.0[index]
    }
}

impl IndexMut<usize> for R<Vec<String>> {
    #[recover(with = |p| p.resume())]
    fn index_mut(&mut self, index: usize) -> &mut str {
        assert!(index < self.0.len(), "no item {index}");
        &mut self.0[index]
    }
}

// ---- `Error::source` -> `Option<&(dyn Error + 'static)>` ----------------------------------------------------

impl fmt::Display for Plain<Option<std::num::ParseIntError>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("wrapped")
    }
}

impl std::error::Error for Plain<Option<std::num::ParseIntError>> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let inner = self.0.as_ref()?;
        Some(inner)
    }
}

impl fmt::Display for D<Option<std::num::ParseIntError>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("wrapped")
    }
}

impl std::error::Error for D<Option<std::num::ParseIntError>> {
    #[defer_on_exit]
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::hook(ret));
        let inner = self.0.as_ref()?;
        Some(inner)
    }
}

impl fmt::Display for R<Option<std::num::ParseIntError>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("wrapped")
    }
}

impl std::error::Error for R<Option<std::num::ParseIntError>> {
    #[recover(with = |p| p.resume())]
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let inner = self.0.as_ref()?;
        Some(inner)
    }
}

// ---- `Drop::drop` (unit, may run during unwinding) -------------------------------------------------------------

/// Count their drops into a shared cell.
pub struct DropPlain<'a>(pub &'a std::cell::Cell<u32>);
pub struct DropD<'a>(pub &'a std::cell::Cell<u32>);
pub struct DropR<'a>(pub &'a std::cell::Cell<u32>);

impl Drop for DropPlain<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

impl Drop for DropD<'_> {
    #[defer_on_exit]
    fn drop(&mut self) {
        defer! { probe::defer() }
        defer!(|ret| probe::hook(ret));
        self.0.set(self.0.get() + 1);
    }
}

impl Drop for DropR<'_> {
    #[recover(with = |p| p.resume())]
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

// ---- `Clone::clone` and `PartialOrd::partial_cmp` ---------------------------------------------------------------

#[derive(Debug, PartialEq, Eq)]
pub struct Versioned<const K: u8>(pub u32);

impl Clone for Versioned<0> {
    fn clone(&self) -> Self {
        Self(self.0 + 1)
    }
}

impl Clone for Versioned<1> {
    #[defer_on_exit]
    fn clone(&self) -> Self {
        defer! { probe::defer() }
        defer!(|ret| probe::hook(ret));
        Self(self.0 + 1)
    }
}

impl Clone for Versioned<2> {
    #[recover(with = |p| p.resume())]
    fn clone(&self) -> Self {
        Self(self.0 + 1)
    }
}

impl PartialOrd for Versioned<0> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        if self.0 == 0 || other.0 == 0 {
            return None;
        }
        Some(self.0.cmp(&other.0))
    }
}

impl PartialOrd for Versioned<1> {
    #[defer_on_exit]
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::hook(ret));
        if self.0 == 0 || other.0 == 0 {
            return None;
        }
        Some(self.0.cmp(&other.0))
    }
}

impl PartialOrd for Versioned<2> {
    #[recover(with = |p| p.resume())]
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        if self.0 == 0 || other.0 == 0 {
            return None;
        }
        Some(self.0.cmp(&other.0))
    }
}

// ---- a generic associated type in the return type ---------------------------------------------------------------

pub trait Lending {
    type Item<'a>
    where
        Self: 'a;

    fn lend(&self, index: usize) -> Option<Self::Item<'_>>;
}

impl Lending for Plain<String> {
    type Item<'a> = &'a str;

    fn lend(&self, index: usize) -> Option<Self::Item<'_>> {
        let (head, _) = self.0.split_at_checked(index)?;
        Some(head)
    }
}

impl Lending for D<String> {
    type Item<'a> = &'a str;

    #[defer_on_exit]
    fn lend(&self, index: usize) -> Option<Self::Item<'_>> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::hook(ret));
        let (head, _) = self.0.split_at_checked(index)?;
        Some(head)
    }
}

impl Lending for R<String> {
    type Item<'a> = &'a str;

    #[recover(with = |p| p.resume())]
    fn lend(&self, index: usize) -> Option<Self::Item<'_>> {
        let (head, _) = self.0.split_at_checked(index)?;
        Some(head)
    }
}

// ---- `impl Trait` in a trait method's return type (RPITIT) ----------------------------------------------------------

pub trait Numbers {
    /// # Errors
    /// When the shape fails.
    fn numbers(&self, limit: u32) -> Result<impl Iterator<Item = u32>, String>;
}

impl Numbers for Plain<u32> {
    fn numbers(&self, limit: u32) -> Result<impl Iterator<Item = u32>, String> {
        if self.0 > limit {
            return Err(format!("{} over {limit}", self.0));
        }
        Ok((0..self.0).map(|x| x * x))
    }
}

impl Numbers for D<u32> {
    #[defer_on_exit]
    fn numbers(&self, limit: u32) -> Result<impl Iterator<Item = u32>, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::hook(ret));
        if self.0 > limit {
            return Err(format!("{} over {limit}", self.0));
        }
        Ok((0..self.0).map(|x| x * x))
    }
}

impl Numbers for R<u32> {
    #[recover(with = |p| p.resume())]
    fn numbers(&self, limit: u32) -> Result<impl Iterator<Item = u32>, String> {
        if self.0 > limit {
            return Err(format!("{} over {limit}", self.0));
        }
        Ok((0..self.0).map(|x| x * x))
    }
}

// ---- a builder returning `&mut Self` ------------------------------------------------------------------------------

impl Plain<Vec<u32>> {
    /// # Panics
    /// When `value` is zero.
    pub fn push(&mut self, value: u32) -> &mut Self {
        assert!(value > 0, "zero pushed");
        self.0.push(value);
        self
    }
}

impl D<Vec<u32>> {
    /// # Panics
    /// When `value` is zero.
    #[defer_on_exit]
    pub fn push(&mut self, value: u32) -> &mut Self {
        defer! { probe::defer() }
        defer!(|ret| probe::hook(ret));
        assert!(value > 0, "zero pushed");
        self.0.push(value);
        self
    }
}

impl R<Vec<u32>> {
    /// # Panics
    /// When `value` is zero.
    #[recover(with = |p| p.resume())]
    pub fn push(&mut self, value: u32) -> &mut Self {
        assert!(value > 0, "zero pushed");
        self.0.push(value);
        self
    }
}

// ---- a struct with an elided lifetime in the return type ---------------------------------------------------------------

#[derive(Debug, PartialEq, Eq)]
pub struct Cursor<'a> {
    pub rest: &'a str,
}

#[must_use]
pub fn cursor_plain(text: &str, skip: usize) -> Option<Cursor<'_>> {
    let rest = text.get(skip..)?;
    Some(Cursor { rest })
}

#[defer_on_exit]
#[must_use]
pub fn cursor_d(text: &str, skip: usize) -> Option<Cursor<'_>> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let rest = text.get(skip..)?;
    Some(Cursor { rest })
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn cursor_r(text: &str, skip: usize) -> Option<Cursor<'_>> {
    let rest = text.get(skip..)?;
    Some(Cursor { rest })
}
