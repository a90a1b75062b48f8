//! The value as the shell sees a word after quote removal and expansion of what expands to
//! nothing: `c'a't` → `cat`, `cat${IFS}/etc/passwd` → `cat /etc/passwd`, `c$!at` → `cat`,
//! ``pi``ng`` → `ping`. What was removed is remembered per output byte, so a command word that
//! only exists after removal (an evasion; nobody writes `w"h"oami` by accident) can be told
//! from one typed plainly.

use std::borrow::Cow;

/// Marks of a cut: how many quote characters were removed there (low bits),
/// and whether anything else (backslash, empty expansion or substitution) was.
const QUOTES: u8 = 0x0f;
const OTHER: u8 = 0x10;

pub struct Normalized<'a> {
    pub text: Cow<'a, str>,
    /// Where something was removed: the offset in `text` of the byte it preceded, and the
    /// marks. Sparse and sorted; empty when nothing was removed.
    cuts: Vec<(usize, u8)>,
}

impl Normalized<'_> {
    /// True when normalising removed or replaced anything.
    pub fn changed(&self) -> bool {
        matches!(self.text, Cow::Owned(_))
    }

    /// True when removals inside `start..end` built the word: something was cut between two
    /// of its bytes, and the cuts around it are a quote pair or any non-quote removal (a lone
    /// apostrophe is English: `I'd`, `it's`).
    pub fn obfuscated(&self, start: usize, end: usize) -> bool {
        if self.cuts.is_empty() || end < start + 3 {
            return false;
        }
        let from = self.cuts.partition_point(|&(p, _)| p < start);
        let span = self.cuts[from..].iter().take_while(|&&(p, _)| p <= end);
        let (mut inner, mut quotes, mut other) = (false, 0, false);
        for &(p, m) in span {
            inner |= p > start && p < end;
            quotes += usize::from(m & QUOTES);
            other |= m & OTHER != 0;
        }
        inner && (quotes >= 2 || other)
    }
}

fn word(p: Option<&u8>) -> bool {
    p.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'-' | b'.'))
}

/// Decodes the body of an ANSI-C quoted string (`$'\x77h\157ami'`) up to its closing quote:
/// the decoded bytes, the length consumed after `$'`, and whether an escape was used. `None`
/// when it is unclosed within a short window or decodes to something that is no ASCII text.
fn ansi_c(b: &[u8]) -> Option<(Vec<u8>, usize, bool)> {
    let mut out = Vec::new();
    let mut escaped = false;
    let mut i = 0;
    while i < b.len().min(160) {
        match b[i] {
            b'\'' => return Some((out, i + 1, escaped)),
            b'\\' => {
                escaped = true;
                let digits = |from: usize, max: usize, radix: u32| {
                    b[from..]
                        .iter()
                        .take(max)
                        .take_while(|c| char::from(**c).is_digit(radix))
                        .count()
                };
                let (v, used) = match b.get(i + 1)? {
                    b'x' => {
                        let n = digits(i + 2, 2, 16);
                        let h = std::str::from_utf8(&b[i + 2..i + 2 + n]).ok()?;
                        (u8::from_str_radix(h, 16).ok()?, 2 + n)
                    }
                    b'0'..=b'7' => {
                        let n = digits(i + 1, 3, 8);
                        let o = std::str::from_utf8(&b[i + 1..i + 1 + n]).ok()?;
                        (u8::try_from(u32::from_str_radix(o, 8).ok()?).ok()?, 1 + n)
                    }
                    b'n' => (b'\n', 2),
                    b't' => (b'\t', 2),
                    b'r' => (b'\r', 2),
                    &c @ (b'\\' | b'\'' | b'"' | b'?') => (c, 2),
                    _ => return None,
                };
                // The value is lower-cased already; `\x57` is `W` to the shell, `w` here.
                out.push(v.to_ascii_lowercase());
                i += used;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
        if out.last().is_some_and(|c| !c.is_ascii() || *c == 0) {
            return None;
        }
    }
    None
}

/// `${name:0:1}` and other parameter expansions with operators only bash has (`:offset`,
/// `#`, `%`, `/`, `^`, `,`): the length of the expansion at `b` (which starts at `${`) and
/// what it stands for: `/` for the first character of a variable holding a path, nothing
/// otherwise (the attacker picked characters out of some variable).
fn bash_expansion(b: &[u8]) -> Option<(usize, &'static str)> {
    let close = b.iter().take(64).position(|&c| c == b'}')?;
    let body = &b[2..close];
    let name = body
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    let op = &body[name..];
    let bash_op = match op.first()? {
        b':' => op.get(1).is_some_and(|c| c.is_ascii_digit() || *c == b' '),
        b'#' | b'%' | b'/' | b'^' | b',' => true,
        _ => false,
    };
    if name == 0 || !bash_op {
        return None;
    }
    let pathy = matches!(
        &body[..name],
        b"home" | b"path" | b"pwd" | b"oldpwd" | b"shell"
    );
    let first = matches!(op, b":0:1" | b": 0:1");
    Some((close + 1, if pathy && first { "/" } else { "" }))
}

/// Whether [`normalize`] has anything to undo (the detector asks its prefilter instead).
#[cfg(test)]
pub fn needed(lower: &str) -> bool {
    let b = lower.as_bytes();
    memchr::memchr3(b'$', b'\'', b'"', b).is_some()
        || memchr::memchr3(b'\\', b'`', b'^', b).is_some()
        || memchr::memchr_iter(b')', b).any(|p| p > 0 && b[p - 1] == b'(')
}

/// `special`: [`needed`], or the caller's cheaper knowledge of the same.
pub fn normalize(lower: &str, special: bool) -> Normalized<'_> {
    // Nothing to undo without `$`, quotes, backslashes, backticks, carets or an empty `()`:
    // the common case costs no allocation.
    let b = lower.as_bytes();
    if !special {
        return Normalized {
            text: Cow::Borrowed(lower),
            cuts: Vec::new(),
        };
    }
    let mut out = String::with_capacity(b.len());
    let mut cuts: Vec<(usize, u8)> = Vec::new();
    let mut pending = 0u8;
    // Inside a Windows path (since a `c:\` or `%var%\`, up to the next blank).
    let mut win_path = false;
    let mut i = 0;
    while i < b.len() {
        // Runs of bytes nothing below applies to are copied as they are.
        let plain = b[i..]
            .iter()
            .take_while(|c| !matches!(c, b'$' | b'\'' | b'"' | b'\\' | b'`' | b'<' | b'>' | b'^'))
            .count();
        if plain > 0 {
            if win_path
                && b[i..i + plain]
                    .iter()
                    .any(|c| c.is_ascii_whitespace() || matches!(c, b';' | b'&' | b'|'))
            {
                win_path = false;
            }
            if pending != 0 {
                cuts.push((out.len(), pending));
                pending = 0;
            }
            out.push_str(&lower[i..i + plain]);
            i += plain;
            continue;
        }
        let c = b[i];
        let prev = i.checked_sub(1).map(|p| &b[p]);
        let rest = &lower[i..];
        // `${IFS}` and `$IFS` are the field separator: a space.
        if rest.starts_with("${ifs}") || rest.starts_with("$ifs") {
            let n = if rest.starts_with("${ifs}") { 6 } else { 4 };
            if pending != 0 {
                cuts.push((out.len(), pending));
                pending = 0;
            }
            out.push(' ');
            i += n;
            continue;
        }
        // Empty substitutions glued inside a word: ``pi``ng``, `pi$()ng`, `pi>()ng`.
        if word(prev) {
            let empty = if rest.starts_with("``") {
                2
            } else if rest.starts_with("$()") || rest.starts_with(">()") || rest.starts_with("<()")
            {
                3
            } else {
                0
            };
            if empty > 0 && word(b.get(i + empty)) {
                pending |= OTHER;
                i += empty;
                continue;
            }
        }
        // cmd.exe's escape character inside a word: `w^h^o^a^m^i`.
        if c == b'^' && word(prev) && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) {
            pending |= OTHER;
            i += 1;
            continue;
        }
        // ANSI-C quoting spells a word in escapes: `$'\x77\x68oami'`, `$'\167\150o'`.
        if rest.starts_with("$'") {
            if let Some((text, used, escaped)) = ansi_c(&b[i + 2..]) {
                if let Ok(text) = std::str::from_utf8(&text) {
                    if pending != 0 {
                        cuts.push((out.len(), pending));
                    }
                    pending = if escaped { OTHER } else { 2 };
                    // Marked inside the word so that it reads as built by the shell.
                    if escaped && !text.is_empty() {
                        out.push_str(&text[..1]);
                        cuts.push((out.len(), OTHER));
                        out.push_str(&text[1..]);
                    } else {
                        out.push_str(text);
                    }
                    i += 2 + used;
                    continue;
                }
            }
        }
        // `c${u}at`: an unset variable in braces glued to a word is nothing.
        if rest.starts_with("${") && word(prev) {
            let name = b[i + 2..]
                .iter()
                .take(32)
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
            if name > 0 && b.get(i + 2 + name) == Some(&b'}') {
                pending |= OTHER;
                i += 3 + name;
                continue;
            }
        }
        // `${home:0:1}` is `/`; other bash-only operators pick characters out of a variable.
        if rest.starts_with("${") {
            if let Some((used, stands_for)) = bash_expansion(&b[i..]) {
                pending |= OTHER;
                if !stands_for.is_empty() {
                    cuts.push((out.len(), pending));
                    pending = 0;
                    out.push_str(stands_for);
                }
                i += used;
                continue;
            }
        }
        // Expansions that yield nothing inside a word: `c$@at`, `c$*at`, `c$!at`, and unset
        // variables glued to a word (`cat$u /etc$u/passwd`, `una$$me`).
        if c == b'$' {
            let next = b.get(i + 1).copied();
            if matches!(
                next,
                Some(b'@' | b'*' | b'?' | b'!' | b'-' | b'_' | b'$' | b'#')
            ) || next.is_some_and(|n| n.is_ascii_digit())
            {
                pending |= OTHER;
                i += 2;
                continue;
            }
            if word(prev) && next.is_some_and(|n| n.is_ascii_alphabetic()) {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                pending |= OTHER;
                continue;
            }
        }
        // `c'a't`, `c\at`, `'wh'oami`, `"time" who`, `kill '-'9`: quotes and backslashes
        // glued to a word character vanish, as the shell removes them before running the word.
        // `""p""y`, `w''get`: an empty quoted string glued to a word is nothing.
        if matches!(c, b'\'' | b'"')
            && b.get(i + 1) == Some(&c)
            && (word(prev) || word(b.get(i + 2)) || prev.is_some_and(|p| matches!(p, b'\'' | b'"')))
        {
            pending = (pending & !QUOTES) | ((pending & QUOTES) + 2).min(QUOTES);
            i += 2;
            continue;
        }
        // A drive's backslash (`c:\boot.ini`, `%systemroot%\system32\x`) is a path
        // separator, not an escape, and so is every later one of the same Windows path.
        if c == b'\\' && matches!(prev, Some(b':' | b'%')) {
            win_path = true;
        }
        let drive = c == b'\\' && win_path;
        if matches!(c, b'\'' | b'"' | b'\\')
            && !drive
            && (word(prev)
                || word(b.get(i + 1))
                || prev.is_some_and(|p| matches!(p, b'\'' | b'"' | b'\\')))
        {
            if c == b'\\' {
                pending |= OTHER;
            } else if pending & QUOTES < QUOTES {
                pending += 1;
            }
            i += 1;
            continue;
        }
        let len = rest.chars().next().map_or(1, char::len_utf8);
        if pending != 0 {
            cuts.push((out.len(), pending));
            pending = 0;
        }
        out.push_str(&rest[..len]);
        i += len;
    }
    if pending != 0 {
        cuts.push((out.len(), pending));
    }
    Normalized {
        text: Cow::Owned(out),
        cuts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obf(v: &str, word: &str) -> (String, bool) {
        let n = normalize(v, needed(v));
        let p = n.text.find(word).unwrap_or(0);
        (n.text.to_string(), n.obfuscated(p, p + word.len()))
    }

    #[test]
    fn removes_what_the_shell_removes_and_remembers_it() {
        assert_eq!(obf("c'a't /x", "cat"), ("cat /x".into(), true));
        assert_eq!(obf("\"w\"get x", "wget"), ("wget x".into(), true));
        assert_eq!(obf("pi``ng -c 1", "ping"), ("ping -c 1".into(), true));
        assert_eq!(obf("pi$()ng x", "ping"), ("ping x".into(), true));
        assert_eq!(obf("cu$v\\r\\l x", "curl"), ("curl x".into(), true));
        assert_eq!(obf("cat${ifs}/etc", "cat"), ("cat /etc".into(), false));
        assert_eq!(
            obf("\"\"p\"\"y\"\"t\"\"h\"\"o\"\"n\"\" x", "python"),
            ("python x".into(), true)
        );
        assert_eq!(obf("w^h^o^a^m^i", "whoami"), ("whoami".into(), true));
        assert_eq!(
            obf("$'\\x77\\x68oami' x", "whoami"),
            ("whoami x".into(), true)
        );
        assert_eq!(obf("$'\\167\\150oami'", "whoami"), ("whoami".into(), true));
        assert_eq!(
            obf("cat${home:0:1}etc${home:0:1}passwd", "cat"),
            ("cat/etc/passwd".into(), false)
        );
        assert_eq!(obf("ca${x#y}t /x", "cat"), ("cat /x".into(), true));
        assert_eq!(obf("c${u}at /x", "cat"), ("cat /x".into(), true));
        assert_eq!(
            obf("c:\\windows\\system32\\whoami x", "whoami").0,
            "c:\\windows\\system32\\whoami x"
        );
        assert_eq!(obf("a\\b c:\\x y\\z", "x").0, "ab c:\\x yz");
        // Templates keep their `${name}` and defaults; a caret in maths is no escape.
        assert_eq!(obf("${name:-guest}", "x").0, "${name:-guest}");
        assert_eq!(obf("x^2 + 1", "x").0, "x2 + 1");
        assert!(!obf("$'s value", "s").1);
        // Whole-word quoting and English apostrophes are not evasions.
        assert!(!obf("'cat' x", "cat").1);
        assert!(!obf("i'd like", "id").1);
        assert!(!obf("it's here", "its").1);
    }
}
