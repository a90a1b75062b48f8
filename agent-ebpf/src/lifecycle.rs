//! Connection lifecycle: accept/accept4 (server side), connect (client side), close.
use agent_common::{ConnKey, ConnState, LossReason, RecordKind, Role};
use aya_ebpf::{helpers::bpf_probe_read_user, macros::tracepoint, programs::TracePointContext};

use crate::{
    emit::{count_loss, emit_lifecycle, next_conn_id},
    filter::selected,
    maps::{arg_kind, SavedArgs, ARGS, CONNS},
};

const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;
const EINPROGRESS: i64 = 115;

#[inline(always)]
fn arg(ctx: &TracePointContext, off: usize) -> u64 {
    // SAFETY: offsets come from the tracepoint format.
    unsafe { ctx.read_at::<u64>(off) }.unwrap_or(0)
}

#[inline(always)]
fn save(ctx: &TracePointContext, kind: u32) {
    let Some((pid_tgid, _)) = selected() else {
        return;
    };
    let saved = SavedArgs {
        ptr: arg(ctx, 24),
        count: 0,
        fd: arg(ctx, 16) as u32,
        kind,
    };
    if ARGS.insert(&pid_tgid, &saved, 0).is_err() {
        count_loss(LossReason::ArgsTableFull, 1);
    }
}

/// TCP over IPv4/IPv6 only: unix sockets are not HTTP traffic we can attribute to a peer.
#[inline(always)]
fn is_inet(sockaddr: u64) -> bool {
    if sockaddr == 0 {
        // accept(fd, NULL, NULL): family unknown; track it, aggregation ignores non-HTTP bytes.
        return true;
    }
    // SAFETY: user pointer read through the checked helper.
    match unsafe { bpf_probe_read_user(sockaddr as *const u16) } {
        Ok(f) => f == AF_INET || f == AF_INET6,
        Err(_) => false,
    }
}

#[inline(always)]
fn track(ctx: &TracePointContext, role: Role) {
    let Some((pid_tgid, cgroup)) = selected() else {
        return;
    };
    // SAFETY: value copied out before removal.
    let Some(saved) = (unsafe { ARGS.get(&pid_tgid) }).copied() else {
        return;
    };
    let _ = ARGS.remove(&pid_tgid);
    if saved.kind != arg_kind::ACCEPT && saved.kind != arg_kind::CONNECT {
        return;
    }
    let ret = arg(ctx, 16) as i64;
    let fd = match role {
        Role::Server if ret >= 0 => ret as u32,
        Role::Client if ret == 0 || ret == -EINPROGRESS => saved.fd,
        _ => return,
    };
    if !is_inet(saved.ptr) {
        return;
    }
    let key = ConnKey {
        tgid: (pid_tgid >> 32) as u32,
        fd,
    };
    let state = ConnState {
        conn_id: next_conn_id(),
        offsets: [0, 0],
        role: role as u8,
        tls: 0,
        _pad: [0; 6],
    };
    if CONNS.insert(&key, &state, 0).is_err() {
        count_loss(LossReason::ConnTableFull, 1);
        return;
    }
    emit_lifecycle(RecordKind::Open, &key, &state, cgroup, saved.ptr);
}

#[tracepoint]
pub fn sys_enter_accept(ctx: TracePointContext) -> u32 {
    save(&ctx, arg_kind::ACCEPT);
    0
}

#[tracepoint]
pub fn sys_exit_accept(ctx: TracePointContext) -> u32 {
    track(&ctx, Role::Server);
    0
}

#[tracepoint]
pub fn sys_enter_accept4(ctx: TracePointContext) -> u32 {
    save(&ctx, arg_kind::ACCEPT);
    0
}

#[tracepoint]
pub fn sys_exit_accept4(ctx: TracePointContext) -> u32 {
    track(&ctx, Role::Server);
    0
}

#[tracepoint]
pub fn sys_enter_connect(ctx: TracePointContext) -> u32 {
    save(&ctx, arg_kind::CONNECT);
    0
}

#[tracepoint]
pub fn sys_exit_connect(ctx: TracePointContext) -> u32 {
    track(&ctx, Role::Client);
    0
}

#[tracepoint]
pub fn sys_enter_close(ctx: TracePointContext) -> u32 {
    let Some((pid_tgid, cgroup)) = selected() else {
        return 0;
    };
    let key = ConnKey {
        tgid: (pid_tgid >> 32) as u32,
        fd: arg(&ctx, 16) as u32,
    };
    // SAFETY: value copied out before removal.
    if let Some(state) = unsafe { CONNS.get(&key) }.copied() {
        let _ = CONNS.remove(&key);
        emit_lifecycle(RecordKind::Close, &key, &state, cgroup, 0);
    }
    0
}
