//! Function Mesh and Function Mesh Worker service version numbers.
//!
//! Both are parsed strictly: dot-separated decimal numbers without signs, spaces, leading
//! zeros or suffixes, with an optional leading `v`. They order numerically, part by part.

use std::fmt;
use std::str::FromStr;

/// Why a version string was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The string is empty (or only `v`).
    #[error("{what} version is empty; expected {expected}")]
    Empty {
        /// `Function Mesh` or `worker`.
        what: &'static str,
        /// The accepted form, e.g. `vMAJOR.MINOR.PATCH`.
        expected: &'static str,
    },
    /// The number of dot-separated parts is wrong.
    #[error("{what} version `{input}`: expected {expected}, found {found} dot-separated part(s)")]
    PartCount {
        /// `Function Mesh` or `worker`.
        what: &'static str,
        /// The rejected input.
        input: String,
        /// The accepted form.
        expected: &'static str,
        /// How many parts were found.
        found: usize,
    },
    /// A part is not a plain decimal number.
    #[error("{what} version `{input}`: part {index} `{part}` is not a decimal number")]
    NotANumber {
        /// `Function Mesh` or `worker`.
        what: &'static str,
        /// The rejected input.
        input: String,
        /// 1-based index of the part.
        index: usize,
        /// The offending part.
        part: String,
    },
    /// A part has a leading zero (`v0.01.0`).
    #[error("{what} version `{input}`: part {index} `{part}` has a leading zero")]
    LeadingZero {
        /// `Function Mesh` or `worker`.
        what: &'static str,
        /// The rejected input.
        input: String,
        /// 1-based index of the part.
        index: usize,
        /// The offending part.
        part: String,
    },
    /// A part does not fit in 32 bits.
    #[error("{what} version `{input}`: part {index} `{part}` is too large")]
    TooLarge {
        /// `Function Mesh` or `worker`.
        what: &'static str,
        /// The rejected input.
        input: String,
        /// 1-based index of the part.
        index: usize,
        /// The offending part.
        part: String,
    },
}

const FM_WHAT: &str = "Function Mesh";
const FM_FORM: &str = "vMAJOR.MINOR.PATCH (e.g. v0.14.0)";
const WORKER_WHAT: &str = "worker";
const WORKER_FORM: &str = "vMAJOR.MINOR.PATCH.BUILD or vMAJOR.MINOR.PATCH (e.g. v2.10.1.8)";

/// Splits `input` (optional leading `v`) into numbers; checks the part count against `counts`.
fn parse_parts(
    input: &str,
    what: &'static str,
    expected: &'static str,
    counts: &[usize],
) -> Result<Vec<u32>, VersionError> {
    let body = input.strip_prefix('v').unwrap_or(input);
    if body.is_empty() {
        return Err(VersionError::Empty { what, expected });
    }
    let parts: Vec<&str> = body.split('.').collect();
    if !counts.contains(&parts.len()) {
        return Err(VersionError::PartCount {
            what,
            input: input.to_owned(),
            expected,
            found: parts.len(),
        });
    }
    let mut numbers = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let index = i + 1;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VersionError::NotANumber {
                what,
                input: input.to_owned(),
                index,
                part: (*part).to_owned(),
            });
        }
        if part.len() > 1 && part.starts_with('0') {
            return Err(VersionError::LeadingZero {
                what,
                input: input.to_owned(),
                index,
                part: (*part).to_owned(),
            });
        }
        let n = part.parse::<u32>().map_err(|_| VersionError::TooLarge {
            what,
            input: input.to_owned(),
            index,
            part: (*part).to_owned(),
        })?;
        numbers.push(n);
    }
    Ok(numbers)
}

/// A Function Mesh (operator) release: `vMAJOR.MINOR.PATCH`, e.g. `v0.14.0`.
///
/// Parsed from `v0.14.0` or `0.14.0`; printed with the `v`. Ordered numerically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FunctionMeshVersion {
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
    /// Patch number.
    pub patch: u32,
}

impl FunctionMeshVersion {
    /// Builds a version from its three numbers.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }
}

impl FromStr for FunctionMeshVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match parse_parts(s, FM_WHAT, FM_FORM, &[3])?.as_slice() {
            [major, minor, patch] => Ok(Self::new(*major, *minor, *patch)),
            // ok: parse_parts returned exactly three parts; this arm only satisfies the compiler.
            other => Err(VersionError::PartCount {
                what: FM_WHAT,
                input: s.to_owned(),
                expected: FM_FORM,
                found: other.len(),
            }),
        }
    }
}

/// A release line of the Function Mesh Worker service: the first three numbers, `vX.Y.Z`
/// (the worker's Pulsar version). Every build `vX.Y.Z.N` belongs to the line `vX.Y.Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkerLine {
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
    /// Patch number.
    pub patch: u32,
}

/// `Display` as `vX.Y.Z` for the versions of three numbers.
macro_rules! display_three_numbers {
    ($($version:ty),*) => {$(
        impl fmt::Display for $version {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)
            }
        }
    )*};
}

display_three_numbers!(FunctionMeshVersion, WorkerLine);

/// A Function Mesh Worker service version: four numbers `vX.Y.Z.N` (a build of the line
/// `vX.Y.Z`), or three numbers `vX.Y.Z` (the line itself, written without a build).
///
/// Ordered numerically; a three-number version sorts before every build of its line
/// (`v2.10.0` < `v2.10.0.0` < `v2.10.0.1` < `v2.10.1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkerVersion {
    /// The release line (first three numbers).
    pub line: WorkerLine,
    /// The build number (fourth number), if written.
    pub build: Option<u32>,
}

impl WorkerVersion {
    /// A four-number version `vX.Y.Z.N`.
    pub const fn new(major: u32, minor: u32, patch: u32, build: u32) -> Self {
        Self {
            line: WorkerLine {
                major,
                minor,
                patch,
            },
            build: Some(build),
        }
    }

    /// A three-number version `vX.Y.Z` (a line without a build).
    pub const fn line_only(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            line: WorkerLine {
                major,
                minor,
                patch,
            },
            build: None,
        }
    }
}

impl FromStr for WorkerVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match parse_parts(s, WORKER_WHAT, WORKER_FORM, &[3, 4])?.as_slice() {
            [major, minor, patch] => Ok(Self::line_only(*major, *minor, *patch)),
            [major, minor, patch, build] => Ok(Self::new(*major, *minor, *patch, *build)),
            // ok: parse_parts returned three or four parts; this arm only satisfies the compiler.
            other => Err(VersionError::PartCount {
                what: WORKER_WHAT,
                input: s.to_owned(),
                expected: WORKER_FORM,
                found: other.len(),
            }),
        }
    }
}

impl fmt::Display for WorkerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.build {
            Some(build) => write!(f, "{}.{}", self.line, build),
            None => write!(f, "{}", self.line),
        }
    }
}

macro_rules! serde_via_string {
    ($ty:ty) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

serde_via_string!(FunctionMeshVersion);
serde_via_string!(WorkerVersion);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_mesh_versions_parse_with_or_without_v() {
        assert_eq!(
            "v0.14.0".parse::<FunctionMeshVersion>().unwrap(),
            FunctionMeshVersion::new(0, 14, 0)
        );
        assert_eq!(
            "0.1.10".parse::<FunctionMeshVersion>().unwrap(),
            FunctionMeshVersion::new(0, 1, 10)
        );
        assert_eq!(FunctionMeshVersion::new(0, 1, 10).to_string(), "v0.1.10");
    }

    #[test]
    fn function_mesh_versions_order_numerically() {
        let a: FunctionMeshVersion = "v0.1.9".parse().unwrap();
        let b: FunctionMeshVersion = "v0.1.10".parse().unwrap();
        let c: FunctionMeshVersion = "v0.10.0".parse().unwrap();
        assert!(a < b && b < c);
    }

    #[test]
    fn worker_versions_parse_three_or_four_numbers() {
        let w: WorkerVersion = "v2.10.1.8".parse().unwrap();
        assert_eq!(w, WorkerVersion::new(2, 10, 1, 8));
        assert_eq!(w.to_string(), "v2.10.1.8");
        let l: WorkerVersion = "2.10.0".parse().unwrap();
        assert_eq!(l, WorkerVersion::line_only(2, 10, 0));
        assert_eq!(l.to_string(), "v2.10.0");
    }

    #[test]
    fn worker_versions_order_numerically_line_first() {
        let v = |s: &str| s.parse::<WorkerVersion>().unwrap();
        assert!(v("v2.10.0") < v("v2.10.0.0"));
        assert!(v("v2.10.0.9") < v("v2.10.0.10"));
        assert!(v("v2.10.0.10") < v("v2.10.1"));
        assert!(v("v2.9.9.9") < v("v2.10.0"));
    }

    #[test]
    fn empty_version_is_rejected() {
        let e = "".parse::<FunctionMeshVersion>().unwrap_err();
        assert!(matches!(e, VersionError::Empty { .. }));
        assert_eq!(
            e.to_string(),
            "Function Mesh version is empty; expected vMAJOR.MINOR.PATCH (e.g. v0.14.0)"
        );
        assert!(matches!(
            "v".parse::<WorkerVersion>().unwrap_err(),
            VersionError::Empty { what: "worker", .. }
        ));
    }

    #[test]
    fn wrong_part_count_is_rejected() {
        let e = "v0.14".parse::<FunctionMeshVersion>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "Function Mesh version `v0.14`: expected vMAJOR.MINOR.PATCH (e.g. v0.14.0), found 2 dot-separated part(s)"
        );
        let e = "v2.10.1.8.1".parse::<WorkerVersion>().unwrap_err();
        assert!(matches!(e, VersionError::PartCount { found: 5, .. }));
        assert!("v2.10".parse::<WorkerVersion>().is_err());
        assert!("v0.14.0.1".parse::<FunctionMeshVersion>().is_err());
    }

    #[test]
    fn non_numbers_are_rejected() {
        for bad in [
            "v0.14.x",
            "v0.14.0-rc-1",
            " v0.14.0",
            "V0.14.0",
            "v0..0",
            "v0.14.0.",
            "v+1.0.0",
        ] {
            let e = bad.parse::<FunctionMeshVersion>().unwrap_err();
            assert!(
                matches!(
                    e,
                    VersionError::NotANumber { .. } | VersionError::PartCount { .. }
                ),
                "{bad}: {e:?}"
            );
        }
        let e = "v2.10.1.x".parse::<WorkerVersion>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "worker version `v2.10.1.x`: part 4 `x` is not a decimal number"
        );
    }

    #[test]
    fn leading_zeros_are_rejected() {
        let e = "v0.01.0".parse::<FunctionMeshVersion>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "Function Mesh version `v0.01.0`: part 2 `01` has a leading zero"
        );
    }

    #[test]
    fn huge_numbers_are_rejected() {
        let e = "v2.10.1.99999999999".parse::<WorkerVersion>().unwrap_err();
        assert!(matches!(e, VersionError::TooLarge { index: 4, .. }));
    }

    #[test]
    fn serde_uses_the_string_form() {
        let v: FunctionMeshVersion = serde_json::from_str("\"0.5.0\"").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"v0.5.0\"");
        let e = serde_json::from_str::<WorkerVersion>("\"x\"").unwrap_err();
        assert!(e.to_string().contains("worker version `x`"));
    }
}
