//! The SQL tokenizer. A value is lexed once, bare; the string contexts (the value pasted inside
//! `'…'`, `"…"` or `` `…` `` of the enclosing query) reuse the bare tokens from the first
//! position where both lexings meet again. The lexer keeps no state between tokens, so two
//! lexings that start a token at the same offset agree on every token after it.

use super::keywords::classify;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Str,
    Num,
    Word,
    Var,
    Op,
    Open,
    Close,
    Comma,
    Semi,
    Dot,
    Comment,
    /// An unterminated quote: the value opened or closed a string of the enclosing query.
    Break,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Tok {
    pub kind: Kind,
    /// Keyword classes of a `Word` (see [`super::keywords`]); 0 for other kinds.
    pub class: u16,
    pub start: usize,
    pub end: usize,
}

/// Tokens looked at per value and context: injections sit at the start of a value, and the
/// bound keeps every later check linear.
pub(super) const MAX_TOKENS: usize = 512;

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0xa0)
}

fn word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$') || c >= 0x80
}

/// The token starting at or after `i` (after whitespace), or `None` at the end.
fn next(s: &str, mut i: usize) -> Option<Tok> {
    let b = s.as_bytes();
    while i < b.len() && is_space(b[i]) {
        i += 1;
    }
    let c = *b.get(i)?;
    let start = i;
    let kind = match c {
        b'\'' | b'"' | b'`' => match memchr::memchr(c, &b[i + 1..]) {
            Some(p) => {
                i += p + 2;
                Kind::Str
            }
            None => {
                i += 1;
                Kind::Break
            }
        },
        b'0'..=b'9' => {
            if c == b'0' && matches!(b.get(i + 1), Some(b'x' | b'b')) {
                i += 2;
            }
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            Kind::Num
        }
        b'@' => {
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'@' | b'$'))
            {
                i += 1;
            }
            Kind::Var
        }
        // A run of three or more dashes is a rule or table border in text (`+-----+`), and
        // dashes glued to a letter a command-line option (`--verbose`).
        b'-' if b.get(i + 1) == Some(&b'-')
            && !b
                .get(i + 2)
                .is_some_and(|&n| n == b'-' || n.is_ascii_alphabetic()) =>
        {
            i = b.len();
            Kind::Comment
        }
        b'#' => {
            i = b.len();
            Kind::Comment
        }
        b'/' if b.get(i + 1) == Some(&b'*') => {
            i = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |p| i + 2 + p + 2);
            Kind::Comment
        }
        b'(' | b'[' | b'{' => {
            i += 1;
            Kind::Open
        }
        b')' | b']' | b'}' => {
            i += 1;
            Kind::Close
        }
        b',' => {
            i += 1;
            Kind::Comma
        }
        b';' => {
            i += 1;
            Kind::Semi
        }
        b'.' => {
            i += 1;
            Kind::Dot
        }
        c if word_byte(c) && !c.is_ascii_digit() => {
            while i < b.len() && word_byte(b[i]) {
                i += 1;
            }
            Kind::Word
        }
        _ => {
            i += 1;
            while i < b.len()
                && matches!(b[i], b'=' | b'<' | b'>' | b'!' | b'|' | b'&' | b'~' | b':')
            {
                i += 1;
            }
            Kind::Op
        }
    };
    let class = if kind == Kind::Word {
        classify(&s[start..i])
    } else {
        0
    };
    Some(Tok {
        kind,
        class,
        start,
        end: i,
    })
}

/// Lexes `s` bare into `out` (cleared first).
pub(super) fn tokenize(s: &str, out: &mut Vec<Tok>) {
    out.clear();
    let mut i = 0;
    while out.len() < MAX_TOKENS {
        let Some(t) = next(s, i) else { break };
        i = t.end;
        out.push(t);
    }
}

/// Lexes `s` as the rest of a string the enclosing query opened with `quote` (at its first
/// occurrence in `s`, which closes that string) into `out`; `bare` is the bare lexing of `s`,
/// reused from the first token both share. `None` when `s` has no `quote`.
///
/// The query closes the value with its own quote, so an unmatched quote after the first one
/// opens a string that runs to the end of the value: it becomes one `Break` token spanning
/// the rest (a `#` or `--` after it is string content, not a comment).
pub(super) fn tokenize_in_string(
    s: &str,
    quote: u8,
    bare: &[Tok],
    out: &mut Vec<Tok>,
) -> Option<()> {
    let close = memchr::memchr(quote, s.as_bytes())?;
    out.clear();
    out.push(Tok {
        kind: Kind::Str,
        class: 0,
        start: 0,
        end: close + 1,
    });
    let mut i = close + 1;
    let mut k = 0;
    while out.len() < MAX_TOKENS {
        let Some(t) = next(s, i) else { break };
        while k < bare.len() && bare[k].start < t.start {
            k += 1;
        }
        if k < bare.len() && bare[k].start == t.start {
            let room = MAX_TOKENS - out.len();
            out.extend_from_slice(&bare[k..bare.len().min(k + room)]);
            break;
        }
        i = t.end;
        out.push(t);
    }
    if let Some(k) = out[1..].iter().position(|t| t.kind == Kind::Break) {
        out.truncate(k + 2);
        if let Some(t) = out.last_mut() {
            t.end = s.len();
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexed(s: &str) -> Vec<(Kind, &str)> {
        let mut v = Vec::new();
        tokenize(s, &mut v);
        v.iter().map(|t| (t.kind, &s[t.start..t.end])).collect()
    }

    /// The string context built from the bare tokens equals a fresh lexing of the value with
    /// the quote prepended (the definition of that context).
    #[test]
    fn string_context_matches_prefixed_lexing() {
        for s in [
            "1' or '1'='1",
            "x' and \"a\"='a' -- c",
            "o'reilly and sons",
            "a\"b'c\"d'e`f`",
            "1') union select 1,2#",
            "no quote here",
            "'",
            "''",
            "a /* ' */ b ' c",
        ] {
            let mut bare = Vec::new();
            tokenize(s, &mut bare);
            for q in [b'\'', b'"', b'`'] {
                let mut ctx = Vec::new();
                if tokenize_in_string(s, q, &bare, &mut ctx).is_none() {
                    assert!(!s.as_bytes().contains(&q));
                    continue;
                }
                let prefixed = format!("{}{s}", q as char);
                let mut fresh = Vec::new();
                tokenize(&prefixed, &mut fresh);
                if let Some(k) = fresh.iter().position(|t| t.kind == Kind::Break) {
                    fresh.truncate(k + 1);
                    fresh[k].end = prefixed.len();
                }
                let a: Vec<_> = ctx.iter().map(|t| (t.kind, t.start, t.end)).collect();
                let b: Vec<_> = fresh
                    .iter()
                    .map(|t| (t.kind, t.start.saturating_sub(1), t.end - 1))
                    .collect();
                assert_eq!(a, b, "{s:?} in {}", q as char);
            }
        }
    }

    #[test]
    fn lexes_sql_pieces() {
        assert_eq!(
            lexed("1' or @@version/*x*/ -- y"),
            [
                (Kind::Num, "1"),
                (Kind::Break, "'"),
                (Kind::Word, "or"),
                (Kind::Var, "@@version"),
                (Kind::Comment, "/*x*/"),
                (Kind::Comment, "-- y"),
            ]
        );
    }
}
