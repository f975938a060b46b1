//! Scalar coercion as Jackson does it: a number or boolean may arrive as a JSON string
//! (`"parallelism": "4"`). Anything that is not a well-formed value of the expected type is
//! an error that says what was expected; nothing is silently defaulted.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

struct IntVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T> Visitor<'de> for IntVisitor<T>
where
    T: TryFrom<i64> + TryFrom<u64> + std::str::FromStr,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "an integer between {} and {} (or a string holding one)",
            type_min::<T>(),
            type_max::<T>()
        )
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        // Jackson accepts an integral float such as `4.0` for an int; a fraction is refused.
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
            self.visit_i64(v as i64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.trim()
            .parse::<T>()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

fn type_min<T>() -> &'static str {
    match std::mem::size_of::<T>() {
        4 => "-2147483648",
        _ => "-9223372036854775808",
    }
}

fn type_max<T>() -> &'static str {
    match std::mem::size_of::<T>() {
        4 => "2147483647",
        _ => "9223372036854775807",
    }
}

struct FloatVisitor;

impl Visitor<'_> for FloatVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a finite number (or a string holding one)")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        if v.is_finite() {
            Ok(v)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        match v.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

struct BoolVisitor;

impl Visitor<'_> for BoolVisitor {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a boolean (true or false)")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        match v.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

/// Wraps a visitor so that an explicit `null` becomes `None`.
struct OptionVisitor<V>(V);

impl<'de, V: Visitor<'de> + Clone> Visitor<'de> for OptionVisitor<V> {
    type Value = Option<V::Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self.0).map(Some)
    }
}

impl<T> Clone for IntVisitor<T> {
    fn clone(&self) -> Self {
        IntVisitor(std::marker::PhantomData)
    }
}
impl Clone for FloatVisitor {
    fn clone(&self) -> Self {
        FloatVisitor
    }
}
impl Clone for BoolVisitor {
    fn clone(&self) -> Self {
        BoolVisitor
    }
}

/// `Option<i32>`: integer, integral float, or numeric string; `null` → `None`.
pub fn opt_i32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    d.deserialize_option(OptionVisitor(IntVisitor::<i32>(std::marker::PhantomData)))
}

/// `Option<i64>`: integer, integral float, or numeric string; `null` → `None`.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_option(OptionVisitor(IntVisitor::<i64>(std::marker::PhantomData)))
}

/// `Option<f64>`: finite number or numeric string; `null` → `None`.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    d.deserialize_option(OptionVisitor(FloatVisitor))
}

/// `Option<bool>`: boolean or `"true"`/`"false"`; `null` → `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_option(OptionVisitor(BoolVisitor))
}

/// `bool` with `null` meaning `false` (Java primitive fields).
pub fn bool_or_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    opt_bool(d).map(|b| b.unwrap_or(false))
}

/// `bool` with `null` meaning `true` (settings that are on unless turned off).
pub fn bool_or_true<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    opt_bool(d).map(|b| b.unwrap_or(true))
}

/// `i32` with `null` meaning 0 (Java primitive fields).
pub fn i32_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    opt_i32(d).map(|v| v.unwrap_or(0))
}

/// Deserialises `T`, treating an explicit `null` like an absent key (`T::default()`).
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

use serde::Deserialize;
