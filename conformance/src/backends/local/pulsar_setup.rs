//! What the local Pulsar runs from: the Maven-built cache that `conformance/scripts/prepare-pulsar.sh`
//! (called by `conformance/scripts/prepare.sh`) fills under `<cache root>/pulsar-<PULSAR_VERSION>/`
//! (`lib/broker/*.jar`: `org.apache.pulsar:pulsar-broker` and the filesystem packages storage provider;
//! `lib/admin/*.jar`: `org.apache.pulsar:pulsar-client-tools`, whose main class is the real `pulsar-admin`),
//! the configuration templates of `conformance/pulsar/`, and the JVM command line. Nothing here downloads
//! anything.

use std::fs;
use std::path::{Path, PathBuf};

use crate::backend::PULSAR_VERSION;
use crate::error::{HarnessError, Result};

/// What `prepare-pulsar.sh` writes into `READY` when the cache is complete for these versions.
pub const CACHE_FINGERPRINT: &str = "pulsar-broker=4.0.7 pulsar-client-tools=4.0.8 layout=5";

/// Main class of the standalone broker.
pub(super) const STANDALONE_MAIN: &str = "org.apache.pulsar.PulsarStandaloneStarter";
/// Main class of the real `pulsar-admin`.
pub(super) const ADMIN_MAIN: &str = "org.apache.pulsar.admin.cli.PulsarAdminTool";

/// The broker configuration template (placeholders `{{broker_port}}`, `{{web_port}}`, `{{packages_dir}}`,
/// `{{auth_settings}}`).
pub(super) const STANDALONE_TEMPLATE: &str = include_str!("../../../pulsar/standalone.conf");
/// Its name in errors.
const STANDALONE_TEMPLATE_NAME: &str = "conformance/pulsar/standalone.conf";
/// Log4j configuration of the broker.
pub(super) const LOG4J_BROKER: &str = include_str!("../../../pulsar/log4j2-broker.properties");
/// Log4j configuration of `pulsar-admin`.
pub(super) const LOG4J_ADMIN: &str = include_str!("../../../pulsar/log4j2-admin.properties");

/// JVM options of the broker, one per line: bounded heap and direct memory, the module openings
/// Pulsar's own launcher passes on Java 17, quick start-up (C1 only, serial GC; a test broker does
/// little work). `prepare-pulsar.sh` records the broker's CDS archive with the same file.
pub(super) const BROKER_JVM_OPTS: &str = include_str!("../../../pulsar/broker.jvm.options");
/// JVM options of one `pulsar-admin` run, one per line (small heap, quick start-up); also used to
/// record its CDS archive.
pub(super) const ADMIN_JVM_OPTS: &str = include_str!("../../../pulsar/admin.jvm.options");

/// The cache root the scripts use: `$FMESH_CACHE`, else `<repository>/.cache`.
pub fn default_cache_root() -> PathBuf {
    match std::env::var_os("FMESH_CACHE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(".cache"),
    }
}

/// The folder `prepare-pulsar.sh` fills for the pinned version under `cache_root`.
pub fn pulsar_cache_dir(cache_root: &Path) -> PathBuf {
    cache_root.join(format!("pulsar-{PULSAR_VERSION}"))
}

/// Checks that `prepare-pulsar.sh` completed for the pinned versions.
pub(super) fn check_cache(dir: &Path) -> Result<()> {
    let ready = dir.join("READY");
    match fs::read_to_string(&ready) {
        Ok(content) if content.trim() == CACHE_FINGERPRINT => {}
        Ok(content) => {
            return Err(HarnessError::PulsarCache {
                path: ready,
                problem: format!(
                    "was prepared for `{}`, this build needs `{CACHE_FINGERPRINT}`",
                    content.trim()
                ),
            })
        }
        Err(e) => {
            return Err(HarnessError::PulsarCache {
                path: ready,
                problem: format!("cannot be read ({e})"),
            })
        }
    }
    for part in ["broker", "admin"] {
        let lib = dir.join("lib").join(part);
        let has_jar = fs::read_dir(&lib)
            .map(|entries| {
                entries
                    .flatten()
                    .any(|e| e.path().extension().is_some_and(|x| x == "jar"))
            })
            .unwrap_or(false);
        if !has_jar {
            return Err(HarnessError::PulsarCache {
                path: lib,
                problem: "has no jars".to_owned(),
            });
        }
    }
    Ok(())
}

/// The CDS archive `name` in the cache folder, when `prepare-pulsar.sh` could record it.
pub(super) fn cds_archive(dir: &Path, name: &str) -> Option<PathBuf> {
    Some(dir.join(name)).filter(|a| a.is_file())
}

/// JVM arguments that use a CDS archive; JVM log output (e.g. a warning that the archive does not
/// match) goes to stderr, never into stdout.
pub(super) fn cds_args(archive: Option<&Path>) -> Vec<String> {
    match archive {
        Some(a) => vec![
            format!("-XX:SharedArchiveFile={}", a.display()),
            "-Xlog:disable".to_owned(),
            "-Xlog:all=warning:stderr".to_owned(),
        ],
        None => Vec::new(),
    }
}

/// The options of a `*.jvm.options` file: one per non-empty line (the format of a java `@argfile`
/// without quoting).
pub(super) fn jvm_options(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH.
pub(super) fn java_command() -> PathBuf {
    match std::env::var_os("JAVA_HOME") {
        Some(home) if !home.is_empty() => Path::new(&home).join("bin").join("java"),
        _ => PathBuf::from("java"),
    }
}

/// A class path of every jar in `lib` (the JVM expands the wildcard).
pub(super) fn classpath(lib: &Path) -> String {
    format!("{}/*", lib.display())
}

pub(super) fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .map_err(HarnessError::io_at("resolve", path))
}

pub(super) fn write(path: &Path, content: &str) -> Result<()> {
    fs::write(path, content).map_err(HarnessError::io_at("write", path))
}

/// Replaces every `{{name}}`; any placeholder left over is an error.
pub(super) fn render(template: &str, values: &[(&str, String)]) -> Result<String> {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{{{name}}}}}"), value);
    }
    if let Some((_, rest)) = out.split_once("{{") {
        let name = rest.split_once("}}").map_or(rest, |(name, _)| name);
        return Err(HarnessError::Template {
            template: STANDALONE_TEMPLATE_NAME,
            placeholder: format!("{{{{{name}}}}}"),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::PULSAR_ADMIN_VERSION;

    #[test]
    fn render_replaces_every_placeholder() {
        let out = render(
            "a={{x}} b={{y}} a2={{x}}",
            &[("x", "1".into()), ("y", "2".into())],
        )
        .unwrap();
        assert_eq!(out, "a=1 b=2 a2=1");
    }

    #[test]
    fn render_rejects_a_leftover_placeholder() {
        let err = render("a={{x}} b={{nope}}", &[("x", "1".into())]).unwrap_err();
        assert!(
            matches!(&err, HarnessError::Template { placeholder, .. } if placeholder == "{{nope}}")
        );
    }

    #[test]
    fn the_shipped_template_renders_completely() {
        let out = render(
            STANDALONE_TEMPLATE,
            &[
                ("broker_port", "1".into()),
                ("web_port", "2".into()),
                ("packages_dir", "/p".into()),
                ("auth_settings", "authenticationEnabled=true".into()),
            ],
        )
        .unwrap();
        assert!(out.contains("\nauthenticationEnabled=true\n"));
        assert!(out.contains("brokerServicePort=1\n"));
        assert!(out.contains("webServicePort=2\n"));
        assert!(out.contains("STORAGE_PATH=/p\n"));
        assert!(out.contains("bindAddress=127.0.0.1\n"));
        assert!(out.contains("enablePackagesManagement=true\n"));
    }

    #[test]
    fn fingerprint_matches_the_pinned_versions() {
        assert!(CACHE_FINGERPRINT.contains(&format!("pulsar-broker={PULSAR_VERSION} ")));
        assert!(CACHE_FINGERPRINT.contains(&format!("pulsar-client-tools={PULSAR_ADMIN_VERSION} ")));
        let script = include_str!("../../../scripts/prepare-pulsar.sh");
        assert!(script.contains(&format!("FMESH_PULSAR_VERSION:-{PULSAR_VERSION}}}")));
        assert!(script.contains(&format!(
            "FMESH_PULSAR_ADMIN_VERSION:-{PULSAR_ADMIN_VERSION}}}"
        )));
        let layout = CACHE_FINGERPRINT.rsplit("layout=").next().unwrap();
        assert!(script.contains(&format!("\nLAYOUT={layout}\n")));
    }

    #[test]
    fn jvm_options_are_plain_lines_with_bounded_memory() {
        for text in [BROKER_JVM_OPTS, ADMIN_JVM_OPTS] {
            for opt in jvm_options(text) {
                // Same meaning as a java @argfile (used by prepare-pulsar.sh) only without quoting.
                assert!(
                    opt.starts_with('-') && !opt.contains(char::is_whitespace),
                    "{opt}"
                );
                assert!(!opt.contains(['"', '\'', '#']), "{opt}");
            }
        }
        assert!(jvm_options(BROKER_JVM_OPTS).any(|o| o == "-Xmx1g"));
        assert!(jvm_options(BROKER_JVM_OPTS).any(|o| o.starts_with("-XX:MaxDirectMemorySize=")));
        assert!(jvm_options(ADMIN_JVM_OPTS).any(|o| o == "-Xmx256m"));
    }

    #[test]
    fn cds_args_only_with_an_archive() {
        assert!(cds_args(None).is_empty());
        let args = cds_args(Some(Path::new("/c/admin.jsa")));
        assert_eq!(args[0], "-XX:SharedArchiveFile=/c/admin.jsa");
        assert!(args.iter().any(|a| a == "-Xlog:disable"));
    }

    #[test]
    fn stale_cache_names_both_fingerprints() {
        let dir =
            std::env::temp_dir().join(format!("fmesh-stale-pulsar-cache-{}", std::process::id()));
        let pulsar = pulsar_cache_dir(&dir);
        fs::create_dir_all(&pulsar).unwrap();
        fs::write(
            pulsar.join("READY"),
            "pulsar-broker=0.0.1 pulsar-client-tools=0.0.1 layout=0",
        )
        .unwrap();
        let err = check_cache(&pulsar).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("pulsar-broker=0.0.1"), "{msg}");
        assert!(msg.contains(CACHE_FINGERPRINT), "{msg}");
        fs::write(pulsar.join("READY"), CACHE_FINGERPRINT).unwrap();
        let err = check_cache(&pulsar).unwrap_err();
        assert!(err.to_string().contains("has no jars"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
