//! OpenSSL uprobes: plaintext of TLS connections from SSL_read(_ex) / SSL_write(_ex) of the
//! libssl a selected process maps. The socket behind an SSL object is learnt from the read/write
//! syscalls made inside the call (and cached, since SSL_read may be served from OpenSSL's buffer);
//! from the first plaintext on, the connection's syscall bytes (ciphertext) are skipped.
use agent_common::{ConnKey, LossReason, RecordKind, SslKey};
use aya_ebpf::{
    helpers::bpf_probe_read_user,
    macros::{uprobe, uretprobe},
    programs::{ProbeContext, RetProbeContext},
};

use crate::{
    emit::{capture_enabled, count_loss, emit_data, emit_lifecycle},
    filter::selected,
    maps::{TlsArgs, CONNS, FD_UNKNOWN, SSL_FDS, TLS_ARGS},
};

const INGRESS: u32 = 0;
const EGRESS: u32 = 1;

/// Called from the syscall enter hooks for a tracked socket: true when the task is inside an
/// SSL_* call (the bytes are ciphertext); records the fd for the call and the SSL object.
#[inline(always)]
pub fn note_fd(pid_tgid: u64, fd: u32) -> bool {
    let Some(args) = TLS_ARGS.get_ptr_mut(&pid_tgid) else {
        return false;
    };
    // SAFETY: map value pointer valid for this program run.
    let args = unsafe { &mut *args };
    args.fd = fd;
    let key = SslKey {
        tgid: (pid_tgid >> 32) as u32,
        _pad: 0,
        ssl: args.ssl,
    };
    let _ = SSL_FDS.insert(&key, &fd, 0);
    true
}

#[inline(always)]
fn enter(ctx: &ProbeContext, direction: u32, ex: bool) {
    if !capture_enabled(direction as u8) {
        return;
    }
    let Some((pid_tgid, _)) = selected() else {
        return;
    };
    let ssl: u64 = ctx.arg(0).unwrap_or(0);
    let buf: u64 = ctx.arg(1).unwrap_or(0);
    let out_len: u64 = if ex { ctx.arg(3).unwrap_or(0) } else { 0 };
    let key = SslKey {
        tgid: (pid_tgid >> 32) as u32,
        _pad: 0,
        ssl,
    };
    // SAFETY: value copied out.
    let fd = unsafe { SSL_FDS.get(&key) }.copied().unwrap_or(FD_UNKNOWN);
    let args = TlsArgs {
        ssl,
        buf,
        out_len,
        fd,
        direction,
    };
    if TLS_ARGS.insert(&pid_tgid, &args, 0).is_err() {
        count_loss(LossReason::ArgsTableFull, 1);
    }
}

#[inline(always)]
fn exit(ctx: &RetProbeContext, ex: bool) {
    let Some((pid_tgid, cgroup)) = selected() else {
        return;
    };
    // SAFETY: value copied out before removal.
    let Some(args) = (unsafe { TLS_ARGS.get(&pid_tgid) }).copied() else {
        return;
    };
    let _ = TLS_ARGS.remove(&pid_tgid);
    // SSL_read/SSL_write(_ex) return C int: the upper half of the register is not defined
    // (a -1 would otherwise read as 4294967295 bytes).
    let ret = ctx.ret::<i64>() as i32;
    let n: u64 = if ex {
        if ret != 1 || args.out_len == 0 {
            return;
        }
        // SAFETY: user pointer read through the checked helper.
        unsafe { bpf_probe_read_user(args.out_len as *const u64) }.unwrap_or(0)
    } else if ret > 0 {
        ret as u64
    } else {
        return;
    };
    if n == 0 {
        return;
    }
    if args.fd == FD_UNKNOWN {
        count_loss(LossReason::TlsFdUnknown, 1);
        return;
    }
    let key = ConnKey {
        tgid: (pid_tgid >> 32) as u32,
        fd: args.fd,
    };
    let Some(state) = CONNS.get_ptr_mut(&key) else {
        return;
    };
    // SAFETY: map value pointer valid for this program run.
    let state = unsafe { &mut *state };
    if state.tls == 0 {
        state.tls = 1;
        state.offsets = [0, 0];
        let snapshot = *state;
        emit_lifecycle(RecordKind::TlsStart, &key, &snapshot, cgroup, 0);
    }
    let dir = (args.direction & 1) as usize;
    let offset = state.offsets[dir];
    state.offsets[dir] = offset + n;
    let snapshot = *state;
    if emit_data(&key, &snapshot, dir as u8, args.buf, n, offset, cgroup) > 0 {
        count_loss(LossReason::PayloadTruncated, 1);
    }
}

macro_rules! probes {
    ($($enter:ident, $ret:ident, $dir:expr, $ex:expr;)*) => {$(
        #[uprobe]
        pub fn $enter(ctx: ProbeContext) -> u32 {
            enter(&ctx, $dir, $ex);
            0
        }
        #[uretprobe]
        pub fn $ret(ctx: RetProbeContext) -> u32 {
            exit(&ctx, $ex);
            0
        }
    )*};
}

// Program names match agent/src/loader.rs TLS_PROBES.
probes! {
    ssl_read, ssl_read_ret, INGRESS, false;
    ssl_read_ex, ssl_read_ex_ret, INGRESS, true;
    ssl_write, ssl_write_ret, EGRESS, false;
    ssl_write_ex, ssl_write_ex_ret, EGRESS, true;
}
