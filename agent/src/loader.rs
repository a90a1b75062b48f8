//! Loads the embedded eBPF object, attaches the hooks and hands out the maps.
//!
//! Only syscall tracepoints are used: they attach on every supported node kernel, including ones
//! without kprobes or fentry (shared/notes/ebpf-toolchain.md).
use std::path::Path;

use agent_common::{maps, Config as KernelConfig, ConnKey, ConnState, LossReason};
use anyhow::Context;
use aya::{
    maps::{Array, HashMap, MapData, PerCpuArray, RingBuf},
    programs::{uprobe::UProbeScope, TracePoint, UProbe},
    Ebpf,
};

const TRACEFS: &str = "/sys/kernel/tracing";

/// Every hook: (program name in the object, tracepoint category, tracepoint name, required).
/// A hook the node cannot attach is logged and counted; only the read/write core is required.
/// OpenSSL uprobes: (program, symbol). Entry probes save the buffer, return probes copy the
/// plaintext. The `_ex` variants are what OpenSSL 1.1.1+/3 callers such as Python use.
pub const TLS_PROBES: &[(&str, &str)] = &[
    ("ssl_read", "SSL_read"),
    ("ssl_read_ex", "SSL_read_ex"),
    ("ssl_write", "SSL_write"),
    ("ssl_write_ex", "SSL_write_ex"),
    ("ssl_read_ret", "SSL_read"),
    ("ssl_read_ex_ret", "SSL_read_ex"),
    ("ssl_write_ret", "SSL_write"),
    ("ssl_write_ex_ret", "SSL_write_ex"),
];

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
    /// Keeps programs and links alive; TLS probes are attached per libssl later.
    ebpf: Ebpf,
    /// Taken by the reader.
    pub events: Option<RingBuf<MapData>>,
    pub cgroups: HashMap<MapData, u64, u8>,
    pub pids: HashMap<MapData, u32, u8>,
    pub conns: HashMap<MapData, ConnKey, ConnState>,
    /// Taken by the reader.
    pub loss: Option<PerCpuArray<MapData, u64>>,
    /// Held so the map stays alive as long as the programs that read it.
    _config: Array<MapData, KernelConfig>,
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
        // Programs must be loaded while the Ebpf still holds every map (their fds are patched in
        // at load); attaching can come later, per libssl.
        for &(prog, _) in TLS_PROBES {
            let p: &mut UProbe = ebpf
                .program_mut(prog)
                .with_context(|| format!("program {prog} missing from the object"))?
                .try_into()?;
            p.load().with_context(|| format!("loading {prog}"))?;
        }
        let mut config: Array<_, KernelConfig> =
            Array::try_from(ebpf.take_map(maps::CONFIG).context("CONFIG map")?)?;
        config.set(0, kernel_config, 0).context("writing CONFIG")?;
        let take = |ebpf: &mut Ebpf, name: &str| {
            ebpf.take_map(name)
                .with_context(|| format!("map {name} missing"))
        };
        Ok(Self {
            events: Some(RingBuf::try_from(take(&mut ebpf, maps::EVENTS)?)?),
            cgroups: HashMap::try_from(take(&mut ebpf, maps::CGROUPS)?)?,
            pids: HashMap::try_from(take(&mut ebpf, maps::PIDS)?)?,
            conns: HashMap::try_from(take(&mut ebpf, maps::CONNS)?)?,
            loss: Some(PerCpuArray::try_from(take(&mut ebpf, maps::LOSS)?)?),
            missing_hooks: missing,
            _config: config,
            ebpf,
        })
    }

    /// Attaches the OpenSSL probes to one libssl (a path as the selected process sees it, e.g.
    /// /proc/<pid>/root/usr/lib/x86_64-linux-gnu/libssl.so.3). Every process mapping that file is
    /// covered; the cgroup/pid filter in the programs keeps only selected ones.
    pub fn attach_tls(&mut self, libssl: &Path) -> anyhow::Result<()> {
        for &(prog, symbol) in TLS_PROBES {
            let p: &mut UProbe = self
                .ebpf
                .program_mut(prog)
                .with_context(|| format!("program {prog} missing from the object"))?
                .try_into()?;
            p.attach(symbol, libssl, UProbeScope::AllProcesses)
                .with_context(|| format!("attaching {prog} to {symbol} in {}", libssl.display()))?;
        }
        Ok(())
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
