//! Kubernetes quantities as the Java worker writes and reads them.
//!
//! Forward: a CPU count or a byte count becomes the canonical decimal-SI form the Kubernetes
//! client prints (`1.0` → `"1"`, `0.1` → `"100m"`, `2.5` → `"2500m"`, `1000000000` → `"1G"`,
//! `102400` → `"102400"`). Reverse: any valid quantity (`500m`, `1Gi`, `1e3`, `1.5`) back to a
//! number.

use std::fmt::Write as _;

/// A quantity string that is not a valid Kubernetes quantity, or a number that cannot be one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Not of the form `<number><suffix>`.
    #[error("`{0}` is not a Kubernetes quantity (expected a number with an optional suffix such as m, k, M, G, Ki, Mi, Gi)")]
    Malformed(String),
    /// The value does not fit the target type.
    #[error("`{0}` is out of range")]
    OutOfRange(String),
}

const SUFFIXES: [(i32, &str); 10] = [
    (18, "E"),
    (15, "P"),
    (12, "T"),
    (9, "G"),
    (6, "M"),
    (3, "k"),
    (0, ""),
    (-3, "m"),
    (-6, "u"),
    (-9, "n"),
];

/// Canonical decimal-SI rendering of `digits × 10^exp` (digits without sign).
fn canonical(negative: bool, mut digits: u128, mut exp: i32) -> String {
    if digits == 0 {
        return "0".to_string();
    }
    // Normalise trailing zeros into the exponent.
    while digits.is_multiple_of(10) {
        digits /= 10;
        exp += 1;
    }
    // Below nano: round up to 1n like Kubernetes does for tiny values.
    if exp < -9 {
        let mut d = digits;
        let mut e = exp;
        while e < -9 {
            d = d.div_ceil(10);
            e += 1;
        }
        digits = d;
        exp = e;
    }
    // The largest SI exponent (multiple of 3) not above `exp`.
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    for (e, suffix) in SUFFIXES {
        if exp >= e {
            let mut d = digits;
            let mut k = exp - e;
            while k > 0 {
                d = d.saturating_mul(10);
                k -= 1;
            }
            let _ = write!(out, "{d}{suffix}");
            return out;
        }
    }
    out
}

/// Splits a decimal literal (`"2.5"`, `"1e-3"`, `"1073741824"`) into digits and a base-10 exponent.
fn decimal_parts(text: &str) -> Option<(bool, u128, i32)> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exp_part) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i)?, body.get(i + 1..)?.parse::<i32>().ok()?),
        None => (body, 0),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part
        .bytes()
        .chain(frac_part.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let all: String = format!("{int_part}{frac_part}");
    let trimmed = all.trim_start_matches('0');
    if trimmed.len() > 36 {
        return None;
    }
    let digits: u128 = if trimmed.is_empty() {
        0
    } else {
        trimmed.parse().ok()?
    };
    let frac_len = i32::try_from(frac_part.len()).ok()?;
    Some((negative, digits, exp_part.checked_sub(frac_len)?))
}

/// Formats a CPU count (Pulsar `resources.cpu`) as a quantity.
pub fn format_cpu(cpu: f64) -> Result<String, QuantityError> {
    if !cpu.is_finite() {
        return Err(QuantityError::OutOfRange(cpu.to_string()));
    }
    // `{:?}` of an f64 is the shortest round-tripping decimal, like Java's Double.toString.
    let text = format!("{cpu:?}");
    let (neg, digits, exp) =
        decimal_parts(&text).ok_or_else(|| QuantityError::OutOfRange(text.clone()))?;
    Ok(canonical(neg, digits, exp))
}

/// Formats a byte count as a quantity.
pub fn format_bytes(bytes: i64) -> String {
    canonical(bytes < 0, u128::from(bytes.unsigned_abs()), 0)
}

/// The worker's memory limit: RAM plus 10 % padding, rounded half up (`Math.round(ram * 0.1)`).
pub fn padded_memory_limit(ram: i64) -> Result<i64, QuantityError> {
    let pad = (ram as f64 * 0.1 + 0.5).floor();
    if !pad.is_finite() || pad.abs() > 9.0e18 {
        return Err(QuantityError::OutOfRange(ram.to_string()));
    }
    ram.checked_add(pad as i64)
        .ok_or_else(|| QuantityError::OutOfRange(ram.to_string()))
}

/// Parses a quantity into an exact decimal `(negative, digits, exp10)`.
fn parse_parts(q: &str) -> Result<(bool, u128, i32), QuantityError> {
    let q = q.trim();
    let malformed = || QuantityError::Malformed(q.to_string());
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(q.len());
    let (number, suffix) = (
        q.get(..split).ok_or_else(malformed)?,
        q.get(split..).ok_or_else(malformed)?,
    );
    let (neg, digits, exp) = decimal_parts(number).ok_or_else(malformed)?;
    let binary = |p: u32| -> Result<(bool, u128, i32), QuantityError> {
        let factor = 1u128 << (10 * p);
        let d = digits
            .checked_mul(factor)
            .ok_or_else(|| QuantityError::OutOfRange(q.to_string()))?;
        Ok((neg, d, exp))
    };
    match suffix {
        "Ki" => binary(1),
        "Mi" => binary(2),
        "Gi" => binary(3),
        "Ti" => binary(4),
        "Pi" => binary(5),
        "Ei" => binary(6),
        s if s.len() > 1 && s.starts_with(['e', 'E']) => {
            let e: i32 = s
                .get(1..)
                .and_then(|x| x.parse().ok())
                .ok_or_else(malformed)?;
            Ok((neg, digits, exp.checked_add(e).ok_or_else(malformed)?))
        }
        s => {
            let (e, _) = SUFFIXES
                .iter()
                .find(|(_, suf)| *suf == s)
                .ok_or_else(malformed)?;
            Ok((neg, digits, exp + e))
        }
    }
}

/// Parses a quantity as a CPU count (`"500m"` → 0.5).
pub fn parse_cpu(q: &str) -> Result<f64, QuantityError> {
    let (neg, digits, exp) = parse_parts(q)?;
    let text = format!("{}{}e{}", if neg { "-" } else { "" }, digits, exp);
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| QuantityError::OutOfRange(q.to_string()))
}

/// Parses a quantity as a byte count (`"1Gi"` → 1073741824; fractions round up like Kubernetes).
pub fn parse_bytes(q: &str) -> Result<i64, QuantityError> {
    let (neg, mut digits, mut exp) = parse_parts(q)?;
    let out_of_range = || QuantityError::OutOfRange(q.to_string());
    while exp > 0 {
        digits = digits.checked_mul(10).ok_or_else(out_of_range)?;
        exp -= 1;
    }
    while exp < 0 {
        digits = digits.div_ceil(10);
        exp += 1;
    }
    let v = i64::try_from(digits).map_err(|_| out_of_range())?;
    Ok(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_forms_match_the_java_worker() {
        assert_eq!(format_cpu(1.0).unwrap(), "1");
        assert_eq!(format_cpu(0.1).unwrap(), "100m");
        assert_eq!(format_cpu(2.5).unwrap(), "2500m");
        assert_eq!(format_cpu(0.5).unwrap(), "500m");
        assert_eq!(format_cpu(4.0).unwrap(), "4");
        assert_eq!(format_cpu(0.0005).unwrap(), "500u");
        assert!(format_cpu(f64::NAN).is_err());
    }

    #[test]
    fn memory_forms_match_the_java_worker() {
        assert_eq!(format_bytes(102_400), "102400");
        assert_eq!(format_bytes(1_000_000_000), "1G");
        assert_eq!(format_bytes(1_073_741_824), "1073741824");
        assert_eq!(padded_memory_limit(102_400).unwrap(), 112_640);
        assert_eq!(padded_memory_limit(4096).unwrap(), 4506);
        assert_eq!(padded_memory_limit(1_073_741_824).unwrap(), 1_181_116_006);
        assert!(padded_memory_limit(i64::MAX).is_err());
    }

    #[test]
    fn quantities_parse_back() {
        assert_eq!(parse_cpu("500m").unwrap(), 0.5);
        assert_eq!(parse_cpu("1").unwrap(), 1.0);
        assert_eq!(parse_cpu("2500m").unwrap(), 2.5);
        assert_eq!(parse_bytes("1Gi").unwrap(), 1_073_741_824);
        assert_eq!(parse_bytes("1G").unwrap(), 1_000_000_000);
        assert_eq!(parse_bytes("112640").unwrap(), 112_640);
        assert_eq!(parse_bytes("1e3").unwrap(), 1000);
        assert!(matches!(
            parse_bytes("lots"),
            Err(QuantityError::Malformed(_))
        ));
        assert!(matches!(
            parse_bytes("99999999999E"),
            Err(QuantityError::OutOfRange(_))
        ));
    }
}
