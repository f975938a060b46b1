//! Version strings, worker ranges and the compatibility matrix markdown (and YAML/JSON).
#![no_main]
use fm_compat::{FunctionMeshVersion, Matrix, WorkerRange, WorkerVersion};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    match selector % 4 {
        0 => {
            let f = text.parse::<FunctionMeshVersion>();
            let w = text.parse::<WorkerVersion>();
            if let (Ok(f), Ok(w)) = (&f, &w) {
                let _ = Matrix::published().is_compatible(f, w);
            }
            if let Ok(w) = &w {
                let _ = Matrix::published().function_mesh_for(w);
            }
        }
        1 => {
            if let Ok(r) = text.parse::<WorkerRange>() {
                let _ = r.to_string();
            }
            let _ = fm_compat::range::parse_published_item(text);
        }
        2 => {
            if let Ok(m) = Matrix::from_markdown(text) {
                let _ = m.function_mesh_versions();
            }
        }
        _ => {
            let _ = Matrix::from_any(text);
        }
    }
});
