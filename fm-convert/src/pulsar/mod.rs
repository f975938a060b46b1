//! Pulsar admin models. (Being written.)
