//! Field groups that Pulsar's types and Function Mesh's spell alike (same names, same types), so
//! each mapping between them names them once: the window settings and the producer limits.

/// `$target { <the window fields of $w>, $rest }`: the window settings Pulsar's `WindowConfig`
/// and the CRD's share (lengths, sliding intervals, late-data topic, lag, watermark interval,
/// timestamp extractor), copied from `$w`; the two fields each side writes its own way follow.
macro_rules! window_fields {
    ($w:expr => $target:ident { $($rest:tt)* }) => {
        $target {
            window_length_count: $w.window_length_count,
            window_length_duration_ms: $w.window_length_duration_ms,
            sliding_interval_count: $w.sliding_interval_count,
            sliding_interval_duration_ms: $w.sliding_interval_duration_ms,
            late_data_topic: $w.late_data_topic.clone(),
            max_lag_ms: $w.max_lag_ms,
            watermark_emit_interval_ms: $w.watermark_emit_interval_ms,
            timestamp_extractor_class_name: $w.timestamp_extractor_class_name.clone(),
            $($rest)*
        }
    };
}

/// `ProducerConfig { <the limits of $p>, $rest }`: a Pulsar producer config as a resource's (or a
/// config's) producer block reads back: pending-message limits of 0 are Pulsar's "unset",
/// thread-local producers default to off, the crypto config is mapped with `$crypto`.
macro_rules! producer_limits {
    ($p:expr, $crypto:expr => { $($rest:tt)* }) => {
        fm_model::pulsar::ProducerConfig {
            max_pending_messages: $p.max_pending_messages.filter(|n| *n != 0),
            max_pending_messages_across_partitions: $p
                .max_pending_messages_across_partitions
                .filter(|n| *n != 0),
            use_thread_local_producers: Some($p.use_thread_local_producers.unwrap_or(false)),
            crypto_config: $p.crypto_config.as_ref().map($crypto),
            compression_type: $p.compression_type,
            batching_config: None,
            $($rest)*
        }
    };
}

pub(crate) use {producer_limits, window_fields};
