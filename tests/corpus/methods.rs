//! Methods: every receiver, `Self`, associated functions, trait default
//! methods, trait impl methods, generic impls.

use crate::probe;
use epilogue::{defer_on_exit, recover};
use std::fmt::Display;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    pub owner: String,
    pub balance: i64,
}

impl Account {
    const LIMIT: i64 = 1000;

    fn check(balance: i64) -> Result<i64, String> {
        if balance > Self::LIMIT {
            Err(format!("{balance} over the limit"))
        } else {
            Ok(balance)
        }
    }

    // ---- associated function returning `Self` ---------------------------------

    /// # Panics
    /// When `balance` is negative.
    #[must_use]
    pub fn open_plain(owner: &str, balance: i64) -> Self {
        assert!(balance >= 0, "negative opening balance {balance}");
        Self {
            owner: owner.to_owned(),
            balance,
        }
    }

    /// # Panics
    /// When `balance` is negative.
    #[defer_on_exit]
    #[must_use]
    pub fn open_d(owner: &str, balance: i64) -> Self {
        defer! { probe::defer() }
        defer!(|ret| probe::seen(ret));
        assert!(balance >= 0, "negative opening balance {balance}");
        Self {
            owner: owner.to_owned(),
            balance,
        }
    }

    /// # Panics
    /// When `balance` is negative.
    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn open_r(owner: &str, balance: i64) -> Self {
        assert!(balance >= 0, "negative opening balance {balance}");
        Self {
            owner: owner.to_owned(),
            balance,
        }
    }

    // ---- `Option<Self>` with `?` ---------------------------------------------------

    #[must_use]
    pub fn parse_plain(text: &str) -> Option<Self> {
        let (owner, balance) = text.split_once(':')?;
        let balance = balance.parse().ok()?;
        Some(Self {
            owner: owner.into(),
            balance,
        })
    }

    #[defer_on_exit]
    #[must_use]
    pub fn parse_d(text: &str) -> Option<Self> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let (owner, balance) = text.split_once(':')?;
        let balance = balance.parse().ok()?;
        Some(Self {
            owner: owner.into(),
            balance,
        })
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn parse_r(text: &str) -> Option<Self> {
        let (owner, balance) = text.split_once(':')?;
        let balance = balance.parse().ok()?;
        Some(Self {
            owner: owner.into(),
            balance,
        })
    }

    // ---- `self` by value, `Result<Self, E>` ---------------------------------------------

    /// # Errors
    /// Over the limit.
    pub fn with_balance_plain(self, balance: i64) -> Result<Self, String> {
        let balance = Self::check(balance)?;
        Ok(Self { balance, ..self })
    }

    /// # Errors
    /// Over the limit.
    #[defer_on_exit]
    pub fn with_balance_d(self, balance: i64) -> Result<Self, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let balance = Self::check(balance)?;
        Ok(Self { balance, ..self })
    }

    /// # Errors
    /// Over the limit.
    #[recover(with = |p| p.resume())]
    pub fn with_balance_r(self, balance: i64) -> Result<Self, String> {
        let balance = Self::check(balance)?;
        Ok(Self { balance, ..self })
    }

    // ---- `&self` -----------------------------------------------------------------

    /// # Errors
    /// When the balance is negative.
    pub fn balance_plain(&self) -> Result<i64, String> {
        if self.balance < 0 {
            return Err(format!("{} is overdrawn", self.owner));
        }
        Ok(self.balance)
    }

    /// # Errors
    /// When the balance is negative.
    #[defer_on_exit]
    pub fn balance_d(&self) -> Result<i64, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        if self.balance < 0 {
            return Err(format!("{} is overdrawn", self.owner));
        }
        Ok(self.balance)
    }

    /// # Errors
    /// When the balance is negative.
    #[recover(with = |p| p.resume())]
    pub fn balance_r(&self) -> Result<i64, String> {
        if self.balance < 0 {
            return Err(format!("{} is overdrawn", self.owner));
        }
        Ok(self.balance)
    }

    // ---- `&mut self` ------------------------------------------------------------------

    /// # Errors
    /// Not enough money.
    pub fn withdraw_plain(&mut self, amount: i64) -> Result<i64, String> {
        if amount > self.balance {
            return Err(format!("cannot withdraw {amount}"));
        }
        self.balance -= amount;
        Ok(self.balance)
    }

    /// # Errors
    /// Not enough money.
    #[defer_on_exit]
    pub fn withdraw_d(&mut self, amount: i64) -> Result<i64, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        if amount > self.balance {
            return Err(format!("cannot withdraw {amount}"));
        }
        self.balance -= amount;
        Ok(self.balance)
    }

    /// # Errors
    /// Not enough money.
    #[recover(with = |p| p.resume())]
    pub fn withdraw_r(&mut self, amount: i64) -> Result<i64, String> {
        if amount > self.balance {
            return Err(format!("cannot withdraw {amount}"));
        }
        self.balance -= amount;
        Ok(self.balance)
    }

    // ---- `mut self` -------------------------------------------------------------------

    #[must_use]
    pub fn renamed_plain(mut self, owner: &str) -> Self {
        self.owner = owner.to_uppercase();
        self
    }

    #[defer_on_exit]
    #[must_use]
    pub fn renamed_d(mut self, owner: &str) -> Self {
        defer! { probe::defer() }
        defer!(|ret| probe::seen(ret));
        self.owner = owner.to_uppercase();
        self
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn renamed_r(mut self, owner: &str) -> Self {
        self.owner = owner.to_uppercase();
        self
    }

    // ---- `self: Box<Self>` ---------------------------------------------------------------

    #[must_use]
    #[allow(clippy::boxed_local)] // the shape: a `Box<Self>` receiver (the annotated versions are not linted)
    pub fn boxed_plain(self: Box<Self>) -> Option<String> {
        (self.balance > 0).then_some(self.owner)
    }

    #[defer_on_exit]
    #[must_use]
    pub fn boxed_d(self: Box<Self>) -> Option<String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        (self.balance > 0).then_some(self.owner)
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn boxed_r(self: Box<Self>) -> Option<String> {
        (self.balance > 0).then_some(self.owner)
    }

    // ---- `self: Rc<Self>` -------------------------------------------------------------------

    /// # Errors
    /// When the account is shared.
    pub fn rc_plain(self: Rc<Self>) -> Result<String, usize> {
        match Rc::try_unwrap(self) {
            Ok(account) => Ok(account.owner),
            Err(shared) => Err(Rc::strong_count(&shared)),
        }
    }

    /// # Errors
    /// When the account is shared.
    #[defer_on_exit]
    pub fn rc_d(self: Rc<Self>) -> Result<String, usize> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        match Rc::try_unwrap(self) {
            Ok(account) => Ok(account.owner),
            Err(shared) => Err(Rc::strong_count(&shared)),
        }
    }

    /// # Errors
    /// When the account is shared.
    #[recover(with = |p| p.resume())]
    pub fn rc_r(self: Rc<Self>) -> Result<String, usize> {
        match Rc::try_unwrap(self) {
            Ok(account) => Ok(account.owner),
            Err(shared) => Err(Rc::strong_count(&shared)),
        }
    }

    // ---- `self: Arc<Self>` ------------------------------------------------------------------

    #[must_use]
    pub fn arc_plain(self: Arc<Self>) -> Option<i64> {
        let copy = Arc::clone(&self);
        copy.balance
            .checked_mul(Arc::strong_count(&self).try_into().ok()?)
    }

    #[defer_on_exit]
    #[must_use]
    pub fn arc_d(self: Arc<Self>) -> Option<i64> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let copy = Arc::clone(&self);
        copy.balance
            .checked_mul(Arc::strong_count(&self).try_into().ok()?)
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn arc_r(self: Arc<Self>) -> Option<i64> {
        let copy = Arc::clone(&self);
        copy.balance
            .checked_mul(Arc::strong_count(&self).try_into().ok()?)
    }

    // ---- `self: Pin<&mut Self>` --------------------------------------------------------------

    /// # Errors
    /// Over the limit.
    pub fn pinned_plain(self: Pin<&mut Self>, amount: i64) -> Result<i64, String> {
        let this = self.get_mut();
        this.balance = Self::check(this.balance + amount)?;
        Ok(this.balance)
    }

    /// # Errors
    /// Over the limit.
    #[defer_on_exit]
    pub fn pinned_d(self: Pin<&mut Self>, amount: i64) -> Result<i64, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let this = self.get_mut();
        this.balance = Self::check(this.balance + amount)?;
        Ok(this.balance)
    }

    /// # Errors
    /// Over the limit.
    #[recover(with = |p| p.resume())]
    pub fn pinned_r(self: Pin<&mut Self>, amount: i64) -> Result<i64, String> {
        let this = self.get_mut();
        this.balance = Self::check(this.balance + amount)?;
        Ok(this.balance)
    }

    // ---- `&'a self` with an explicit lifetime -----------------------------------------------

    #[must_use]
    pub fn owner_or<'a>(&'a self, fallback: &'a str) -> &'a str {
        if self.owner.is_empty() {
            fallback
        } else {
            &self.owner
        }
    }

    #[defer_on_exit]
    #[must_use]
    pub fn owner_or_d<'a>(&'a self, fallback: &'a str) -> &'a str {
        defer! { probe::defer() }
        defer!(|ret| probe::seen(ret));
        if self.owner.is_empty() {
            fallback
        } else {
            &self.owner
        }
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn owner_or_r<'a>(&'a self, fallback: &'a str) -> &'a str {
        if self.owner.is_empty() {
            fallback
        } else {
            &self.owner
        }
    }

    // ---- `self: &Self`, written out -------------------------------------------------------------

    #[allow(clippy::needless_arbitrary_self_type)] // the shape: an explicitly typed `self: &Self`
    #[must_use]
    pub fn typed_ref_plain(self: &Self) -> Option<char> {
        self.owner.chars().next()
    }

    #[defer_on_exit]
    #[allow(clippy::needless_arbitrary_self_type)] // the shape: an explicitly typed `self: &Self`
    #[must_use]
    pub fn typed_ref_d(self: &Self) -> Option<char> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        self.owner.chars().next()
    }

    #[recover(with = |p| p.resume())]
    #[allow(clippy::needless_arbitrary_self_type)] // the shape: an explicitly typed `self: &Self`
    #[must_use]
    pub fn typed_ref_r(self: &Self) -> Option<char> {
        self.owner.chars().next()
    }
}

// ---- trait default methods and trait impl methods ---------------------------------------------

pub trait Ledger {
    type Entry;

    fn entries(&self) -> &[i64];

    /// # Errors
    /// On overflow.
    fn total_plain(&self) -> Result<i64, String> {
        let mut total: i64 = 0;
        for entry in self.entries() {
            total = total.checked_add(*entry).ok_or("overflow")?;
        }
        Ok(total)
    }

    /// # Errors
    /// On overflow.
    #[defer_on_exit]
    fn total_d(&self) -> Result<i64, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let mut total: i64 = 0;
        for entry in self.entries() {
            total = total.checked_add(*entry).ok_or("overflow")?;
        }
        Ok(total)
    }

    /// # Errors
    /// On overflow.
    #[recover(with = |p| p.resume())]
    fn total_r(&self) -> Result<i64, String> {
        let mut total: i64 = 0;
        for entry in self.entries() {
            total = total.checked_add(*entry).ok_or("overflow")?;
        }
        Ok(total)
    }

    // A generic default method, with `where Self: Sized`.
    fn first_matching_plain<P>(&self, keep: P) -> Option<i64>
    where
        Self: Sized,
        P: Fn(i64) -> bool,
    {
        self.entries().iter().copied().find(|entry| keep(*entry))
    }

    #[defer_on_exit]
    fn first_matching_d<P>(&self, keep: P) -> Option<i64>
    where
        Self: Sized,
        P: Fn(i64) -> bool,
    {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        self.entries().iter().copied().find(|entry| keep(*entry))
    }

    #[recover(with = |p| p.resume())]
    fn first_matching_r<P>(&self, keep: P) -> Option<i64>
    where
        Self: Sized,
        P: Fn(i64) -> bool,
    {
        self.entries().iter().copied().find(|entry| keep(*entry))
    }

    // A default associated function (no receiver) returning `Self`.
    #[must_use]
    fn filled_plain(n: i64) -> Self
    where
        Self: Sized + Default + Extend<i64>,
    {
        let mut out = Self::default();
        out.extend(0..n);
        out
    }

    #[defer_on_exit]
    #[must_use]
    fn filled_d(n: i64) -> Self
    where
        Self: Sized + Default + Extend<i64> + std::fmt::Debug,
    {
        defer! { probe::defer() }
        defer!(|ret| probe::seen(ret));
        let mut out = Self::default();
        out.extend(0..n);
        out
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    fn filled_r(n: i64) -> Self
    where
        Self: Sized + Default + Extend<i64>,
    {
        let mut out = Self::default();
        out.extend(0..n);
        out
    }

    // A default method on a boxed receiver, callable on `Box<dyn Ledger>`.
    #[must_use]
    fn into_len_plain(self: Box<Self>) -> usize {
        self.entries().len()
    }

    #[defer_on_exit]
    #[must_use]
    fn into_len_d(self: Box<Self>) -> usize {
        defer! { probe::defer() }
        defer!(|ret| probe::seen(ret));
        self.entries().len()
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    fn into_len_r(self: Box<Self>) -> usize {
        self.entries().len()
    }

    // Required methods, annotated in the impl; an associated type in the return.

    /// # Errors
    /// Out of range.
    fn entry_plain(&self, index: usize) -> Result<Self::Entry, String>;
    /// # Errors
    /// Out of range.
    fn entry_d(&self, index: usize) -> Result<Self::Entry, String>;
    /// # Errors
    /// Out of range.
    fn entry_r(&self, index: usize) -> Result<Self::Entry, String>;

    /// # Errors
    /// When full.
    fn push_plain(&mut self, value: i64) -> Result<usize, String>;
    /// # Errors
    /// When full.
    fn push_d(&mut self, value: i64) -> Result<usize, String>;
    /// # Errors
    /// When full.
    fn push_r(&mut self, value: i64) -> Result<usize, String>;
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Book(pub Vec<i64>);

impl Extend<i64> for Book {
    fn extend<I: IntoIterator<Item = i64>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl Ledger for Book {
    type Entry = (usize, i64);

    fn entries(&self) -> &[i64] {
        &self.0
    }

    fn entry_plain(&self, index: usize) -> Result<Self::Entry, String> {
        let value = self.0.get(index).ok_or_else(|| format!("no entry {index}"))?;
        Ok((index, *value))
    }

    #[defer_on_exit]
    fn entry_d(&self, index: usize) -> Result<Self::Entry, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let value = self.0.get(index).ok_or_else(|| format!("no entry {index}"))?;
        Ok((index, *value))
    }

    #[recover(with = |p| p.resume())]
    fn entry_r(&self, index: usize) -> Result<Self::Entry, String> {
        let value = self.0.get(index).ok_or_else(|| format!("no entry {index}"))?;
        Ok((index, *value))
    }

    fn push_plain(&mut self, value: i64) -> Result<usize, String> {
        if self.0.len() >= 3 {
            return Err(format!("full, dropping {value}"));
        }
        self.0.push(value);
        Ok(self.0.len())
    }

    #[defer_on_exit]
    fn push_d(&mut self, value: i64) -> Result<usize, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        if self.0.len() >= 3 {
            return Err(format!("full, dropping {value}"));
        }
        self.0.push(value);
        Ok(self.0.len())
    }

    #[recover(with = |p| p.resume())]
    fn push_r(&mut self, value: i64) -> Result<usize, String> {
        if self.0.len() >= 3 {
            return Err(format!("full, dropping {value}"));
        }
        self.0.push(value);
        Ok(self.0.len())
    }
}

// ---- a generic impl: `impl<T: Clone> Stack<T>` ------------------------------------------------------

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stack<T>(pub Vec<T>);

impl<T: Clone + std::fmt::Debug> Stack<T> {
    #[must_use]
    pub fn peek_plain(&self) -> Option<T> {
        self.0.last().cloned()
    }

    #[defer_on_exit]
    #[must_use]
    pub fn peek_d(&self) -> Option<T> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        self.0.last().cloned()
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn peek_r(&self) -> Option<T> {
        self.0.last().cloned()
    }

    /// # Errors
    /// Fewer than two items.
    pub fn pop_two_plain(&mut self) -> Result<(T, T), String> {
        let Some(first) = self.0.pop() else {
            return Err("empty".into());
        };
        let second = self.0.pop().ok_or("one item")?;
        Ok((first, second))
    }

    /// # Errors
    /// Fewer than two items.
    #[defer_on_exit]
    pub fn pop_two_d(&mut self) -> Result<(T, T), String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let Some(first) = self.0.pop() else {
            return Err("empty".into());
        };
        let second = self.0.pop().ok_or("one item")?;
        Ok((first, second))
    }

    /// # Errors
    /// Fewer than two items.
    #[recover(with = |p| p.resume())]
    pub fn pop_two_r(&mut self) -> Result<(T, T), String> {
        let Some(first) = self.0.pop() else {
            return Err("empty".into());
        };
        let second = self.0.pop().ok_or("one item")?;
        Ok((first, second))
    }
}

// ---- an impl with a lifetime and a type parameter ---------------------------------------------------

pub struct View<'a, T> {
    pub items: &'a [T],
}

impl<'a, T: AsRef<str>> View<'a, T> {
    #[must_use]
    pub fn longest_plain(&self) -> Option<&'a str> {
        self.items.iter().map(AsRef::as_ref).max_by_key(|s| s.len())
    }

    #[defer_on_exit]
    #[must_use]
    pub fn longest_d(&self) -> Option<&'a str> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        self.items.iter().map(AsRef::as_ref).max_by_key(|s| s.len())
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn longest_r(&self) -> Option<&'a str> {
        self.items.iter().map(AsRef::as_ref).max_by_key(|s| s.len())
    }
}

// ---- a trait implemented generically: `impl<T: Display> Describe for Vec<T>` ---------------------------

pub trait Describe {
    fn describe_plain(&self, max: usize) -> String;
    fn describe_d(&self, max: usize) -> String;
    fn describe_r(&self, max: usize) -> String;
}

impl<T: Display> Describe for Vec<T> {
    fn describe_plain(&self, max: usize) -> String {
        assert!(self.len() <= max, "{} items, at most {max}", self.len());
        self.iter().map(ToString::to_string).collect::<Vec<_>>().join("+")
    }

    #[defer_on_exit]
    fn describe_d(&self, max: usize) -> String {
        defer! { probe::defer() }
        defer!(|ret| probe::seen(ret));
        assert!(self.len() <= max, "{} items, at most {max}", self.len());
        self.iter().map(ToString::to_string).collect::<Vec<_>>().join("+")
    }

    #[recover(with = |p| p.resume())]
    fn describe_r(&self, max: usize) -> String {
        assert!(self.len() <= max, "{} items, at most {max}", self.len());
        self.iter().map(ToString::to_string).collect::<Vec<_>>().join("+")
    }
}
