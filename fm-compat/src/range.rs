//! Ranges of worker versions, as listed in the matrix cells.
//!
//! Semantics (normalised forms in parentheses):
//! * a single version (`v2.8.3.4`) matches only itself;
//! * a closed range (`v2.10.0.5-v2.10.0.6`) is inclusive at both ends;
//! * a build with `+` (`v2.9.2.1+`) matches that build and every later build of the same
//!   `X.Y.Z` line (not later lines);
//! * a bare three-number line with `+` (`v2.10.0+`) matches every build of that line (and the
//!   line written without a build, `v2.10.0`).

use crate::version::{VersionError, WorkerLine, WorkerVersion};
use std::fmt;
use std::str::FromStr;

/// A set of worker versions named in one matrix cell item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorkerRange {
    /// Exactly this version.
    Exact(WorkerVersion),
    /// Every version `from <= v <= to` (inclusive).
    Closed {
        /// Lower bound (inclusive).
        from: WorkerVersion,
        /// Upper bound (inclusive).
        to: WorkerVersion,
    },
    /// Build `build` of `line` and every later build of the same line.
    FromBuild {
        /// The release line.
        line: WorkerLine,
        /// The first build.
        build: u32,
    },
    /// Every build of the line.
    Line(WorkerLine),
}

impl WorkerRange {
    /// Whether `version` lies in this range.
    pub fn contains(&self, version: &WorkerVersion) -> bool {
        match self {
            WorkerRange::Exact(v) => v == version,
            WorkerRange::Closed { from, to } => from <= version && version <= to,
            WorkerRange::FromBuild { line, build } => {
                version.line == *line && version.build.is_some_and(|b| b >= *build)
            }
            WorkerRange::Line(line) => version.line == *line,
        }
    }
}

impl fmt::Display for WorkerRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerRange::Exact(v) => write!(f, "{v}"),
            WorkerRange::Closed { from, to } => write!(f, "{from}-{to}"),
            WorkerRange::FromBuild { line, build } => write!(f, "{line}.{build}+"),
            WorkerRange::Line(line) => write!(f, "{line}+"),
        }
    }
}

/// Why a worker range was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// The range is empty.
    #[error("worker range is empty; expected vX.Y.Z.N, vX.Y.Z.N-vX.Y.Z.M, vX.Y.Z.N+ or vX.Y.Z+")]
    Empty,
    /// A version inside the range is malformed.
    #[error("worker range `{range}`: {source}")]
    Version {
        /// The rejected range text.
        range: String,
        /// What is wrong with the version.
        #[source]
        source: VersionError,
    },
    /// The lower bound of a closed range is above the upper bound.
    #[error("worker range `{range}`: lower bound {from} is above upper bound {to}")]
    Reversed {
        /// The rejected range text.
        range: String,
        /// Lower bound.
        from: WorkerVersion,
        /// Upper bound.
        to: WorkerVersion,
    },
    /// A line label (`vX.Y.Z.x (...)`) lists a range outside its own line.
    #[error("worker range `{range}` is listed under the line {label} but lies outside it")]
    OutsideLabel {
        /// The offending range.
        range: String,
        /// The label's line.
        label: WorkerLine,
    },
    /// An item is not in any of the accepted shapes.
    #[error("worker range `{range}`: {reason}")]
    Malformed {
        /// The rejected text.
        range: String,
        /// What was expected.
        reason: &'static str,
    },
}

/// How a version token inside a range is read.
#[derive(Clone, Copy)]
enum Tokens {
    /// `v` optional, nothing else tolerated.
    Strict,
    /// Also tolerates the published page's `v.` prefix (`v.2.8.1.28`).
    Published,
}

fn version_token(token: &str, range: &str, mode: Tokens) -> Result<WorkerVersion, RangeError> {
    let token = token.trim();
    let token = match mode {
        Tokens::Published => token.strip_prefix("v.").unwrap_or(token),
        Tokens::Strict => token,
    };
    token.parse().map_err(|source| RangeError::Version {
        range: range.to_owned(),
        source,
    })
}

fn parse_range(text: &str, mode: Tokens) -> Result<WorkerRange, RangeError> {
    let range = text.trim();
    if range.is_empty() {
        return Err(RangeError::Empty);
    }
    if let Some(base) = range.strip_suffix('+') {
        let v = version_token(base, range, mode)?;
        return Ok(match v.build {
            Some(build) => WorkerRange::FromBuild {
                line: v.line,
                build,
            },
            None => WorkerRange::Line(v.line),
        });
    }
    if let Some((a, b)) = range.split_once('-') {
        let from = version_token(a, range, mode)?;
        let to = version_token(b, range, mode)?;
        if from > to {
            return Err(RangeError::Reversed {
                range: range.to_owned(),
                from,
                to,
            });
        }
        return Ok(WorkerRange::Closed { from, to });
    }
    Ok(WorkerRange::Exact(version_token(range, range, mode)?))
}

impl FromStr for WorkerRange {
    type Err = RangeError;

    /// Parses the normalised form (`v` optional): `X.Y.Z.N`, `X.Y.Z`, `A-B`, `X.Y.Z.N+`, `X.Y.Z+`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_range(s, Tokens::Strict)
    }
}

impl serde::Serialize for WorkerRange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for WorkerRange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Parses one item of a published matrix cell (the text between `<br />- ` separators).
///
/// Accepts the normalised forms plus the published page's shapes and typos:
/// * a line label followed by a parenthesised, comma-separated list of ranges,
///   `v2.9.1.x (v2.9.1.1-v2.9.1.2)`; the label may be written `vX.Y.Z x` (space instead of
///   dot); the list gives the actual ranges and each must lie within the label's line;
/// * inside items, versions written without `v` (`2.8.1.25`) or with `v.` (`v.2.8.1.28`).
pub fn parse_published_item(item: &str) -> Result<Vec<WorkerRange>, RangeError> {
    let item = item.trim();
    if item.is_empty() {
        return Err(RangeError::Empty);
    }
    let Some((label, rest)) = item.split_once('(') else {
        return Ok(vec![parse_range(item, Tokens::Published)?]);
    };
    let Some(list) = rest.trim_end().strip_suffix(')') else {
        return Err(RangeError::Malformed {
            range: item.to_owned(),
            reason: "expected `)` at the end of the parenthesised list",
        });
    };
    let label = label.trim();
    let line_text = label
        .strip_suffix(".x")
        .or_else(|| label.strip_suffix(" x"))
        .ok_or(RangeError::Malformed {
            range: item.to_owned(),
            reason: "expected a line label `vX.Y.Z.x` before `(`",
        })?;
    let line = version_token(line_text, item, Tokens::Published)?;
    if line.build.is_some() {
        return Err(RangeError::Malformed {
            range: item.to_owned(),
            reason: "a line label has three numbers before `.x`",
        });
    }
    let mut ranges = Vec::new();
    for part in list.split(',') {
        let range = parse_range(part, Tokens::Published)?;
        let inside = match range {
            WorkerRange::Exact(v) => v.line == line.line,
            WorkerRange::Closed { from, to } => from.line == line.line && to.line == line.line,
            WorkerRange::FromBuild { line: l, .. } | WorkerRange::Line(l) => l == line.line,
        };
        if !inside {
            return Err(RangeError::OutsideLabel {
                range: part.trim().to_owned(),
                label: line.line,
            });
        }
        ranges.push(range);
    }
    Ok(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> WorkerVersion {
        s.parse().unwrap()
    }

    #[test]
    fn normalised_forms_round_trip() {
        for s in [
            "v2.8.3.4",
            "v2.10.0.5-v2.10.0.6",
            "v2.9.2.1+",
            "v2.10.0+",
            "v2.10.0",
        ] {
            assert_eq!(s.parse::<WorkerRange>().unwrap().to_string(), s);
        }
        assert_eq!(
            "2.9.2.1+".parse::<WorkerRange>().unwrap().to_string(),
            "v2.9.2.1+"
        );
    }

    #[test]
    fn semantics() {
        let closed: WorkerRange = "v2.10.1.7-v2.10.1.8".parse().unwrap();
        assert!(closed.contains(&w("v2.10.1.7")) && closed.contains(&w("v2.10.1.8")));
        assert!(!closed.contains(&w("v2.10.1.9")) && !closed.contains(&w("v2.10.1.6")));
        let from: WorkerRange = "v2.9.2.13+".parse().unwrap();
        assert!(from.contains(&w("v2.9.2.13")) && from.contains(&w("v2.9.2.400")));
        assert!(!from.contains(&w("v2.9.2.12")) && !from.contains(&w("v2.9.3.20")));
        assert!(!from.contains(&w("v2.9.2")));
        let line: WorkerRange = "v2.10.0+".parse().unwrap();
        assert!(line.contains(&w("v2.10.0.0")) && line.contains(&w("v2.10.0")));
        assert!(!line.contains(&w("v2.10.1.1")));
        let exact: WorkerRange = "v2.8.3.4".parse().unwrap();
        assert!(exact.contains(&w("v2.8.3.4")) && !exact.contains(&w("v2.8.3.5")));
    }

    #[test]
    fn published_typos_are_read_as_meant() {
        let r =
            parse_published_item("v2.8.1 x (2.8.1.25-v2.8.1.26, v.2.8.1.28-v2.8.1.30)").unwrap();
        let s: Vec<String> = r.iter().map(ToString::to_string).collect();
        assert_eq!(s, ["v2.8.1.25-v2.8.1.26", "v2.8.1.28-v2.8.1.30"]);
        let r = parse_published_item("v2.9.1.x (v2.9.1.1-v2.9.1.2)").unwrap();
        assert_eq!(r[0].to_string(), "v2.9.1.1-v2.9.1.2");
    }

    #[test]
    fn strict_parser_rejects_published_typos() {
        assert!(matches!(
            "v.2.8.1.28".parse::<WorkerRange>().unwrap_err(),
            RangeError::Version { .. }
        ));
    }

    #[test]
    fn empty_range_is_rejected() {
        assert_eq!("  ".parse::<WorkerRange>().unwrap_err(), RangeError::Empty);
        assert_eq!(parse_published_item("").unwrap_err(), RangeError::Empty);
    }

    #[test]
    fn reversed_range_is_rejected() {
        let e = "v2.10.1.8-v2.10.1.7".parse::<WorkerRange>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "worker range `v2.10.1.8-v2.10.1.7`: lower bound v2.10.1.8 is above upper bound v2.10.1.7"
        );
    }

    #[test]
    fn bad_version_in_range_is_rejected() {
        let e = "v2.10.1.7-v2.10.x".parse::<WorkerRange>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "worker range `v2.10.1.7-v2.10.x`: worker version `v2.10.x`: part 3 `x` is not a decimal number"
        );
    }

    #[test]
    fn label_errors() {
        let e = parse_published_item("v2.9.1.x (v2.9.2.1-v2.9.2.2)").unwrap_err();
        assert_eq!(
            e.to_string(),
            "worker range `v2.9.2.1-v2.9.2.2` is listed under the line v2.9.1 but lies outside it"
        );
        assert!(matches!(
            parse_published_item("v2.9.1.x (v2.9.1.1").unwrap_err(),
            RangeError::Malformed { .. }
        ));
        assert!(matches!(
            parse_published_item("v2.9.1 (v2.9.1.1)").unwrap_err(),
            RangeError::Malformed { .. }
        ));
        assert!(matches!(
            parse_published_item("v2.9.1.1.x (v2.9.1.1)").unwrap_err(),
            RangeError::Malformed { .. }
        ));
    }
}
