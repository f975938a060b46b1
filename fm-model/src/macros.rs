//! `optional_fields!`: the one place that says how an optional field of a mirrored type reads and
//! writes, instead of a `#[serde(default, skip_serializing_if = "Option::is_none")]` above each of
//! several hundred fields.

/// Declares a struct whose `Option<…>` fields default to `None` when the key is absent and are left
/// out when `None` (each such field gets `#[serde(default, skip_serializing_if =
/// "Option::is_none")]`); every other field is written as given. Doc comments and attributes of
/// the struct and of each field pass through unchanged, so derives (serde, schemars, kube's
/// `CustomResource`) and rustdoc see the struct as written; fields keep their order, and so does
/// the serialised output.
///
/// Settings may come first, each ending with `;`:
///
/// * `mirror(…);` derives `Clone, Debug, PartialEq, Serialize, Deserialize` and the derives
///   listed (`Default`, `JsonSchema`, …), with camelCase keys: what nearly every mirrored type
///   declares, said once.
/// * `lenient;` reads every optional Pulsar scalar (`Option<i32>`, `Option<i64>`,
///   `Option<bool>`, `Option<f64>`) as Jackson does (a number or bool written as a string, see
///   [`crate::lenient`]). Pulsar's and the worker's types are lenient; the CRD types are not.
/// * `impl Default;` also implements `Default` from the fields: `None` for an `Option`, the
///   value after `=` for a field written `name: Type = value`, else `Default::default()`. Such a
///   struct has `#[serde(default)]`, so an absent key reads as that value too.
///
/// In the field list:
///
/// * `..group,` names a macro of a shared field group (see `crd/spec_fields.rs`): the group's
///   fields are spliced in at that point.
/// * An `Option` field the CRD schema requires starts with `#[schemars(required)]` (before its doc
///   comment): it gets no `default`, which would take it out of the schema's `required`.
///
/// An `Option` field with a `#[serde(default = "…")]` of its own cannot be declared here (serde
/// allows one `default`); such structs are written out by hand.
macro_rules! optional_fields {
    // The settings, one at a time; the head collects `[default] [lenient] [attributes]`.
    (@settings $def:tt $len:tt [$($attrs:tt)*] mirror $(($($derive:ident),* $(,)?))?; $($rest:tt)*) => {
        $crate::macros::optional_fields!(@settings $def $len [
            $($attrs)*
            #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize $($(, $derive)*)?)]
            #[serde(rename_all = "camelCase")]
        ] $($rest)*);
    };
    (@settings $def:tt $len:tt $attrs:tt lenient; $($rest:tt)*) => {
        $crate::macros::optional_fields!(@settings $def [lenient] $attrs $($rest)*);
    };
    (@settings $def:tt $len:tt $attrs:tt impl Default; $($rest:tt)*) => {
        $crate::macros::optional_fields!(@settings [Default] $len $attrs $($rest)*);
    };
    (@settings $def:tt $len:tt [$($attrs:tt)*]
        $(#[$attr:meta])* $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::macros::optional_fields!(
            @field [$def $len [$($attrs)* $(#[$attr])* $vis struct $name] $name] [[] []] $($body)*
        );
    };
    // A shared group of fields: its macro splices them in front of the rest and calls back.
    (@field $head:tt $done:tt ..$group:ident $(, $($rest:tt)*)?) => {
        $group!($head $done $($($rest)*)?);
    };
    // An optional field the schema marks required: `None` when absent all the same (serde's rule
    // for `Option`), omitted when `None`.
    (@field $head:tt [[$($f:tt)*] [$($d:tt)*]]
        #[schemars(required)] $(#[$fattr:meta])* $fvis:vis $field:ident : Option<$ty:ty>
        $(, $($rest:tt)*)?
    ) => {
        $crate::macros::optional_fields!(@field $head [[
            $($f)*
            $(#[$fattr])*
            #[schemars(required)]
            #[serde(skip_serializing_if = "Option::is_none")]
            $fvis $field: Option<$ty>,
        ] [$($d)* $field: None,]] $($($rest)*)?);
    };
    // In a lenient struct, an optional field of one named type: a Pulsar scalar reads leniently.
    (@field [$def:tt [lenient] $($h:tt)*] $done:tt
        $(#[$fattr:meta])* $fvis:vis $field:ident : Option<$s:ident> $(, $($rest:tt)*)?
    ) => {
        $crate::macros::optional_fields!(@scalar $s [
            [$def [lenient] $($h)*] $done [$(#[$fattr])*] $fvis $field: Option<$s>; $($($rest)*)?
        ]);
    };
    (@scalar i32 [$h:tt $d:tt $($t:tt)*]) => { $crate::macros::optional_fields!(@opt $h $d [, deserialize_with = "crate::lenient::opt_i32"] $($t)*); };
    (@scalar i64 [$h:tt $d:tt $($t:tt)*]) => { $crate::macros::optional_fields!(@opt $h $d [, deserialize_with = "crate::lenient::opt_i64"] $($t)*); };
    (@scalar bool [$h:tt $d:tt $($t:tt)*]) => { $crate::macros::optional_fields!(@opt $h $d [, deserialize_with = "crate::lenient::opt_bool"] $($t)*); };
    (@scalar f64 [$h:tt $d:tt $($t:tt)*]) => { $crate::macros::optional_fields!(@opt $h $d [, deserialize_with = "crate::lenient::opt_f64"] $($t)*); };
    (@scalar $s:ident [$h:tt $d:tt $($t:tt)*]) => { $crate::macros::optional_fields!(@opt $h $d [] $($t)*); };
    // An optional field: `None` when absent, omitted when `None`.
    (@field $head:tt $done:tt
        $(#[$fattr:meta])* $fvis:vis $field:ident : Option<$ty:ty> $(, $($rest:tt)*)?
    ) => {
        $crate::macros::optional_fields!(
            @opt $head $done [] [$(#[$fattr])*] $fvis $field: Option<$ty>; $($($rest)*)?
        );
    };
    (@opt $head:tt [[$($f:tt)*] [$($d:tt)*]] [$($with:tt)*] [$(#[$fattr:meta])*]
        $fvis:vis $field:ident : $ty:ty; $($rest:tt)*
    ) => {
        $crate::macros::optional_fields!(@field $head [[
            $($f)*
            $(#[$fattr])*
            #[serde(default, skip_serializing_if = "Option::is_none" $($with)*)]
            $fvis $field: $ty,
        ] [$($d)* $field: None,]] $($rest)*);
    };
    // A field with its default value (for `impl Default;`), otherwise as written.
    (@field $head:tt [[$($f:tt)*] [$($d:tt)*]]
        $(#[$fattr:meta])* $fvis:vis $field:ident : $ty:ty = $value:expr $(, $($rest:tt)*)?
    ) => {
        $crate::macros::optional_fields!(@field $head [[
            $($f)*
            $(#[$fattr])*
            $fvis $field: $ty,
        ] [$($d)* $field: $value,]] $($($rest)*)?);
    };
    // Any other field, as written.
    (@field $head:tt [[$($f:tt)*] [$($d:tt)*]]
        $(#[$fattr:meta])* $fvis:vis $field:ident : $ty:ty $(, $($rest:tt)*)?
    ) => {
        $crate::macros::optional_fields!(@field $head [[
            $($f)*
            $(#[$fattr])*
            $fvis $field: $ty,
        ] [$($d)* $field: Default::default(),]] $($($rest)*)?);
    };
    // Every field read: the struct, and `Default` when asked for.
    (@field [[] $len:tt [$($head:tt)*] $name:ident] [[$($f:tt)*] $d:tt]) => {
        $($head)* { $($f)* }
    };
    (@field [[Default] $len:tt [$($head:tt)*] $name:ident] [[$($f:tt)*] [$($d:tt)*]]) => {
        $($head)* { $($f)* }

        impl Default for $name {
            fn default() -> Self {
                $name { $($d)* }
            }
        }
    };
    // The entry: settings first, then the struct.
    ($($input:tt)*) => {
        $crate::macros::optional_fields!(@settings [] [] [] $($input)*);
    };
}

/// Declares field groups for [`optional_fields!`]: each `name { fields }` becomes a macro
/// `name!` (re-exported to the crate) that splices `fields` in where a field list says
/// `..name,`. The `($)` hands the inner macro its own `$`.
macro_rules! field_groups {
    ($($(#[$doc:meta])* $name:ident { $($fields:tt)* })*) => {
        $($crate::macros::field_groups!(@one ($) $(#[$doc])* $name { $($fields)* });)*
    };
    (@one ($d:tt) $(#[$doc:meta])* $name:ident { $($fields:tt)* }) => {
        $(#[$doc])*
        macro_rules! $name {
            ($d head:tt $d done:tt $d ($d rest:tt)*) => {
                $crate::macros::optional_fields!(@field $d head $d done $($fields)* $d ($d rest)*);
            };
        }
        #[allow(unused_imports)]
        pub(crate) use $name;
    };
}

field_groups! {
    /// The window settings Pulsar's `WindowConfig` and the CRD's `windowConfig` share, in the order
    /// both declare them: a field group for [`optional_fields!`] (`..window_fields,`). The Pulsar
    /// side reads them leniently, the CRD side strictly, as each struct says.
    window_fields {
        /// Window length in messages.
        pub window_length_count: Option<i32>,
        /// Window length in milliseconds.
        pub window_length_duration_ms: Option<i64>,
        /// Sliding interval in messages.
        pub sliding_interval_count: Option<i32>,
        /// Sliding interval in milliseconds.
        pub sliding_interval_duration_ms: Option<i64>,
        /// Topic for late data.
        pub late_data_topic: Option<String>,
        /// Maximum lag for event-time windows.
        pub max_lag_ms: Option<i64>,
        /// Watermark emit interval.
        pub watermark_emit_interval_ms: Option<i64>,
        /// Timestamp extractor class (event-time windows).
        pub timestamp_extractor_class_name: Option<String>,
    }

    /// The producer settings Pulsar's `ProducerConfig` and the CRD's `producerConf` share, in the
    /// order both declare them: a field group for [`optional_fields!`] (`..producer_fields,`).
    /// `CryptoConfig` and `CompressionType` are each side's own (the names resolve where the group
    /// is spliced in).
    producer_fields {
        /// Max pending messages.
        pub max_pending_messages: Option<i32>,
        /// Max pending messages across partitions.
        pub max_pending_messages_across_partitions: Option<i32>,
        /// Use thread-local producers.
        pub use_thread_local_producers: Option<bool>,
        /// End-to-end encryption settings.
        pub crypto_config: Option<CryptoConfig>,
        /// Batch builder (`DEFAULT` or `KEY_BASED`).
        pub batch_builder: Option<String>,
        /// Compression type.
        pub compression_type: Option<CompressionType>,
    }
}

pub(crate) use {field_groups, optional_fields};
