//! Names: user variables named like the expansion's (`__exit`, `__site`,
//! `ret`, …), user items named like the crates the expansion uses
//! (`mod epilogue`, `mod core`, `struct Option`), a module without the
//! prelude, a `Result` alias, user traits whose methods are named like the
//! expansion's.

/// User variables named like the expansion's locals.
pub mod shadowing {
    use crate::probe;
    use epilogue::{defer_on_exit, recover};

    #[allow(clippy::used_underscore_binding)] // the shape: user bindings named like the expansion's
    /// # Errors
    /// When the shape fails.
    pub fn names_plain(__exit: u32, __site: &str) -> Result<String, String> {
        let __seen = __exit + 1;
        let __value = format!("{__site}{__seen}");
        let __residual: Result<u32, String> = __site.parse().map_err(|_| "residual".to_owned());
        let __output = __residual.as_ref().map_or(0, |v| *v);
        let __panic = __output == 0;
        let ret = __value.len();
        let (__defer_0, __hook_1, __defer_on_err_2) = (1, 2, 3);
        if __exit == 0 {
            return Err(__residual.err().unwrap_or_default());
        }
        Ok(format!(
            "{__value} {ret} {__panic} {}",
            __defer_0 + __hook_1 + __defer_on_err_2
        ))
    }

    #[defer_on_exit]
    #[allow(clippy::used_underscore_binding)] // the shape: user bindings named like the expansion's
    /// # Errors
    /// When the shape fails.
    pub fn names_d(__exit: u32, __site: &str) -> Result<String, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let __seen = __exit + 1;
        let __value = format!("{__site}{__seen}");
        let __residual: Result<u32, String> = __site.parse().map_err(|_| "residual".to_owned());
        let __output = __residual.as_ref().map_or(0, |v| *v);
        let __panic = __output == 0;
        let ret = __value.len();
        let (__defer_0, __hook_1, __defer_on_err_2) = (1, 2, 3);
        if __exit == 0 {
            return Err(__residual.err().unwrap_or_default());
        }
        Ok(format!(
            "{__value} {ret} {__panic} {}",
            __defer_0 + __hook_1 + __defer_on_err_2
        ))
    }

    #[recover(with = |p| p.resume())]
    #[allow(clippy::used_underscore_binding)] // the shape: user bindings named like the expansion's
    /// # Errors
    /// When the shape fails.
    pub fn names_r(__exit: u32, __site: &str) -> Result<String, String> {
        let __seen = __exit + 1;
        let __value = format!("{__site}{__seen}");
        let __residual: Result<u32, String> = __site.parse().map_err(|_| "residual".to_owned());
        let __output = __residual.as_ref().map_or(0, |v| *v);
        let __panic = __output == 0;
        let ret = __value.len();
        let (__defer_0, __hook_1, __defer_on_err_2) = (1, 2, 3);
        if __exit == 0 {
            return Err(__residual.err().unwrap_or_default());
        }
        Ok(format!(
            "{__value} {ret} {__panic} {}",
            __defer_0 + __hook_1 + __defer_on_err_2
        ))
    }

    // A user `ret` declared before the hook, and used by a deferred block.
    #[must_use]
    pub fn ret_before_hook_plain(ret: u32) -> Option<u32> {
        let exit = ret.checked_add(1)?;
        Some(exit * 2)
    }

    #[defer_on_exit]
    #[must_use]
    pub fn ret_before_hook_d(ret: u32) -> Option<u32> {
        defer! {
            assert!(ret > 0, "ret is {ret}");
            probe::defer();
        }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let exit = ret.checked_add(1)?;
        Some(exit * 2)
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn ret_before_hook_r(ret: u32) -> Option<u32> {
        let exit = ret.checked_add(1)?;
        Some(exit * 2)
    }

    // The panic handler's parameter named like a user variable.
    #[recover(with = |__panic| __panic.resume())]
    #[must_use]
    pub fn handler_names_r(__panic: u32) -> Option<u32> {
        __panic.checked_sub(1)
    }

    #[must_use]
    pub fn handler_names_plain(__panic: u32) -> Option<u32> {
        __panic.checked_sub(1)
    }

    #[defer_on_exit]
    #[must_use]
    pub fn handler_names_d(__panic: u32) -> Option<u32> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|__panic| probe::seen(__panic));
        __panic.checked_sub(1)
    }
}

/// User items named like the crates and types the expansion names:
/// `mod epilogue`, `mod core`, `mod std`, `struct Option`, `struct Some`,
/// `enum Result`, `struct Ok`, `fn drop`, `Box`.
#[allow(clippy::module_name_repetitions, non_camel_case_types)] // the shape: names that collide on purpose
pub mod crate_names {
    use crate::probe;
    use ::epilogue::{defer_on_exit, recover};

    pub mod epilogue {
        pub mod __private {}
        pub fn defer_on_exit() {}
    }
    pub mod core {
        pub mod option {}
        pub mod ops {}
    }
    pub mod std {}
    pub struct Option;
    pub struct Some;
    pub enum Result {}
    pub struct Ok;
    pub struct Box;
    pub struct ExitSlot;
    pub fn drop() {}
    pub fn catch_unwind() {}

    /// # Errors
    /// When the shape fails.
    pub fn shadowed_plain(text: &str) -> ::std::result::Result<u32, ::std::string::String> {
        drop();
        catch_unwind();
        let value: u32 = text
            .parse()
            .map_err(|e: ::std::num::ParseIntError| e.to_string())?;
        if value == 0 {
            return ::std::result::Result::Err("zero".into());
        }
        ::std::result::Result::Ok(value)
    }

    #[defer_on_exit]
    /// # Errors
    /// When the shape fails.
    pub fn shadowed_d(text: &str) -> ::std::result::Result<u32, ::std::string::String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        drop();
        catch_unwind();
        let value: u32 = text
            .parse()
            .map_err(|e: ::std::num::ParseIntError| e.to_string())?;
        if value == 0 {
            return ::std::result::Result::Err("zero".into());
        }
        ::std::result::Result::Ok(value)
    }

    #[recover(with = |p| p.resume())]
    /// # Errors
    /// When the shape fails.
    pub fn shadowed_r(text: &str) -> ::std::result::Result<u32, ::std::string::String> {
        drop();
        catch_unwind();
        let value: u32 = text
            .parse()
            .map_err(|e: ::std::num::ParseIntError| e.to_string())?;
        if value == 0 {
            return ::std::result::Result::Err("zero".into());
        }
        ::std::result::Result::Ok(value)
    }

    #[must_use]
    pub fn shadowed_option_plain(values: &[u32]) -> ::std::option::Option<u32> {
        let first = values.first()?;
        first.checked_mul(3)
    }

    #[defer_on_exit]
    #[must_use]
    pub fn shadowed_option_d(values: &[u32]) -> ::std::option::Option<u32> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let first = values.first()?;
        first.checked_mul(3)
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn shadowed_option_r(values: &[u32]) -> ::std::option::Option<u32> {
        let first = values.first()?;
        first.checked_mul(3)
    }
}

/// A module without the prelude: the expansion must not rely on it.
#[no_implicit_prelude]
pub mod no_prelude {
    use crate::probe;
    use ::epilogue::{defer_on_exit, recover};
    use ::std::option::Option::{self, None, Some};
    use ::std::result::Result::{self, Err, Ok};
    use ::std::string::{String, ToString};

    /// # Errors
    /// When the shape fails.
    pub fn bare_plain(text: &str) -> Result<u32, String> {
        if text.is_empty() {
            return Err("empty".to_string());
        }
        let value: u32 = text
            .parse()
            .map_err(|e: ::std::num::ParseIntError| e.to_string())?;
        Ok(value)
    }

    #[defer_on_exit]
    /// # Errors
    /// When the shape fails.
    pub fn bare_d(text: &str) -> Result<u32, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        if text.is_empty() {
            return Err("empty".to_string());
        }
        let value: u32 = text
            .parse()
            .map_err(|e: ::std::num::ParseIntError| e.to_string())?;
        Ok(value)
    }

    #[recover(with = |p| p.resume())]
    /// # Errors
    /// When the shape fails.
    pub fn bare_r(text: &str) -> Result<u32, String> {
        if text.is_empty() {
            return Err("empty".to_string());
        }
        let value: u32 = text
            .parse()
            .map_err(|e: ::std::num::ParseIntError| e.to_string())?;
        Ok(value)
    }

    #[must_use]
    pub fn bare_option_plain(values: &[u32]) -> Option<u32> {
        let last = values.last()?;
        if *last == 0 {
            return None;
        }
        Some(*last)
    }

    #[defer_on_exit]
    #[must_use]
    pub fn bare_option_d(values: &[u32]) -> Option<u32> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let last = values.last()?;
        if *last == 0 {
            return None;
        }
        Some(*last)
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn bare_option_r(values: &[u32]) -> Option<u32> {
        let last = values.last()?;
        if *last == 0 {
            return None;
        }
        Some(*last)
    }
}

/// The common `type Result<T> = std::result::Result<T, Error>` alias.
pub mod result_alias {
    use crate::probe;
    use epilogue::{defer_on_exit, recover};

    #[derive(Debug, PartialEq, Eq)]
    pub struct Error(pub String);

    pub type Result<T> = std::result::Result<T, Error>;

    /// # Errors
    /// When the shape fails.
    pub fn aliased_plain(text: &str) -> Result<u32> {
        let value: u32 = text.parse().map_err(|_| Error(format!("bad {text}")))?;
        Ok(value)
    }

    #[defer_on_exit]
    /// # Errors
    /// When the shape fails.
    pub fn aliased_d(text: &str) -> Result<u32> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let value: u32 = text.parse().map_err(|_| Error(format!("bad {text}")))?;
        Ok(value)
    }

    #[recover(with = |p| p.resume())]
    /// # Errors
    /// When the shape fails.
    pub fn aliased_r(text: &str) -> Result<u32> {
        let value: u32 = text.parse().map_err(|_| Error(format!("bad {text}")))?;
        Ok(value)
    }
}

/// User traits in scope whose methods are named like those the expansion
/// calls (`place`, `stored`, `take`, `run`, `branch`, `from_residual`, `new`,
/// `resume`), implemented for every type.
pub mod method_names {
    use crate::probe;
    use epilogue::{defer_on_exit, recover};

    pub trait Everything {
        fn place(&self) -> u8 {
            1
        }
        fn stored(&self) -> u8 {
            2
        }
        fn take(&self) -> u8 {
            3
        }
        fn run(&self) -> u8 {
            4
        }
        fn branch(&self) -> u8 {
            5
        }
        fn resume(&self) -> u8 {
            6
        }
    }

    impl<T: ?Sized> Everything for T {}

    /// # Errors
    /// When the shape fails.
    pub fn methods_plain(text: &str) -> Result<u8, String> {
        let value: u8 = text.parse().map_err(|_| format!("bad {text}"))?;
        Ok(value + text.place() + text.branch())
    }

    #[defer_on_exit]
    /// # Errors
    /// When the shape fails.
    pub fn methods_d(text: &str) -> Result<u8, String> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let value: u8 = text.parse().map_err(|_| format!("bad {text}"))?;
        Ok(value + text.place() + text.branch())
    }

    #[recover(with = |p| p.resume())]
    /// # Errors
    /// When the shape fails.
    pub fn methods_r(text: &str) -> Result<u8, String> {
        let value: u8 = text.parse().map_err(|_| format!("bad {text}"))?;
        Ok(value + text.place() + text.branch())
    }
}

/// A user trait in scope with a `pick` method for every type.
pub mod pick_method {
    use crate::probe;
    use epilogue::{defer_on_exit, recover};

    pub trait Pick {
        fn pick(&self) -> u8 {
            7
        }
    }

    impl<T: ?Sized> Pick for T {}

    #[must_use]
    pub fn picked_plain(values: &[u8]) -> Option<u8> {
        let first = values.first()?;
        Some(first + values.pick())
    }

    #[defer_on_exit]
    #[must_use]
    pub fn picked_d(values: &[u8]) -> Option<u8> {
        defer! { probe::defer() }
        defer_on_err! { probe::err() }
        defer!(|ret| probe::seen(ret));
        let first = values.first()?;
        Some(first + values.pick())
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn picked_r(values: &[u8]) -> Option<u8> {
        let first = values.first()?;
        Some(first + values.pick())
    }

    // Only a hook, on a return type that is not `Result`/`Option`.
    #[must_use]
    pub fn picked_hook_plain(values: &[u8]) -> usize {
        values.len() + usize::from(values.pick())
    }

    #[defer_on_exit]
    #[must_use]
    pub fn picked_hook_d(values: &[u8]) -> usize {
        defer! { probe::defer() }
        defer!(|ret| probe::seen(ret));
        values.len() + usize::from(values.pick())
    }

    #[recover(with = |p| p.resume())]
    #[must_use]
    pub fn picked_hook_r(values: &[u8]) -> usize {
        values.len() + usize::from(values.pick())
    }

    // With only a plain `defer!`: no exit slot.
    #[defer_on_exit]
    #[must_use]
    pub fn picked_guards_only_d(values: &[u8]) -> usize {
        defer! { probe::defer() }
        values.len() + usize::from(values.pick())
    }
}
