//! The runner image and the language runtime blocks (`spec.java`, `spec.python`, `spec.golang`
//! logs, JVM options, extra dependencies).

use crate::options::{log_level, rotate_policy};
use fm_model::crd::{JavaRuntime, RuntimeLogConfig};
use fm_model::worker::{CustomRuntimeOptions, WorkerConfig};

/// The runner image: `functionRunnerImages[runtime]` with `runnerImageTag` applied (only when
/// the image has exactly one `:`), overridden by a trusted `runnerImage`.
pub(crate) fn runner_image(
    worker: &WorkerConfig,
    runtime: &str,
    opts: &CustomRuntimeOptions,
) -> Option<String> {
    let c = &worker.functions_worker_service_custom_configs;
    if c.enable_trusted_mode {
        if let Some(img) = opts.runner_image.clone().filter(|i| !i.is_empty()) {
            return Some(img);
        }
    }
    let image = c.function_runner_images.as_ref()?.get(runtime)?.clone();
    match opts.runner_image_tag.as_deref().filter(|t| !t.is_empty()) {
        Some(tag) if image.matches(':').count() == 1 => {
            let repo = image.split(':').next().unwrap_or(&image);
            Some(format!("{repo}:{tag}"))
        }
        _ => Some(image),
    }
}

/// How a resource's image reads back: `(runnerImage, runnerImageTag)`. The configured runner
/// image with another tag is a `runnerImageTag`; any other image is a trusted `runnerImage`.
pub(crate) fn classify_image(
    image: Option<&str>,
    configured: Option<&String>,
    trusted: bool,
) -> (Option<String>, Option<String>) {
    let Some(img) = image else {
        return (None, None);
    };
    match configured {
        Some(conf) if conf.as_str() == img => (None, None),
        Some(conf)
            if conf.matches(':').count() == 1
                && img.matches(':').count() == 1
                && img.split(':').next() == conf.split(':').next() =>
        {
            (None, img.split(':').nth(1).map(str::to_string))
        }
        _ if trusted => (Some(img.to_owned()), None),
        _ => (None, None),
    }
}

/// The extra dependencies directory the Java worker used when `functionsWorkerServiceCustomConfigs`
/// has no `extraDependenciesDir`: its configuration class's default.
pub(crate) const DEFAULT_EXTRA_DEPENDENCIES_DIR: &str = "/pulsar/lib/";

/// The Java runtime block: jar, location, JVM options, extra dependencies dir.
///
/// The extra dependencies dir is the runtime factory's `extraFunctionDependenciesDir`, else the
/// custom config's `extraDependenciesDir`, else [`DEFAULT_EXTRA_DEPENDENCIES_DIR`] (the Java
/// worker's class default; `/pulsar/instances/deps` only appears where everything is unset, as
/// in its mocked tests); a relative dir is resolved under `/pulsar/`. Deliberate fix: an
/// explicit empty `extraDependenciesDir` means none (the field is left out, which the operator
/// reads as no extra classpath entry), where the Java worker fell back to
/// `/pulsar/instances/deps`.
pub(crate) fn java_runtime(
    worker: &WorkerConfig,
    jar: String,
    location: Option<String>,
    log: Option<RuntimeLogConfig>,
) -> JavaRuntime {
    let c = &worker.functions_worker_service_custom_configs;
    let abs = |d: &str| {
        if d.starts_with('/') {
            d.to_string()
        } else {
            format!("/pulsar/{d}")
        }
    };
    let factory = worker
        .function_runtime_factory_configs
        .as_ref()
        .and_then(|f| f.extra_function_dependencies_dir.clone())
        .filter(|d| !d.is_empty());
    let extra = match (factory, c.extra_dependencies_dir.as_deref()) {
        (Some(d), _) => Some(abs(&d)),
        (None, None) => Some(DEFAULT_EXTRA_DEPENDENCIES_DIR.to_string()),
        (None, Some("")) => None,
        (None, Some(d)) => Some(abs(d)),
    };
    JavaRuntime {
        jar,
        jar_location: location,
        extra_dependencies_dir: extra,
        log,
        java_opts: c.java_opts.clone().filter(|o| !o.is_empty()),
        ..Default::default()
    }
}

/// `log` of a Java or Python runtime from `logLevel` / `logRotationPolicy`.
pub(crate) fn runtime_log(opts: &CustomRuntimeOptions) -> Option<RuntimeLogConfig> {
    let level = opts.log_level.as_deref().and_then(log_level);
    let rotate = opts.log_rotation_policy.as_deref().and_then(rotate_policy);
    (level.is_some() || rotate.is_some()).then(|| RuntimeLogConfig {
        level,
        rotate_policy: rotate,
        ..Default::default()
    })
}
