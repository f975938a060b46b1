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
/// A field list may also hold `..group,` where `group` names a macro of a shared field group (see
/// `crd::component`): the group's fields are spliced in at that point.
///
/// An `Option` field the CRD schema requires starts with `#[schemars(required)]` (before its doc
/// comment): it gets no `default`. An `Option` field with a `#[serde(default = "…")]` of its own
/// cannot be declared here (serde allows one `default`); such structs are written out by hand.
macro_rules! optional_fields {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::macros::optional_fields!(@field [$(#[$attr])* $vis struct $name] [] $($body)*);
    };
    // A shared group of fields: its macro splices them in front of the rest and calls back.
    (@field $head:tt $done:tt ..$group:ident $(, $($rest:tt)*)?) => {
        $group!($head $done $($($rest)*)?);
    };
    // An optional field the schema marks required (`#[schemars(required)]` first): `None` when
    // absent all the same (serde's rule for `Option`), omitted when `None`, and no `default`, which
    // would make schemars drop it from `required`.
    (@field $head:tt [$($done:tt)*]
        #[schemars(required)] $(#[$fattr:meta])* $fvis:vis $field:ident : Option<$ty:ty>
        $(, $($rest:tt)*)?
    ) => {
        $crate::macros::optional_fields!(@field $head [
            $($done)*
            $(#[$fattr])*
            #[schemars(required)]
            #[serde(skip_serializing_if = "Option::is_none")]
            $fvis $field: Option<$ty>,
        ] $($($rest)*)?);
    };
    // An optional field: `None` when absent, omitted when `None`.
    (@field $head:tt [$($done:tt)*]
        $(#[$fattr:meta])* $fvis:vis $field:ident : Option<$ty:ty> $(, $($rest:tt)*)?
    ) => {
        $crate::macros::optional_fields!(@field $head [
            $($done)*
            $(#[$fattr])*
            #[serde(default, skip_serializing_if = "Option::is_none")]
            $fvis $field: Option<$ty>,
        ] $($($rest)*)?);
    };
    // Any other field, as written.
    (@field $head:tt [$($done:tt)*]
        $(#[$fattr:meta])* $fvis:vis $field:ident : $ty:ty $(, $($rest:tt)*)?
    ) => {
        $crate::macros::optional_fields!(@field $head [
            $($done)*
            $(#[$fattr])*
            $fvis $field: $ty,
        ] $($($rest)*)?);
    };
    // Every field read: the struct.
    (@field [$($head:tt)*] [$($done:tt)*]) => {
        $($head)* { $($done)* }
    };
}

pub(crate) use optional_fields;
