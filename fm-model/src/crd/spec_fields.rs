//! The field groups the `Function`, `Sink` and `Source` specs share, declared once.
//!
//! Upstream's three Go types repeat these fields; here each group is a macro that a spec names
//! as `..group,` in its [`optional_fields!`](crate::macros::optional_fields) field list, which
//! splices the group's fields in at that point. The key order of each spec (and so of every
//! resource fmesh writes and of the CRD schemas) is the order upstream declares.
//!
//! Each group macro is called back by `optional_fields!` with its state (`$head $done`) and the
//! fields still to read (`$rest`); it hands them back with its own fields in front.

/// Declares the spec of a namespaced `compute.functionmesh.io/v1alpha1` custom resource with a
/// status and the scale subresource (`Function`, `Sink`, `Source` and, as upstream has it,
/// `BackendConfig`): kube's `CustomResource` derive with those settings, camelCase keys, and the
/// fields through [`optional_fields!`](crate::macros::optional_fields) (so `..group,` works).
macro_rules! scalable_spec {
    (
        $(#[$attr:meta])*
        kind = $kind:literal, plural = $plural:literal, singular = $singular:literal,
        status = $status:literal;
        $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::macros::optional_fields! {
            $(#[$attr])*
            #[derive(
                ::kube::CustomResource, Clone, Debug, Default, PartialEq,
                ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema,
            )]
            #[kube(
                group = "compute.functionmesh.io",
                version = "v1alpha1",
                kind = $kind,
                plural = $plural,
                singular = $singular,
                namespaced,
                status = $status,
                derive = "PartialEq",
                scale(
                    spec_replicas_path = ".spec.replicas",
                    status_replicas_path = ".status.replicas",
                    label_selector_path = ".status.selector"
                )
            )]
            #[serde(rename_all = "camelCase")]
            $vis struct $name { $($body)* }
        }
    };
}

crate::macros::field_groups! {
    /// Scale subresource, HPA bounds and the helper images: `replicas` … `maxReplicas`.
    scaling_fields {
        /// StatefulSet replicas (scale subresource spec path; webhook default 1).
        #[schemars(range(min = 0))]
        pub replicas: Option<i32>,
        /// If true, FunctionDetails.parallelism = replicas, else 1.
        pub show_precise_parallelism: Option<bool>,
        /// HPA minimum replicas (CRD default 1).
        #[schemars(range(min = 0), extend("default" = 1))]
        pub min_replicas: Option<i32>,
        /// Image of the `downloader` init container (operator `--enable-init-containers` mode).
        pub downloader_image: Option<String>,
        /// Image of the subscription-cleanup Job (default: the runner image).
        pub cleanup_image: Option<String>,
        /// HPA maximum replicas; its presence enables the HPA.
        pub max_replicas: Option<i32>,
    }

    /// The log topic and who ships it: `logTopic`, `logTopicAgent`, `filebeatImage`.
    log_fields {
        /// Log topic: FunctionDetails.logTopic of a function unless the agent is `sidecar`;
        /// a connector's is shipped by the filebeat sidecar.
        pub log_topic: Option<String>,
        /// Who publishes to `logTopic` (webhook default `runtime` for a function, `sidecar`
        /// for a connector).
        pub log_topic_agent: Option<crate::crd::LogTopicAgent>,
        /// Filebeat sidecar image.
        pub filebeat_image: Option<String>,
    }

    /// The main container's resources and secret env: `resources`, `secretsMap`.
    container_fields {
        /// Container resources; requests → FunctionDetails.resources.
        pub resources: Option<::k8s_openapi::api::core::v1::ResourceRequirements>,
        /// Env var name → Secret key (enables the environment secrets provider).
        pub secrets_map: Option<::std::collections::BTreeMap<String, crate::crd::SecretRef>>,
    }

    /// How a consumer (a function or a sink) acknowledges and retries: `autoAck` …
    /// `deadLetterTopic`.
    consumer_fields {
        /// Auto-acknowledge messages (webhook default true).
        pub auto_ack: Option<bool>,
        /// Max redeliveries before the dead letter topic.
        pub max_message_retry: Option<i32>,
        /// Delivery semantics (webhook default `atleast_once`).
        pub processing_guarantee: Option<crate::crd::ProcessingGuarantee>,
        /// Retain ordering (FAILOVER subscription).
        pub retain_ordering: Option<bool>,
        /// Retain key ordering (KEY_SHARED subscription).
        pub retain_key_ordering: Option<bool>,
        /// Dead letter topic.
        pub dead_letter_topic: Option<String>,
    }

    /// The subscription of a consumer (a function or a sink): `subscriptionName`,
    /// `cleanupSubscription`, `subscriptionPosition`.
    subscription_fields {
        /// Subscription name.
        pub subscription_name: Option<String>,
        /// Delete the subscription when the resource is deleted (finalizer + cleanup Job).
        pub cleanup_subscription: Option<bool>,
        /// Initial subscription position.
        pub subscription_position: Option<crate::crd::SubscriptionPosition>,
    }

    /// Where the instance runs and what it talks to: `pulsar`, `pulsarPackageService`, the four
    /// runtimes, the image settings and `statefulConfig`.
    runtime_fields {
        /// Pulsar cluster connection, auth and TLS (upstream inline `Messaging`).
        pub pulsar: Option<crate::crd::PulsarMessaging>,
        /// Separate Pulsar cluster used only for package download (v0.27.0).
        pub pulsar_package_service: Option<crate::crd::PulsarMessaging>,
        /// Java runtime (upstream inline `Runtime`; required for connectors).
        pub java: Option<crate::crd::JavaRuntime>,
        /// Python runtime.
        pub python: Option<crate::crd::PythonRuntime>,
        /// Go runtime (JSON `golang`).
        pub golang: Option<crate::crd::GoRuntime>,
        /// Generic runtime (`pulsar_rust_instance`).
        pub generic_runtime: Option<crate::crd::GenericRuntime>,
        /// Runner image override.
        pub image: Option<String>,
        /// Image pull policy (overwritten by the operator's `runnerImagePullPolicy`).
        pub image_pull_policy: Option<String>,
        /// The image has pulsarctl (used for download and cleanup).
        pub image_has_pulsarctl: Option<bool>,
        /// The image has wget (http(s) package download); JSON name `imageHasGet`.
        #[serde(rename = "imageHasGet")]
        pub image_has_wget: Option<bool>,
        /// State store settings (JSON `statefulConfig`).
        pub stateful_config: Option<crate::crd::Stateful>,
    }
}

pub(super) use scalable_spec;
