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
/// * `..group,` in the field list names a macro of a shared field group (see
///   `crd/spec_fields.rs`): the group's fields are spliced in at that point.
/// * An `Option` field the CRD schema requires starts with `#[schemars(required)]` (before its doc
///   comment): it gets no `default`, which would take it out of the schema's `required`.
/// * Starting with `impl Default;` also implements `Default` from the fields: `None` for an
///   `Option`, the value after `=` for a field written `name: Type = value`, else
///   `Default::default()`. Such a struct has `#[serde(default)]`, so an absent key reads as that
///   value too.
///
/// An `Option` field with a `#[serde(default = "…")]` of its own cannot be declared here (serde
/// allows one `default`); such structs are written out by hand.
macro_rules! optional_fields {
    (
        impl Default;
        $(#[$attr:meta])*
        $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::macros::optional_fields!(
            @field [[Default] [$(#[$attr])* $vis struct $name] $name] [[] []] $($body)*
        );
    };
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::macros::optional_fields!(
            @field [[] [$(#[$attr])* $vis struct $name] $name] [[] []] $($body)*
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
    // An optional field: `None` when absent, omitted when `None`.
    (@field $head:tt [[$($f:tt)*] [$($d:tt)*]]
        $(#[$fattr:meta])* $fvis:vis $field:ident : Option<$ty:ty> $(, $($rest:tt)*)?
    ) => {
        $crate::macros::optional_fields!(@field $head [[
            $($f)*
            $(#[$fattr])*
            #[serde(default, skip_serializing_if = "Option::is_none")]
            $fvis $field: Option<$ty>,
        ] [$($d)* $field: None,]] $($($rest)*)?);
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
    (@field [[] [$($head:tt)*] $name:ident] [[$($f:tt)*] $d:tt]) => {
        $($head)* { $($f)* }
    };
    (@field [[Default] [$($head:tt)*] $name:ident] [[$($f:tt)*] [$($d:tt)*]]) => {
        $($head)* { $($f)* }

        impl Default for $name {
            fn default() -> Self {
                $name { $($d)* }
            }
        }
    };
}

pub(crate) use optional_fields;
