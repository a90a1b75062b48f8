//! The node agent: loads the eBPF capture programs, selects what to mirror, turns ring buffer
//! records into connection events and streams them to aggregation over mTLS gRPC.
pub mod batch;
pub mod cgroup;
pub mod clock;
pub mod config;
pub mod loader;
pub mod metrics;
pub mod procfs;
pub mod reader;
pub mod records;
pub mod run;
pub mod tls_attach;
pub mod upstream;

/// The eBPF object built by build.rs (aya-build) for bpfel-unknown-none.
pub static EBPF_OBJECT: &[u8] =
    aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/wallarm-oob-ebpf"));
