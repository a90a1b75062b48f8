//! Path traversal and local file access: `..` segments in any separator style (after the
//! decoders have removed percent, double-percent, `%u` and overlong encodings, and with
//! full-width look-alikes folded), the filter-evasion form `....//`, and references to
//! well-known sensitive files anchored at a path boundary (`/etc/passwd`,
//! `c:\windows\win.ini`, `/proc/self/environ`, `~/.aws/credentials`). Context decides: a
//! dotfile or file name in prose is not a path, a trailing `..` that stays inside the site
//! root reaches nothing, and repository files and secret file types (`.sql`, `.bak`, `.env`)
//! count only in the URL path, where a site serving them leaks them.

use std::borrow::Cow;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::prefilter::{lits, LitSet, Lits};
use super::{AttackType, Detector, Finding};
use crate::point::{Leaf, Place};

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
    ".docker/",
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
    "inetpub/wwwroot/",
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
    "sys/class",
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
    ".cursorrules",
    ".cursorignore",
    ".windsurfrules",
    ".clinerules",
    ".claude.json",
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
    // More of the system files and credential stores a file-read bug is aimed at.
    "etc/passwd-",
    "etc/shadow-",
    "etc/os-release",
    "etc/lsb-release",
    "etc/redhat-release",
    "etc/debian_version",
    "etc/inittab",
    "etc/login.defs",
    "etc/nsswitch.conf",
    "etc/ld.so.preload",
    "etc/sysctl.conf",
    "etc/exports",
    "etc/krb5.conf",
    "etc/krb5.keytab",
    "etc/ssl/private",
    "etc/pki/",
    "etc/postgresql/",
    "etc/redis/",
    "etc/php/",
    "etc/samba/",
    "etc/snmp/",
    "etc/openvpn/",
    "etc/kubernetes/",
    "etc/docker/",
    "etc/systemd/",
    "etc/cron.d/",
    "etc/sysconfig/",
    "etc/network/interfaces",
    "etc/inetd.conf",
    "etc/xinetd.d/",
    "etc/wpa_supplicant/",
    "proc/kallsyms",
    "proc/modules",
    "proc/cmdline",
    "proc/partitions",
    "proc/kcore",
    "proc/config.gz",
    "proc/devices",
    "proc/loadavg",
    "var/mail/",
    "var/spool/cron",
    "var/lib/php/sessions",
    "var/lib/docker/",
    "var/lib/kubelet/",
    "run/secrets/",
    ".ssh/id_ecdsa",
    ".ssh/id_ed25519",
    ".ssh/config",
    ".zsh_history",
    ".sh_history",
    ".mysql_history",
    ".psql_history",
    ".python_history",
    ".node_repl_history",
    ".rediscli_history",
    ".sqlite_history",
    ".lesshst",
    ".viminfo",
    ".pgpass",
    ".my.cnf",
    ".s3cfg",
    ".gitconfig",
    ".git/",
    ".svn/",
    ".bzr/",
    ".htdigest",
    ".password-store",
    ".rhosts",
    ".xauthority",
    ".azure/",
    ".config/gcloud",
    ".terraformrc",
    ".terraform.d/credentials",
    ".vault-token",
    ".kube/",
    ".user.ini",
    "web-inf/",
    "web.config",
    "global.asa",
    "applicationhost.config",
    "ntuser.dat",
    "unattend.xml",
    "sysprep.inf",
    "windows/debug/",
    "system32/config/",
    "etc/subuid",
    "etc/subgid",
    ".history",
    // More coding-assistant and agent configuration directories.
    ".gemini/",
    ".amazonq/",
    ".augment/",
    ".opencode/",
    ".goose/",
    ".tabnine/",
    ".trae/",
    ".kilocode/",
    ".qwen/",
    ".openhands/",
    ".copilot/",
    ".mcp.json",
    ".roomodes",
];

/// Files that leak source or build secrets when a site serves them from its root; named in
/// a parameter they are ordinary repository paths, so only the URL path is checked.
const PATH_TARGETS: &[&str] = &[
    ".idea/",
    ".vscode/",
    ".gitignore",
    ".gitmodules",
    ".gitattributes",
    ".gitlab-ci.yml",
    ".travis.yml",
    ".circleci/",
    ".dockerignore",
    "docker-compose.yml",
    "composer.lock",
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

/// Extensions of files a site never means to serve: dumps, backups, editor swap files, logs,
/// keys and credential stores. Checked on the last segment of the URL path only, after
/// archive extensions (`backup.sql.zip`).
const SECRET_EXTS: &[&str] = &[
    "sql", "bak", "backup", "old", "orig", "swp", "swo", "sav", "log", "env", "pem", "key", "ppk",
    "pfx", "p12", "kdbx", "sqlite", "sqlite3", "mdb",
];
const ARCHIVE_EXTS: &[&str] = &["zip", "gz", "tgz", "bz2", "xz", "7z", "rar", "tar", "zst"];

pub struct Ptrav {
    targets: AhoCorasick,
    path_targets: AhoCorasick,
    /// [`TARGETS`] with their separators removed (`etcpasswd`, `web-infweb.xml`), for values
    /// whose slashes or backslashes a filter or a broken client stripped; only long ones,
    /// which are no word.
    joined: AhoCorasick,
    joined_open: Vec<bool>,
    dots: Lits,
    /// `0x2e`, `0x2f`, `0x5c` spellings (see [`unhex_separators`]).
    hex: Lits,
    nul: Lits,
    /// The characters [`fold_lookalikes`] maps.
    lookalikes: Lits,
    /// What [`collapse_segments`] removes.
    collapsible: Lits,
}

impl Ptrav {
    pub fn new() -> Self {
        // DFAs: overlapping search on the default NFA costs several times more.
        let targets = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(TARGETS)
            .expect("static pattern list builds");
        let joined_list: Vec<(String, bool)> = TARGETS
            .iter()
            .filter(|t| t.trim_matches('/').contains('/'))
            .map(|t| (t.replace('/', ""), t.ends_with('/')))
            .filter(|(j, _)| j.len() >= 9)
            .collect();
        let joined = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(joined_list.iter().map(|(j, _)| j))
            .expect("static pattern list builds");
        let path_targets = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(PATH_TARGETS)
            .expect("static pattern list builds");
        Ptrav {
            targets,
            path_targets,
            joined,
            joined_open: joined_list.iter().map(|(_, open)| *open).collect(),
            dots: lits(&[".."]),
            hex: lits(&["0x2", "0x5"]),
            nul: lits(&["\0"]),
            lookalikes: lits(&LOOKALIKES.map(|(c, _)| c)),
            collapsible: lits(&["/./", "//"]),
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

    /// A URL path whose only `..` segments are trailing ones that stay below the root
    /// (`/docs/..`) names a directory of the site: nothing is reached that the client could
    /// not request directly.
    fn stays_inside(norm: &[u8], s: usize, e: usize) -> bool {
        if e - s != 2 || !norm[e..].iter().all(|&c| c == b'/') {
            return false;
        }
        let mut depth = 0usize;
        for seg in norm[..s].split(|&c| c == b'/') {
            match seg {
                b"" | b"." => {}
                b".." => match depth.checked_sub(1) {
                    Some(d) => depth = d,
                    None => return false,
                },
                _ => depth += 1,
            }
        }
        // The trailing `..` itself climbs one level.
        depth >= 1
    }

    fn target(ac: &AhoCorasick, list: &[&str], norm: &[u8]) -> Option<(usize, usize)> {
        // Most values name no target at all; the plain search stops at the first candidate
        // and costs a fraction of the overlapping walk.
        if !ac.is_match(norm) {
            return None;
        }
        // Overlapping matches: `root/.` must not hide `.aws/credentials` in
        // `/root/.aws/credentials`.
        for m in ac.find_overlapping_iter(norm) {
            let (s, e) = (m.start(), m.end());
            let pat = list[m.pattern().as_usize()].as_bytes();
            let before = s.checked_sub(1).map(|p| norm[p]);
            // A dotfile or a lone file name mentioned in prose (`an interface to .netrc`, `edit
            // web.config`) is not a path: it needs a path or parameter boundary on its left.
            let left_ok = match (pat[0], pat.contains(&b'/')) {
                (b'/', _) => true,
                (b'.', _) => matches!(before, None | Some(b'/' | b':' | b'=' | b'\0')),
                (_, false) => matches!(before, None | Some(b'/' | b':' | b'=' | b'\0' | b'.')),
                _ => matches!(
                    before,
                    None | Some(b'/' | b':' | b'=' | b' ' | b'"' | b'\'' | b'\0' | b'.')
                ),
            };
            // `etc/mysql/`, `root/.`: prefixes of a path, open on the right.
            let right_ok = matches!(pat.last(), Some(b'/' | b'.')) || boundary(norm.get(e));
            if left_ok && right_ok {
                return Some((s, e));
            }
        }
        None
    }

    fn joined_target(&self, norm: &[u8]) -> Option<(usize, usize)> {
        if !self.joined.is_match(norm) {
            return None;
        }
        self.joined.find_overlapping_iter(norm).find_map(|m| {
            let (s, e) = (m.start(), m.end());
            let before = s.checked_sub(1).map(|p| norm[p]);
            let left_ok = before.is_none_or(|c| !c.is_ascii_alphanumeric());
            let right_ok = self.joined_open[m.pattern().as_usize()] || boundary(norm.get(e));
            (left_ok && right_ok).then_some((s, e))
        })
    }

    /// The last segment of a URL path has a [`SECRET_EXTS`] extension.
    fn secret_file(norm: &[u8]) -> Option<(usize, usize)> {
        let start = norm.iter().rposition(|&c| c == b'/').map_or(0, |p| p + 1);
        let name = &norm[start..];
        let mut exts = name.rsplit(|&c| c == b'.');
        let mut ext = exts.next()?;
        if ARCHIVE_EXTS.iter().any(|a| a.as_bytes() == ext) {
            ext = exts.next()?;
        }
        // Something must precede the extension (`.log` alone is a dotfile, handled above).
        let stem = exts.next()?;
        let secret = SECRET_EXTS.iter().any(|x| x.as_bytes() == ext);
        (secret && (!stem.is_empty() || ext == b"env")).then_some((start, norm.len()))
    }
}

/// Full-width and look-alike dots, slashes and backslashes, and what they normalise to.
const LOOKALIKES: [(&str, char); 11] = [
    ("\u{ff0e}", '.'),
    ("\u{2024}", '.'),
    ("\u{fe52}", '.'),
    ("\u{ff0f}", '/'),
    ("\u{2215}", '/'),
    ("\u{2044}", '/'),
    ("\u{29f8}", '/'),
    ("\u{ff3c}", '\\'),
    ("\u{2216}", '\\'),
    ("\u{29f5}", '\\'),
    ("\u{fe68}", '\\'),
];

/// `lower` with [`LOOKALIKES`] mapped to ASCII; `None` when it has none.
fn fold_lookalikes(lower: &str) -> Option<String> {
    let map = |c: char| {
        LOOKALIKES
            .iter()
            .find(|(l, _)| l.starts_with(c))
            .map(|&(_, to)| to)
    };
    lower
        .chars()
        .any(|c| map(c).is_some())
        .then(|| lower.chars().map(|c| map(c).unwrap_or(c)).collect())
}

/// `norm` with `/./` and repeated slashes collapsed (`://` kept), or `None` when it has
/// neither.
fn collapse_segments(norm: &[u8]) -> Option<Vec<u8>> {
    let has = memchr::memmem::find(norm, b"/./").is_some()
        || memchr::memmem::find_iter(norm, b"//").any(|p| p == 0 || norm[p - 1] != b':');
    if !has {
        return None;
    }
    let mut out = Vec::with_capacity(norm.len());
    let mut i = 0;
    while i < norm.len() {
        let c = norm[i];
        if c == b'/' && out.last() == Some(&b'/') && !out.ends_with(b"://") {
            i += 1;
            continue;
        }
        if c == b'.' && out.last() == Some(&b'/') && norm.get(i + 1) == Some(&b'/') {
            i += 2;
            continue;
        }
        out.push(c);
        i += 1;
    }
    Some(out)
}

/// The end of a name: end of value or a byte that cannot continue a file name.
fn boundary(c: Option<&u8>) -> bool {
    c.is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_' && *c != b'-')
}

impl Detector for Ptrav {
    fn attack(&self) -> AttackType {
        AttackType::Ptrav
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        // Full-width and look-alike dots and slashes (`．．／`), which IIS best-fit mapping and
        // NFKC normalisation turn into `../` after a filter has looked.
        // They are not ASCII, and an ASCII test is cheaper than a prefilter test per character.
        let folded = (!leaf.lower.is_ascii() && present.any(&self.lookalikes))
            .then(|| fold_lookalikes(&leaf.lower))
            .flatten();
        let lower = folded.as_deref().unwrap_or(&leaf.lower).as_bytes();
        let uri = leaf.place == Place::Uri;
        // A NUL can split `..` or a target name, so such values skip the gates.
        let nul = present.any(&self.nul);
        let mut dots = nul || folded.is_some() || present.any(&self.dots);
        // Every target has a `/` or a `.`; one DFA pass over such values is cheaper than a
        // prefilter literal per target.
        let target = nul || memchr::memchr3(b'/', b'.', b'\\', lower).is_some();
        let hex = present.any(&self.hex);
        if !dots && !target && !hex {
            return if uri { self.in_url_path(lower) } else { None };
        }
        // NUL bytes are dropped: `..%00/` reaches a C-based file API as `../`. Offsets past a
        // dropped NUL shift a little, which only affects the excerpt.
        // Most values have neither, and are searched as they are.
        let mut norm: Cow<'_, [u8]> = if nul || lower.contains(&b'\\') {
            Cow::Owned(
                lower
                    .iter()
                    .filter(|&&b| b != 0)
                    .map(|&b| if b == b'\\' { b'/' } else { b })
                    .collect(),
            )
        } else {
            Cow::Borrowed(lower)
        };
        // `0x2e0x2e0x2f`, `..0x5c`: C-style hex spellings of `.`, `/` and `\`, which some
        // decoders and scanners use and naive filters miss.
        if (hex || nul) && norm.windows(3).any(|w| w == b"0x2" || w == b"0x5") {
            norm = Cow::Owned(unhex_separators(&norm));
            dots = true;
        }
        // One path segment cannot climb by itself; the `[uri]` leaf judges it in context.
        let lone_segment = leaf.place == Place::Path && !norm.contains(&b'/');
        if let Some((s, e)) = Self::traversal(&norm)
            .filter(|_| dots && !lone_segment)
            .filter(|&(s, e)| !(uri && Self::stays_inside(&norm, s, e)))
        {
            let end = (e + 48).min(norm.len());
            return Some(Finding {
                at: s..end,
                reason: "dot-dot path segment",
            });
        }
        if target {
            if let Some((s, e)) = Self::target(&self.targets, TARGETS, &norm) {
                return Some(Finding {
                    at: s..e,
                    reason: "sensitive file path",
                });
            }
            // `/etc/./passwd`, `/etc//passwd`: the same file to the file system, another string
            // to a filter. Offsets in the collapsed form only shift the excerpt a little.
            let collapsible = present.any(&self.collapsible) || lower.contains(&b'\\');
            if let Some(c) = collapsible.then(|| collapse_segments(&norm)).flatten() {
                if let Some((s, e)) = Self::target(&self.targets, TARGETS, &c) {
                    return Some(Finding {
                        at: s.min(norm.len())..e.min(norm.len()),
                        reason: "sensitive file path",
                    });
                }
            }
            // Only a value without any separator can have lost them.
            let stripped = !norm.contains(&b'/');
            if let Some((s, e)) = stripped.then(|| self.joined_target(&norm)).flatten() {
                return Some(Finding {
                    at: s..e,
                    reason: "sensitive file path without separators",
                });
            }
        }
        if uri {
            return self.in_url_path(&norm);
        }
        None
    }
}

impl Ptrav {
    /// What only the URL path is checked for: [`PATH_TARGETS`] and [`SECRET_EXTS`].
    fn in_url_path(&self, norm: &[u8]) -> Option<Finding> {
        if let Some((s, e)) = Self::target(&self.path_targets, PATH_TARGETS, norm) {
            return Some(Finding {
                at: s..e,
                reason: "repository or build file in path",
            });
        }
        if let Some((s, e)) = Self::hidden_config(norm) {
            return Some(Finding {
                at: s..e,
                reason: "configuration file in a hidden directory",
            });
        }
        Self::secret_file(norm).map(|(s, e)| Finding {
            at: s..e,
            reason: "sensitive file type in path",
        })
    }

    /// `/.claude/settings.json`, `/app/.fabric/fabric.env`: a configuration file inside a
    /// hidden directory of the URL path. Tools keep settings and keys in dot-directories
    /// that sites never mean to serve; `.well-known` is the one that is public by design.
    fn hidden_config(norm: &[u8]) -> Option<(usize, usize)> {
        let path = &norm[..memchr::memchr2(b'?', b'#', norm).unwrap_or(norm.len())];
        let mut from = 0;
        for (tries, p) in memchr::memmem::find_iter(path, b"/.").enumerate() {
            if tries == 8 {
                break;
            }
            let seg_start = p + 1;
            if seg_start < from {
                continue;
            }
            let seg_len = path[seg_start..].iter().take_while(|&&c| c != b'/').count();
            let seg = &path[seg_start..seg_start + seg_len];
            from = seg_start + seg_len;
            let name_ok = seg.len() >= 2
                && seg[1].is_ascii_alphanumeric()
                && seg[1..]
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'));
            if !name_ok || seg == b".well-known" || from >= path.len() {
                continue;
            }
            let file = path[from + 1..]
                .rsplit(|&c| c == b'/')
                .next()
                .unwrap_or_default();
            let ext = file.rsplit(|&c| c == b'.').next().unwrap_or_default();
            let config_ext = file.contains(&b'.')
                && matches!(
                    ext,
                    b"json"
                        | b"yaml"
                        | b"yml"
                        | b"toml"
                        | b"md"
                        | b"env"
                        | b"ini"
                        | b"conf"
                        | b"cfg"
                        | b"db"
                        | b"sqlite"
                        | b"key"
                        | b"pem"
                        | b"log"
                        | b"xml"
                );
            let config_name = matches!(
                file,
                b"config" | b"settings" | b"credentials" | b"secrets" | b"token" | b"auth"
            );
            if config_ext || config_name {
                return Some((p, path.len()));
            }
        }
        None
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
            "\u{ff0e}\u{ff0e}\u{ff0f}\u{ff0e}\u{ff0e}\u{ff0f}x",
            "..\u{2215}..\u{2215}x",
            "0x2e0x2e0x2fx",
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
            "/home/app/.aws/credentials",
            "/root/.bash_history",
            "/srv/.docker/daemon.json",
            "/project/.cursorrules",
            "/sys/class",
            "~/.netrc",
            "file=.netrc",
            "....etcshadow",
            "d:inetpubwwwrootdefault.aspx",
            "c:windowswin.ini",
            "web-infweb.xml",
            "file=web.config",
            "/home/u/.zsh_history",
            "repo/.git/index",
            "/var/lib/docker/volumes",
            "/etc/./passwd",
            "/etc//shadow",
            "/proc/self/./environ",
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
            "\u{ff0e}\u{ff0e}\u{ff0e} \u{ff0f}",
            "caf\u{e9} au lait",
            "An object-oriented interface to .netrc files",
            "copy .env.example to .env and edit it",
            "put secrets in \".env\"",
            "edit your web.config file",
            "the boot.ini file lists systems",
            "/sys/classes",
            "netcpasswd",
            "https://example.com//etc-passwords",
            "/a/./b//c",
            "web-information.xml",
            "src/.gitignore",
            ".vscode/settings.json",
        ] {
            assert!(!hit(v), "{v}");
        }
    }

    fn hit_uri(path: &str) -> bool {
        let leaf = Leaf::new(
            crate::point::Point::name("uri"),
            Place::Uri,
            path.to_owned(),
        );
        // The detector first: it interns the literals the prefilter is built from.
        let d = Ptrav::new();
        let present = crate::detect::prefilter::Prefilter::current().scan(&leaf.lower);
        d.check(&leaf, &present).is_some()
    }

    #[test]
    fn judges_url_paths_in_context() {
        for p in [
            "/static/../../etc/x",
            "/public/../admin",
            "/..",
            "/a/../../b/..",
            "/dumps/db-2024.sql.gz",
            "/site/backup.tar.bz2.old",
            "/www/secrets.env",
            "/logs/error.log",
            "/id_rsa.pem",
            "/.env",
            "/.idea/workspace.xml",
            "/app/.gitlab-ci.yml",
            "/.gemini/settings.json",
            // Agent and tool configuration in dot-directories not on any list.
            "/.newagent/config.toml",
            "/srv/.sometool/secrets.env",
            "/.tool/credentials",
        ] {
            assert!(hit_uri(p), "{p}");
        }
        for p in [
            "/docs/..",
            "/a/b/../",
            "/index.php",
            "/files/report.pdf",
            "/downloads/tool.tar.gz",
            "/changelog",
            "/blog/sql-tips",
            "/api/v1/keys",
            "/releases/app.zip",
            "/blog/gitignore-tips",
            "/docs/idea/",
            "/.well-known/security.txt",
            "/.well-known/openid-configuration.json",
            "/.auth/me",
            "/.netlify/functions/hello",
            "/blog/.net-tips.html",
        ] {
            assert!(!hit_uri(p), "{p}");
        }
    }
}
