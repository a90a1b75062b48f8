//! Finds the libssl each selected process maps, so the OpenSSL probes can be attached to it.
//! Paths go through /proc/<pid>/root so a container's own libssl is found from the host.
use std::{collections::HashSet, os::unix::fs::MetadataExt, path::PathBuf};

/// Paths of libssl shared objects mapped by `pid` (as /proc/<pid>/root/<path>).
pub fn libssl_of(pid: u32) -> Vec<PathBuf> {
    let Ok(maps) = std::fs::read_to_string(format!("/proc/{pid}/maps")) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = Vec::new();
    for path in parse_maps(&maps) {
        let p = PathBuf::from(format!("/proc/{pid}/root{path}"));
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// libssl paths in a /proc/<pid>/maps text.
fn parse_maps(maps: &str) -> Vec<&str> {
    maps.lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|p| {
            p.starts_with('/')
                && p.rsplit('/')
                    .next()
                    .is_some_and(|f| f.starts_with("libssl.so"))
        })
        .collect()
}

/// Keeps the OpenSSL probes on every libssl the selected processes map: scans processes not seen
/// before (at start, then periodically, so processes started later are covered too).
pub struct TlsWatch {
    pub cgroup_dirs: Vec<PathBuf>,
    pub pids: Vec<u32>,
    seen: HashSet<u32>,
    attached: Attached,
}

impl TlsWatch {
    pub fn new(cgroup_dirs: Vec<PathBuf>, pids: Vec<u32>) -> Self {
        Self {
            cgroup_dirs,
            pids,
            seen: HashSet::new(),
            attached: Attached::default(),
        }
    }

    /// Attaches to libraries of processes not scanned before; returns how many were attached.
    pub fn scan(&mut self, capture: &mut crate::loader::Capture) -> usize {
        let mut pids: Vec<u32> = self
            .cgroup_dirs
            .iter()
            .flat_map(|d| crate::cgroup::procs(d))
            .collect();
        pids.extend(&self.pids);
        let mut n = 0;
        for pid in pids {
            if !self.seen.insert(pid) {
                continue;
            }
            for lib in libssl_of(pid) {
                if !self.attached.first_time(&lib) {
                    continue;
                }
                match capture.attach_tls(&lib) {
                    Ok(()) => {
                        n += 1;
                        tracing::info!(libssl = %lib.display(), pid, "OpenSSL probes attached");
                    }
                    Err(e) => tracing::warn!(
                        error = format!("{e:#}"),
                        "TLS capture unavailable for this library"
                    ),
                }
            }
        }
        n
    }
}

/// Remembers which files (device, inode) already carry the probes.
#[derive(Default)]
pub struct Attached(HashSet<(u64, u64)>);

impl Attached {
    /// True when `path` is a file not seen before (and now remembered).
    pub fn first_time(&mut self, path: &std::path::Path) -> bool {
        match std::fs::metadata(path) {
            Ok(m) => self.0.insert((m.dev(), m.ino())),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_libssl_in_maps() {
        let maps = "7f00-7f01 r--p 00000000 fe:01 123 /usr/lib/x86_64-linux-gnu/libssl.so.3\n\
                    7f01-7f02 r-xp 00001000 fe:01 123 /usr/lib/x86_64-linux-gnu/libssl.so.3\n\
                    7f02-7f03 r--p 00000000 fe:01 124 /usr/lib/x86_64-linux-gnu/libcrypto.so.3\n\
                    7f03-7f04 rw-p 00000000 00:00 0 \n\
                    7f04-7f05 r--p 00000000 fe:01 125 /opt/app/libssl_helper.so\n";
        let found = parse_maps(maps);
        assert_eq!(
            found,
            [
                "/usr/lib/x86_64-linux-gnu/libssl.so.3",
                "/usr/lib/x86_64-linux-gnu/libssl.so.3"
            ]
        );
    }

    #[test]
    fn this_process_has_no_libssl_or_finds_real_files() {
        for p in libssl_of(std::process::id()) {
            assert!(p.exists(), "{}", p.display());
        }
    }
}
