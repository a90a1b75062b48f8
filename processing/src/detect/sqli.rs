//! SQL injection: a small SQL tokenizer, then checks on the token stream for the shapes an
//! injection takes — a quote/number context break followed by SQL, boolean tautologies,
//! `UNION SELECT`, stacked statements, time/error-based functions, catalog tables and
//! comment tricks. Prose with an apostrophe or the word "select" has none of these shapes.

use std::sync::OnceLock;

use super::prefilter::{lits, LitId, LitSet};
use super::words::{word_set, WordSet};
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
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
struct Tok {
    kind: Kind,
    start: usize,
    end: usize,
}

const MAX_TOKENS: usize = 512;

fn tokenize(s: &str) -> Vec<Tok> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() && out.len() < MAX_TOKENS {
        let c = b[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0xa0 => {
                i += 1;
                continue;
            }
            b'\'' | b'"' | b'`' => match b[i + 1..].iter().position(|&x| x == c) {
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
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = b.len();
                Kind::Comment
            }
            b'#' => {
                i = b.len();
                Kind::Comment
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = s[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
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
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 => {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'$') || b[i] >= 0x80)
                {
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
        out.push(Tok {
            kind,
            start,
            end: i,
        });
    }
    out
}

static LOGIC: &[&str] = &[
    "or", "and", "xor", "div", "rlike", "regexp", "like", "having", "where", "not",
];
const COMPARE: &[&str] = &[
    "like", "rlike", "regexp", "in", "is", "between", "sounds", "glob", "div", "mod",
];
static STATEMENTS: &[&str] = &[
    "select", "insert", "update", "delete", "drop", "exec", "execute", "declare", "shutdown",
    "create", "alter", "truncate", "waitfor", "set", "union", "call", "grant", "revoke", "merge",
    "replace", "handler", "load", "begin", "if", "while", "commit", "rollback", "backup", "kill",
];
/// Functions that are almost only ever called in injections (time, error and file based).
const STRONG_FUNCS: &[&str] = &[
    "sleep",
    "benchmark",
    "pg_sleep",
    "load_file",
    "extractvalue",
    "updatexml",
    "make_set",
    "xp_cmdshell",
    "sys_eval",
    "sys_exec",
    "randomblob",
    "utl_inaddr",
    "utl_http",
    "receive_message",
    "generate_series",
    "lo_import",
    "lo_get",
    "lo_export",
    "pg_read_file",
    "pg_ls_dir",
    "gtid_subset",
    "name_const",
    "dbms_xmlgen",
    "xmltype",
    "load_extension",
    "openrowset",
    "opendatasource",
    "is_srvrolemember",
    "sqlite_version",
    "dbms_lock",
    "sleep_ms",
    "group_concat",
    "concat_ws",
    "json_keys",
    "dbms_ldap",
    "dbms_pipe",
];
/// SQL functions that are also ordinary words; they count only after a context break.
static FUNCS: &[&str] = &[
    "elt",
    "exp",
    "floor",
    "polygon",
    "multipoint",
    "ctxsys",
    "convert",
    "cast",
    "char",
    "chr",
    "concat",
    "concat_ws",
    "group_concat",
    "substring",
    "substr",
    "mid",
    "ascii",
    "ord",
    "hex",
    "unhex",
    "version",
    "database",
    "user",
    "current_user",
    "system_user",
    "schema",
    "count",
    "ifnull",
    "isnull",
    "nullif",
    "coalesce",
    "iif",
    "if",
    "case",
    "procedure",
    "analyse",
    "row",
    "openrowset",
    "opendatasource",
    "db_name",
    "is_srvrolemember",
    "sqlite_version",
    "load_extension",
    "md5",
    "sha1",
    "crc32",
    "encode",
    "decode",
    "bin",
    "length",
    "len",
    "instr",
    "locate",
    "position",
    "rand",
    "uuid",
    "unicode",
    "nchar",
    "waitfor",
    "dbms_lock",
    "sleep_ms",
    "to_char",
    "to_number",
    "json_extract",
    "exists",
];
const CATALOG: &[&str] = &[
    "information_schema",
    "sysobjects",
    "syscolumns",
    "sysusers",
    "mysql.user",
    "pg_catalog",
    "pg_tables",
    "pg_user",
    "pg_shadow",
    "sqlite_master",
    "sqlite_schema",
    "msysaccessobjects",
    "msysobjects",
    "all_tables",
    "user_tables",
    "all_users",
    "sys.tables",
    "sys.objects",
    "sys.databases",
    "master..",
    "rdb$",
    "sysibm",
    "syscat",
    "v$version",
    "dual",
    "mysql.db",
    "sys.user$",
    "domain.domains",
    "sysmaster",
];

/// Word-list membership through hash sets built once (linear scans of these lists dominated
/// the profile).
fn in_set(list: &'static [&'static str], w: &str) -> bool {
    type Sets = [(usize, WordSet); 3];
    static SETS: OnceLock<Sets> = OnceLock::new();
    let sets =
        SETS.get_or_init(|| [LOGIC, STATEMENTS, FUNCS].map(|l| (l.as_ptr() as usize, word_set(l))));
    match sets.iter().find(|(p, _)| *p == list.as_ptr() as usize) {
        Some((_, set)) => set.contains(w),
        None => list.contains(&w),
    }
}

#[cfg(test)]
fn catalog_names() -> &'static aho_corasick::AhoCorasick {
    static AC: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| aho_corasick::AhoCorasick::new(CATALOG).expect("static pattern list builds"))
}

fn word<'a>(s: &'a str, t: &Tok) -> &'a str {
    &s[t.start..t.end]
}

fn is(s: &str, t: Option<&Tok>, words: &'static [&'static str]) -> bool {
    t.is_some_and(|t| t.kind == Kind::Word && in_set(words, word(s, t)))
}

fn operand(t: Option<&Tok>) -> bool {
    t.is_some_and(|t| {
        matches!(
            t.kind,
            Kind::Num | Kind::Str | Kind::Word | Kind::Var | Kind::Open | Kind::Break
        )
    })
}

pub struct Sqli {
    catalog_gate: Vec<LitId>,
}

impl Sqli {
    pub fn new() -> Self {
        Sqli {
            catalog_gate: lits(CATALOG),
        }
    }

    /// Tries the value as the query would see it in three contexts, as libinjection does:
    /// bare (numeric), inside a single-quoted and inside a double-quoted string.
    /// `catalog`: some catalog name occurs in `s` (from the prefilter), which saves a prefix
    /// comparison per catalog name at every word.
    fn analyse(s: &str, catalog: bool) -> Option<(usize, usize, &'static str)> {
        if let Some(r) = Self::analyse_in(s, false, catalog) {
            return Some(r);
        }
        for q in ["'", "\""] {
            if s.contains(q) {
                let quoted = format!("{q}{s}");
                if let Some((a, b, why)) = Self::analyse_in(&quoted, true, catalog) {
                    return Some((a.saturating_sub(1), b.saturating_sub(1), why));
                }
            }
        }
        None
    }

    fn analyse_in(s: &str, in_string: bool, catalog: bool) -> Option<(usize, usize, &'static str)> {
        let toks = tokenize(s);
        if toks.is_empty() {
            return None;
        }
        let first = toks[0];
        let quote_break = in_string || toks.iter().any(|t| t.kind == Kind::Break);
        // A context break: the value starts by closing a string or a number/paren in the query.
        let breaks = in_string
            || matches!(first.kind, Kind::Break | Kind::Num | Kind::Close)
            || (first.kind == Kind::Op && toks.get(1).is_some_and(|t| t.kind == Kind::Num))
            || toks.iter().take(4).any(|t| t.kind == Kind::Break);
        let mut sql_words = 0;
        for (i, t) in toks.iter().enumerate() {
            let next = toks.get(i + 1);
            let next2 = toks.get(i + 2);
            let w = if t.kind == Kind::Word { word(s, t) } else { "" };
            let end = toks.get(i + 6).map_or(s.len(), |t| t.end);
            match t.kind {
                Kind::Word => {
                    if in_set(STATEMENTS, w) || in_set(LOGIC, w) {
                        sql_words += 1;
                    }
                    if w == "union"
                        && (is(s, next, &["select", "all", "distinct"])
                            || next.is_some_and(|n| n.kind == Kind::Open))
                    {
                        return Some((t.start, end, "union select"));
                    }
                    if w == "select" {
                        let from = toks[i + 1..]
                            .iter()
                            .take(24)
                            .any(|x| x.kind == Kind::Word && word(s, x) == "from");
                        let call = next.is_some_and(|n| {
                            matches!(n.kind, Kind::Num | Kind::Var | Kind::Op | Kind::Str)
                        }) || (next.is_some_and(|n| n.kind == Kind::Word)
                            && next2.is_some_and(|n| n.kind == Kind::Open));
                        let prev_open = i > 0
                            && matches!(toks[i - 1].kind, Kind::Open | Kind::Semi | Kind::Break);
                        if (from && (breaks || prev_open || call))
                            || (call && (prev_open || breaks))
                        {
                            return Some((t.start, end, "select statement"));
                        }
                    }
                    let called = next.is_some_and(|n| n.kind == Kind::Open);
                    if called
                        && STRONG_FUNCS.iter().any(|f| w.starts_with(f))
                        && (breaks
                            || is_sqlish(&toks, s)
                            || next2.is_some_and(|n| n.kind == Kind::Num))
                    {
                        return Some((t.start, end, "sql function call"));
                    }
                    if called && in_set(FUNCS, w) && (quote_break || i > 0 && is_sqlish(&toks, s)) {
                        return Some((t.start, end, "sql function call"));
                    }
                    if matches!(w, "waitfor") && is(s, next, &["delay", "time"]) {
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
                    if w == "into" && is(s, next, &["outfile", "dumpfile"]) {
                        return Some((t.start, end, "into outfile"));
                    }
                    if matches!(w, "drop" | "truncate" | "alter" | "create")
                        && is(
                            s,
                            next,
                            &["table", "database", "user", "procedure", "function"],
                        )
                        && (breaks || i == 0 || prev_sep(&toks, i))
                    {
                        return Some((t.start, end, "ddl statement"));
                    }
                    if (w == "insert" && is(s, next, &["into"])
                        || w == "delete" && is(s, next, &["from"]))
                        && (breaks || prev_sep(&toks, i))
                    {
                        return Some((t.start, end, "dml statement"));
                    }
                    if (w == "order" || w == "group")
                        && is(s, next, &["by"])
                        && next2.is_some_and(|n| n.kind == Kind::Word || n.kind == Kind::Num)
                        && breaks
                    {
                        return Some((t.start, end, "order by probe"));
                    }
                    if matches!(w, "exec" | "execute")
                        && (breaks || prev_sep(&toks, i))
                        && next
                            .is_some_and(|n| matches!(n.kind, Kind::Word | Kind::Open | Kind::Var))
                    {
                        return Some((t.start, end, "exec statement"));
                    }
                    if catalog
                        && CATALOG.iter().any(|c| s[t.start..].starts_with(c))
                        && (breaks || sql_words > 0)
                    {
                        return Some((t.start, end, "system catalog"));
                    }
                    if let Some(why) = extra_word_shapes(s, &toks, i, w, breaks) {
                        return Some((t.start, end, why));
                    }
                    if in_set(LOGIC, w) && w != "not" && operand(next) {
                        // `or 1=1`, `and 'a'='a'`, `or true`, `and (select …)`.
                        let cmp = next2.is_some_and(|n| {
                            n.kind == Kind::Op && is_compare_op(word(s, n))
                                || is(s, Some(n), COMPARE)
                        });
                        let truthy = is(s, next, &["true", "false", "null"])
                            || next.is_some_and(|n| n.kind == Kind::Num)
                                && next2.is_none_or(|n| {
                                    matches!(
                                        n.kind,
                                        Kind::Comment | Kind::Semi | Kind::Close | Kind::Break
                                    )
                                });
                        let after_value = i > 0
                            && matches!(
                                toks[i - 1].kind,
                                Kind::Num | Kind::Str | Kind::Break | Kind::Close
                            );
                        let value_operand = next.is_some_and(|n| {
                            matches!(
                                n.kind,
                                Kind::Num | Kind::Str | Kind::Open | Kind::Break | Kind::Var
                            )
                        });
                        if (breaks || after_value)
                            && (cmp && (value_operand || after_value) || truthy)
                            || (cmp
                                && value_operand
                                && next2.is_some()
                                && third_operand(&toks, i + 3))
                        {
                            return Some((
                                toks[i.saturating_sub(1)].start,
                                end,
                                "boolean condition",
                            ));
                        }
                    }
                }
                Kind::Op if word(s, t) == "::" => {
                    // PostgreSQL cast after a value: `password::int`, `'{}'::jsonb`.
                    let value_before = i > 0
                        && matches!(
                            toks[i - 1].kind,
                            Kind::Word | Kind::Close | Kind::Str | Kind::Num
                        );
                    if value_before && is(s, next, PG_TYPES) {
                        return Some((toks[i - 1].start, end, "postgres cast"));
                    }
                }
                Kind::Str
                    if s.as_bytes().get(t.start) == Some(&b'`')
                        && next.is_some_and(|n| n.kind == Kind::Dot && n.start == t.end)
                        && next2.is_some_and(|n| {
                            matches!(n.kind, Kind::Word | Kind::Str)
                                && next.is_some_and(|d| d.end == n.start)
                        }) =>
                {
                    // `` `db`.`table` ``: a backtick-quoted qualified name is MySQL syntax.
                    return Some((t.start, end, "backtick-qualified identifier"));
                }
                Kind::Str if in_string || s.contains(['\'', '"']) => {
                    // `'1'='1'`, `"a"="a"`: equal literals compared, the tautology without
                    // a logic word.
                    if next.is_some_and(|n| n.kind == Kind::Op && word(s, n) == "=")
                        && next2.is_some_and(|n| {
                            matches!(n.kind, Kind::Str | Kind::Num) && word(s, n) == word(s, t)
                        })
                    {
                        return Some((t.start, end, "equal literals compared"));
                    }
                    // `a'or'a`: a logic word glued between quotes, never how prose quotes.
                    if let (Some(n), Some(n2)) = (next, next2) {
                        if n.start == t.end
                            && is(s, Some(n), &["or", "and", "xor", "div", "like", "rlike"])
                            && n2.start == n.end
                            && matches!(n2.kind, Kind::Str | Kind::Break)
                        {
                            return Some((t.start, end, "quote-glued logic"));
                        }
                    }
                }
                Kind::Var if s[t.start..t.end].starts_with("@@") => {
                    return Some((t.start, end, "server variable"));
                }
                Kind::Comment => {
                    let c = &s[t.start..t.end];
                    if c.starts_with("/*!") {
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
                        return Some((
                            toks[0].start,
                            t.end.min(s.len()),
                            "quote break and comment",
                        ));
                    }
                    // SQL keywords glued with inline comments: `drop/**/table`.
                    if c.starts_with("/*")
                        && i > 0
                        && toks[i - 1].kind == Kind::Word
                        && next.is_some_and(|n| n.kind == Kind::Word)
                        && (in_set(STATEMENTS, word(s, &toks[i - 1]))
                            || in_set(LOGIC, word(s, &toks[i - 1])))
                    {
                        return Some((toks[i - 1].start, end, "comment-obfuscated keywords"));
                    }
                }
                Kind::Semi
                    if is(s, next, STATEMENTS)
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
                    if let Some(n) = next {
                        if n.kind == Kind::Op
                            && matches!(word(s, n), "||" | "&&" | "=" | "<>" | "!=" | "::")
                            && operand(next2)
                        {
                            return Some((t.start, end, "quote break and operator"));
                        }
                        if n.kind == Kind::Close && is(s, next2, LOGIC) {
                            return Some((t.start, end, "quote and paren break"));
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// PostgreSQL type names a `::` cast is written with.
const PG_TYPES: &[&str] = &[
    "int", "int2", "int4", "int8", "integer", "bigint", "smallint", "numeric", "text", "varchar",
    "char", "json", "jsonb", "bytea", "regclass", "oid", "bool", "boolean", "date", "float",
    "real", "xml", "inet", "uuid",
];

/// More SQL function names, used only for the "name and paren end the value" probe shape.
const PROBE_FUNCS: &[&str] = &[
    "abs",
    "date",
    "day",
    "default",
    "compress",
    "uncompress",
    "cos",
    "sin",
    "tan",
    "find_in_set",
    "current_user",
    "db_name",
    "schema_name",
    "object_id",
    "object_name",
    "user_name",
    "now",
    "sysdate",
    "round",
    "lower",
    "upper",
    "trim",
    "replace",
    "reverse",
    "soundex",
    "space",
    "strcmp",
    "avg",
    "sum",
    "min",
    "max",
    "greatest",
    "least",
    "char_length",
    "from_base64",
    "to_base64",
    "json_object",
    "jsonb_pretty",
    "pg_sleep",
    "randomblob",
    "zeroblob",
    "typeof",
];

/// Identifiers that exist only in SQL dialects: their mere presence as a word is an attack
/// on the database (catalogs, OLE DB providers, extended procedures).
const SQL_ONLY: &[&str] = &[
    "information_schema",
    "pg_catalog",
    "pg_shadow",
    "pg_authid",
    "sqlite_master",
    "sqlite_schema",
    "msysaccessobjects",
    "msysobjects",
    "sysobjects",
    "syscolumns",
    "msdasql",
    "sqloledb",
    "openrowset",
    "opendatasource",
    "utl_http",
    "utl_inaddr",
    "dbms_pipe",
    "dbms_lock",
    "sp_password",
    "sp_executesql",
    "sp_oacreate",
    "xp_cmdshell",
    "xp_regread",
    "xp_dirtree",
];

/// Word-anchored shapes that need no earlier context break.
fn extra_word_shapes(
    s: &str,
    toks: &[Tok],
    i: usize,
    w: &str,
    breaks: bool,
) -> Option<&'static str> {
    let next = toks.get(i + 1);
    let last = i + 1 == toks.len();
    static SQL_ONLY_SET: OnceLock<WordSet> = OnceLock::new();
    if SQL_ONLY_SET.get_or_init(|| word_set(SQL_ONLY)).contains(w) {
        return Some("sql-only identifier");
    }
    // `benchmark(`, `cast(`, `database(`: a SQL function name and its paren ending the value
    // is a probe; data and prose do not end that way.
    if next.is_some_and(|n| n.kind == Kind::Open)
        && i + 2 == toks.len()
        && (in_set(FUNCS, w) || STRONG_FUNCS.contains(&w) || PROBE_FUNCS.contains(&w))
    {
        return Some("sql function probe");
    }
    // `declare @x`, `exec (@cmd)`: T-SQL variables after a statement word.
    if matches!(w, "declare" | "exec" | "execute" | "set")
        && next.is_some_and(|n| {
            n.kind == Kind::Var
                || n.kind == Kind::Comment && toks.get(i + 2).is_some_and(|n| n.kind == Kind::Var)
                || n.kind == Kind::Open && toks.get(i + 2).is_some_and(|n| n.kind == Kind::Var)
        })
    {
        return Some("t-sql variable statement");
    }
    // `case when … then`, `) when 1 then`: SQL's conditional expression.
    if w == "when"
        && (breaks || i > 0 && is(s, toks.get(i - 1), &["case"]))
        && toks[i + 1..]
            .iter()
            .take(8)
            .any(|t| t.kind == Kind::Word && word(s, t) == "then")
    {
        return Some("case expression");
    }
    // `) as cc from`, `` ` as `x` from ``: an aliased column list leaking out of a quote.
    if w == "as"
        && breaks
        && next.is_some_and(|n| matches!(n.kind, Kind::Word | Kind::Str))
        && is(s, toks.get(i + 2), &["from"])
    {
        return Some("aliased select list");
    }
    // A value that starts with a logic word and a comparison: `and deleted = 0)`,
    // `or (7319=8742)`, `xor 'b' >` — also right after a `name=` the value carried along.
    let starts = i == 0
        || i == 2
            && toks[0].kind == Kind::Word
            && toks[1].kind == Kind::Op
            && word(s, &toks[1]) == "=";
    if starts && in_set(LOGIC, w) && !last {
        let mut j = i + 1;
        while toks.get(j).is_some_and(|t| t.kind == Kind::Open) {
            j += 1;
        }
        let cmp = toks.get(j + 1).is_some_and(|n| {
            n.kind == Kind::Op && is_compare_op(word(s, n)) || is(s, Some(n), COMPARE)
        });
        if operand(toks.get(j)) && cmp {
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
            .any(|t| t.kind == Kind::Word && word(s, t) == companion)
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

fn third_operand(toks: &[Tok], i: usize) -> bool {
    toks.get(i).is_some_and(|t| {
        matches!(
            t.kind,
            Kind::Num | Kind::Str | Kind::Open | Kind::Break | Kind::Var
        )
    })
}

fn is_compare_op(op: &str) -> bool {
    matches!(
        op,
        "=" | "<" | ">" | "<>" | "!=" | "<=" | ">=" | "<=>" | "==" | "!<" | "!>" | "^" | "&" | "|"
    )
}

fn is_sqlish(toks: &[Tok], s: &str) -> bool {
    toks.iter().any(|t| match t.kind {
        Kind::Break | Kind::Comment | Kind::Semi | Kind::Var => true,
        Kind::Word => matches!(
            word(s, t),
            "select" | "union" | "from" | "where" | "having" | "exec" | "waitfor"
        ),
        Kind::Op => matches!(word(s, t), "=" | "||" | "&&" | "<>"),
        _ => false,
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
        Self::analyse(s, present.any(&self.catalog_gate))
            .map(|(a, b, reason)| Finding { at: a..b, reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(v: &str) -> Option<&'static str> {
        let v = v.to_ascii_lowercase();
        Sqli::analyse(&v, catalog_names().is_match(&v)).map(|r| r.2)
    }

    #[test]
    fn finds_injections() {
        for v in [
            "1' or '1'='1",
            "1 and 3580=3580",
            "-3136%') or 3400=6002",
            "1) and 8514=(select count(*) from domain.domains as t1)",
            "1' union all select null,null--",
            "admin'--",
            "1;select pg_sleep(5)--",
            "1' waitfor delay '0:0:5'--",
            "x' or id is not null--",
            ";DROP/*test*/TABLE test;",
            "1 or elt(1234=1234,sleep(5))",
            "' or true--",
            "1' and extractvalue(1,concat(0x7e,version()))--",
            "@@version",
            "1' AND SLEEP(5) AND 'a'='a",
            "password::int",
            "OR '{\"b\":2}'::jsonb <@ '{\"a\":1}'",
            "a'or'a",
            "'admin', '1'='1'",
            "or (7319=8742)",
            "and deleted = 0)",
            "declare @b",
            "case when condition1 then result1",
            ") as cc from",
            "DELETE FROM users;--",
            "INFORMATION_SCHEMA",
            "benchmark(",
            "pay=and deleted = 0)",
            "from `information_schema`.tables limit",
            "abs(",
        ] {
            assert!(hit(v).is_some(), "{v}");
        }
    }

    #[test]
    fn ignores_prose_and_data() {
        for v in [
            "O'Reilly and Sons",
            "Please select an option from the menu",
            "rock 'n' roll",
            "don't drop the table, it's my grandma's",
            "1 or 2 items",
            "Tom & Jerry; the show",
            "john.smith@example.com",
            "SELECT your size",
            "calle mayor 12, 3-4",
            "\"quoted\" text -- with dashes",
            "It's 5 o'clock",
            "fe80::1",
            "std::string",
            "and then there were none",
            "or maybe not",
            "Count (approx.) 5",
            "when in doubt, then relax",
            "as seen from above",
            "select an item from the list;",
            "date (see below)",
            "use `npm`. then run it",
        ] {
            assert!(hit(v).is_none(), "{v}: {:?}", hit(v));
        }
    }
}
