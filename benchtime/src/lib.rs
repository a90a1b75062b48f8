//! Criterion measurement of the CPU time of the benchmark thread.
//!
//! On a machine shared with builds and other runs, wall-clock figures move with the load (time
//! spent waiting for a core counts), while the thread's own CPU time barely does. The code the
//! workspace benchmarks (parsers, detectors) is single-threaded and does no I/O, so its CPU time
//! is its whole cost. Still affected by what shares the core (SMT sibling, caches): compare
//! figures from one sitting, as ratios.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::Criterion;

/// CPU time consumed by the calling thread (`CLOCK_THREAD_CPUTIME_ID`), in nanoseconds: criterion
/// calls `start` and `end` on the thread that runs the routine.
pub struct ThreadCpu {
    /// Formats nanoseconds as durations, as wall-clock figures are.
    ns: WallTime,
}

/// CPU time the calling thread has consumed, in nanoseconds (for measurements criterion does not
/// make, such as alternating two workloads).
pub fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write to; the clock exists on every Linux since 2.6.12.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, ns: &u64) -> f64 {
        *ns as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.ns.formatter()
    }
}

/// A criterion configured to measure [`ThreadCpu`].
pub fn cpu_time() -> Criterion<ThreadCpu> {
    Criterion::default().with_measurement(ThreadCpu { ns: WallTime })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_this_threads_work_not_sleep() {
        let m = ThreadCpu { ns: WallTime };
        let t = m.start();
        std::thread::sleep(std::time::Duration::from_millis(50));
        let slept = m.end(t);
        let t = m.start();
        let mut x = 0u64;
        while m.end(t) < 20_000_000 {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(slept < 20_000_000, "sleeping counted {slept} ns");
        assert!(x > 0);
    }
}
