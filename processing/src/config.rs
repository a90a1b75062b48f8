//! Processing configuration: YAML file (`--config`), overridden by flags / environment.
use std::{net::SocketAddr, path::PathBuf};

use clap::Args;
use serde::Deserialize;

#[derive(Args, Debug, Default)]
pub struct ServeArgs {
    /// YAML configuration file (keys as below, snake_case).
    #[arg(long, env = "WALLARM_OOB_PROCESSING_CONFIG")]
    pub config: Option<PathBuf>,
    /// gRPC listen address for aggregation [default: 127.0.0.1:7002].
    #[arg(long, env = "WALLARM_OOB_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Directory with ca.crt, tls.crt, tls.key.
    #[arg(long, env = "WALLARM_OOB_TLS_DIR")]
    pub tls_dir: Option<PathBuf>,
    /// Where the local event store lives [default: /var/lib/wallarm-oob].
    #[arg(long, env = "WALLARM_OOB_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address of /metrics, /healthz, /readyz [default: 127.0.0.1:9103].
    #[arg(long, env = "WALLARM_OOB_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Also print every event as a JSON line on stdout [default: true].
    #[arg(long)]
    pub stdout_events: Option<bool>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub listen: SocketAddr,
    pub tls_dir: PathBuf,
    pub data_dir: PathBuf,
    pub metrics_addr: SocketAddr,
    pub stdout_events: bool,
}

pub const DEFAULT_DATA_DIR: &str = "/var/lib/wallarm-oob";

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:7002".parse().expect("valid default"),
            tls_dir: PathBuf::from("/etc/wallarm-oob/tls"),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            metrics_addr: "127.0.0.1:9103".parse().expect("valid default"),
            stdout_events: true,
        }
    }
}

impl Config {
    pub fn load(a: &ServeArgs) -> anyhow::Result<Self> {
        let mut c: Config = svc::config::load_yaml(a.config.as_deref())?;
        if let Some(v) = a.listen {
            c.listen = v;
        }
        if let Some(v) = &a.tls_dir {
            c.tls_dir = v.clone();
        }
        if let Some(v) = &a.data_dir {
            c.data_dir = v.clone();
        }
        if let Some(v) = a.metrics_addr {
            c.metrics_addr = v;
        }
        if let Some(v) = a.stdout_events {
            c.stdout_events = v;
        }
        Ok(c)
    }
}
