//! The web app in a real browser (headless Chromium, driven by playwright-core from `web/tests/*.mjs`): a
//! resident signs up with the texted code and books; organizations' staff see the offer arrive and one takes
//! it; everyone's page follows without a reload. Party members sign up for a Dedication Day shift and the
//! organizer sees them on its roster. A worker's dashboard is checked against real figures and its CSV; a
//! worker's desk, a member's registration, the webhook settings and the admin's pages are driven too, and a
//! resident's care plan is set up, refused for a full day, skipped and paused. The live loop runs on the
//! embedded default, and on two `serve` replicas with a separate `jobs` process on PostgreSQL and Redis, the
//! resident on one replica and the staff on the other. axe-core checks each page, the message keys of both
//! languages are compared, and screenshots at 360 and 1280 px are written under `<target>/web-screenshots/<test>/`.
//!
//! Needs Node.js (the build already does) and Chromium, like the docs test; `LINLI_SKIP_BROWSER=1` leaves it
//! out of `scripts/test`, which the runner then reports as skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use linli_api::config::ConfigArgs;
use linli_integration_tests::{Backend, Fresh, Replicas, TestApp};

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web")
}

/// Where the screenshots of `test` go: beside the build, not in the repository.
fn screenshots(test: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).expect("<target>/<profile>/deps/<test binary>");
    target.join("web-screenshots").join(test)
}

fn chromium() -> String {
    let name = std::env::var("LINLI_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    which(&name).unwrap_or_else(|| panic!("{name} must be installed for this test (or set LINLI_SKIP_BROWSER=1)"))
}

fn which(name: &str) -> Option<String> {
    if name.contains('/') {
        return Some(name.to_owned());
    }
    std::env::var("PATH")
        .ok()?
        .split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.exists())
        .map(|p| p.display().to_string())
}

/// Runs a script of `web/tests` with node, failing with its output.
async fn node(script: &str, args: Vec<String>) {
    let web = web_dir();
    let path = format!("tests/{script}");
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(path)
            .args(&args)
            .env("LINLI_CHROMIUM_PATH", chromium())
            .current_dir(&web)
            .output()
            .expect("node runs (the build of the web app needs it too)")
    })
    .await
    .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    println!("{stdout}");
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
}

/// Runs `script` against `app` (`--base`, `--shots`), its screenshots under `test`'s folder, which it returns.
async fn scenario(app: TestApp, script: &str, test: &str) -> PathBuf {
    let shots = screenshots(test);
    let args = ["--base", &app.api.base, "--shots", &shots.display().to_string()].map(str::to_owned).to_vec();
    node(script, args).await;
    shots
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_is_offered_taken_and_followed_live_in_real_browsers() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let base = app.api.base.clone();
    let shots = screenshots("embedded");
    let data = app.fresh.data_dir.display().to_string();
    let args =
        ["--resident-base", &base, "--staff-base", &base, "--data", &data, "--shots", &shots.display().to_string()]
            .map(str::to_owned)
            .to_vec();
    node("live.mjs", args).await;
    assert!(shots.join("job-board-360.png").exists() && shots.join("order-detail-1280.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_loop_holds_across_two_serve_replicas_and_a_separate_jobs_process() {
    let Replicas { fresh, a, b, jobs: _jobs } = Replicas::start().await;
    let shots = screenshots("replicas");
    let args = vec![
        "--resident-base".to_owned(),
        a.api().base.clone(),
        "--staff-base".to_owned(),
        b.api().base.clone(),
        "--data".to_owned(),
        fresh.data_dir.display().to_string(),
        "--shots".to_owned(),
        shots.display().to_string(),
    ];
    node("live.mjs", args).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_sign_up_for_a_shift_in_real_browsers_and_the_open_roster_follows_a_place_given_up() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "shifts.mjs", "shifts").await;
    assert!(shots.join("roster-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admins_new_question_is_answered_in_the_order_form_and_read_with_the_offer() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "questions.mjs", "questions").await;
    assert!(shots.join("order-questions-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_handed_to_a_colleague_shows_the_resident_who_is_coming_and_a_number_to_call() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "coming.mjs", "coming").await;
    assert!(shots.join("coming-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_started_far_away_is_flagged_disputed_by_the_resident_and_resolved_by_the_worker() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "visit.mjs", "visit").await;
    assert!(shots.join("disputes-1280.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_time_is_refused_with_open_times_near_it_and_an_escalated_booking_moved_to_one_is_offered_again() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "booking.mjs", "booking").await;
    assert!(shots.join("alternatives-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_time_booked_with_answers_is_served_confirmed_and_rated_and_the_providers_count_grows() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "rating.mjs", "rating").await;
    assert!(shots.join("rating-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_care_plan_refused_for_a_full_day_is_sent_without_it_then_skipped_and_paused_on_its_page() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "plans.mjs", "plans").await;
    assert!(shots.join("plan-paused-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_invites_a_colleague_who_sets_a_password_with_the_code_and_is_signed_in() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "staff.mjs", "staff").await;
    assert!(shots.join("invitation-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_who_chooses_english_reads_their_messages_in_english_on_every_device() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "language.mjs", "language").await;
    assert!(shots.join("inbox-english-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_follows_up_and_complains_and_the_organization_answers_before_the_deadline() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "aftercare.mjs", "aftercare").await;
    assert!(shots.join("complaints-1280.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_residents_calendar_link_holds_their_bookings_and_a_cancelled_one_marked_cancelled() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "calendar.mjs", "calendar").await;
    assert!(shots.join("calendar-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workers_dashboard_draws_its_charts_from_real_figures_and_its_csv_matches_them() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "dashboard.mjs", "dashboard").await;
    assert!(shots.join("dashboard-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_confirms_a_registration_works_the_escalations_posts_a_problem_and_checks_a_member_in() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "desk.mjs", "desk").await;
    assert!(shots.join("escalations-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_secret_is_shown_once_and_an_admin_replays_its_dead_letter_among_the_admin_pages() {
    let fresh = Fresh::new(Backend::Embedded).await;
    // One attempt per delivery, so the receiver's first failure is a dead letter at once; the receiver is
    // on this host.
    let args = ConfigArgs {
        delivery_max_attempts: Some(1),
        delivery_retry_seconds: Some(1),
        webhook_allow_internal: Some(true),
        ..fresh.args()
    };
    let shots = scenario(TestApp::spawn_with_args(fresh, args).await, "admin.mjs", "admin").await;
    assert!(shots.join("dead-letters-1280.png").exists());
}

#[tokio::test]
async fn every_message_has_both_languages() {
    node("messages.mjs", Vec::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_apps_typed_client_is_generated_from_the_spec_the_server_serves() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let (_, _, spec) = app.api.text("/openapi.json", None).await;
    let dir = linli_infra::testing::fresh_sqlite_dir();
    std::fs::write(dir.join("openapi.json"), spec).unwrap();
    let generated = dir.join("schema.d.ts");
    let (input, output) = (dir.join("openapi.json"), generated.clone());
    let out = tokio::task::spawn_blocking(move || {
        Command::new("npx")
            .args(["--no-install", "openapi-typescript"])
            .arg(&input)
            .args(["--default-non-nullable", "false", "-o"])
            .arg(&output)
            .current_dir(web_dir())
            .output()
            .expect("npx runs")
    })
    .await
    .unwrap();
    assert!(out.status.success(), "openapi-typescript failed: {}", String::from_utf8_lossy(&out.stderr));
    let fresh = std::fs::read_to_string(&generated).unwrap();
    let checked_in = std::fs::read_to_string(web_dir().join("src/api/schema.d.ts")).unwrap();
    assert!(
        fresh == checked_in,
        "web/src/api/schema.d.ts is not the server's spec: with `linli serve` running, regenerate it with \
         `cd web && npm run client`"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_files_for_a_resident_with_no_app_and_follows_the_order_to_completion() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "intake.mjs", "intake").await;
    assert!(shots.join("area-orders-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_street_worker_finds_a_high_risk_intake_tagged_on_the_streets_desk_and_its_figures() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "street.mjs", "street").await;
    assert!(shots.join("street-escalations-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_pauses_their_organization_and_sees_offers_stop_until_they_resume() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "availability.mjs", "availability").await;
    assert!(shots.join("availability-paused-360.png").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_keep_the_catalog_providers_map_and_accounts_and_a_manager_keeps_their_offering_and_staff() {
    let shots = scenario(TestApp::spawn(Backend::Embedded).await, "upkeep.mjs", "upkeep").await;
    assert!(shots.join("provider-profile-360.png").exists());
}
