//! The log of the workers the scenarios run in-process: one process-wide `tracing` subscriber
//! (installed by the first worker scenario) writes every line of the worker's crates — fm-worker
//! at `trace`, the HTTP stack (tower-http, axum, hyper) at `debug`, everything else at `info` —
//! into memory and into `<log dir>/fmesh-worker.log`, and a panic hook records every panic (a
//! worker task's included) as a `PANIC` line. Scenarios read the lines since a [`Mark`] to assert
//! what the worker logged (no token, no panic).

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

/// The filter of the captured log.
pub const FILTER: &str =
    "info,fm_worker=trace,fm_auth=trace,fm_convert=debug,tower_http=trace,axum=trace,hyper=debug";

/// The prefix of a recorded panic.
pub const PANIC_PREFIX: &str = "PANIC ";

#[derive(Default)]
struct Sink {
    lines: Vec<u8>,
    file: Option<std::fs::File>,
}

#[derive(Clone)]
struct Writer(Arc<Mutex<Sink>>);

impl Write for Writer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let mut s = match self.0.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        s.lines.extend_from_slice(b);
        if let Some(f) = s.file.as_mut() {
            let _ = f.write_all(b);
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The process-wide capture; `Err` when another subscriber was installed first.
fn capture() -> &'static Result<Writer, String> {
    static CAPTURE: OnceLock<Result<Writer, String>> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let writer = Writer(Arc::new(Mutex::new(Sink::default())));
        let w = writer.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(FILTER))
            .with_writer(move || w.clone())
            .with_ansi(false)
            .try_init()
            .map_err(|e| format!("a tracing subscriber was already installed: {e}"))?;
        let panics = writer.clone();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let line = format!(
                "{PANIC_PREFIX}thread `{}`: {info}\n",
                thread.name().unwrap_or("<unnamed>")
            );
            let _ = panics.clone().write(line.as_bytes());
            previous(info);
        }));
        Ok(writer)
    })
}

/// Installs the capture (once per process) and sends it to `<log_dir>/fmesh-worker.log` from now
/// on. Errors when the capture cannot be installed.
pub fn install(log_dir: &Path) -> Result<(), String> {
    let w = capture().as_ref().map_err(Clone::clone)?;
    let mut s = match w.0.lock() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    };
    if s.file.is_none() {
        let path = log_dir.join("fmesh-worker.log");
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("open {}: {e}", path.display()))?;
        let _ = f.write_all(&s.lines);
        s.file = Some(f);
    }
    Ok(())
}

/// A position in the captured log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark(usize);

impl Mark {
    /// The start of the capture (everything the run's workers logged).
    pub const START: Mark = Mark(0);
}

/// The current end of the captured log (the start when nothing is captured).
pub fn mark() -> Mark {
    match capture() {
        Ok(w) => Mark(match w.0.lock() {
            Ok(s) => s.lines.len(),
            Err(p) => p.into_inner().lines.len(),
        }),
        Err(_) => Mark(0),
    }
}

/// Everything captured since `from` (lossy UTF-8).
pub fn since(from: Mark) -> String {
    match capture() {
        Ok(w) => {
            let s = match w.0.lock() {
                Ok(s) => s,
                Err(p) => p.into_inner(),
            };
            String::from_utf8_lossy(s.lines.get(from.0..).unwrap_or_default()).into_owned()
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_worker_lines_and_panics_since_a_mark() {
        let dir = std::env::temp_dir().join(format!("fmesh-worker-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        install(&dir).unwrap();
        let m = mark();
        tracing::info!(target: "fm_worker::test", "line-one");
        tracing::trace!(target: "fm_worker::test", "line-two");
        tracing::trace!(target: "elsewhere", "not-captured");
        let _ = std::thread::Builder::new()
            .name("boom".into())
            .spawn(|| panic!("deliberate"))
            .unwrap()
            .join();
        let text = since(m);
        assert!(
            text.contains("line-one") && text.contains("line-two"),
            "{text}"
        );
        assert!(!text.contains("not-captured"), "{text}");
        assert!(text.contains("PANIC thread `boom`"), "{text}");
        assert!(!since(mark()).contains("line-one"));
        let file = std::fs::read_to_string(dir.join("fmesh-worker.log")).unwrap();
        assert!(file.contains("line-two"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
