//! The read and write families: save (fd, buffer) at sys_enter, copy `ret` bytes at sys_exit.
//!
//! Tracepoint layout (/sys/kernel/tracing/events/syscalls/*/format): arguments are 8-byte slots
//! from offset 16; sys_exit_* has `ret` at offset 16.
use agent_common::{ConnKey, LossReason, MAX_IOVECS, MAX_PAYLOAD};
use aya_ebpf::{helpers::bpf_probe_read_user, macros::tracepoint, programs::TracePointContext};

use crate::{
    emit::{capture_enabled, count_loss, emit_chunk, emit_data},
    filter::selected,
    maps::{arg_kind, SavedArgs, ARGS, CONNS, SCRATCH},
    tls,
};

const ARG0: usize = 16;
const ARG1: usize = 24;
const ARG2: usize = 32;
const RET: usize = 16;

const INGRESS: u8 = 0;
const EGRESS: u8 = 1;

#[inline(always)]
fn arg(ctx: &TracePointContext, off: usize) -> u64 {
    // SAFETY: offsets come from the tracepoint format; read_at uses bpf_probe_read.
    unsafe { ctx.read_at::<u64>(off) }.unwrap_or(0)
}

/// sys_enter: remember the buffer when the fd is a tracked socket of a selected task.
#[inline(always)]
fn enter(ctx: &TracePointContext, direction: u8, kind: u32) {
    if !capture_enabled(direction) {
        return;
    }
    let Some((pid_tgid, _)) = selected() else {
        return;
    };
    let fd = arg(ctx, ARG0) as u32;
    let key = ConnKey {
        tgid: (pid_tgid >> 32) as u32,
        fd,
    };
    let Some(state) = CONNS.get_ptr(&key) else {
        return;
    };
    // Inside SSL_read/SSL_write: these bytes are ciphertext of the plaintext the uprobes copy.
    // Remember which socket the SSL object uses and skip them.
    if tls::note_fd(pid_tgid, fd) {
        return;
    }
    // SAFETY: map value pointer valid for this program run.
    if unsafe { (*state).tls } != 0 {
        return;
    }
    let (ptr, count) = if kind == arg_kind::IOVEC {
        (arg(ctx, ARG1), arg(ctx, ARG2))
    } else if kind == MSGHDR {
        // struct user_msghdr: msg_iov at 16, msg_iovlen at 24.
        let msg = arg(ctx, ARG1);
        // SAFETY: user pointers read through the checked helper.
        let iov = unsafe { bpf_probe_read_user((msg + 16) as *const u64) }.unwrap_or(0);
        let n = unsafe { bpf_probe_read_user((msg + 24) as *const u64) }.unwrap_or(0);
        (iov, n)
    } else {
        (arg(ctx, ARG1), 0)
    };
    let kind = if kind == MSGHDR {
        arg_kind::IOVEC
    } else {
        kind
    };
    let saved = SavedArgs {
        ptr,
        count,
        fd,
        kind,
    };
    if ARGS.insert(&pid_tgid, &saved, 0).is_err() {
        count_loss(LossReason::ArgsTableFull, 1);
    }
}

/// Pseudo-kind used only at sys_enter of sendmsg/recvmsg: the iovec array hides in a msghdr.
const MSGHDR: u32 = 100;

/// sys_exit: copy what the syscall moved. `iovec` selects the path at compile time: keeping the
/// plain-buffer and iovec paths in separate programs keeps each under the verifier's 1M
/// instruction budget (the iovec walk nests the chunk loop).
#[inline(always)]
fn exit(ctx: &TracePointContext, direction: u8, iovec: bool) {
    let Some((pid_tgid, cgroup)) = selected() else {
        return;
    };
    // SAFETY: value copied out before the entry is removed.
    let Some(saved) = (unsafe { ARGS.get(&pid_tgid) }).copied() else {
        return;
    };
    let _ = ARGS.remove(&pid_tgid);
    let expected = if iovec {
        arg_kind::IOVEC
    } else {
        arg_kind::BUF
    };
    if saved.kind != expected {
        return;
    }
    let ret = arg(ctx, RET) as i64;
    if ret <= 0 {
        return;
    }
    let total = ret as u64;
    let key = ConnKey {
        tgid: (pid_tgid >> 32) as u32,
        fd: saved.fd,
    };
    let Some(state) = CONNS.get_ptr_mut(&key) else {
        return;
    };
    // SAFETY: map value pointer valid for this program run.
    let state = unsafe { &mut *state };
    let offset = state.offsets[direction as usize & 1];
    state.offsets[direction as usize & 1] = offset + total;
    let snapshot = *state;

    let missed = if iovec {
        emit_iovecs(
            &key,
            &snapshot,
            direction,
            saved.ptr,
            saved.count,
            total,
            offset,
            cgroup,
        )
    } else {
        emit_data(&key, &snapshot, direction, saved.ptr, total, offset, cgroup)
    };
    if missed > 0 {
        count_loss(LossReason::PayloadTruncated, 1);
    }
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Iovec {
    base: u64,
    len: u64,
}

/// Walks at most MAX_IOVECS entries and copies the first MAX_PAYLOAD bytes of each; the rest is
/// counted as truncated (the offset still advances, so aggregation sees a gap). Copying whole
/// iovecs nests the chunk loop in the iovec loop, which exceeds the verifier's 1M-instruction
/// budget on 6.18; bpf_loop() would lift that (follow-up). Returns bytes not copied.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn emit_iovecs(
    key: &agent_common::ConnKey,
    state: &agent_common::ConnState,
    direction: u8,
    iov: u64,
    count: u64,
    total: u64,
    offset: u64,
    cgroup: u64,
) -> u64 {
    let Some(buf) = SCRATCH.get_ptr_mut(0) else {
        return total;
    };
    // SAFETY: per-CPU scratch, not preempted during the program.
    let buf = unsafe { &mut *buf };
    let mut done: u64 = 0;
    let mut copied: u64 = 0;
    for i in 0..MAX_IOVECS as u64 {
        if i >= count || done >= total {
            break;
        }
        // SAFETY: user pointer read through the checked helper.
        let Ok(v) = (unsafe { bpf_probe_read_user((iov + i * 16) as *const Iovec) }) else {
            count_loss(LossReason::ReadUserFailed, 1);
            break;
        };
        let take = if v.len > total - done {
            total - done
        } else {
            v.len
        };
        let len = if take > MAX_PAYLOAD as u64 {
            MAX_PAYLOAD as u64
        } else {
            take
        };
        emit_chunk(
            buf,
            key,
            state,
            direction,
            v.base,
            len,
            offset + done,
            cgroup,
        );
        copied += len;
        done += take;
    }
    total - copied
}

macro_rules! hooks {
    ($($enter:ident, $exit:ident, $dir:expr, $kind:expr, $iovec:expr;)*) => {$(
        #[tracepoint]
        pub fn $enter(ctx: TracePointContext) -> u32 {
            enter(&ctx, $dir, $kind);
            0
        }
        #[tracepoint]
        pub fn $exit(ctx: TracePointContext) -> u32 {
            exit(&ctx, $dir, $iovec);
            0
        }
    )*};
}

hooks! {
    sys_enter_read, sys_exit_read, INGRESS, arg_kind::BUF, false;
    sys_enter_recvfrom, sys_exit_recvfrom, INGRESS, arg_kind::BUF, false;
    sys_enter_readv, sys_exit_readv, INGRESS, arg_kind::IOVEC, true;
    sys_enter_recvmsg, sys_exit_recvmsg, INGRESS, MSGHDR, true;
    sys_enter_write, sys_exit_write, EGRESS, arg_kind::BUF, false;
    sys_enter_sendto, sys_exit_sendto, EGRESS, arg_kind::BUF, false;
    sys_enter_writev, sys_exit_writev, EGRESS, arg_kind::IOVEC, true;
    sys_enter_sendmsg, sys_exit_sendmsg, EGRESS, MSGHDR, true;
}
