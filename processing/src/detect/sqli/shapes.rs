//! The injection shapes, checked on one token stream of one context.

use super::keywords::{
    CATALOG, CLAUSE, COMPARE, FUNC, LOGIC, PG_TYPE, PROBE_FUNC, SQL_ONLY, STATEMENT, STRONG_FUNC,
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
    let in_string = c.in_string;
    let quote_break = in_string || toks.iter().any(|t| t.kind == Kind::Break);
    // A context break: the value starts by closing a string or a number/paren in the query.
    let breaks = in_string
        || matches!(first.kind, Kind::Break | Kind::Num | Kind::Close)
        || (first.kind == Kind::Op && c.kind(1) == Some(Kind::Num))
        || toks.iter().take(4).any(|t| t.kind == Kind::Break);
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
                    // `or 1=1`, `and 'a'='a'`, `or true`, `and (select …)`.
                    let cmp = c.toks.get(i + 2).is_some_and(|n| {
                        n.kind == Kind::Op && is_compare_op(c.word(n))
                            || n.kind == Kind::Word && n.class & COMPARE != 0
                    });
                    let truthy = c.is_word(i + 1, &["true", "false", "null"])
                        || next == Some(Kind::Num)
                            && (next2.is_none()
                                || matches!(
                                    next2,
                                    Some(Kind::Comment | Kind::Semi | Kind::Close | Kind::Break)
                                ));
                    let after_value = i > 0
                        && matches!(
                            toks[i - 1].kind,
                            Kind::Num | Kind::Str | Kind::Break | Kind::Close
                        );
                    let value_operand = value_like(next);
                    if (breaks || after_value) && (cmp && (value_operand || after_value) || truthy)
                        || (cmp && value_operand && next2.is_some() && value_like(c.kind(i + 3)))
                    {
                        return Some((toks[i.saturating_sub(1)].start, end, "boolean condition"));
                    }
                }
            }
            Kind::Op if c.word(t) == "::" => {
                // PostgreSQL cast after a value: `password::int`, `'{}'::jsonb`.
                let value_before = i > 0
                    && matches!(
                        toks[i - 1].kind,
                        Kind::Word | Kind::Close | Kind::Str | Kind::Num
                    );
                if value_before && c.has(i + 1, PG_TYPE) {
                    return Some((toks[i - 1].start, end, "postgres cast"));
                }
            }
            Kind::Str
                if s.as_bytes().get(t.start) == Some(&b'`')
                    && next == Some(Kind::Dot)
                    && toks[i + 1].start == t.end
                    && matches!(next2, Some(Kind::Word | Kind::Str))
                    && toks[i + 2].start == toks[i + 1].end =>
            {
                // `` `db`.`table` ``: a backtick-quoted qualified name is MySQL syntax.
                return Some((t.start, end, "backtick-qualified identifier"));
            }
            Kind::Str if in_string || s.contains(['\'', '"']) => {
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
                    && (in_string || toks[..i].iter().any(|t| t.kind == Kind::Break))
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
            Kind::Semi
                if c.has(i + 1, STATEMENT)
                    && next2.is_some()
                    && (breaks
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
        let cmp = toks.get(j + 1).is_some_and(|n| {
            n.kind == Kind::Op && is_compare_op(c.word(n))
                || n.kind == Kind::Word && n.class & COMPARE != 0
        });
        if operand(c.kind(j)) && cmp {
            return Some("leading logic and comparison");
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

fn prev_sep(toks: &[Tok], i: usize) -> bool {
    i > 0
        && matches!(
            toks[i - 1].kind,
            Kind::Semi | Kind::Break | Kind::Close | Kind::Comment | Kind::Open
        )
}

/// Some token makes the whole value read as SQL rather than data.
fn sqlish_tokens(c: &Ctx) -> bool {
    c.toks.iter().any(|t| match t.kind {
        Kind::Break | Kind::Comment | Kind::Semi | Kind::Var => true,
        Kind::Word => t.class & CLAUSE != 0,
        Kind::Op => matches!(c.word(t), "=" | "||" | "&&" | "<>"),
        _ => false,
    })
}
