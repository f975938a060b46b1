//! Local processes started by the harness: own process group, log file, killed on drop.

use std::fs::File;
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
                    tail(&self.log, 15)
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

/// A free TCP port on 127.0.0.1 (bound then released; the small race is acceptable for a test harness).
pub fn free_port() -> Result<u16> {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| HarnessError::io("bind a free port", e))?;
    let port = l
        .local_addr()
        .map_err(|e| HarnessError::io("local_addr", e))?
        .port();
    Ok(port)
}

/// The last `n` lines of a file (empty if unreadable).
pub fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    // ok: saturating_sub keeps the start within 0..=len.
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_are_loopback_bindable() {
        let p = free_port().unwrap();
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
