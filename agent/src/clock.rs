//! Kernel timestamps (CLOCK_MONOTONIC, bpf_ktime_get_ns) to Unix time.

fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: valid pointer to a timespec; both clocks always exist on Linux.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Offset between the realtime and monotonic clocks, taken once at start.
#[derive(Clone, Copy, Debug)]
pub struct MonotonicToUnix(u64);

impl MonotonicToUnix {
    pub fn now() -> Self {
        let mono = clock_ns(libc::CLOCK_MONOTONIC);
        let real = clock_ns(libc::CLOCK_REALTIME);
        Self(real.saturating_sub(mono))
    }

    pub fn convert(&self, mono_ns: u64) -> u64 {
        mono_ns.saturating_add(self.0)
    }
}

pub fn unix_now_ns() -> u64 {
    clock_ns(libc::CLOCK_REALTIME)
}
