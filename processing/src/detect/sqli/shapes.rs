//! The injection shapes, checked on one token stream of one context.

use super::keywords::{
    CATALOG, CLAUSE, COMPARE, COND_FUNC, FUNC, LOGIC, PG_ONLY_TYPE, PG_TYPE, PROBE_FUNC, SET_OP,
    SQL_ONLY, STATEMENT, STRONG_FUNC,
};
use super::lex::{Kind, Tok, GAP_BLOCK};

/// One context of one value: its tokens and what the context implies.
pub(super) struct Ctx<'a> {
    pub s: &'a str,
    pub toks: &'a [Tok],
    /// The value was read as the rest of a string of the query: `toks[0]` closes it.
    pub in_string: bool,
    /// Some catalog name occurs in `s` (from the prefilter).
    pub catalog: bool,
}

pub(super) type Found = (usize, usize, &'static str);

/// How a statement word goes on (see [`Ctx::statement_follows`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Follow {
    No,
    Weak,
    Strong,
}

impl Ctx<'_> {
    fn word(&self, t: &Tok) -> &str {
        &self.s[t.start..t.end]
    }

    fn text(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| &self.s[t.start..t.end])
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    /// Token `i` is a word with one of the `class` bits.
    fn has(&self, i: usize, class: u16) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.kind == Kind::Word && t.class & class != 0)
    }

    /// Token `i` is the word `w`.
    fn is_word(&self, i: usize, words: &[&str]) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.kind == Kind::Word && words.contains(&&self.s[t.start..t.end]))
    }

    /// The literal value of token `i` (a number, or a string without its quotes; the string
    /// the context closes at `toks[0]` has only its closing quote).
    fn literal(&self, i: usize) -> Option<&str> {
        let t = self.toks.get(i)?;
        match t.kind {
            Kind::Num => Some(&self.s[t.start..t.end]),
            Kind::Str if i == 0 && self.in_string => Some(&self.s[t.start..t.end - 1]),
            Kind::Str => Some(&self.s[t.start + 1..t.end - 1]),
            _ => None,
        }
    }

    /// The first token at or after `i` that is not an opening paren.
    fn skip_opens(&self, mut i: usize) -> usize {
        while self.kind(i) == Some(Kind::Open) {
            i += 1;
        }
        i
    }

    /// Token `i` is a comparison operator, symbolic or spelled (`like`, `between`…), or a
    /// JSON key test or path extraction after a string (`'{"a":1}' ? 'a'`, `'{…}' -> '$.a'`).
    fn compare_at(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|n| {
            n.kind == Kind::Op && is_compare_op(self.word(n))
                || n.kind == Kind::Word && n.class & COMPARE != 0
                || n.kind == Kind::Op
                    && matches!(self.word(n), "?" | "?|" | "?&" | "->" | "->>")
                    && i > 0
                    && self.kind(i - 1) == Some(Kind::Str)
        })
    }

    /// The first token at or after `i` that is not a closing paren.
    fn skip_closes(&self, mut i: usize) -> usize {
        while self.kind(i) == Some(Kind::Close) {
            i += 1;
        }
        i
    }

    /// The index after the paren closing the one at `open` (a short argument list only).
    fn call_end(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for (k, t) in self.toks.iter().enumerate().skip(open).take(32) {
            match t.kind {
                Kind::Open => depth += 1,
                Kind::Close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(k + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Token `i` is a literal operand: a number or a string (also one the enclosing query
    /// closes, `'a'='a`).
    fn literal_at(&self, i: usize) -> bool {
        if i == 0 && self.in_string && !self.glued_datum() {
            return false;
        }
        matches!(self.kind(i), Some(Kind::Num | Kind::Str))
            || self
                .toks
                .get(i)
                .is_some_and(|t| t.kind == Kind::Break && self.open_datum(i))
    }

    /// The quote at `i` opens a string the query's closing quote ends, holding one datum
    /// (`'1`, `'x`): in a string context the rest of the value without spaces, bare one token
    /// glued to the quote that ends the value.
    fn open_datum(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else {
            return false;
        };
        if self.in_string {
            return t.end > t.start + 1
                && !self.s.as_bytes()[t.start..t.end]
                    .iter()
                    .any(|b| b.is_ascii_whitespace());
        }
        i + 2 == self.toks.len() && self.toks[i + 1].start == t.end
    }

    /// A comparison of two literals starts at `i` (`3020=3020`, `'a'<>'b'`): a condition
    /// whose value is known before the query runs, which only a probe writes. Returns the
    /// index of the right operand.
    fn constant_compare(&self, i: usize) -> Option<usize> {
        (self.literal_at(i)
            && self.kind(i) != Some(Kind::Break)
            && self.compare_at(i + 1)
            && self.literal_at(i + 2))
        .then_some(i + 2)
    }

    /// A comparison of two literals that always holds starts at `i`.
    fn tautology(&self, i: usize) -> bool {
        if self.constant_compare(i).is_none() || self.kind(i + 2) == Some(Kind::Break) {
            return false;
        }
        let same = self.literal(i) == self.literal(i + 2);
        match self.text(i + 1) {
            "=" | "==" | "<=>" => same,
            "!=" | "<>" => !same,
            _ => false,
        }
    }

    /// A SQL function is called at `i`: `elt(`, `sleep (`, `substring(`.
    fn call_at(&self, i: usize) -> bool {
        self.has(i, FUNC | STRONG_FUNC | COND_FUNC | PROBE_FUNC)
            && self.kind(i + 1) == Some(Kind::Open)
    }

    /// The string this context closes holds one datum glued to the quote (`admin'`, `1'`, or
    /// nothing), and SQL, not a word, follows: the way an injection extends a value. Prose
    /// quotes after words and spaces, and a quoted phrase goes on with words (`"use it"`).
    fn glued_datum(&self) -> bool {
        self.in_string
            && self.toks.first().is_some_and(|t| {
                !self.s.as_bytes()[..t.end]
                    .iter()
                    .any(|b| b.is_ascii_whitespace())
            })
            && self.toks.get(1).is_none_or(|n| match n.kind {
                Kind::Word => n.class != 0,
                Kind::Op => binary_operator(self.word(n)),
                Kind::Close | Kind::Semi | Kind::Comment | Kind::Comma | Kind::Var => true,
                _ => false,
            })
    }

    /// The value broke out of a string before token `i` and only SQL follows the break: a
    /// glued datum closed by this context (`admin'`), or an unmatched quote with no prose
    /// word after it (`x') or 1=1`, not `it's 5`).
    fn broken_before(&self, i: usize) -> bool {
        if self.in_string {
            return self.glued_datum() && !self.prose_between(1, i);
        }
        self.toks[..i]
            .iter()
            .rposition(|t| t.kind == Kind::Break)
            .is_some_and(|b| !self.prose_between(b + 1, i))
    }

    /// Some token in `from..to` is an ordinary word (no SQL keyword; a collation name after
    /// `collate` is SQL too).
    fn prose_between(&self, from: usize, to: usize) -> bool {
        let from = from.min(to);
        self.toks[from..to].iter().enumerate().any(|(k, t)| {
            t.kind == Kind::Word
                && t.class == 0
                && self.word(t) != "collate"
                && !(from + k > 0 && self.text(from + k - 1) == "collate")
        })
    }

    /// Token `i` ends the value with a quote the query closes around nothing or a number
    /// (`'`, `'1`): a constant string operand.
    fn short_open_literal(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else {
            return false;
        };
        if t.kind != Kind::Break {
            return false;
        }
        if self.in_string {
            return i + 1 == self.toks.len()
                && self.s.as_bytes()[t.start + 1..t.end]
                    .iter()
                    .all(u8::is_ascii_digit);
        }
        i + 1 == self.toks.len()
            || i + 2 == self.toks.len()
                && self.toks[i + 1].kind == Kind::Num
                && self.toks[i + 1].start == t.end
    }

    /// The end of a constant expression at `j`: literals, optionally parenthesised, joined
    /// by arithmetic or concatenation (`'a'+'b'`, `(1)`, `2*3`).
    fn constant_expression_end(&self, mut j: usize) -> Option<usize> {
        let mut depth = 0usize;
        for _ in 0..8 {
            while self.kind(j) == Some(Kind::Open) {
                depth += 1;
                j += 1;
            }
            if !self.literal_at(j) {
                return None;
            }
            let open_end = self.kind(j) == Some(Kind::Break);
            j += 1;
            while depth > 0 && self.kind(j) == Some(Kind::Close) {
                depth -= 1;
                j += 1;
            }
            if open_end
                || !(self.kind(j) == Some(Kind::Op)
                    && matches!(self.text(j), "+" | "-" | "*" | "/" | "%" | "||"))
            {
                break;
            }
            j += 1;
        }
        (depth == 0).then_some(j)
    }

    /// Two constant expressions compared from `j` (`'a'+'b'='ab'`, `(1)=(1)`): at least one
    /// with an operator or parentheses, the plain form is [`Ctx::constant_compare`].
    fn constant_expression_compare(&self, j: usize) -> bool {
        let Some(e) = self.constant_expression_end(j) else {
            return false;
        };
        e > j
            && self.compare_at(e)
            && !matches!(self.text(e), "->" | "->>" | "?" | "?|" | "?&")
            && self
                .constant_expression_end(e + 1)
                .is_some_and(|r| r > e + 1 && (e > j + 1 || r > e + 2))
    }

    /// How the statement word at `k` goes on: as that statement does (`drop table`,
    /// `update t set`, `exec xp_…`), or only weakly — the value ends right after it or in
    /// one plain word (a truncated probe, or prose).
    fn statement_follows(&self, k: usize) -> Follow {
        let n = k + 1;
        let Some(next) = self.toks.get(n) else {
            return Follow::Weak;
        };
        if next.kind == Kind::Comment {
            return Follow::Strong;
        }
        // `union/`: cut inside the comment that was to follow.
        if n + 1 == self.toks.len() && next.kind == Kind::Op && self.text(n) == "/" {
            return Follow::Weak;
        }
        let last_word = n + 1 == self.toks.len() && next.kind == Kind::Word;
        // A keyword with a fixed continuation cut inside its next word (`union a`, `alter
        // ta`); an identifier after one that takes a name (`select name`, `update users`).
        let cut = |words: &[&str]| {
            if last_word && words.iter().any(|w| w.starts_with(self.text(n))) {
                Follow::Weak
            } else {
                Follow::No
            }
        };
        let named = if last_word { Follow::Weak } else { Follow::No };
        let either = |yes: bool, otherwise: Follow| {
            if yes {
                Follow::Strong
            } else {
                otherwise
            }
        };
        let after = self.kind(n + 1);
        const OBJECTS: &[&str] = &[
            "aggregate",
            "application",
            "assembly",
            "availability",
            "extension",
            "server",
            "type",
            "table",
            "database",
            "user",
            "procedure",
            "function",
            "view",
            "index",
            "schema",
            "login",
            "trigger",
            "role",
            "column",
            "tablespace",
            "sequence",
        ];
        match self.text(k) {
            "union" => either(
                self.is_word(n, &["select", "distinct", "distinctrow"])
                    || next.kind == Kind::Open
                    || self.is_word(n, &["all"])
                        && (after.is_none()
                            || matches!(after, Some(Kind::Open | Kind::Comment))
                            || self.is_word(n + 1, &["select"])),
                cut(&["all", "select", "distinct"]),
            ),
            "select" => either(
                matches!(next.kind, Kind::Num | Kind::Var | Kind::Str | Kind::Open)
                    || next.kind == Kind::Op && matches!(self.text(n), "*" | "-" | "~" | "!")
                    || next.kind == Kind::Word
                        && (next.class != 0
                            || matches!(after, Some(Kind::Open | Kind::Comma | Kind::Dot))
                            || self.is_word(n + 1, &["from", "as", "into"])),
                named,
            ),
            "insert" => either(self.is_word(n, &["into", "ignore"]), cut(&["into"])),
            "delete" => either(
                self.is_word(n, &["from"])
                    || next.kind == Kind::Word && self.is_word(n + 1, &["where"]),
                named,
            ),
            "update" => either(
                next.kind == Kind::Word && self.is_word(n + 1, &["set"]),
                named,
            ),
            "drop" | "create" | "alter" | "truncate" => {
                either(self.is_word(n, OBJECTS), cut(OBJECTS))
            }
            "exec" | "execute" => either(
                matches!(next.kind, Kind::Var | Kind::Str)
                    || next.kind == Kind::Open && matches!(after, Some(Kind::Var | Kind::Str))
                    || next.kind == Kind::Word
                        && (after == Some(Kind::Dot)
                            || self.text(n).starts_with("sp_")
                            || self.text(n).starts_with("xp_")),
                named,
            ),
            "declare" => either(next.kind == Kind::Var, Follow::No),
            "shutdown" => either(
                next.kind == Kind::Semi || self.is_word(n, &["with"]),
                Follow::No,
            ),
            "waitfor" => either(self.is_word(n, &["delay", "time"]), cut(&["delay", "time"])),
            "bulk" => either(self.is_word(n, &["insert"]), cut(&["insert"])),
            _ => Follow::Strong,
        }
    }

    /// A statement starts at `i` right after the string this context closed (and parens),
    /// and goes on as that statement does; a weak one (nothing or one plain word after the
    /// keyword) only after an empty or numeric datum (`'alter a`, `1' union`, not
    /// `workers' union`).
    fn statement_after_break(&self, i: usize) -> Option<&'static str> {
        if !self.in_string
            || i == 0
            || !self.toks[1..i].iter().all(|t| t.kind == Kind::Close)
            || !self.is_word(
                i,
                &[
                    "union", "select", "insert", "delete", "update", "drop", "create", "alter",
                    "truncate", "exec", "execute", "declare", "shutdown", "waitfor",
                ],
            )
            || !self.glued_datum()
        {
            return None;
        }
        let datum = &self.s.as_bytes()[..self.toks[0].end - 1];
        match self.statement_follows(i) {
            Follow::Strong => Some("quote break and statement"),
            Follow::Weak if datum.iter().all(u8::is_ascii_digit) => {
                Some("quote break and statement")
            }
            _ => None,
        }
    }

    /// End of the excerpt reported for a match at token `i`.
    fn end(&self, i: usize) -> usize {
        self.toks.get(i + 6).map_or(self.s.len(), |t| t.end)
    }
}

fn operand(k: Option<Kind>) -> bool {
    matches!(
        k,
        Some(Kind::Num | Kind::Str | Kind::Word | Kind::Var | Kind::Open | Kind::Break)
    )
}

fn value_like(k: Option<Kind>) -> bool {
    matches!(
        k,
        Some(Kind::Num | Kind::Str | Kind::Open | Kind::Break | Kind::Var)
    )
}

fn is_compare_op(op: &str) -> bool {
    matches!(
        op,
        "=" | "<" | ">" | "<>" | "!=" | "<=" | ">=" | "<=>" | "==" | "!<" | "!>" | "^" | "&" | "|"
    )
}

/// The first shape found in one context.
pub(super) fn find(c: &Ctx) -> Option<Found> {
    let toks = c.toks;
    let s = c.s;
    let first = *toks.first()?;
    // `1=1`, `42<=>42`, `'a'<>'b'`: the whole value is a condition that always holds; as
    // data it means nothing.
    if toks.len() == 3 && !c.in_string && c.tautology(0) {
        return Some((0, s.len(), "tautology"));
    }
    // `'{…}' > '$.a' = 7`: a value that starts by comparing two strings and compares the
    // result again.
    if !c.in_string && first.kind == Kind::Str && c.kind(2) == Some(Kind::Str) {
        if let Some(r) = c.constant_compare(0) {
            if c.kind(r + 1) == Some(Kind::Op) && c.compare_at(r + 1) {
                return Some((0, c.end(0), "literals compared"));
            }
        }
    }
    // `'-'`, `'&'`, `'^'`: a string operator string, the login-bypass probe that makes the
    // query compare `''-''`; as data one operator in quotes says nothing.
    if !c.in_string && toks.len() == 1 && first.kind == Kind::Str {
        let inner = s[first.start + 1..first.end - 1].trim();
        if inner.len() == 1 && b"-&^*|+/%".contains(&inner.as_bytes()[0]) {
            return Some((0, s.len(), "quoted operator probe"));
        }
    }
    let in_string = c.in_string;
    // A string context breaks out for sure only when the closed string is one glued datum
    // (`admin'`); a closed phrase (`it is your parents'`) is prose that has a quote. There,
    // only shapes that need no break count.
    let closed_datum = in_string && c.glued_datum();
    let quote_break = if in_string {
        closed_datum
    } else {
        toks.iter().any(|t| t.kind == Kind::Break)
    };
    // A context break: the value starts by closing a string or a number/paren in the query.
    let numeric_start = matches!(first.kind, Kind::Num | Kind::Close)
        || (first.kind == Kind::Op && c.kind(1) == Some(Kind::Num));
    let breaks = if in_string {
        closed_datum
    } else {
        first.kind == Kind::Break
            || numeric_start
            || toks.iter().take(4).any(|t| t.kind == Kind::Break)
    };
    let mut sqlish = None;
    let mut is_sqlish = || *sqlish.get_or_insert_with(|| sqlish_tokens(c));
    let mut sql_words = 0;
    // Whether `s` has a `'` or `"` (asked once, not per backtick string).
    let mut quoted: Option<bool> = None;
    for (i, t) in toks.iter().enumerate() {
        let next = c.kind(i + 1);
        let next2 = c.kind(i + 2);
        let end = c.end(i);
        match t.kind {
            Kind::Word => {
                let w = c.word(t);
                if t.class & (STATEMENT | LOGIC) != 0 {
                    sql_words += 1;
                }
                // SQL keywords glued with inline comments: `drop/**/table`.
                if t.gap & GAP_BLOCK != 0 && i > 0 && c.has(i - 1, STATEMENT | LOGIC) {
                    return Some((toks[i - 1].start, end, "comment-obfuscated keywords"));
                }
                // Every other word shape starts at a keyword, except a catalog name
                // (`information_schema.tables` is one word and a dot to the lexer).
                if t.class == 0 {
                    if c.catalog
                        && CATALOG.iter().any(|n| s[t.start..].starts_with(n))
                        && (breaks || sql_words > 0)
                    {
                        return Some((t.start, end, "system catalog"));
                    }
                    continue;
                }
                if w == "union"
                    && (c.is_word(i + 1, &["select", "all", "distinct"])
                        || next == Some(Kind::Open))
                {
                    return Some((t.start, end, "union select"));
                }
                // `except select`, `intersect values (1,2)`: the other set operators joining
                // a second query; as English words they are not followed by a query.
                if t.class & SET_OP != 0
                    && (c.is_word(i + 1, &["select"])
                        || c.is_word(i + 1, &["values"])
                            && c.kind(i + 2) == Some(Kind::Open)
                            && c.literal_at(i + 3)
                        || c.is_word(i + 1, &["all", "distinct"]) && c.is_word(i + 2, &["select"]))
                {
                    return Some((t.start, end, "set operator and query"));
                }
                if w == "select" {
                    let from = toks[i + 1..]
                        .iter()
                        .take(24)
                        .any(|x| x.kind == Kind::Word && c.word(x) == "from");
                    let call = matches!(next, Some(Kind::Num | Kind::Var | Kind::Op | Kind::Str))
                        || (next == Some(Kind::Word) && next2 == Some(Kind::Open));
                    let prev_open =
                        i > 0 && matches!(toks[i - 1].kind, Kind::Open | Kind::Semi | Kind::Break);
                    // `select 0x61646d696e`: a hex literal is SQL's way to write a string.
                    let hex = i == 0
                        && next == Some(Kind::Num)
                        && c.text(i + 1).starts_with("0x")
                        && c.text(i + 1).len() > 3;
                    if (from && (breaks || prev_open || call))
                        || (call && (prev_open || breaks))
                        || hex
                    {
                        return Some((t.start, end, "select statement"));
                    }
                }
                let called = next == Some(Kind::Open);
                // `sleep(5)`, `benchmark(1e7,…)`: a number is argument enough, unless the call
                // closes and prose goes on (`sleep(8) hours a night`).
                let num_arg = next2 == Some(Kind::Num)
                    && (toks.get(i + 3).is_none_or(|t| t.kind != Kind::Close)
                        || toks
                            .get(i + 4)
                            .is_none_or(|a| a.kind != Kind::Word || a.class != 0));
                if called && t.class & STRONG_FUNC != 0 && (breaks || is_sqlish() || num_arg) {
                    return Some((t.start, end, "sql function call"));
                }
                // `if (x)` is how most languages start a statement; SQL calls `if(`.
                if called
                    && t.class & FUNC != 0
                    && !(w == "if" && toks[i + 1].start > t.end)
                    && (quote_break || i > 0 && is_sqlish())
                {
                    return Some((t.start, end, "sql function call"));
                }
                // `elt(5953=5953,1)`, `iif(1=2,1,1/0)`: a conditional function whose condition
                // is constant selects a branch by the probe's choice, not by data.
                if called
                    && t.class & COND_FUNC != 0
                    && c.constant_compare(c.skip_opens(i + 2)).is_some()
                {
                    return Some((t.start, end, "conditional on a constant"));
                }
                if w == "waitfor" && c.is_word(i + 1, &["delay", "time"]) {
                    return Some((t.start, end, "waitfor delay"));
                }
                if matches!(
                    w,
                    "xp_cmdshell"
                        | "sp_executesql"
                        | "sp_oacreate"
                        | "sp_configure"
                        | "pg_sleep"
                        | "xp_regread"
                        | "xp_dirtree"
                ) {
                    return Some((t.start, end, "dangerous procedure"));
                }
                if w == "into" && c.is_word(i + 1, &["outfile", "dumpfile"]) {
                    return Some((t.start, end, "into outfile"));
                }
                if matches!(w, "drop" | "truncate" | "alter" | "create")
                    && c.is_word(
                        i + 1,
                        &["table", "database", "user", "procedure", "function"],
                    )
                    && (breaks
                        || prev_sep(toks, i)
                        // A whole value: `drop`/`truncate` end after their name (`drop
                        // table users`, `…;`, `…--`); run on in words (`drop table tennis
                        // rules`, a search), it is prose. `alter`/`create` take clauses.
                        || i == 0
                            && (matches!(w, "alter" | "create")
                                || toks.get(i + 3).is_none_or(|t| t.kind != Kind::Word)
                                || c.is_word(i + 2, &["if"])
                                || c.is_word(i + 3, &["cascade", "restrict", "purge"])))
                {
                    return Some((t.start, end, "ddl statement"));
                }
                if (w == "insert" && c.is_word(i + 1, &["into"])
                    || w == "delete" && c.is_word(i + 1, &["from"]))
                    && (breaks || prev_sep(toks, i))
                {
                    return Some((t.start, end, "dml statement"));
                }
                if (w == "order" || w == "group")
                    && c.is_word(i + 1, &["by"])
                    && matches!(next2, Some(Kind::Word | Kind::Num))
                    && breaks
                {
                    return Some((t.start, end, "order by probe"));
                }
                if matches!(w, "exec" | "execute")
                    && (breaks
                        || prev_sep(toks, i)
                        || i == 0 && c.statement_follows(i) == Follow::Strong)
                    && matches!(next, Some(Kind::Word | Kind::Open | Kind::Var))
                {
                    return Some((t.start, end, "exec statement"));
                }
                if c.catalog
                    && CATALOG.iter().any(|n| s[t.start..].starts_with(n))
                    && (breaks || sql_words > 0)
                {
                    return Some((t.start, end, "system catalog"));
                }
                if let Some(why) = extra_word_shapes(c, i, w, breaks) {
                    return Some((t.start, end, why));
                }
                // `'x' union select`, `'alter a`: a statement right after the break.
                if t.class & STATEMENT != 0 {
                    if let Some(why) = c.statement_after_break(i) {
                        return Some((0, end, why));
                    }
                }
                if t.class & LOGIC != 0 && w != "not" {
                    if let Some(at) = logic_condition(c, i, breaks) {
                        return Some((at, end, "boolean condition"));
                    }
                }
            }
            // `1 && 2=2`, `1' || '1`: the symbolic connectives of MySQL (`||` with the
            // default sql_mode) joining a condition the same way.
            Kind::Op if matches!(c.word(t), "&&" | "||") && i > 0 => {
                if let Some(at) = logic_condition(c, i, breaks) {
                    return Some((at, end, "boolean condition"));
                }
            }
            Kind::Op if c.word(t) == "::" => {
                // PostgreSQL cast after a value: `password::int`, `'{}'::jsonb`. After a
                // name only types that are no Rust/C++ path item (`serde_json::json`,
                // `uuid::uuid` are paths); after a call's paren no other language writes
                // `::` at all (`version()::text`).
                let before = if i > 0 { Some(toks[i - 1].kind) } else { None };
                let cast = match before {
                    Some(Kind::Str | Kind::Num) => c.has(i + 1, PG_TYPE),
                    Some(Kind::Word) => c.has(i + 1, PG_ONLY_TYPE),
                    Some(Kind::Close) => c.kind(i + 1) == Some(Kind::Word),
                    _ => false,
                };
                if cast {
                    return Some((toks[i - 1].start, end, "postgres cast"));
                }
            }
            Kind::Str
                if s.as_bytes().get(t.start) == Some(&b'`')
                    && next == Some(Kind::Dot)
                    && toks[i + 1].start == t.end
                    && toks[i + 2..].first().is_some_and(|n| {
                        n.start == toks[i + 1].end
                            && (n.kind == Kind::Str && s.as_bytes()[n.start] == b'`'
                                || n.kind == Kind::Word && c.kind(i + 3) != Some(Kind::Open))
                    }) =>
            {
                // `` `db`.`table` ``: a backtick-quoted qualified name is MySQL syntax (a
                // JS template literal is followed by a method call instead).
                return Some((t.start, end, "backtick-qualified identifier"));
            }
            Kind::Str if in_string || *quoted.get_or_insert_with(|| s.contains(['\'', '"'])) => {
                if in_string && i == 0 {
                    if let Some(why) = closed_string_shapes(c) {
                        return Some((0, end, why));
                    }
                }
                // `'x'!='y`, `'1001'='10`: two literals compared, the second closed by the
                // query's own quote.
                if let Some(r) = c.constant_compare(i) {
                    if c.kind(r) == Some(Kind::Break)
                        && r + 2 >= toks.len()
                        && (i == 0 || prev_sep(toks, i))
                    {
                        return Some((t.start, end, "literals compared"));
                    }
                }
                // `'1'='1'`, `"a"="a"`: equal literals compared, the tautology without
                // a logic word.
                if next == Some(Kind::Op)
                    && c.text(i + 1) == "="
                    && next2 == Some(Kind::Str)
                    && c.literal(i + 2) == c.literal(i)
                {
                    return Some((t.start, end, "equal literals compared"));
                }
                // `a'or'a`: a logic word glued between quotes, never how prose quotes.
                if let (Some(n), Some(n2)) = (toks.get(i + 1), toks.get(i + 2)) {
                    if n.start == t.end
                        && c.is_word(i + 1, &["or", "and", "xor", "div", "like", "rlike"])
                        && n2.start == n.end
                        && matches!(n2.kind, Kind::Str | Kind::Break)
                    {
                        return Some((t.start, end, "quote-glued logic"));
                    }
                }
            }
            Kind::Open => {
                // `(3020=3020)*6703`: a constant condition turned into a number, the
                // boolean-blind probe without a logic word.
                if let Some(r) = c.constant_compare(i + 1) {
                    if c.kind(r + 1) == Some(Kind::Close)
                        && c.kind(r + 2) == Some(Kind::Op)
                        && matches!(c.text(r + 2), "*" | "+" | "-" | "/" | "%" | "^")
                    {
                        return Some((t.start, end, "arithmetic on a constant condition"));
                    }
                }
            }
            // Not glued to a plain name: `_ZTIS@@GLIBCXX_3.4` is a versioned ELF symbol.
            Kind::Var
                if c.word(t).starts_with("@@")
                    && !(i > 0
                        && toks[i - 1].end == t.start
                        && matches!(toks[i - 1].kind, Kind::Word | Kind::Num)
                        && toks[i - 1].class == 0) =>
            {
                return Some((t.start, end, "server variable"));
            }
            Kind::Comment => {
                let text = c.word(t);
                if text.starts_with("/*!") {
                    return Some((t.start, end, "mysql versioned comment"));
                }
                // `admin'--`, `1)#`: a break then the rest of the query commented out.
                if i > 0
                    && matches!(
                        toks[i - 1].kind,
                        Kind::Break | Kind::Close | Kind::Semi | Kind::Num | Kind::Str
                    )
                    && c.broken_before(i)
                    && !prose_comment(text)
                {
                    return Some((toks[0].start, t.end.min(s.len()), "quote break and comment"));
                }
                // `1 -- -`, `7#`: a number and the rest of the query commented out (a
                // comment with words after a number is prose: `5 -- great`).
                if !in_string
                    && i + 1 == toks.len()
                    && first.kind == Kind::Num
                    && toks[..i]
                        .iter()
                        .all(|t| matches!(t.kind, Kind::Num | Kind::Close | Kind::Semi))
                    && !text.bytes().any(|b| b.is_ascii_alphanumeric())
                {
                    return Some((0, s.len(), "number and comment"));
                }
            }
            // `1; drop …`, `x'; exec …`: only SQL before the separator, so prose with an
            // apostrophe and a `; if …` later is no stacked query.
            Kind::Semi
                if c.has(i + 1, STATEMENT)
                    && c.statement_follows(i + 1) != Follow::No
                    && (c.broken_before(i)
                        || numeric_start && !c.prose_between(0, i)
                        || i == 0
                        || toks[..i].iter().all(|t| {
                            matches!(t.kind, Kind::Num | Kind::Break | Kind::Close | Kind::Str)
                        })) =>
            {
                return Some((t.start, end, "stacked query"));
            }
            Kind::Break => {
                // `' or …`, `'||'`, `')`, `'; drop`.
                if next == Some(Kind::Op)
                    && matches!(c.text(i + 1), "||" | "&&" | "=" | "<>" | "!=" | "::")
                    && operand(next2)
                {
                    return Some((t.start, end, "quote break and operator"));
                }
                if next == Some(Kind::Close) && c.has(i + 2, LOGIC) {
                    return Some((t.start, end, "quote and paren break"));
                }
            }
            _ => {}
        }
    }
    None
}

/// A condition joined by the logic word or operator at `i` (`or 1=1`, `&& 'a'='a'`, `and
/// sleep(5)`): the start of the excerpt when it is one an injection writes.
fn logic_condition(c: &Ctx, i: usize, breaks: bool) -> Option<usize> {
    let toks = c.toks;
    let t = &toks[i];
    let next = c.kind(i + 1);
    let next2 = c.kind(i + 2);
    // `and not 1=2`, `and !(1=2)`: a negated condition is as constant.
    let mut j = c.skip_opens(i + 1);
    let negated = c.is_word(j, &["not"]) || c.text(j) == "!";
    if negated {
        j = c.skip_opens(j + 1);
    }
    if !(operand(next) || negated) {
        return None;
    }
    // `or 1=1`, `and 'a'='a'`, `or true`, `and (select …)`, `and (1=1)*5`.
    let cmp = operand(c.kind(j)) && c.compare_at(j + 1);
    let constant = c.constant_compare(j).is_some()
        || c.constant_expression_compare(i + 1)
        || c.constant_expression_compare(j);
    let call = c.call_at(j);
    let ends = |k: Option<Kind>| k.is_none() || matches!(k, Some(Kind::Comment | Kind::Semi));
    // `and '1`, `or '`: a constant string the query's own quote closes (`'1' and '1'`).
    let open_constant = c.short_open_literal(i + 1) && c.broken_before(i);
    // `&&`/`||` also join shell commands and code (`x || true`): only a literal condition.
    let symbolic = t.kind == Kind::Op;
    let truthy = !symbolic
        && (c.is_word(i + 1, &["true", "false", "null"])
            || next == Some(Kind::Num)
                && (ends(next2) || matches!(next2, Some(Kind::Close | Kind::Break))))
        || open_constant;
    let after_value = i > 0
        && matches!(
            toks[i - 1].kind,
            Kind::Num | Kind::Str | Kind::Break | Kind::Close
        );
    let value_operand = value_like(next);
    // `admin' or json(id);`: any function called right after the closed string, and the
    // statement ends after the call.
    let closed_before = i > 0 && (toks[i - 1].kind == Kind::Break || c.in_string && i == 1);
    let call_ends = closed_before
        && c.kind(j) == Some(Kind::Word)
        && c.kind(j + 1) == Some(Kind::Open)
        && c.call_end(j + 1)
            .is_some_and(|k| ends(c.kind(c.skip_closes(k))));
    // After a context break any condition joins the query. In the middle of a value
    // (`price >= 10 and price <= 100`, search syntax) only one that no application writes:
    // constant, computed by a SQL function, or ending the query.
    // `like`, `regexp`, `div` compare what precedes them: after a plain name they are the
    // application's own condition, not a joined one.
    let operator_word = t.kind == Kind::Word && t.class & COMPARE != 0;
    // Version ranges join comparisons with `||` (`>=16 || 14 >=14.17`): after a symbol only
    // an equality of literals, a literal the query closes, or a SQL function call.
    if symbolic
        && !(open_constant
            || call
            || c.constant_compare(j).is_some()
                && matches!(c.text(j + 1), "=" | "<>" | "!=" | "<=>")
            || c.constant_expression_compare(j))
    {
        return None;
    }
    let joined = breaks
        && (!operator_word || after_value)
        && (cmp && (value_operand || after_value || negated) || truthy || call && after_value);
    // In the middle of a value only a function no application condition calls (`) and
    // len(x) > 3` is code).
    let strong_call = call && c.has(j, STRONG_FUNC | COND_FUNC);
    let mid_value = after_value
        && (constant
            || strong_call
            || open_constant && closed_before
            || next == Some(Kind::Num) && matches!(next2, Some(Kind::Comment | Kind::Semi)));
    (joined || mid_value || constant && (value_operand || negated) || call_ends)
        .then(|| toks[i.saturating_sub(1)].start)
}

/// Word-anchored shapes that need no earlier context break.
fn extra_word_shapes(c: &Ctx, i: usize, w: &str, breaks: bool) -> Option<&'static str> {
    let toks = c.toks;
    let t = &toks[i];
    let next = c.kind(i + 1);
    let last = i + 1 == toks.len();
    if t.class & SQL_ONLY != 0 {
        return Some("sql-only identifier");
    }
    // `benchmark(`, `cast(`, `database(`: a SQL function name and its paren ending the value
    // is a probe; data and prose do not end that way.
    if next == Some(Kind::Open)
        && i + 2 == toks.len()
        && t.class & (FUNC | STRONG_FUNC | PROBE_FUNC) != 0
    {
        return Some("sql function probe");
    }
    // `match(title) against ('x')`: MySQL's full-text condition; `procedure analyse(`:
    // its result-set probe.
    if w == "against"
        && next == Some(Kind::Open)
        && matches!(
            c.kind(i + 2),
            Some(Kind::Str | Kind::Num | Kind::Var | Kind::Break)
        )
        && i > 0
        && c.kind(i - 1) == Some(Kind::Close)
        && toks[i.saturating_sub(12)..i]
            .iter()
            .any(|t| t.kind == Kind::Word && c.word(t) == "match")
    {
        return Some("full-text match");
    }
    if w == "procedure" && c.is_word(i + 1, &["analyse"]) && c.kind(i + 2) == Some(Kind::Open) {
        return Some("procedure analyse");
    }
    // `exec(`, `execute (`: T-SQL's dynamic SQL call, cut off.
    if matches!(w, "exec" | "execute") && next == Some(Kind::Open) && i + 2 == toks.len() {
        return Some("sql function probe");
    }
    // `version()`, `current_user()`: a server information function called on its own.
    if next == Some(Kind::Open)
        && i + 3 == toks.len()
        && c.kind(i + 2) == Some(Kind::Close)
        && matches!(
            w,
            "version"
                | "database"
                | "user"
                | "current_user"
                | "session_user"
                | "system_user"
                | "schema"
                | "db_name"
                | "user_name"
                | "current_database"
                | "connection_id"
                | "last_insert_id"
        )
    {
        return Some("sql function probe");
    }
    // `@a:=1`: a MySQL user variable assigned inside an expression.
    if t.class & LOGIC != 0
        && c.kind(i + 1) == Some(Kind::Var)
        && c.text(i + 2) == ":="
        && operand(c.kind(i + 3))
    {
        return Some("user variable assignment");
    }
    // `declare @x`, `exec (@cmd)`: T-SQL variables after a statement word.
    if matches!(w, "declare" | "exec" | "execute" | "set")
        && (next == Some(Kind::Var)
            || matches!(next, Some(Kind::Comment | Kind::Open)) && c.kind(i + 2) == Some(Kind::Var))
    {
        return Some("t-sql variable statement");
    }
    // `case when … then`, `) when 1 then`: SQL's conditional expression.
    if w == "when"
        && (breaks || i > 0 && c.is_word(i - 1, &["case"]))
        && toks[i + 1..]
            .iter()
            .take(8)
            .any(|t| t.kind == Kind::Word && c.word(t) == "then")
    {
        return Some("case expression");
    }
    // `) as cc from`, `` ` as `x` from ``: an aliased column list leaking out of a quote.
    if w == "as"
        && breaks
        && matches!(next, Some(Kind::Word | Kind::Str))
        && c.is_word(i + 2, &["from"])
    {
        return Some("aliased select list");
    }
    // A value that starts with a logic word and a comparison: `and deleted = 0)`,
    // `or (7319=8742)`, `xor 'b' >` — also right after a `name=` the value carried along.
    let starts = i == 0
        || i == 2
            && toks[0].kind == Kind::Word
            && toks[1].kind == Kind::Op
            && c.word(&toks[1]) == "=";
    if starts && t.class & LOGIC != 0 && !last {
        let mut j = i + 1;
        while c.kind(j) == Some(Kind::Open) {
            j += 1;
        }
        if operand(c.kind(j)) && c.compare_at(j + 1) {
            return Some("leading logic and comparison");
        }
        // `or json_extract(…) = 'x'`, `and sleep(5)`.
        if c.call_at(j) {
            return Some("leading logic and sql function");
        }
        // `or 1#`, `and true--`: a constant condition and the rest of the query cut off.
        if (c.kind(i + 1) == Some(Kind::Num) || c.is_word(i + 1, &["true", "false"]))
            && matches!(c.kind(i + 2), Some(Kind::Comment | Kind::Semi))
        {
            return Some("leading logic and terminated constant");
        }
    }
    // `delete from users;--`: a whole statement with the rest of the query commented out.
    let companion = match w {
        "select" | "delete" => "from",
        "insert" => "into",
        "update" => "set",
        "drop" | "truncate" => "table",
        _ => "",
    };
    if i == 0
        && !companion.is_empty()
        && toks.last().is_some_and(|t| t.kind == Kind::Comment)
        && toks[1..]
            .iter()
            .take(16)
            .any(|t| t.kind == Kind::Word && c.word(t) == companion)
    {
        return Some("terminated statement");
    }
    // `drop users;--`, `shutdown;--`: a short statement ended and the rest of the query
    // commented out; prose does not end in `;--`.
    let n = toks.len();
    if i == 0
        && !c.in_string
        && t.class & STATEMENT != 0
        && (2..=6).contains(&n)
        && c.kind(n - 2) == Some(Kind::Semi)
        && c.kind(n - 1) == Some(Kind::Comment)
        && toks[n - 1].start == toks[n - 2].end
    {
        return Some("terminated statement");
    }
    None
}

/// Shapes right after the string the context closes, for a value that is one datum glued to
/// its quote (`admin'`, `1'`): prose quotes after words with spaces between.
fn closed_string_shapes(c: &Ctx) -> Option<&'static str> {
    let toks = c.toks;
    if !c.glued_datum() {
        return None;
    }
    let last = toks.last()?;
    match toks.get(1)?.kind {
        // `admin';`, `admin'; --`: the statement ended right after the string.
        Kind::Semi if toks.len() == 2 || toks.len() == 3 && last.kind == Kind::Comment => {
            Some("string closed and statement ended")
        }
        // `id'is not-id--`, `x'-email--`, `'glob 1;`: an expression continues the string
        // and the rest of the query is commented out or the statement ends.
        Kind::Op | Kind::Word
            if matches!(last.kind, Kind::Comment | Kind::Semi)
                && toks.len() <= 10
                && (toks[1].kind == Kind::Op && binary_operator(c.text(1))
                    || c.has(1, COMPARE | LOGIC)) =>
        {
            Some("string continued and cut off")
        }
        _ => None,
    }
}

/// A comment that reads as prose punctuation (`" -- that is, a bug`): three words or more.
/// Injections cut the query off with `--`, `-- -`, `#` or a short random tag.
fn prose_comment(text: &str) -> bool {
    text.split(char::is_whitespace)
        .filter(|w| w.bytes().any(|b| b.is_ascii_alphabetic()))
        .nth(2)
        .is_some()
}

/// SQL's binary operators (`~` is unary, bitwise not, in MySQL and SQL Server: `'x'~y` does
/// not parse there).
fn binary_operator(op: &str) -> bool {
    is_compare_op(op)
        || matches!(
            op,
            "||" | "&&" | "+" | "-" | "*" | "/" | "%" | "<<" | ">>" | "!" | "::"
        )
}

fn prev_sep(toks: &[Tok], i: usize) -> bool {
    i > 0
        && matches!(
            toks[i - 1].kind,
            Kind::Semi | Kind::Break | Kind::Close | Kind::Comment | Kind::Open
        )
}

/// Some token makes the whole value read as SQL rather than data.
fn sqlish_tokens(c: &Ctx) -> bool {
    c.toks.iter().enumerate().any(|(i, t)| match t.kind {
        // In a string context a later quote only opens a string up to the end.
        Kind::Break => !c.in_string,
        // `-- note` after a word is prose punctuation; SQL comments the query out after a
        // value or a paren.
        Kind::Comment => {
            i > 0
                && matches!(
                    c.toks[i - 1].kind,
                    Kind::Close | Kind::Num | Kind::Str | Kind::Break | Kind::Semi
                )
        }
        // A stacked statement, not the `;` of code (`f(x); g(y)`).
        Kind::Semi => c.is_word(
            i + 1,
            &[
                "select", "insert", "update", "delete", "drop", "exec", "execute", "declare",
                "waitfor", "shutdown", "create", "alter", "truncate", "union", "set",
            ],
        ),
        // A server or T-SQL variable, not the domain of an e-mail address (`bob@x.org`).
        Kind::Var => {
            c.word(t).starts_with("@@")
                || !(i > 0
                    && c.toks[i - 1].end == t.start
                    && matches!(c.toks[i - 1].kind, Kind::Word | Kind::Num))
        }
        Kind::Word => {
            t.class & CLAUSE != 0
                || c.word(t) == "from"
                    && i > 0
                    && (matches!(c.toks[i - 1].kind, Kind::Close | Kind::Num | Kind::Str)
                        || c.text(i - 1) == "*")
        }
        Kind::Op => matches!(c.word(t), "||" | "&&" | "<>"),
        _ => false,
    })
}
