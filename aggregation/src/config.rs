//! Aggregation configuration: YAML file (`--config`), overridden by flags / environment.
use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::Parser;
use serde::Deserialize;

use crate::{conn::TableLimits, exchange::Limits};

/// wallarm-oob-aggregation: receives captured connection bytes from agents (mTLS gRPC),
/// rebuilds HTTP transactions and forwards them to processing (mTLS gRPC).
#[derive(Parser, Debug, Default)]
#[command(name = "wallarm-oob-aggregation", version)]
pub struct Cli {
    /// YAML configuration file (keys as below, snake_case).
    #[arg(long, env = "WALLARM_OOB_AGGREGATION_CONFIG")]
    pub config: Option<PathBuf>,
    /// gRPC listen address for agents [default: 127.0.0.1:7001].
    #[arg(long, env = "WALLARM_OOB_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Processing gRPC URL(s), comma-separated for several replicas [default: https://127.0.0.1:7002].
    /// A connection's transactions always go to the same replica; connections spread over all.
    #[arg(long, env = "WALLARM_OOB_PROCESSING")]
    pub processing: Option<String>,
    /// Name expected in processing's certificate [default: processing].
    #[arg(long, env = "WALLARM_OOB_PROCESSING_NAME")]
    pub processing_name: Option<String>,
    /// Directory with ca.crt, tls.crt, tls.key.
    #[arg(long, env = "WALLARM_OOB_TLS_DIR")]
    pub tls_dir: Option<PathBuf>,
    /// Address of /metrics, /healthz, /readyz [default: 127.0.0.1:9102].
    #[arg(long, env = "WALLARM_OOB_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    #[arg(long, value_enum, default_value_t = svc::logging::LogFormat::Text, env = "WALLARM_OOB_LOG_FORMAT")]
    pub log_format: svc::logging::LogFormat,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub listen: SocketAddr,
    pub processing: String,
    pub processing_name: String,
    pub tls_dir: PathBuf,
    pub metrics_addr: SocketAddr,
    /// Request/response head bytes before the message is dropped (counted).
    pub max_header_bytes: usize,
    /// Body bytes kept per message; the rest is counted and the transaction flagged truncated.
    pub max_body_bytes: usize,
    /// Connections tracked per agent stream; past it the longest-idle one is dropped (counted).
    pub max_connections: usize,
    /// Seconds without traffic before a connection is forgotten.
    pub idle_timeout_secs: u64,
    /// Seconds a request waits for its response before it is sent alone.
    pub response_timeout_secs: u64,
    /// Out-of-order bytes held per direction while waiting for a hole to fill.
    pub max_out_of_order_bytes: usize,
    /// Transactions queued towards processing.
    pub forward_queue: usize,
}

impl Default for Config {
    fn default() -> Self {
        let t = TableLimits::default();
        Self {
            listen: "127.0.0.1:7001".parse().expect("valid default"),
            processing: "https://127.0.0.1:7002".into(),
            processing_name: "processing".into(),
            tls_dir: PathBuf::from("/etc/wallarm-oob/tls"),
            metrics_addr: "127.0.0.1:9102".parse().expect("valid default"),
            max_header_bytes: t.parser.max_header_bytes,
            max_body_bytes: t.parser.max_body_bytes,
            max_connections: t.max_connections,
            idle_timeout_secs: t.idle_timeout.as_secs(),
            response_timeout_secs: t.response_timeout.as_secs(),
            max_out_of_order_bytes: t.max_out_of_order_bytes,
            forward_queue: 4096,
        }
    }
}

impl Config {
    pub fn load(cli: &Cli) -> anyhow::Result<Self> {
        let mut c: Config = svc::config::load_yaml(cli.config.as_deref())?;
        if let Some(v) = cli.listen {
            c.listen = v;
        }
        if let Some(v) = &cli.processing {
            c.processing = v.clone();
        }
        if let Some(v) = &cli.processing_name {
            c.processing_name = v.clone();
        }
        if let Some(v) = &cli.tls_dir {
            c.tls_dir = v.clone();
        }
        if let Some(v) = cli.metrics_addr {
            c.metrics_addr = v;
        }
        c.validate()?;
        Ok(c)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        for url in self.processing_urls() {
            if !url.starts_with("https://") {
                anyhow::bail!(
                    "`processing` must list https:// URLs (mTLS is required), got {url:?}"
                );
            }
        }
        if self.processing_urls().is_empty() {
            anyhow::bail!("`processing` is empty: give at least one https:// URL");
        }
        for (key, v) in [
            ("max_header_bytes", self.max_header_bytes),
            ("max_body_bytes", self.max_body_bytes),
            ("max_connections", self.max_connections),
            ("forward_queue", self.forward_queue),
        ] {
            if v == 0 {
                anyhow::bail!("`{key}` must be at least 1");
            }
        }
        Ok(())
    }

    /// The processing replicas (the `processing` value split on commas).
    pub fn processing_urls(&self) -> Vec<String> {
        self.processing
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub fn table_limits(&self) -> TableLimits {
        TableLimits {
            parser: Limits {
                max_header_bytes: self.max_header_bytes,
                max_body_bytes: self.max_body_bytes,
            },
            max_connections: self.max_connections,
            idle_timeout: Duration::from_secs(self.idle_timeout_secs),
            response_timeout: Duration::from_secs(self.response_timeout_secs),
            max_out_of_order_bytes: self.max_out_of_order_bytes,
        }
    }
}
