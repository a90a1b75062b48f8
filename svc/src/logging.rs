//! tracing setup: human-readable locally, JSON in the cluster (`--log-format json`).
use tracing_subscriber::{fmt, EnvFilter};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// `RUST_LOG` wins over `default_filter` (e.g. "info"). Logs go to stderr: stdout carries data
/// (events as JSON lines) where a binary writes any.
pub fn init(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
