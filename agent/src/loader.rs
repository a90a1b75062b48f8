//! Loads the embedded eBPF object, attaches the hooks and hands out the maps.
//!
//! Only syscall tracepoints are used: they attach on every supported node kernel, including ones
//! without kprobes or fentry (shared/notes/ebpf-toolchain.md).
use std::path::Path;

use agent_common::{maps, Config as KernelConfig, ConnKey, ConnState, LossReason};
use anyhow::Context;
use aya::{
    maps::{Array, HashMap, MapData, PerCpuArray, RingBuf},
    programs::TracePoint,
    Ebpf,
};

const TRACEFS: &str = "/sys/kernel/tracing";

/// Every hook: (program name in the object, tracepoint category, tracepoint name, required).
/// A hook the node cannot attach is logged and counted; only the read/write core is required.
pub const HOOKS: &[(&str, &str, bool)] = &[
    ("sys_enter_accept", "sys_enter_accept", false),
    ("sys_exit_accept", "sys_exit_accept", false),
    ("sys_enter_accept4", "sys_enter_accept4", true),
    ("sys_exit_accept4", "sys_exit_accept4", true),
    ("sys_enter_connect", "sys_enter_connect", true),
    ("sys_exit_connect", "sys_exit_connect", true),
    ("sys_enter_close", "sys_enter_close", true),
    ("sys_enter_read", "sys_enter_read", true),
    ("sys_exit_read", "sys_exit_read", true),
    ("sys_enter_recvfrom", "sys_enter_recvfrom", true),
    ("sys_exit_recvfrom", "sys_exit_recvfrom", true),
    ("sys_enter_readv", "sys_enter_readv", false),
    ("sys_exit_readv", "sys_exit_readv", false),
    ("sys_enter_recvmsg", "sys_enter_recvmsg", false),
    ("sys_exit_recvmsg", "sys_exit_recvmsg", false),
    ("sys_enter_write", "sys_enter_write", true),
    ("sys_exit_write", "sys_exit_write", true),
    ("sys_enter_sendto", "sys_enter_sendto", true),
    ("sys_exit_sendto", "sys_exit_sendto", true),
    ("sys_enter_writev", "sys_enter_writev", false),
    ("sys_exit_writev", "sys_exit_writev", false),
    ("sys_enter_sendmsg", "sys_enter_sendmsg", false),
    ("sys_exit_sendmsg", "sys_exit_sendmsg", false),
];

/// Mounts tracefs when it is missing (it is not mounted at boot on some nodes; tracepoint
/// attachment needs it). Safe to repeat.
pub fn ensure_tracefs() -> anyhow::Result<()> {
    let mounts = std::fs::read_to_string("/proc/mounts").context("reading /proc/mounts")?;
    if mounts
        .lines()
        .any(|l| l.split_whitespace().nth(2) == Some("tracefs"))
    {
        return Ok(());
    }
    if !Path::new(TRACEFS).is_dir() {
        anyhow::bail!("{TRACEFS} does not exist: the kernel has no tracefs support");
    }
    let c = |s: &str| std::ffi::CString::new(s).expect("static string without NUL");
    let (src, target, fstype) = (c("tracefs"), c(TRACEFS), c("tracefs"));
    // SAFETY: valid NUL-terminated strings, no data argument.
    let rc = unsafe {
        libc::mount(
            src.as_ptr(),
            target.as_ptr(),
            fstype.as_ptr(),
            0,
            std::ptr::null(),
        )
    };
    if rc != 0 {
        let err = std::io::Error::last_os_error();
        anyhow::bail!("mounting tracefs on {TRACEFS} failed: {err} (the agent must run as root / CAP_SYS_ADMIN)");
    }
    tracing::info!(path = TRACEFS, "mounted tracefs");
    Ok(())
}

/// The loaded programs and the maps the agent writes to.
pub struct Capture {
    /// Keeps programs and links alive.
    _ebpf: Ebpf,
    pub events: RingBuf<MapData>,
    pub cgroups: HashMap<MapData, u64, u8>,
    pub pids: HashMap<MapData, u32, u8>,
    pub conns: HashMap<MapData, ConnKey, ConnState>,
    pub loss: PerCpuArray<MapData, u64>,
    /// Hooks that could not be attached (optional ones).
    pub missing_hooks: Vec<&'static str>,
}

impl Capture {
    pub fn load(object: &[u8], kernel_config: KernelConfig) -> anyhow::Result<Self> {
        ensure_tracefs()?;
        let mut ebpf =
            Ebpf::load(object).context("loading the eBPF object (the agent must run as root)")?;
        let mut missing = Vec::new();
        for &(prog, tp, required) in HOOKS {
            let result = (|| -> anyhow::Result<()> {
                let p: &mut TracePoint = ebpf
                    .program_mut(prog)
                    .with_context(|| format!("program {prog} missing from the object"))?
                    .try_into()?;
                p.load().with_context(|| format!("loading {prog}"))?;
                p.attach("syscalls", tp)
                    .with_context(|| format!("attaching syscalls:{tp}"))?;
                Ok(())
            })();
            match result {
                Ok(()) => {}
                Err(e) if !required => {
                    tracing::warn!(
                        hook = prog,
                        error = format!("{e:#}"),
                        "optional hook not attached"
                    );
                    missing.push(prog);
                }
                Err(e) => return Err(e),
            }
        }
        let mut config: Array<_, KernelConfig> =
            Array::try_from(ebpf.take_map(maps::CONFIG).context("CONFIG map")?)?;
        config.set(0, kernel_config, 0).context("writing CONFIG")?;
        let take = |ebpf: &mut Ebpf, name: &str| {
            ebpf.take_map(name)
                .with_context(|| format!("map {name} missing"))
        };
        Ok(Self {
            events: RingBuf::try_from(take(&mut ebpf, maps::EVENTS)?)?,
            cgroups: HashMap::try_from(take(&mut ebpf, maps::CGROUPS)?)?,
            pids: HashMap::try_from(take(&mut ebpf, maps::PIDS)?)?,
            conns: HashMap::try_from(take(&mut ebpf, maps::CONNS)?)?,
            loss: PerCpuArray::try_from(take(&mut ebpf, maps::LOSS)?)?,
            missing_hooks: missing,
            _ebpf: ebpf,
        })
    }
}

/// Reads the kernel loss counters, summed over CPUs.
pub fn read_losses(loss: &PerCpuArray<MapData, u64>) -> Vec<(LossReason, u64)> {
    LossReason::ALL
        .iter()
        .map(|&r| {
            let total = loss
                .get(&(r as u32), 0)
                .map(|v| v.iter().sum())
                .unwrap_or(0);
            (r, total)
        })
        .collect()
}
