//! Records shared by the kernel side (agent-ebpf) and the agent.
//!
//! Everything here is `#[repr(C)]` and `Copy` so both sides read one definition. The kernel side
//! never pulls in aya: the `aya::Pod` impls live in [`user`] behind the `user` feature.
#![cfg_attr(target_arch = "bpf", no_std)]

pub mod record;
#[cfg(feature = "user")]
pub mod user;

pub use record::*;

/// Map names: the eBPF statics carry these names and the loader takes maps by them.
pub mod maps {
    pub const EVENTS: &str = "EVENTS";
    pub const CGROUPS: &str = "CGROUPS";
    pub const PIDS: &str = "PIDS";
    pub const CONNS: &str = "CONNS";
    pub const LOSS: &str = "LOSS";
    pub const CONFIG: &str = "CONFIG";
}
