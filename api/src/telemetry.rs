//! Logging setup: one subscriber writing to any writer, so the binary logs to stderr and tests can silence it.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global subscriber; `filter` is a `RUST_LOG`-style directive. Chatty dependencies are held at
/// `warn` unless the filter names them.
pub fn init<W>(filter: &str, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let directives = format!("sqlx=warn,sea_orm=warn,sea_orm_migration=warn,{filter}");
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_target(false).try_init();
}
