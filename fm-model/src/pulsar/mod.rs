//! Pulsar Functions / IO admin models, JSON-compatible with Pulsar (Jackson).
//!
//! Wire rules: camelCase keys exactly as Pulsar writes them; `null`/absent fields are omitted on
//! output; unknown keys are accepted and ignored; parse-time defaults are materialised the way
//! Jackson does (`subscriptionPosition: Latest`, resource members, consumer property maps).
//! Unlike Jackson, an unknown enum value is an error naming the field and the allowed values,
//! never a silent `null`.

pub mod common;
pub mod function;
pub mod sink;
pub mod source;
pub mod status;

pub use common::*;
pub use function::FunctionConfig;
pub use sink::SinkConfig;
pub use source::SourceConfig;
pub use status::*;
