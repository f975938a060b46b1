//! Type arguments from the real `org.apache.pulsar:pulsar-functions-api-examples` jar.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::Cursor;

use fm_worker::jar::{function_type_args, JarError, TypeArgs};
use support::examples_jar;

const EX: &str = "org.apache.pulsar.functions.api.examples";

fn types(class: &str) -> Result<TypeArgs, JarError> {
    function_type_args(Cursor::new(examples_jar()), &format!("{EX}.{class}"))
}

fn both(input: &str, output: &str) -> TypeArgs {
    TypeArgs {
        input: input.into(),
        output: output.into(),
    }
}

#[test]
fn pulsar_function_gives_its_type_arguments() {
    assert_eq!(
        types("ExclamationFunction").unwrap(),
        both("java.lang.String", "java.lang.String")
    );
    assert_eq!(
        types("WordCountFunction").unwrap(),
        both("java.lang.String", "java.lang.Void")
    );
    assert_eq!(
        types("AutoSchemaFunction").unwrap(),
        both(
            "org.apache.pulsar.client.api.schema.GenericRecord",
            "java.lang.String"
        )
    );
}

#[test]
fn java_util_function_gives_its_type_arguments() {
    assert_eq!(
        types("JavaNativeExclamationFunction").unwrap(),
        both("java.lang.String", "java.lang.String")
    );
}

#[test]
fn classes_that_cannot_give_types_are_named() {
    assert_eq!(
        types("NoSuchFunction"),
        Err(JarError::ClassMissing(format!("{EX}.NoSuchFunction")))
    );
    assert_eq!(
        types("ByteBufferSerDe"),
        Err(JarError::NotAFunction(format!("{EX}.ByteBufferSerDe")))
    );
    let not_a_jar = function_type_args(Cursor::new(b"not a zip".to_vec()), "a.B");
    assert!(
        matches!(not_a_jar, Err(JarError::NotAJar(_))),
        "{not_a_jar:?}"
    );
}
