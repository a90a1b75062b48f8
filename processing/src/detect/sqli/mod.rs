//! SQL injection: a small SQL tokenizer, then checks on the token stream for the shapes an
//! injection takes — a quote/number context break followed by SQL, boolean tautologies,
//! `UNION SELECT`, stacked statements, time/error-based functions, catalog tables and
//! comment tricks. Prose with an apostrophe or the word "select" has none of these shapes.
//!
//! A value is tried in the contexts the query could paste it into, as libinjection does: bare
//! (a number or an expression), and as the rest of a `'…'`, `"…"` or `` `…` `` string. The
//! value is lexed once; the string contexts share its tokens from the first offset where they
//! agree again (see [`lex`]), and words are classified once, at lexing.

mod keywords;
mod lex;
mod shapes;

#[cfg(test)]
mod tests;

use std::cell::RefCell;

use super::prefilter::{lits, LitSet, Lits};
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;
use lex::{Kind, Tok};
use shapes::{Ctx, Found};

pub struct Sqli {
    catalog_gate: Lits,
    homoglyph_gate: Lits,
}

/// Characters that drivers and "best fit" code-page conversions turn into a quote (SQL Server
/// and MySQL with non-Unicode columns, Windows ANSI APIs), with the quote they become.
const HOMOGLYPHS: &[(char, char)] = &[
    ('\u{2018}', '\''),
    ('\u{2019}', '\''),
    ('\u{201b}', '\''),
    ('\u{2032}', '\''),
    ('\u{00b4}', '\''),
    ('\u{02b9}', '\''),
    ('\u{02bc}', '\''),
    ('\u{ff07}', '\''),
    ('\u{201c}', '"'),
    ('\u{201d}', '"'),
    ('\u{201f}', '"'),
    ('\u{2033}', '"'),
    ('\u{ff02}', '"'),
];
const HOMOGLYPH_LITS: &[&str] = &[
    "\u{2018}", "\u{2019}", "\u{201b}", "\u{2032}", "\u{00b4}", "\u{02b9}", "\u{02bc}", "\u{ff07}",
    "\u{201c}", "\u{201d}", "\u{201f}", "\u{2033}", "\u{ff02}",
];

/// `s` with every quote homoglyph replaced by its ASCII quote, padded with spaces to the same
/// byte length so offsets (the reported excerpt) stay those of the value.
fn unhomoglyph(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match HOMOGLYPHS.iter().find(|(h, _)| *h == ch) {
            Some(&(_, q)) => {
                out.push(q);
                out.extend(std::iter::repeat_n(' ', ch.len_utf8() - 1));
            }
            None => out.push(ch),
        }
    }
    out
}

impl Default for Sqli {
    fn default() -> Self {
        Self::new()
    }
}

thread_local! {
    /// Token buffers reused across leaves: bare and string-context lexings.
    static BUFS: RefCell<(Vec<Tok>, Vec<Tok>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

impl Sqli {
    pub fn new() -> Self {
        Sqli {
            catalog_gate: lits(keywords::CATALOG),
            homoglyph_gate: lits(HOMOGLYPH_LITS),
        }
    }

    /// `catalog`: some catalog name occurs in `s` (from the prefilter), which saves a prefix
    /// comparison per catalog name at every word; asked only of values worth lexing.
    /// `homoglyphs`: some quote homoglyph does; the value is then also read with them as
    /// quotes (`1’ or ’1’=’1`).
    fn analyse(s: &str, catalog: &dyn Fn() -> bool, homoglyphs: bool) -> Option<Found> {
        Self::analyse_ascii(s, catalog).or_else(|| {
            homoglyphs
                .then(|| Self::analyse_ascii(&unhomoglyph(s), catalog))
                .flatten()
        })
    }

    fn analyse_ascii(s: &str, catalog: &dyn Fn() -> bool) -> Option<Found> {
        if syntax_break_probe(s) {
            return Some((0, s.len(), "syntax-breaking probe"));
        }
        // A catalog name alone needs a break or SQL words around it, which this finds.
        if !lex::worth_lexing(s) {
            return None;
        }
        let catalog = catalog();
        BUFS.with(|b| {
            let mut b = b.borrow_mut();
            let (bare, ctx) = &mut *b;
            lex::tokenize(s, bare);
            if !catalog && !worth_checking(bare) {
                return None;
            }
            let found = shapes::find(&Ctx {
                s,
                toks: bare,
                in_string: false,
                catalog,
            });
            if found.is_some() {
                return found;
            }
            for q in [b'\'', b'"', b'`'] {
                // A backtick closes a MySQL identifier; shell command substitution and JS
                // template literals close the same way, so SQL must follow it in words.
                if lex::tokenize_in_string(s, q, bare, ctx).is_some()
                    && (q != b'`'
                        || ctx[1..].iter().any(|t| t.class != 0)
                        || ctx.len() <= 3 && ctx.get(1).is_some_and(|t| t.kind == Kind::Semi))
                {
                    let found = shapes::find(&Ctx {
                        s,
                        toks: ctx,
                        in_string: true,
                        catalog,
                    });
                    if found.is_some() {
                        return found;
                    }
                }
            }
            None
        })
    }
}

/// A number (or nothing) followed by a run of the characters that break SQL syntax, quotes
/// and parens mixed (`1"'.)(,".(`): the heuristic probe scanners send to provoke a database
/// error. Code ends in such runs only after a name (`join(('.',))`).
fn syntax_break_probe(s: &str) -> bool {
    let b = s.trim_end().as_bytes();
    let run = b
        .iter()
        .rev()
        .take_while(|c| b"'\"(),.".contains(c))
        .count();
    if run < 8 {
        return false;
    }
    let (head, tail) = b.split_at(b.len() - run);
    head.len() <= 20
        && head.iter().all(u8::is_ascii_digit)
        && tail.iter().any(|c| matches!(c, b'\'' | b'"'))
        && tail.iter().any(|c| matches!(c, b'(' | b')'))
}

/// Every shape needs a keyword, a quote, a comment, a variable, a statement separator or a
/// number compared; a value with none of them (most data) is not checked further.
fn worth_checking(toks: &[Tok]) -> bool {
    toks.iter().enumerate().any(|(i, t)| {
        t.class != 0
            || matches!(
                t.kind,
                Kind::Str | Kind::Break | Kind::Comment | Kind::Var | Kind::Semi
            )
            || t.kind == Kind::Num && toks.get(i + 1).is_some_and(|n| n.kind == Kind::Op)
    })
}

impl Detector for Sqli {
    fn attack(&self) -> AttackType {
        AttackType::Sqli
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        let s = leaf.lower.as_str();
        if s.len() < 3 {
            return None;
        }
        // Every homoglyph is a multi-byte character.
        Self::analyse(
            s,
            &|| present.any(&self.catalog_gate),
            !s.is_ascii() && present.any(&self.homoglyph_gate),
        )
        .map(|(a, b, reason)| Finding { at: a..b, reason })
    }
}
