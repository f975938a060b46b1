//! Local processes started by the harness: own process group, log file, killed on drop.

use std::fs::File;
use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{HarnessError, Result};

/// A child process in its own process group whose stdout/stderr go to a log file.
/// Dropping it sends SIGTERM to the whole group, then SIGKILL after a grace period.
#[derive(Debug)]
pub struct ManagedProcess {
    name: String,
    child: Child,
    log: PathBuf,
}

impl ManagedProcess {
    /// Spawns `cmd` with its output appended to `<log_dir>/<name>.log`.
    ///
    /// The child gets its own process group (so the whole tree can be signalled) and is sent SIGKILL by the
    /// kernel if the harness dies (`PR_SET_PDEATHSIG`), so nothing outlives a crashed run.
    pub fn spawn(name: &str, mut cmd: Command, log_dir: &Path) -> Result<ManagedProcess> {
        let log = log_dir.join(format!("{name}.log"));
        let out = File::create(&log)
            .map_err(|e| HarnessError::io(format!("create {}", log.display()), e))?;
        let err = out
            .try_clone()
            .map_err(|e| HarnessError::io("clone log handle", e))?;
        cmd.stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        // SAFETY: prctl with PR_SET_PDEATHSIG only sets a flag of the child; it is async-signal-safe and touches
        // no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd.spawn().map_err(|e| HarnessError::Process {
            name: name.into(),
            message: format!("spawn {:?}: {e}", cmd.get_program()),
            log: log.clone(),
        })?;
        Ok(ManagedProcess {
            name: name.into(),
            child,
            log,
        })
    }

    /// The process name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its log file.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// Fails if the process has already exited (with the tail of its log).
    pub fn check_running(&mut self) -> Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(HarnessError::Process {
                name: self.name.clone(),
                message: format!(
                    "exited with {status}; last log lines:\n{}",
                    tail_lines(&self.log, 15)
                ),
                log: self.log.clone(),
            }),
            Err(e) => Err(HarnessError::io(format!("wait for {}", self.name), e)),
        }
    }

    /// Stops the process group: SIGTERM, up to 10 s grace, then SIGKILL.
    pub fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: sending a signal to our own child's process group; no memory is involved.
        unsafe {
            libc::kill(-pgid, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // SAFETY: as above.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

impl Drop for ManagedProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A free TCP port on 127.0.0.1 for `what` (bound then released; if someone takes it before the user binds
/// it, the user's start fails and may try again).
pub fn free_port(what: &str) -> Result<u16> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|source| HarnessError::NoFreePort {
            what: what.to_owned(),
            source,
        })
}

/// The last `n` lines of a text file, or an empty string when it cannot be read.
pub fn tail_lines(path: &Path, n: usize) -> String {
    let Ok(text) = std::fs::read_to_string(path) else {
        return String::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(n);
    lines.get(from..).unwrap_or_default().join("\n")
}

/// A duration in whole seconds from the environment variable `var`, else `default`.
pub fn env_duration(var: &str, default: Duration) -> Duration {
    std::env::var(var)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(default, Duration::from_secs)
}

/// What a bounded command printed and how it ended.
#[derive(Debug, Clone)]
pub struct Captured {
    /// Its exit code (-1 when killed by a signal).
    pub code: i32,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// Runs `cmd` with stdin closed and stdout/stderr captured, killing it after `timeout`. `what` names it in
/// errors (the command and its arguments). A non-zero exit is an `Ok` with that code; failing to start is
/// [`HarnessError::Spawn`] (or what `on_spawn_error` maps it to), running too long [`HarnessError::CommandTimeout`].
pub fn run_bounded(
    mut cmd: Command,
    what: &str,
    timeout: Duration,
    on_spawn_error: impl FnOnce(std::io::Error) -> HarnessError,
) -> Result<Captured> {
    let spawn_err = |source| HarnessError::Spawn {
        command: what.to_owned(),
        source,
    };
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(on_spawn_error)?;
    let stdout = child.stdout.take().map(reader_thread);
    let stderr = child.stderr.take().map(reader_thread);
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(HarnessError::CommandTimeout {
                    command: what.to_owned(),
                    timeout,
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(source) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(spawn_err(source));
            }
        }
    };
    let collect = |h: Option<std::thread::JoinHandle<std::io::Result<String>>>| -> Result<String> {
        match h {
            None => Ok(String::new()),
            Some(h) => match h.join() {
                Ok(r) => r.map_err(spawn_err),
                Err(_) => Err(spawn_err(std::io::Error::other(
                    "output reader thread panicked",
                ))),
            },
        }
    };
    Ok(Captured {
        code: status.code().unwrap_or(-1),
        stdout: collect(stdout)?,
        stderr: collect(stderr)?,
    })
}

fn reader_thread<R: Read + Send + 'static>(
    mut r: R,
) -> std::thread::JoinHandle<std::io::Result<String>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        r.read_to_end(&mut buf)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_lines_keeps_the_last_lines() {
        let dir = std::env::temp_dir().join(format!("fmesh-tail-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("log");
        std::fs::write(&f, "a\nb\nc\n").unwrap();
        assert_eq!(tail_lines(&f, 2), "b\nc");
        assert_eq!(tail_lines(&f, 10), "a\nb\nc");
        assert_eq!(tail_lines(&dir.join("missing"), 2), "");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn run_bounded_captures_output_and_exit_code() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let out = run_bounded(cmd, "sh", Duration::from_secs(60), |source| {
            HarnessError::Spawn {
                command: "sh".into(),
                source,
            }
        })
        .unwrap();
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (3, "out\n", "err\n")
        );
    }

    #[test]
    fn run_bounded_kills_a_command_past_its_bound() {
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let err = run_bounded(cmd, "sleep 30", Duration::from_millis(100), |source| {
            HarnessError::Spawn {
                command: "sleep".into(),
                source,
            }
        })
        .unwrap_err();
        assert!(matches!(err, HarnessError::CommandTimeout { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "sleep 30 did not finish within 100ms and was killed"
        );
    }

    #[test]
    fn free_ports_are_loopback_bindable() {
        let p = free_port("test").unwrap();
        assert!(p > 0);
        TcpListener::bind((Ipv4Addr::LOCALHOST, p)).unwrap();
    }

    #[test]
    fn process_group_is_killed_on_drop_and_log_is_written() {
        let dir = std::env::temp_dir().join(format!("fmesh-proc-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(["-c", "echo started; sleep 300 & echo $! > child.pid; wait"])
            .current_dir(&dir);
        let mut p = ManagedProcess::spawn("sleeper", cmd, &dir).unwrap();
        // Wait (bounded by count, not time assertions) until the grandchild pid is written.
        let pidfile = dir.join("child.pid");
        for _ in 0..100 {
            if pidfile.exists() && !std::fs::read_to_string(&pidfile).unwrap().trim().is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        p.check_running().unwrap();
        let grandchild: i32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        drop(p);
        // Gone, or a zombie waiting for its new parent to reap it: either way it no longer runs.
        let running = |pid: i32| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map(|s| !s.contains(") Z "))
                .unwrap_or(false)
        };
        let mut alive = running(grandchild);
        for _ in 0..100 {
            if !alive {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
            alive = running(grandchild);
        }
        assert!(!alive, "grandchild {grandchild} survived the group kill");
        assert!(std::fs::read_to_string(dir.join("sleeper.log"))
            .unwrap()
            .contains("started"));
    }
}
