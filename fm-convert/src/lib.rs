//! Pulsar Functions/IO admin configs, Function Mesh resource types, and the conversions
//! between them.
//!
//! Pure: no I/O, no async, no global state.
// Library code never panics on input: no unwrap/expect/panic!/indexing (tests exempt).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod convert;
pub mod crd;
mod lenient;
pub mod normalize;
pub mod parse;
pub mod pulsar;
pub mod quantity;
pub mod reverse;
pub mod status;
pub mod validate;
pub mod worker;
