//! The real `linli` binary as a child process, for tests of what a deployment runs: separate `serve` and
//! `jobs` processes, a process killed mid-work.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::client::Api;

/// The `linli` binary to test: `LINLI_BIN` when set, otherwise the one beside this test executable
/// (`target/<profile>/linli`). A workspace test run builds it, since the `api` package has tests of its own;
/// a run of this package alone does not, so a binary older than the sources (the crates' and the web app's)
/// is refused rather than tested, wherever it came from.
pub fn linli_binary() -> PathBuf {
    let bin = match std::env::var("LINLI_BIN") {
        Ok(path) => PathBuf::from(path),
        Err(_) => {
            let exe = std::env::current_exe().expect("the test executable's path");
            exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps/<test>").join("linli")
        }
    };
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).unwrap_or_else(|_| {
        panic!("{} is missing: run the workspace's tests (./scripts/test) or `cargo build -p linli-api`", bin.display())
    });
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace folder");
    // The binary embeds the web app too: its pages are sources of the binary like the crates'.
    if let Some(newer) = ["api", "domain", "infra", "jobs", "migrations", "web"]
        .iter()
        .flat_map(|krate| source_files(&workspace.join(krate).join("src")))
        .find(|f| std::fs::metadata(f).and_then(|m| m.modified()).is_ok_and(|t| t > built))
    {
        panic!("{} is older than {}: run `cargo build -p linli-api` first", bin.display(), newer.display());
    }
    bin
}

fn source_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().flat_map(|e| if e.path().is_dir() { source_files(&e.path()) } else { vec![e.path()] }).collect()
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

    /// Starts `linli jobs` logging each step it runs (at info) to `log`, so a test can tell what this process
    /// did itself; see [`steps_done`].
    pub fn jobs_logging_to(env: &[(String, String)], log: &Path) -> Self {
        let file = std::fs::File::create(log).expect("a log file for linli jobs");
        let child = Command::new(linli_binary())
            .arg("jobs")
            .envs(env.iter().cloned())
            .env("LINLI_LOG", "info,linli_jobs::dispatcher=debug")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("linli jobs starts");
        Self { child, api: None, banner: Vec::new() }
    }

    /// Whether the process is still running.
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn api(&self) -> &Api {
        self.api.as_ref().expect("a serve process")
    }

    /// SIGTERM, as a container stop sends: the process is asked to finish its work and exit.
    pub fn terminate(&mut self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill runs");
        assert!(status.success(), "kill -TERM {} failed", self.child.id());
    }

    /// Waits up to `within` for the process to exit: its exit status, or `None` if it is still running.
    pub fn exited_within(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("polling the child") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
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

/// How many orders a `linli jobs` process logged dispatching (offered or escalated).
pub fn orders_dispatched(log: &Path) -> usize {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines().filter(|l| l.contains(" offered order=") || l.contains(" escalated order=")).count()
}

/// What a `linli jobs` process logged that `job` did, summed over its runs (the `count` of each "scheduled step
/// done" line).
pub fn steps_done(log: &Path, job: &str) -> u64 {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .filter(|l| {
            l.contains("scheduled step done")
                && (l.contains(&format!("job={job} ")) || l.contains(&format!("job=\"{job}\"")))
        })
        .filter_map(|l| l.split("count=").nth(1)?.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
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

/// A production deployment on a fresh database and Redis prefix, migrated and seeded: two `serve` replicas
/// and one `jobs` process, each a real `linli` process.
pub struct Replicas {
    pub fresh: crate::Fresh,
    pub a: LinliProcess,
    pub b: LinliProcess,
    pub jobs: LinliProcess,
}

impl Replicas {
    pub async fn start() -> Self {
        let fresh = crate::Fresh::new(crate::Backend::Production).await;
        let env = fresh.env();
        for step in ["migrate", "seed"] {
            assert!(LinliProcess::run(&[step], &env).status.success(), "linli {step}");
        }
        let serve = |env: Vec<(String, String)>| tokio::task::spawn_blocking(move || LinliProcess::serve(&env));
        let (a, b) = (serve(env.clone()).await.unwrap(), serve(env.clone()).await.unwrap());
        let jobs = LinliProcess::jobs(&env);
        Self { fresh, a, b, jobs }
    }
}
