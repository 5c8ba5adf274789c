//! The `linli` binary: `serve` (the default), `jobs`, `migrate` and `seed`.

use clap::{Parser, Subcommand};
use linli_api::{Application, Backends, ConfigArgs, Settings, telemetry};

#[derive(Parser, Debug)]
#[command(name = "linli", version, about = "Linli (邻里): community-service booking and dispatch")]
struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the HTTP API (the default). With nothing configured: SQLite in the data folder, the in-process
    /// queue, demo data and the dispatcher in this one process.
    Serve,
    /// Run the background jobs (the dispatcher) without serving HTTP.
    Jobs,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Apply pending migrations, write the demo data (idempotent) and exit.
    Seed,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::resolve(&cli.config)?;
    telemetry::init(&settings.log, std::io::stderr);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Jobs => {
            anyhow::ensure!(
                settings.redis.is_some(),
                "`linli jobs` needs REDIS_URL: with the in-process queue, `linli serve` runs the dispatcher itself"
            );
            let backends = Backends::connect(&settings).await?;
            backends.prepare_schema(settings.auto_migrate).await?;
            backends.run_jobs_until_stopped(shutdown_signal(), &settings).await
        }
        Command::Migrate => {
            Backends::connect(&settings).await?.migrate().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed => {
            let backends = Backends::connect(&settings).await?;
            backends.migrate().await?;
            let report = backends.seed().await?;
            println!(
                "demo data in place: {} districts, {} streets, {} communities, {} items, {} organizations, {} community points, {} red stations, {} Party branches paired with {} communities; {} new accounts",
                report.districts,
                report.streets,
                report.communities,
                report.items,
                report.organizations,
                report.community_points,
                report.red_stations,
                report.branches,
                report.paired_communities,
                report.accounts_created
            );
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings.clone()).await?;
    let base = format!("http://{}", settings.bind);
    println!("Linli is listening on {base}  (API docs: {base}/docs, spec: {base}/openapi.json)");
    if settings.is_embedded() {
        println!(
            "Embedded mode: SQLite in {}, in-process queue, dispatcher in this process.",
            settings.data_dir.join("linli.sqlite").display()
        );
    }
    if let Some(report) = app.seeded() {
        println!(
            "DEMO DATA (synthetic, not for real use). Demo accounts, password `{}`:",
            linli_infra::seed::DEMO_PASSWORD
        );
        for a in &report.accounts {
            println!("  {:<10} {:<17} {}", a.username, a.role.as_str(), a.about);
        }
    }
    app.run_until_stopped(shutdown_signal()).await
}

/// Resolves on Ctrl-C or SIGTERM, so a container stop lets requests in flight finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
