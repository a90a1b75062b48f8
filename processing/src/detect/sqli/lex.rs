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
    /// What SQL reads as whitespace stood between this token and the previous one, and a
    /// filter evasion put it there: [`GAP_BLOCK`] or [`GAP_LINE`] (0 for none).
    pub gap: u8,
    /// Keyword classes of a `Word` (see [`super::keywords`]); 0 for other kinds.
    pub class: u16,
    pub start: usize,
    pub end: usize,
}

/// Tokens looked at per value and context: injections sit at the start of a value, and the
/// bound keeps every later check linear.
pub(super) const MAX_TOKENS: usize = 512;

/// A `/* */` comment, or the `1.e` number trick.
pub(super) const GAP_BLOCK: u8 = 1;
/// A `#` or `--` comment ended by a newline.
pub(super) const GAP_LINE: u8 = 2;

/// How far a `--word` comment may run to the newline that ends it; a bound keeps a run of
/// `--a` without newlines linear.
const DASH_WORD_COMMENT: usize = 256;

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// U+00A0 (no-break space): MySQL and SQL Server read it as whitespace in Latin-1 columns.
fn nbsp(b: &[u8], i: usize) -> bool {
    b[i] == 0xc2 && b.get(i + 1) == Some(&0xa0)
}

fn word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$') || c >= 0x80
}

/// The end of whitespace starting at `i`.
fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        if is_space(b[i]) {
            i += 1;
        } else if nbsp(b, i) {
            i += 2;
        } else {
            break;
        }
    }
    i
}

/// A comment at `i` that SQL ends before the value does, or the `1.e` number trick: the
/// index after it. `/* */` (not the versioned `/*!`), `#` and `--` up to a newline (sqlmap's
/// `space2hash`/`space2dash`: `1#x\nand#y\n2=2`), and `1.e` glued to `(`, `.`, `,` or `)`,
/// which MySQL reads as nothing (`1.e(ascii 1.e(…`, `information_schema 1.e.tables`).
fn gap_at(b: &[u8], i: usize) -> Option<(usize, u8)> {
    match b.get(i)? {
        b'/' if b.get(i + 1) == Some(&b'*') && b.get(i + 2) != Some(&b'!') => {
            memchr::memmem::find(&b[i + 2..], b"*/").map(|p| (i + 2 + p + 2, GAP_BLOCK))
        }
        b'#' => memchr::memchr(b'\n', &b[i + 1..]).map(|p| (i + 1 + p, GAP_LINE)),
        // Not a `---` border line.
        b'-' if b.get(i + 1) == Some(&b'-') && b.get(i + 2) != Some(&b'-') => {
            let rest = &b[i + 2..];
            let window = if rest.first().is_some_and(u8::is_ascii_alphabetic) {
                &rest[..rest.len().min(DASH_WORD_COMMENT)]
            } else {
                rest
            };
            memchr::memchr(b'\n', window).map(|p| (i + 2 + p, GAP_LINE))
        }
        b'0'..=b'9' => {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            (b.get(j) == Some(&b'.')
                && matches!(b.get(j + 1), Some(b'e' | b'E'))
                && matches!(b.get(j + 2), Some(b'(' | b')' | b'.' | b',')))
            .then_some((j + 2, GAP_BLOCK))
        }
        _ => None,
    }
}

/// The end of the number starting at the digit at `i`: hex `0x1f`, decimal `1.25`, dotted
/// `1.2.3`, exponent `2e5`. A number ends where letters start: MySQL lexes `1union` as `1
/// union`.
fn number_end(b: &[u8], mut i: usize) -> usize {
    if b[i] == b'0'
        && matches!(b.get(i + 1), Some(b'x' | b'b'))
        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        i += 2;
        while i < b.len() && b[i].is_ascii_hexdigit() {
            i += 1;
        }
        return i;
    }
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    i = digits(i);
    while b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits(i + 1);
    }
    let digit = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
    if matches!(b.get(i), Some(b'e' | b'E'))
        && (digit(i + 1) || matches!(b.get(i + 1), Some(b'+' | b'-')) && digit(i + 2))
    {
        i = digits(i + 2);
    }
    i
}

/// A byte the lexer starts an operator token with.
fn op_byte(c: u8) -> bool {
    c.is_ascii_punctuation() && !b"'\"`@#()[]{},;._$".contains(&c)
}

/// Whether the tokens of `s` can hold anything a shape needs (see `worth_checking` in the
/// parent module): a quote, a comment, a variable, a `;`, a number followed by an operator,
/// or a keyword. One pass that classifies words but builds no tokens; most values fail it.
pub(super) fn worth_lexing(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\'' | b'"' | b'`' | b'#' | b'@' | b';' => return true,
            b'-' | b'/' if matches!((c, b.get(i + 1)), (b'-', Some(b'-')) | (b'/', Some(b'*'))) => {
                return true
            }
            b'0'..=b'9' => {
                i = number_end(b, i);
                let k = skip_spaces(b, i);
                if b.get(k).is_some_and(|&n| op_byte(n)) {
                    return true;
                }
                continue;
            }
            0xc2 if nbsp(b, i) => {
                i += 2;
                continue;
            }
            c if word_byte(c) => {
                let start = i;
                while i < b.len() && word_byte(b[i]) && !nbsp(b, i) {
                    i += 1;
                }
                if classify(&s[start..i]) != 0 {
                    return true;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// The token starting at or after `i` (after whitespace), or `None` at the end.
fn next(s: &str, i: usize) -> Option<Tok> {
    let b = s.as_bytes();
    let mut i = skip_spaces(b, i);
    let mut gap = 0;
    // Comments with more SQL after them are whitespace; one that ends the value is a token
    // (`admin'--`).
    while let Some((j, g)) = gap_at(b, i) {
        let k = skip_spaces(b, j);
        if k >= b.len() {
            break;
        }
        i = k;
        gap |= g;
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
            i = number_end(b, i);
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
        c if word_byte(c) => {
            while i < b.len() && word_byte(b[i]) && !nbsp(b, i) {
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
        gap,
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
        gap: 0,
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
                (Kind::Comment, "-- y"),
            ]
        );
    }

    /// Comments SQL ends before the value does are whitespace that marks the next token;
    /// numbers end where letters start; `1.e` before a paren or dot is nothing.
    #[test]
    fn gaps_and_numbers() {
        let mut v = Vec::new();
        tokenize("1/**/or#x\n2--y\n=1.e(3)", &mut v);
        let got: Vec<_> = v
            .iter()
            .map(|t| (t.kind, t.gap, &"1/**/or#x\n2--y\n=1.e(3)"[t.start..t.end]))
            .collect();
        assert_eq!(
            got,
            [
                (Kind::Num, 0, "1"),
                (Kind::Word, GAP_BLOCK, "or"),
                (Kind::Num, GAP_LINE, "2"),
                (Kind::Op, GAP_LINE, "="),
                (Kind::Open, GAP_BLOCK, "("),
                (Kind::Num, 0, "3"),
                (Kind::Close, 0, ")"),
            ]
        );
        assert_eq!(
            lexed("5union 0x1f 2e5 1.2.3 3rd"),
            [
                (Kind::Num, "5"),
                (Kind::Word, "union"),
                (Kind::Num, "0x1f"),
                (Kind::Num, "2e5"),
                (Kind::Num, "1.2.3"),
                (Kind::Num, "3"),
                (Kind::Word, "rd"),
            ]
        );
        assert_eq!(lexed("a\u{a0}b"), [(Kind::Word, "a"), (Kind::Word, "b")]);
    }
}
