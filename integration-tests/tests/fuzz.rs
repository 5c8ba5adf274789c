//! Schemathesis (an independent OpenAPI fuzzer, from PyPI) against the live spec of a freshly seeded Linli:
//! as each demo role and as nobody, it generates requests from `/openapi.json` for a bounded time and checks
//! that no answer is a server error and that every status, content type and body is the one the spec
//! declares. A failure prints schemathesis' report, with a `curl` to reproduce each finding.
//!
//! `LINLI_FUZZ_SECONDS` sets the time per role (default 30); `LINLI_FUZZ_SEED` the generator's seed (default
//! fixed, so a run is repeatable; change it to explore).

use std::process::Command;

use linli_integration_tests::{Backend, TestApp};

const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance";

async fn fuzz_as(role: Option<&str>) {
    let app = TestApp::spawn(Backend::Embedded).await;
    let python = std::env::var("LINLI_PYTHON").unwrap_or_else(|_| "python3".into());
    let seconds = std::env::var("LINLI_FUZZ_SECONDS").unwrap_or_else(|_| "30".into());
    let seed = std::env::var("LINLI_FUZZ_SEED").unwrap_or_else(|_| "20261202".into());
    // Schemathesis keeps a cache of earlier findings in its working folder; each run starts from none.
    let workdir = std::env::temp_dir().join(format!("linli-fuzz-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&workdir).unwrap();
    let mut st = Command::new(&python);
    st.current_dir(&workdir);
    st.args(["-m", "schemathesis.cli", "run", &format!("{}/openapi.json", app.api.base)])
        .args(["--checks", CHECKS, "--max-time", &seconds, "--seed", &seed, "--workers", "1"])
        // Ending the session being fuzzed would leave every later request a (correct, but useless) 401.
        .args(["--exclude-path", "/api/v1/auth/logout", "--exclude-path", "/api/v1/auth/logout-all"])
        // A live stream never ends; its one rule (who may open it) is held by the authorization matrix.
        .args(["--exclude-path", "/api/v1/live"])
        .args(["--suppress-health-check", "all", "--no-color"])
        .env("PYTHONIOENCODING", "utf-8");
    if let Some(role) = role {
        let token = app.api.login_demo(role).await;
        st.args(["--header", &format!("Authorization: Bearer {token}")]);
    }
    let out = tokio::task::spawn_blocking(move || st.output())
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{python} -m schemathesis.cli runs ({e}); scripts/test installs it"));
    let report = String::from_utf8_lossy(&out.stdout);
    let summary = report.lines().rev().find(|l| l.contains(" in ") && l.contains('=')).unwrap_or_default();
    println!("schemathesis as {}: {summary}", role.unwrap_or("nobody"));
    assert!(out.status.success(), "schemathesis found failures:\n{report}\n{}", String::from_utf8_lossy(&out.stderr));
}

macro_rules! fuzz {
    ($name:ident, $role:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            fuzz_as($role).await;
        }
    };
}

fuzz!(every_answer_to_nobody_matches_the_spec, None);
fuzz!(every_answer_to_a_resident_matches_the_spec, Some("resident"));
fuzz!(every_answer_to_provider_staff_matches_the_spec, Some("org001"));
fuzz!(every_answer_to_a_community_worker_matches_the_spec, Some("worker"));
fuzz!(every_answer_to_a_party_member_matches_the_spec, Some("member"));
fuzz!(every_answer_to_an_admin_matches_the_spec, Some("admin"));
