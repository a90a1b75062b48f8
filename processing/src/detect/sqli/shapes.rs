//! The injection shapes, checked on one token stream of one context.

use super::keywords::{
    CATALOG, CLAUSE, COMPARE, COND_FUNC, FUNC, LOGIC, PG_ONLY_TYPE, PG_TYPE, PROBE_FUNC, SET_OP,
    SQL_ONLY, STATEMENT, STRONG_FUNC,
};
use super::lex::{Kind, Tok};

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
    let in_string = c.in_string;
    // Once per value, not per string token (a value of 500 strings is 500 scans otherwise).
    let has_quote = s.contains(['\'', '"']);
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
                    if (from && (breaks || prev_open || call)) || (call && (prev_open || breaks)) {
                        return Some((t.start, end, "select statement"));
                    }
                }
                let called = next == Some(Kind::Open);
                if called
                    && t.class & STRONG_FUNC != 0
                    && (breaks || is_sqlish() || next2 == Some(Kind::Num))
                {
                    return Some((t.start, end, "sql function call"));
                }
                if called && t.class & FUNC != 0 && (quote_break || i > 0 && is_sqlish()) {
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
                    && (breaks || i == 0 || prev_sep(toks, i))
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
                    && (breaks || prev_sep(toks, i))
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
                if t.class & LOGIC != 0 && w != "not" && operand(next) {
                    // `or 1=1`, `and 'a'='a'`, `or true`, `and (select …)`, `and (1=1)*5`.
                    let j = c.skip_opens(i + 1);
                    let cmp = operand(c.kind(j)) && c.compare_at(j + 1);
                    let constant = c.constant_compare(j).is_some();
                    let call = c.call_at(j);
                    let ends = |k: Option<Kind>| {
                        k.is_none() || matches!(k, Some(Kind::Comment | Kind::Semi))
                    };
                    let truthy = c.is_word(i + 1, &["true", "false", "null"])
                        || next == Some(Kind::Num)
                            && (ends(next2) || matches!(next2, Some(Kind::Close | Kind::Break)));
                    let after_value = i > 0
                        && matches!(
                            toks[i - 1].kind,
                            Kind::Num | Kind::Str | Kind::Break | Kind::Close
                        );
                    let value_operand = value_like(next);
                    // `admin' or json(id);`: any function called right after the closed
                    // string, and the statement ends after the call.
                    let closed_before =
                        i > 0 && (toks[i - 1].kind == Kind::Break || in_string && i == 1);
                    let call_ends = closed_before
                        && c.kind(j) == Some(Kind::Word)
                        && c.kind(j + 1) == Some(Kind::Open)
                        && c.call_end(j + 1)
                            .is_some_and(|k| ends(c.kind(c.skip_closes(k))));
                    // After a context break any condition joins the query. In the middle of
                    // a value (`price >= 10 and price <= 100`, search syntax) only one that
                    // no application writes: constant, computed by a SQL function, or ending
                    // the query.
                    // `like`, `regexp`, `div` compare what precedes them: after a plain
                    // name they are the application's own condition, not a joined one.
                    let operator_word = t.class & COMPARE != 0;
                    let joined = breaks
                        && (!operator_word || after_value)
                        && (cmp && (value_operand || after_value) || truthy || call && after_value);
                    let mid_value = after_value
                        && (constant
                            || call
                            || next == Some(Kind::Num)
                                && matches!(next2, Some(Kind::Comment | Kind::Semi)));
                    if joined || mid_value || constant && value_operand || call_ends {
                        return Some((toks[i.saturating_sub(1)].start, end, "boolean condition"));
                    }
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
            Kind::Str if in_string || has_quote => {
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
            Kind::Var if c.word(t).starts_with("@@") => {
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
                {
                    return Some((toks[0].start, t.end.min(s.len()), "quote break and comment"));
                }
                // SQL keywords glued with inline comments: `drop/**/table`.
                if text.starts_with("/*")
                    && i > 0
                    && next == Some(Kind::Word)
                    && c.has(i - 1, STATEMENT | LOGIC)
                {
                    return Some((toks[i - 1].start, end, "comment-obfuscated keywords"));
                }
            }
            // `1; drop …`, `x'; exec …`: only SQL before the separator, so prose with an
            // apostrophe and a `; if …` later is no stacked query.
            Kind::Semi
                if c.has(i + 1, STATEMENT)
                    && next2.is_some()
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
        Kind::Semi | Kind::Var => true,
        Kind::Word => t.class & CLAUSE != 0,
        Kind::Op => matches!(c.word(t), "||" | "&&" | "<>"),
        _ => false,
    })
}
