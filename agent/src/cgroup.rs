//! cgroup v2: where it is mounted, and the id of a cgroup directory (its inode number, the value
//! `bpf_get_current_cgroup_id()` returns).
use std::{
    os::unix::fs::MetadataExt,
    path::{Path, PathBuf},
};

#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    #[error("no cgroup2 filesystem in /proc/mounts: the agent needs cgroup v2 (unified or hybrid hierarchy)")]
    NoCgroup2,
    #[error("cgroup {path}: {source} (give a path under the cgroup2 mount, e.g. {root}/kubepods.slice/...)")]
    Stat {
        path: PathBuf,
        root: PathBuf,
        source: std::io::Error,
    },
    #[error("reading /proc/mounts: {0}")]
    Mounts(std::io::Error),
}

/// The cgroup2 mount point: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid ones.
pub fn cgroup2_root() -> Result<PathBuf, CgroupError> {
    let mounts = std::fs::read_to_string("/proc/mounts").map_err(CgroupError::Mounts)?;
    cgroup2_root_in(&mounts).ok_or(CgroupError::NoCgroup2)
}

fn cgroup2_root_in(mounts: &str) -> Option<PathBuf> {
    mounts.lines().find_map(|line| {
        let mut f = line.split_whitespace();
        let (_dev, dir, fstype) = (f.next()?, f.next()?, f.next()?);
        (fstype == "cgroup2").then(|| PathBuf::from(dir))
    })
}

/// Resolves `path` (absolute, or relative to the cgroup2 root) to a directory and its id.
pub fn resolve(path: &Path) -> Result<(PathBuf, u64), CgroupError> {
    let root = cgroup2_root()?;
    let full = if path.is_absolute() {
        path.to_owned()
    } else {
        root.join(path)
    };
    let meta = std::fs::metadata(&full).map_err(|source| CgroupError::Stat {
        path: full.clone(),
        root,
        source,
    })?;
    Ok((full, meta.ino()))
}

/// Process ids currently in the cgroup (not its children).
pub fn procs(dir: &Path) -> Vec<u32> {
    std::fs::read_to_string(dir.join("cgroup.procs"))
        .map(|s| s.lines().filter_map(|l| l.trim().parse().ok()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cgroup2_on_hybrid_and_unified_hosts() {
        let hybrid = "cgroup /sys/fs/cgroup/cpu cgroup rw 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw,nsdelegate 0 0\n";
        assert_eq!(
            cgroup2_root_in(hybrid),
            Some(PathBuf::from("/sys/fs/cgroup/unified"))
        );
        let unified = "sysfs /sys sysfs rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n";
        assert_eq!(
            cgroup2_root_in(unified),
            Some(PathBuf::from("/sys/fs/cgroup"))
        );
        assert_eq!(cgroup2_root_in("proc /proc proc rw 0 0\n"), None);
    }

    #[test]
    fn this_process_cgroup_resolves_to_an_id() {
        let Ok(root) = cgroup2_root() else { return };
        let (_, id) = resolve(&root).expect("root cgroup resolves");
        assert!(id > 0);
    }
}
