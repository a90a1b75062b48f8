//! eBPF side of the agent: syscall tracepoints that copy the socket bytes of selected processes
//! into the `EVENTS` ring buffer, with connection lifecycle (accept/connect/close) and loss
//! counters. Tracepoints work on every supported node kernel (kprobes/fentry are not available
//! everywhere, e.g. not on the CI machine).
#![cfg_attr(target_arch = "bpf", no_std)]
#![cfg_attr(target_arch = "bpf", no_main)]

#[cfg(target_arch = "bpf")]
mod emit;
#[cfg(target_arch = "bpf")]
mod filter;
#[cfg(target_arch = "bpf")]
mod lifecycle;
#[cfg(target_arch = "bpf")]
mod maps;
#[cfg(target_arch = "bpf")]
mod syscalls;
#[cfg(target_arch = "bpf")]
mod tls;

// The probe-read helpers need a GPL-compatible licence.
#[cfg(target_arch = "bpf")]
#[unsafe(link_section = "license")]
#[unsafe(no_mangle)]
static LICENSE: [u8; 13] = *b"Dual MIT/GPL\0";

#[cfg(target_arch = "bpf")]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}

// Host builds (cargo test/clippy --workspace) compile this crate for the host too.
#[cfg(not(target_arch = "bpf"))]
fn main() {}
