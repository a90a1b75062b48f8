//! Building records in the per-CPU scratch buffer and writing them to the ring buffer.
use agent_common::{
    ConnKey, ConnState, LossReason, RecordHeader, RecordKind, HEADER_LEN, MAX_CHUNKS_PER_CALL,
    MAX_PAYLOAD, SOCKADDR_LEN,
};
use aya_ebpf::helpers::{
    bpf_get_current_comm, bpf_get_smp_processor_id, bpf_ktime_get_ns, bpf_probe_read_user_buf,
};

use crate::maps::{CONFIG, EVENTS, LOSS, NEXT_ID, SCRATCH};

const BPF_RB_NO_WAKEUP: u64 = 1;
const BPF_RB_FORCE_WAKEUP: u64 = 2;
const BPF_RB_AVAIL_DATA: u64 = 0;

#[inline(always)]
pub fn count_loss(reason: LossReason, n: u64) {
    if let Some(p) = LOSS.get_ptr_mut(reason as u32) {
        // SAFETY: per-CPU slot, no concurrent writer on this CPU.
        unsafe { *p += n };
    }
}

/// Wake the reader only once enough data is pending; it also polls on a short timer.
#[inline(always)]
fn wakeup_flags() -> u64 {
    let threshold = match CONFIG.get(0) {
        Some(c) => c.wakeup_threshold,
        None => 0,
    };
    if threshold == 0 {
        return 0;
    }
    if EVENTS.query(BPF_RB_AVAIL_DATA) >= threshold {
        BPF_RB_FORCE_WAKEUP
    } else {
        BPF_RB_NO_WAKEUP
    }
}

#[inline(always)]
pub fn capture_enabled(direction: u8) -> bool {
    match CONFIG.get(0) {
        Some(c) => {
            (if direction == 0 {
                c.capture_ingress
            } else {
                c.capture_egress
            }) != 0
        }
        None => false,
    }
}

/// A fresh connection id: CPU number in bits 48..63 (bit 63 stays clear), counter below.
#[inline(always)]
pub fn next_conn_id() -> u64 {
    // SAFETY: helper without arguments.
    let cpu = unsafe { bpf_get_smp_processor_id() } as u64 & 0x7fff;
    let n = match NEXT_ID.get_ptr_mut(0) {
        // SAFETY: per-CPU slot.
        Some(p) => unsafe {
            *p += 1;
            *p
        },
        None => 0,
    };
    (cpu << 48) | (n & 0xffff_ffff_ffff)
}

#[inline(always)]
fn fill_header(
    h: &mut RecordHeader,
    kind: RecordKind,
    key: &ConnKey,
    state: &ConnState,
    direction: u8,
    offset: u64,
    len: u32,
    cgroup: u64,
) {
    h.kind = kind as u8;
    h.direction = direction;
    h.role = state.role;
    h.flags = 0;
    h.tgid = key.tgid;
    h.fd = key.fd;
    h.len = len;
    h.conn_id = state.conn_id;
    h.offset = offset;
    // SAFETY: helper without arguments.
    h.ts_ns = unsafe { bpf_ktime_get_ns() };
    h.cgroup_id = cgroup;
    h.comm = bpf_get_current_comm().unwrap_or([0u8; 16]);
}

/// Open/Close record; for Open, `sockaddr` (user pointer, may be 0) is the peer address.
#[inline(always)]
pub fn emit_lifecycle(
    kind: RecordKind,
    key: &ConnKey,
    state: &ConnState,
    cgroup: u64,
    sockaddr: u64,
) {
    let Some(buf) = SCRATCH.get_ptr_mut(0) else {
        return;
    };
    // SAFETY: the scratch slot is RECORD_MAX bytes, per CPU, and the program is not preempted
    // between filling and output.
    let buf = unsafe { &mut *buf };
    let mut len = 0usize;
    if sockaddr != 0 {
        let dst = &mut buf[HEADER_LEN..HEADER_LEN + SOCKADDR_LEN];
        // SAFETY: user pointer read through the checked helper.
        if unsafe { bpf_probe_read_user_buf(sockaddr as *const u8, dst) }.is_ok() {
            len = SOCKADDR_LEN;
        } else {
            count_loss(LossReason::ReadUserFailed, 1);
        }
    }
    // SAFETY: RECORD_MAX > HEADER_LEN; RecordHeader is repr(C) at the start of the buffer, and
    // ring buffer records are 8-aligned as the PerCpuArray value is.
    let h = unsafe { &mut *(buf.as_mut_ptr() as *mut RecordHeader) };
    fill_header(h, kind, key, state, 0, 0, len as u32, cgroup);
    if EVENTS
        .output::<[u8]>(&buf[..HEADER_LEN + len], wakeup_flags())
        .is_err()
    {
        count_loss(LossReason::RingbufFull, 1);
    }
}

/// One Data record of `len` (clamped to MAX_PAYLOAD) bytes at user address `src`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn emit_chunk(
    buf: &mut [u8; agent_common::RECORD_MAX],
    key: &ConnKey,
    state: &ConnState,
    direction: u8,
    src: u64,
    len: u64,
    offset: u64,
    cgroup: u64,
) {
    // Clamp so the verifier sees 0 < len <= MAX_PAYLOAD.
    let len = if len > MAX_PAYLOAD as u64 {
        MAX_PAYLOAD
    } else {
        len as usize
    };
    if len == 0 || len > MAX_PAYLOAD {
        return;
    }
    let dst = &mut buf[HEADER_LEN..HEADER_LEN + len];
    // SAFETY: user pointer read through the checked helper.
    if unsafe { bpf_probe_read_user_buf(src as *const u8, dst) }.is_err() {
        count_loss(LossReason::ReadUserFailed, 1);
        return;
    }
    // SAFETY: see emit_lifecycle.
    let h = unsafe { &mut *(buf.as_mut_ptr() as *mut RecordHeader) };
    fill_header(
        h,
        RecordKind::Data,
        key,
        state,
        direction,
        offset,
        len as u32,
        cgroup,
    );
    if EVENTS
        .output::<[u8]>(&buf[..HEADER_LEN + len], wakeup_flags())
        .is_err()
    {
        count_loss(LossReason::RingbufFull, 1);
    }
}

/// Copies `total` bytes at user address `src` as Data records, starting at stream `offset`.
/// Returns the number of bytes not copied because of the per-call bound.
#[inline(always)]
pub fn emit_data(
    key: &ConnKey,
    state: &ConnState,
    direction: u8,
    src: u64,
    total: u64,
    offset: u64,
    cgroup: u64,
) -> u64 {
    let Some(buf) = SCRATCH.get_ptr_mut(0) else {
        return total;
    };
    // SAFETY: see emit_lifecycle.
    let buf = unsafe { &mut *buf };
    let mut done: u64 = 0;
    // Bounded loop (verifier): at most MAX_CHUNKS_PER_CALL records per call.
    for _ in 0..MAX_CHUNKS_PER_CALL {
        if done >= total {
            break;
        }
        let len = if total - done > MAX_PAYLOAD as u64 {
            MAX_PAYLOAD as u64
        } else {
            total - done
        };
        emit_chunk(
            buf,
            key,
            state,
            direction,
            src + done,
            len,
            offset + done,
            cgroup,
        );
        done += len;
    }
    total.saturating_sub(done)
}
