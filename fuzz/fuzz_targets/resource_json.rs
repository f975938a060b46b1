//! Function Mesh resource documents (JSON, and YAML through `parse_resource`): parse, convert
//! back to a Pulsar config, compute the status.
#![no_main]
use fm_convert::crd::{parse_resource, Function, Sink, Source};
use fm_convert::parse::{parse_as, Format};
use fm_convert::{Worker, worker::WorkerConfig};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let worker = Worker::new(WorkerConfig::default());
    let yaml = selector & 4 != 0;
    match selector % 3 {
        0 => {
            let r = if yaml { parse_resource::<Function>(text).ok() } else { parse_as::<Function>(text, Format::Json).ok() };
            if let Some(r) = r {
                let _ = worker.reverse(&r);
                let _ = serde_json::to_string(&r);
            }
        }
        1 => {
            let r = if yaml { parse_resource::<Sink>(text).ok() } else { parse_as::<Sink>(text, Format::Json).ok() };
            if let Some(r) = r {
                let _ = worker.reverse(&r);
                let _ = serde_json::to_string(&r);
            }
        }
        _ => {
            let r = if yaml { parse_resource::<Source>(text).ok() } else { parse_as::<Source>(text, Format::Json).ok() };
            if let Some(r) = r {
                let _ = worker.reverse(&r);
                let _ = serde_json::to_string(&r);
            }
        }
    }
});
