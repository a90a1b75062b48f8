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

pub fn normalize(lower: &str) -> Normalized<'_> {
    // Nothing to undo without `$`, quotes, backslashes, backticks or an empty `()`: the common
    // case costs no allocation.
    let b = lower.as_bytes();
    let special = memchr::memchr3(b'$', b'\'', b'"', b).is_some()
        || memchr::memchr2(b'\\', b'`', b).is_some()
        || memchr::memchr_iter(b')', b).any(|p| p > 0 && b[p - 1] == b'(');
    if !special {
        return Normalized {
            text: Cow::Borrowed(lower),
            cuts: Vec::new(),
        };
    }
    let mut out = String::with_capacity(b.len());
    let mut cuts: Vec<(usize, u8)> = Vec::new();
    let mut pending = 0u8;
    let mut i = 0;
    while i < b.len() {
        // Runs of bytes nothing below applies to are copied as they are.
        let plain = b[i..]
            .iter()
            .take_while(|c| !matches!(c, b'$' | b'\'' | b'"' | b'\\' | b'`' | b'<' | b'>'))
            .count();
        if plain > 0 {
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
        // A drive's backslash (`c:\boot.ini`) is a path separator, not an escape.
        let drive = c == b'\\' && prev == Some(&b':');
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
        let n = normalize(v);
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
        // Whole-word quoting and English apostrophes are not evasions.
        assert!(!obf("'cat' x", "cat").1);
        assert!(!obf("i'd like", "id").1);
        assert!(!obf("it's here", "its").1);
    }
}
