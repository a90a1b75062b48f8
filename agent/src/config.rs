//! Agent configuration: a YAML file (`--config`), overridden by flags and environment variables.
use std::{net::SocketAddr, path::PathBuf};

use clap::Parser;
use serde::Deserialize;

pub const DEFAULT_AGGREGATION: &str = "https://127.0.0.1:7001";
pub const DEFAULT_SERVER_NAME: &str = "aggregation";
pub const DEFAULT_METRICS_ADDR: &str = "127.0.0.1:9101";
/// Ring buffer bytes pending before the kernel wakes the reader (0 = wake on every record).
pub const DEFAULT_WAKEUP_BYTES: u64 = 256 * 1024;
pub const DEFAULT_QUEUE_BATCHES: usize = 256;
pub const DEFAULT_MAX_UNACKED: usize = 64;

/// wallarm-oob-agent: copies the HTTP traffic of selected processes in the kernel (eBPF) and
/// streams it to aggregation over mTLS gRPC. Runs as root (privileged DaemonSet in Kubernetes).
///
/// Standalone selection: --cgroup and/or --pid. Every flag can also be set in the YAML file
/// given with --config (same names, snake_case) or by its environment variable.
#[derive(Parser, Debug, Default)]
#[command(name = "wallarm-oob-agent", version)]
pub struct Cli {
    /// YAML configuration file.
    #[arg(long, env = "WALLARM_OOB_AGENT_CONFIG")]
    pub config: Option<PathBuf>,
    /// Aggregation gRPC URL [default: https://127.0.0.1:7001].
    #[arg(long, env = "WALLARM_OOB_AGGREGATION")]
    pub aggregation: Option<String>,
    /// Name expected in aggregation's certificate [default: aggregation].
    #[arg(long, env = "WALLARM_OOB_AGGREGATION_NAME")]
    pub server_name: Option<String>,
    /// Directory with ca.crt, tls.crt, tls.key (`cargo xtask certs` makes dev ones).
    #[arg(long, env = "WALLARM_OOB_TLS_DIR")]
    pub tls_dir: Option<PathBuf>,
    /// Capture processes in this cgroup v2 (absolute, or relative to the cgroup2 mount). Repeatable.
    #[arg(long = "cgroup", value_name = "PATH")]
    pub cgroups: Vec<PathBuf>,
    /// Capture this process (all its threads). Repeatable.
    #[arg(long = "pid", value_name = "PID")]
    pub pids: Vec<u32>,
    /// Node name reported with every batch [default: hostname].
    #[arg(long, env = "NODE_NAME")]
    pub node_name: Option<String>,
    /// Address of /metrics, /healthz, /readyz [default: 127.0.0.1:9101].
    #[arg(long, env = "WALLARM_OOB_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Capture bytes read by the selected processes (requests to servers) [default: true].
    #[arg(long)]
    pub mirror_ingress: Option<bool>,
    /// Capture bytes written by the selected processes (responses) [default: true].
    #[arg(long)]
    pub mirror_egress: Option<bool>,
    /// Capture TLS plaintext through OpenSSL (libssl) uprobes [default: true].
    #[arg(long)]
    pub mirror_tls: Option<bool>,
    #[arg(long, value_enum, default_value_t = svc::logging::LogFormat::Text, env = "WALLARM_OOB_LOG_FORMAT")]
    pub log_format: svc::logging::LogFormat,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub aggregation: String,
    pub server_name: String,
    pub tls_dir: PathBuf,
    pub cgroups: Vec<PathBuf>,
    pub pids: Vec<u32>,
    pub node_name: String,
    pub metrics_addr: SocketAddr,
    pub mirror_ingress: bool,
    pub mirror_egress: bool,
    pub mirror_tls: bool,
    pub ring_wakeup_bytes: u64,
    pub queue_batches: usize,
    pub max_unacked: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            aggregation: DEFAULT_AGGREGATION.into(),
            server_name: DEFAULT_SERVER_NAME.into(),
            tls_dir: PathBuf::from("/etc/wallarm-oob/tls"),
            cgroups: Vec::new(),
            pids: Vec::new(),
            node_name: String::new(),
            metrics_addr: DEFAULT_METRICS_ADDR.parse().expect("valid default address"),
            mirror_ingress: true,
            mirror_egress: true,
            mirror_tls: true,
            ring_wakeup_bytes: DEFAULT_WAKEUP_BYTES,
            queue_batches: DEFAULT_QUEUE_BATCHES,
            max_unacked: DEFAULT_MAX_UNACKED,
        }
    }
}

impl Config {
    /// File (if any), then flags/env on top; validated.
    pub fn load(cli: &Cli) -> anyhow::Result<Self> {
        let mut c: Config = svc::config::load_yaml(cli.config.as_deref())?;
        if let Some(v) = &cli.aggregation {
            c.aggregation = v.clone();
        }
        if let Some(v) = &cli.server_name {
            c.server_name = v.clone();
        }
        if let Some(v) = &cli.tls_dir {
            c.tls_dir = v.clone();
        }
        c.cgroups.extend(cli.cgroups.iter().cloned());
        c.pids.extend(cli.pids.iter().copied());
        if let Some(v) = &cli.node_name {
            c.node_name = v.clone();
        }
        if let Some(v) = cli.metrics_addr {
            c.metrics_addr = v;
        }
        if let Some(v) = cli.mirror_ingress {
            c.mirror_ingress = v;
        }
        if let Some(v) = cli.mirror_egress {
            c.mirror_egress = v;
        }
        if let Some(v) = cli.mirror_tls {
            c.mirror_tls = v;
        }
        if c.node_name.is_empty() {
            c.node_name = std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|_| "localhost".into());
        }
        c.validate()?;
        Ok(c)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.cgroups.is_empty() && self.pids.is_empty() {
            anyhow::bail!("nothing to capture: give --cgroup PATH and/or --pid PID (config keys `cgroups`, `pids`)");
        }
        if !(self.aggregation.starts_with("https://")) {
            anyhow::bail!(
                "`aggregation` must be an https:// URL (mTLS is required), got {:?}",
                self.aggregation
            );
        }
        if self.queue_batches == 0 || self.max_unacked == 0 {
            anyhow::bail!("`queue_batches` and `max_unacked` must be at least 1");
        }
        if !self.mirror_ingress && !self.mirror_egress {
            anyhow::bail!(
                "`mirror_ingress` and `mirror_egress` are both false: nothing would be captured"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_flags_and_errors_name_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.yaml");
        std::fs::write(&path, "pids: [1]\nmirror_egress: false\nnode_name: n1\n").unwrap();
        let cli = Cli {
            config: Some(path.clone()),
            pids: vec![2],
            ..Default::default()
        };
        let c = Config::load(&cli).unwrap();
        assert_eq!(c.pids, vec![1, 2]);
        assert!(!c.mirror_egress);
        assert_eq!(c.node_name, "n1");

        std::fs::write(&path, "pidz: [1]\n").unwrap();
        let err = Config::load(&Cli {
            config: Some(path.clone()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(format!("{err}").contains("unknown field `pidz`"), "{err}");

        let err = Config::load(&Cli::default()).unwrap_err();
        assert!(format!("{err}").contains("--cgroup"), "{err}");
    }
}
