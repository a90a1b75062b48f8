//! Selection, checked first in every hook: is the current task in a selected cgroup or process?
use aya_ebpf::helpers::{bpf_get_current_cgroup_id, bpf_get_current_pid_tgid};

use crate::maps::{CGROUPS, PIDS};

/// Returns (pid_tgid, cgroup_id) when the current task is selected.
#[inline(always)]
pub fn selected() -> Option<(u64, u64)> {
    // SAFETY: helpers without arguments.
    let cgroup = unsafe { bpf_get_current_cgroup_id() };
    let pid_tgid = bpf_get_current_pid_tgid();
    // SAFETY: the values are u8 flags copied out immediately.
    let hit =
        unsafe { CGROUPS.get(&cgroup).is_some() || PIDS.get(&((pid_tgid >> 32) as u32)).is_some() };
    if hit {
        Some((pid_tgid, cgroup))
    } else {
        None
    }
}
