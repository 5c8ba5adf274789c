//! The real `linli` binary as a child process, for tests of what a deployment runs: separate `serve` and
//! `jobs` processes, a process killed mid-work.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::client::Api;

/// The `linli` binary beside this test executable (`target/<profile>/linli`); `LINLI_BIN` overrides it.
/// `cargo test` and `cargo nextest` build it, because the `api` package has integration tests of its own.
pub fn linli_binary() -> PathBuf {
    if let Ok(path) = std::env::var("LINLI_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps/<test>");
    let bin = profile_dir.join("linli");
    assert!(bin.exists(), "{} is missing: build it with `cargo build -p linli-api` (scripts/test does)", bin.display());
    bin
}

/// A running `linli` process; killed when dropped.
pub struct LinliProcess {
    pub child: Child,
    pub api: Option<Api>,
    /// Everything it printed on standard output up to readiness.
    pub banner: Vec<String>,
}

impl LinliProcess {
    /// Runs `linli <args>` to completion and returns its exit status and output.
    pub fn run(args: &[&str], env: &[(String, String)]) -> std::process::Output {
        Command::new(linli_binary())
            .args(args)
            .envs(env.iter().cloned())
            .env("LINLI_LOG", "warn")
            .output()
            .expect("linli runs")
    }

    /// Starts `linli serve` on a free port and waits until `/readyz` answers 200.
    pub fn serve(env: &[(String, String)]) -> Self {
        let port = free_port();
        let mut child = Command::new(linli_binary())
            .arg("serve")
            .envs(env.iter().cloned())
            .env("LINLI_BIND", format!("127.0.0.1:{port}"))
            .env("LINLI_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("linli serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut banner = Vec::new();
        loop {
            while let Ok(line) = rx.try_recv() {
                banner.push(line);
            }
            if let Some(status) = child.try_wait().expect("polling the child") {
                panic!("linli serve exited early with {status}; it printed {banner:?}");
            }
            let ready = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() && readyz_ok(&base);
            if ready {
                std::thread::sleep(Duration::from_millis(50));
                while let Ok(line) = rx.try_recv() {
                    banner.push(line);
                }
                return Self { child, api: Some(Api::new(base)), banner };
            }
            assert!(Instant::now() < deadline, "linli serve was not ready within 60 s; it printed {banner:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Starts `linli jobs`.
    pub fn jobs(env: &[(String, String)]) -> Self {
        let child = Command::new(linli_binary())
            .arg("jobs")
            .envs(env.iter().cloned())
            .env("LINLI_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("linli jobs starts");
        Self { child, api: None, banner: Vec::new() }
    }

    pub fn api(&self) -> &Api {
        self.api.as_ref().expect("a serve process")
    }

    /// SIGKILL: no chance to clean up, as when a machine dies.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LinliProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// A blocking readiness probe, so the start-up wait needs no runtime.
fn readyz_ok(base: &str) -> bool {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let Ok(mut s) = std::net::TcpStream::connect(addr) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.1 200")
}
