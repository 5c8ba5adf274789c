//! Builds the web app in `web/` with npm and embeds it: `npm ci` when the installed packages are older than the
//! lock file, `npm run build` into this build's own output folder, then a table of the built files for
//! `crate::web` to serve. Cargo runs this again only when something the app is built from has changed, so
//! neither `cargo clippy` nor a rebuild of the Rust code rebuilds the app when `web/` did not change.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// What the app is built from; a change to any of these builds it again.
const INPUTS: [&str; 6] = ["src", "index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json"];

fn main() {
    let web = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("../web");
    for input in INPUTS {
        println!("cargo:rerun-if-changed={}", web.join(input).display());
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("web");

    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    if Command::new(npm).arg("--version").output().is_err() {
        panic!(
            "building Linli's web app needs Node.js 20.19 or later with npm, and `npm` was not found. Install them \
             (Debian: `apt-get install nodejs npm`; or from https://nodejs.org) and build again."
        );
    }
    let lock = web.join("package-lock.json");
    let installed = web.join("node_modules/.package-lock.json");
    if modified(&installed).is_none_or(|at| modified(&lock).is_some_and(|lock_at| lock_at > at)) {
        run(Command::new(npm).args(["ci", "--no-audit", "--no-fund"]).current_dir(&web), "npm ci");
    }
    run(Command::new(npm).args(["run", "build"]).env("LINLI_WEB_OUT", &out).current_dir(&web), "npm run build");

    let mut files = Vec::new();
    collect(&out, &out, &mut files);
    files.sort();
    let table: String = files
        .iter()
        .map(|(path, full)| format!("    ({path:?}, include_bytes!({:?})),\n", full.display().to_string()))
        .collect();
    let code = format!(
        "/// The built web app: each file's path under `/` and its bytes.\npub static FILES: &[(&str, &[u8])] = &[\n{table}];\n"
    );
    fs::write(PathBuf::from(env::var("OUT_DIR").unwrap()).join("web_files.rs"), code).unwrap();
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn run(command: &mut Command, what: &str) {
    let status = command.status().unwrap_or_else(|e| panic!("{what} could not start: {e}"));
    assert!(status.success(), "{what} failed ({status}); its output is above");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let name = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            files.push((name, path));
        }
    }
}
