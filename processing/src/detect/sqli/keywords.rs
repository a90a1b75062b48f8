//! SQL vocabulary, as classes of a word. The lexer classifies each word once, with one hash
//! lookup, and every check of every string context tests class bits on the shared tokens.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use super::super::words::Fnv;

/// Boolean connectives and the operators that join a condition to the query.
pub(super) const LOGIC: u16 = 1 << 0;
/// Word-spelled comparison operators.
pub(super) const COMPARE: u16 = 1 << 1;
/// Words that start a statement.
pub(super) const STATEMENT: u16 = 1 << 2;
/// Functions that are almost only ever called in injections (time, error and file based).
pub(super) const STRONG_FUNC: u16 = 1 << 3;
/// SQL functions that are also ordinary words; they count only with SQL context.
pub(super) const FUNC: u16 = 1 << 4;
/// More function names, only for the "name and paren end the value" probe.
pub(super) const PROBE_FUNC: u16 = 1 << 5;
/// Identifiers that exist only in SQL dialects: catalogs, OLE DB providers, extended procedures.
pub(super) const SQL_ONLY: u16 = 1 << 6;
/// PostgreSQL type names a `::` cast is written with.
pub(super) const PG_TYPE: u16 = 1 << 7;
/// Clause words whose presence makes a value read as a query (`from` only after a select
/// list, see `sqlish_tokens`: `from x import` and "from now on" are no query).
pub(super) const CLAUSE: u16 = 1 << 8;
/// Functions whose first argument is a condition (`if(1=1,…)`, `elt(…)`): a constant
/// condition there is a boolean-blind probe.
pub(super) const COND_FUNC: u16 = 1 << 9;
/// Set operators that join a second query: `union`, `except`, `intersect`, `minus`.
pub(super) const SET_OP: u16 = 1 << 10;
/// PostgreSQL type names that are not also module items of Rust/C++ paths.
pub(super) const PG_ONLY_TYPE: u16 = 1 << 12;
/// Other words a shape starts at (`when … then`, `as … from`, `order by`, `into outfile`).
pub(super) const ANCHOR: u16 = 1 << 11;

const LISTS: &[(u16, &[&str])] = &[
    (
        LOGIC,
        &[
            "or", "and", "xor", "div", "rlike", "regexp", "like", "having", "where", "not",
        ],
    ),
    (
        COMPARE,
        &[
            "like", "rlike", "regexp", "in", "is", "between", "sounds", "glob", "div", "mod",
            "ilike", "notnull",
        ],
    ),
    (
        STATEMENT,
        &[
            "select", "insert", "update", "delete", "drop", "exec", "execute", "declare",
            "shutdown", "create", "alter", "truncate", "waitfor", "set", "union", "call", "grant",
            "revoke", "merge", "replace", "handler", "load", "begin", "if", "while", "commit",
            "rollback", "backup", "kill", "bulk",
        ],
    ),
    (
        STRONG_FUNC,
        &[
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
        ],
    ),
    (
        FUNC,
        &[
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
        ],
    ),
    (
        PROBE_FUNC,
        &[
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
            "pow",
            "power",
            "sqrt",
            "log",
            "ln",
            "pi",
            "rtrim",
            "ltrim",
            "lpad",
            "rpad",
            "repeat",
            "current_database",
            "session_user",
            "connection_id",
            "last_insert_id",
        ],
    ),
    (
        SQL_ONLY,
        &[
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
        ],
    ),
    (
        PG_TYPE,
        &[
            "int",
            "int2",
            "int4",
            "int8",
            "integer",
            "bigint",
            "smallint",
            "numeric",
            "text",
            "varchar",
            "char",
            "json",
            "jsonb",
            "bytea",
            "regclass",
            "oid",
            "bool",
            "boolean",
            "date",
            "float",
            "real",
            "xml",
            "inet",
            "uuid",
            "double",
            "decimal",
            "timestamp",
            "timestamptz",
            "interval",
            "regproc",
            "regtype",
            "regnamespace",
            "money",
            "varbit",
            "cidr",
            "macaddr",
            "tsvector",
            "tsquery",
            "jsonpath",
        ],
    ),
    (
        CLAUSE,
        &["select", "union", "where", "having", "exec", "waitfor"],
    ),
    (
        COND_FUNC,
        &[
            "if", "iif", "elt", "ifnull", "nullif", "coalesce", "make_set", "choose",
        ],
    ),
    (
        PG_ONLY_TYPE,
        &[
            "int",
            "int2",
            "int4",
            "int8",
            "integer",
            "bigint",
            "smallint",
            "bytea",
            "regclass",
            "regproc",
            "regtype",
            "regnamespace",
            "oid",
            "jsonb",
            "inet",
            "varchar",
            "timestamptz",
            "tsvector",
            "tsquery",
            "varbit",
        ],
    ),
    (SET_OP, &["union", "except", "intersect", "minus"]),
    (
        ANCHOR,
        &[
            "when",
            "as",
            "collate",
            "limit",
            "offset",
            "escape",
            "into",
            "order",
            "group",
            "sp_executesql",
            "sp_oacreate",
            "sp_configure",
            "xp_regread",
            "xp_dirtree",
            "against",
            "from",
        ],
    ),
];

/// System catalog names (some dotted or with `$`, so matched as prefixes of the value, gated
/// by the prefilter).
pub(super) const CATALOG: &[&str] = &[
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

type Classes = HashMap<&'static str, u16, BuildHasherDefault<Fnv>>;

/// Longest keyword (longer words skip every lookup).
const MAX_LEN: usize = 20;

/// The keyword map, and for each word length the set of first and last letters keywords of
/// that length have: most words of a value fail that test and skip the hash.
struct Table {
    map: Classes,
    ends: [(u32, u32); MAX_LEN + 1],
}

/// Bit of a lower-case letter or `_` (0 for other bytes, which no keyword starts or ends with).
fn letter_bit(b: u8) -> u32 {
    match b {
        b'a'..=b'z' => 1 << (b - b'a'),
        b'_' => 1 << 26,
        b'0'..=b'9' => 1 << 27,
        b'$' => 1 << 28,
        _ => 0,
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = Classes::default();
        let mut ends = [(0, 0); MAX_LEN + 1];
        for (class, words) in LISTS {
            for w in *words {
                *map.entry(w).or_default() |= class;
                let b = w.as_bytes();
                assert!(b.len() <= MAX_LEN && !b.is_empty(), "keyword {w}");
                let e = &mut ends[b.len()];
                e.0 |= letter_bit(b[0]);
                e.1 |= letter_bit(b[b.len() - 1]);
            }
        }
        Table { map, ends }
    })
}

/// Classes of a lower-case word (0 for ordinary words).
pub(super) fn classify(w: &str) -> u16 {
    let b = w.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return 0;
    };
    if b.len() > MAX_LEN {
        return 0;
    }
    let t = table();
    let (firsts, lasts) = t.ends[b.len()];
    if firsts & letter_bit(first) == 0 || lasts & letter_bit(last) == 0 {
        return 0;
    }
    t.map.get(w).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_agrees_with_the_lists() {
        for (class, words) in LISTS {
            for w in *words {
                assert!(classify(w) & class != 0, "{w}");
            }
        }
        for w in [
            "",
            "selects",
            "x",
            "o'reilly",
            "unionx",
            "é",
            "a_very_long_identifier_name",
        ] {
            assert_eq!(classify(w), 0, "{w}");
        }
    }
}
