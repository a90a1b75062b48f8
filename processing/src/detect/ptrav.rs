//! Path traversal and local file access: `..` segments in any separator style (after the
//! decoders have removed percent, double-percent, `%u` and overlong encodings), the
//! filter-evasion form `....//`, and references to well-known sensitive files anchored at a
//! path boundary (`/etc/passwd`, `c:\windows\win.ini`, `/proc/self/environ`).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::prefilter::{lit_owned, lits, LitId, LitSet};
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

/// Sensitive targets, written with `/` separators; matched on a `\`→`/` normalised value.
const TARGETS: &[&str] = &[
    "etc/passwd",
    "etc/shadow",
    "etc/group",
    "etc/hosts",
    "etc/issue",
    "etc/motd",
    "etc/crontab",
    "etc/fstab",
    "etc/sudoers",
    "etc/resolv.conf",
    "etc/profile",
    "etc/hostname",
    "etc/mysql/",
    "etc/httpd/",
    "etc/apache2/",
    "etc/nginx/",
    "etc/ssh/",
    "etc/security/",
    "etc/pam.d",
    "etc/environment",
    "etc/master.passwd",
    "etc/gshadow",
    "proc/self/",
    "proc/version",
    "proc/cpuinfo",
    "proc/meminfo",
    "proc/net/",
    "proc/1/",
    "proc/mounts",
    "var/log/",
    "var/run/secrets",
    "var/lib/mysql",
    "root/.",
    ".ssh/id_rsa",
    ".ssh/id_dsa",
    ".ssh/authorized_keys",
    ".ssh/known_hosts",
    ".bash_history",
    ".bashrc",
    ".htpasswd",
    ".htaccess",
    "wp-config.php",
    "web-inf/web.xml",
    "web-inf/classes",
    "meta-inf/manifest.mf",
    ".git/config",
    ".git/head",
    ".svn/entries",
    ".aws/credentials",
    ".docker/config.json",
    ".kube/config",
    "windows/win.ini",
    "windows/system.ini",
    "windows/system32",
    "windows/repair",
    "windows/panther",
    "winnt/",
    "win.ini",
    "boot.ini",
    "system32/",
    "inetpub/",
    "repair/sam",
    "config/sam",
    "autoexec.bat",
    "php.ini",
    "httpd.conf",
    "my.cnf",
    "shadow.bak",
    "passwd.bak",
    "/dev/fd/",
    "/dev/stdin",
    "proc/interrupts",
    "proc/sched_debug",
    "sys/class/",
    "sys/kernel/",
    "sys/firmware/",
    ".env",
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".boto",
    ".git-credentials",
    ".hg/",
    ".ds_store",
    ".gnupg/",
    // Coding-assistant configuration: API keys and tool permissions.
    ".claude/",
    ".cursor/",
    ".continue/",
    ".aider",
    ".codex/",
    ".windsurf/",
    ".cline/",
    ".roo/",
    ".zed/",
    ".kiro/",
    ".junie/",
    ".n8n/",
    "wp-content/debug.log",
];

fn unhex_separators(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let (c, used) = if rest.starts_with(b"0x2e") {
            (b'.', 4)
        } else if rest.starts_with(b"0x2f") || rest.starts_with(b"0x5c") {
            (b'/', 4)
        } else {
            (s[i], 1)
        };
        out.push(c);
        i += used;
    }
    out
}

pub struct Ptrav {
    targets: AhoCorasick,
    /// The longest `/`-free piece of each target: present in the value whatever separator
    /// style it uses, so a leaf without any of them skips the target search.
    target_gate: Vec<LitId>,
    dots: Vec<LitId>,
}

impl Ptrav {
    pub fn new() -> Self {
        let targets = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(TARGETS)
            .expect("static pattern list builds");
        let target_gate = TARGETS
            .iter()
            .filter_map(|t| t.split('/').max_by_key(|p| p.len()))
            .map(lit_owned)
            .collect();
        Ptrav {
            targets,
            target_gate,
            dots: lits(&[".."]),
        }
    }

    /// First `..` segment: a run of two or more dots with a separator on at least one side and
    /// nothing but a separator, a boundary or a NUL on the other.
    fn traversal(norm: &[u8]) -> Option<(usize, usize)> {
        let mut i = 0;
        while i + 1 < norm.len() {
            if norm[i] == b'.' && norm[i + 1] == b'.' {
                let start = i;
                let mut end = i;
                while end < norm.len() && norm[end] == b'.' {
                    end += 1;
                }
                let before = start.checked_sub(1).map(|p| norm[p]);
                let after = norm.get(end).copied();
                let sep = |c: Option<u8>| matches!(c, Some(b'/'));
                let edge_before = matches!(
                    before,
                    None | Some(b'=' | b':' | b' ' | b'"' | b'\'' | b'\0')
                );
                let edge_after = matches!(
                    after,
                    None | Some(b'\0' | b';' | b'?' | b'#' | b'"' | b'\'')
                );
                // `..;/` is Tomcat's path-parameter bypass; `....//` survives one `../` strip.
                let after_is_sep =
                    sep(after) || (after == Some(b';') && norm.get(end + 1) == Some(&b'/'));
                let bare = before.is_none() && after.is_none() && end - start == 2;
                if (sep(before) || edge_before) && after_is_sep
                    || sep(before) && (after_is_sep || edge_after)
                    || bare
                {
                    return Some((start, end));
                }
                i = end;
            } else {
                i += 1;
            }
        }
        None
    }

    fn target(&self, norm: &[u8]) -> Option<(usize, usize)> {
        for m in self.targets.find_iter(norm) {
            let (s, e) = (m.start(), m.end());
            let pat = TARGETS[m.pattern().as_usize()].as_bytes();
            let before = s.checked_sub(1).map(|p| norm[p]);
            let left_ok = pat[0] == b'/'
                || matches!(
                    before,
                    None | Some(b'/' | b':' | b'=' | b' ' | b'"' | b'\'' | b'\0' | b'.')
                );
            let right_ok = pat.last() == Some(&b'/')
                || norm
                    .get(e)
                    .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_' && *c != b'-');
            // `root/.` and `.htaccess`-style names must start a path component.
            if left_ok && right_ok && (before.is_some() || pat[0] != b'.' || s == 0) {
                return Some((s, e));
            }
        }
        None
    }
}

impl Detector for Ptrav {
    fn attack(&self) -> AttackType {
        AttackType::Ptrav
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        let lower = leaf.lower.as_bytes();
        // A NUL can split `..` or a target name, so such values skip the gates.
        let nul = lower.contains(&0);
        let dots = nul || present.any(&self.dots);
        let target = nul || present.any(&self.target_gate);
        if !dots && !target {
            return None;
        }
        // NUL bytes are dropped: `..%00/` reaches a C-based file API as `../`. Offsets past a
        // dropped NUL shift a little, which only affects the excerpt.
        let mut norm: Vec<u8> = lower
            .iter()
            .filter(|&&b| b != 0)
            .map(|&b| if b == b'\\' { b'/' } else { b })
            .collect();
        // `0x2e0x2e0x2f`, `..0x5c`: C-style hex spellings of `.`, `/` and `\`, which some
        // decoders and scanners use and naive filters miss.
        if norm.windows(3).any(|w| w == b"0x2" || w == b"0x5") {
            norm = unhex_separators(&norm);
        }
        if let Some((s, e)) = Self::traversal(&norm).filter(|_| dots) {
            let end = (e + 48).min(norm.len());
            return Some(Finding {
                at: s..end,
                reason: "dot-dot path segment",
            });
        }
        if !target {
            return None;
        }
        self.target(&norm).map(|(s, e)| Finding {
            at: s..e,
            reason: "sensitive file path",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(v: &str) -> bool {
        crate::detect::check_one(&Ptrav::new(), v).is_some()
    }

    #[test]
    fn finds_traversal_segments() {
        for v in [
            "../../etc/x",
            "..\\..\\boot",
            "/var/www/../../x",
            "....//....//x",
            "..;/admin",
            "a/..",
            "..",
            "file=..\0/",
        ] {
            assert!(hit(v), "{v}");
        }
    }

    #[test]
    fn finds_sensitive_files() {
        for v in [
            "/etc/passwd",
            "etc/shadow",
            "c:\\windows\\win.ini",
            "/proc/self/environ",
            "file:///etc/hosts",
            "/etc/passwd%00.jpg",
            "boot.ini",
            "/0x2e0x2e0x2fetc/hosts",
            "/..0x5c..0x5cwindows/win.ini",
            "/@fs/.env",
            "/app/.claude/settings.local.json",
        ] {
            assert!(hit(v), "{v}");
        }
    }

    #[test]
    fn ignores_ordinary_text_and_paths() {
        for v in [
            "wait...",
            "1.2.3",
            "see the etc/password hint",
            "/api/v1/users",
            "hello..world",
            "a.b..c",
            "/home/etcetera/passwdx",
            "version 1..2",
            "config.env",
            "0x2e",
            "the environment",
        ] {
            assert!(!hit(v), "{v}");
        }
    }
}
