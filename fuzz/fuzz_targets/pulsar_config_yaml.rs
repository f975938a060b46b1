//! Pulsar Function/Sink/Source config YAML: parse, validate, convert, convert back.
#![no_main]
mod common;
libfuzzer_sys::fuzz_target!(|data: &[u8]| common::run(data, fm_convert::parse::Format::Yaml));
