//! Strategies for the three specs, from the fields they share and their own.

use std::collections::BTreeMap;

use fm_convert::crd::*;
use proptest::option::of;
use proptest::prelude::*;

use super::leaves::*;

/// Five optional strings (names, images).
type FiveStrings = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Fields shared by the three specs, generated once.
#[derive(Clone, Debug)]
struct Common {
    names: FiveStrings,
    replicas: (Option<i32>, Option<bool>, Option<i32>, Option<i32>),
    images: FiveStrings,
    flags: (Option<bool>, Option<bool>),
    log: (Option<String>, Option<LogTopicAgent>),
    pg: Option<ProcessingGuarantee>,
    pod: Option<PodPolicy>,
    pulsar: (Option<PulsarMessaging>, Option<PulsarMessaging>),
    runtimes: (
        Option<JavaRuntime>,
        Option<PythonRuntime>,
        Option<GoRuntime>,
        Option<GenericRuntime>,
    ),
    secrets: Option<BTreeMap<String, SecretRef>>,
    stateful: Option<Stateful>,
}
fn common() -> impl Strategy<Value = Common> {
    (
        (os(), os(), os(), os(), os()),
        (
            of(any::<i32>()),
            of(any::<bool>()),
            of(any::<i32>()),
            of(any::<i32>()),
        ),
        (os(), os(), os(), os(), os()),
        (of(any::<bool>()), of(any::<bool>())),
        (os(), of(log_topic_agent())),
        of(processing_guarantee()),
        of(pod()),
        (of(messaging()), of(messaging())),
        (of(java()), of(python()), of(golang()), of(generic())),
        secrets(),
        of(stateful()),
    )
        .prop_map(
            |(
                names,
                replicas,
                images,
                flags,
                log,
                pg,
                pod,
                pulsar,
                runtimes,
                secrets,
                stateful,
            )| Common {
                names,
                replicas,
                images,
                flags,
                log,
                pg,
                pod,
                pulsar,
                runtimes,
                secrets,
                stateful,
            },
        )
}
/// Consumer-side fields of Function and Sink.
type Consuming = (
    (
        Option<i32>,
        Option<bool>,
        Option<i32>,
        Option<bool>,
        Option<bool>,
    ),
    (
        Option<String>,
        Option<String>,
        Option<bool>,
        Option<SubscriptionPosition>,
        Option<String>,
    ),
);
fn consuming() -> impl Strategy<Value = Consuming> {
    (
        (
            of(any::<i32>()),
            of(any::<bool>()),
            of(any::<i32>()),
            of(any::<bool>()),
            of(any::<bool>()),
        ),
        (
            os(),
            os(),
            of(any::<bool>()),
            of(subscription_position()),
            os(),
        ),
    )
}

pub(crate) fn function_spec() -> impl Strategy<Value = FunctionSpec> {
    (
        common(),
        consuming(),
        (
            of(input()),
            of(output()),
            free(),
            of(source_connector()),
            of(sink_connector()),
        ),
        (
            of(window()),
            of(any::<bool>()),
            of(any::<i32>()),
            of(any::<bool>()),
        ),
    )
        .prop_map(
            |(
                c,
                (
                    (timeout, auto_ack, retry, ordering, key_ordering),
                    (dlq, sub, cleanup, pos, flags),
                ),
                io,
                extra,
            )| {
                FunctionSpec {
                    name: c.names.0,
                    class_name: c.names.1,
                    tenant: c.names.2,
                    namespace: c.names.3,
                    cluster_name: c.names.4,
                    replicas: c.replicas.0,
                    show_precise_parallelism: c.replicas.1,
                    min_replicas: c.replicas.2,
                    max_replicas: c.replicas.3,
                    downloader_image: c.images.0,
                    cleanup_image: c.images.1,
                    filebeat_image: c.images.2,
                    image: c.images.3,
                    image_pull_policy: c.images.4,
                    image_has_pulsarctl: c.flags.0,
                    image_has_wget: c.flags.1,
                    log_topic: c.log.0,
                    log_topic_agent: c.log.1,
                    processing_guarantee: c.pg,
                    pod: c.pod,
                    pulsar: c.pulsar.0,
                    pulsar_package_service: c.pulsar.1,
                    java: c.runtimes.0,
                    python: c.runtimes.1,
                    golang: c.runtimes.2,
                    generic_runtime: c.runtimes.3,
                    secrets_map: c.secrets,
                    stateful_config: c.stateful,
                    timeout,
                    auto_ack,
                    max_message_retry: retry,
                    retain_ordering: ordering,
                    retain_key_ordering: key_ordering,
                    dead_letter_topic: dlq,
                    subscription_name: sub,
                    cleanup_subscription: cleanup,
                    subscription_position: pos,
                    runtime_flags: flags,
                    input: io.0,
                    output: io.1,
                    func_config: io.2,
                    source_config: io.3,
                    sink_config: io.4,
                    window_config: extra.0,
                    forward_source_message_property: extra.1,
                    max_pending_async_requests: extra.2,
                    skip_to_latest: extra.3,
                    ..FunctionSpec::default()
                }
            },
        )
}
pub(crate) fn sink_spec() -> impl Strategy<Value = SinkSpec> {
    (
        common(),
        consuming(),
        of(input()),
        free(),
        os(),
        of(any::<i32>()),
    )
        .prop_map(
            |(
                c,
                (
                    (timeout, auto_ack, retry, ordering, key_ordering),
                    (dlq, sub, cleanup, pos, flags),
                ),
                input,
                cfg,
                sink_type,
                nack,
            )| SinkSpec {
                name: c.names.0,
                class_name: c.names.1,
                tenant: c.names.2,
                namespace: c.names.3,
                cluster_name: c.names.4,
                replicas: c.replicas.0,
                show_precise_parallelism: c.replicas.1,
                min_replicas: c.replicas.2,
                max_replicas: c.replicas.3,
                downloader_image: c.images.0,
                cleanup_image: c.images.1,
                filebeat_image: c.images.2,
                image: c.images.3,
                image_pull_policy: c.images.4,
                image_has_pulsarctl: c.flags.0,
                image_has_wget: c.flags.1,
                log_topic: c.log.0,
                log_topic_agent: c.log.1,
                processing_guarantee: c.pg,
                pod: c.pod,
                pulsar: c.pulsar.0,
                pulsar_package_service: c.pulsar.1,
                java: c.runtimes.0,
                python: c.runtimes.1,
                golang: c.runtimes.2,
                generic_runtime: c.runtimes.3,
                secrets_map: c.secrets,
                stateful_config: c.stateful,
                timeout,
                auto_ack,
                max_message_retry: retry,
                retain_ordering: ordering,
                retain_key_ordering: key_ordering,
                dead_letter_topic: dlq,
                subscription_name: sub,
                cleanup_subscription: cleanup,
                subscription_position: pos,
                runtime_flags: flags,
                input,
                sink_config: cfg,
                sink_type,
                negative_ack_redelivery_delay_ms: nack,
                ..SinkSpec::default()
            },
        )
}
pub(crate) fn source_spec() -> impl Strategy<Value = SourceSpec> {
    (
        common(),
        of(output()),
        free(),
        os(),
        of(batch()),
        of(any::<bool>()),
        os(),
    )
        .prop_map(
            |(c, output, cfg, source_type, batch, forward, flags)| SourceSpec {
                name: c.names.0,
                class_name: c.names.1,
                tenant: c.names.2,
                namespace: c.names.3,
                cluster_name: c.names.4,
                replicas: c.replicas.0,
                show_precise_parallelism: c.replicas.1,
                min_replicas: c.replicas.2,
                max_replicas: c.replicas.3,
                downloader_image: c.images.0,
                cleanup_image: c.images.1,
                filebeat_image: c.images.2,
                image: c.images.3,
                image_pull_policy: c.images.4,
                image_has_pulsarctl: c.flags.0,
                image_has_wget: c.flags.1,
                log_topic: c.log.0,
                log_topic_agent: c.log.1,
                processing_guarantee: c.pg,
                pod: c.pod,
                pulsar: c.pulsar.0,
                pulsar_package_service: c.pulsar.1,
                java: c.runtimes.0,
                python: c.runtimes.1,
                golang: c.runtimes.2,
                generic_runtime: c.runtimes.3,
                secrets_map: c.secrets,
                stateful_config: c.stateful,
                output,
                source_config: cfg,
                source_type,
                batch_source_config: batch,
                forward_source_message_property: forward,
                runtime_flags: flags,
                ..SourceSpec::default()
            },
        )
}
