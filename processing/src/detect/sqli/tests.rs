use super::*;

fn hit(v: &str) -> Option<&'static str> {
    let v = v.to_ascii_lowercase();
    let catalog = keywords::CATALOG.iter().any(|c| v.contains(c));
    let homoglyphs = HOMOGLYPH_LITS.iter().any(|c| v.contains(c));
    Sqli::analyse(&v, &|| catalog, homoglyphs).map(|r| r.2)
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
        "drop table users",
        "DROP TABLE IF EXISTS users",
        "drop table users cascade",
        "create table t (a int)",
        "drop database shop--",
        "sleep(5)",
        "sleep(5)#",
        "sleep(5) and 1",
        "benchmark(10000000,md5(1))",
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
        "drop table tennis rules",
        "truncate table talk now",
        "sleep(8) hours a night",
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

/// Each shape with attack variants (not corpus lines) and the reason it is reported under.
#[test]
fn shapes_and_reasons() {
    let mut bad = Vec::new();
    for (v, why) in [
        // A constant condition: known before the query runs, so only a probe writes it.
        ("5) or (12=12)*3", "boolean condition"),
        ("(41=42)*7", "arithmetic on a constant condition"),
        ("if(7=7,sleep(3),0)", "conditional on a constant"),
        ("iif(1=2,0,1/0)", "conditional on a constant"),
        ("2 and elt(77=77,sleep(2))", "boolean condition"),
        ("10 and 4=4", "boolean condition"),
        // Any function called right after the closed string, then the statement ends.
        ("bob' and (md5(id));", "boolean condition"),
        ("guest' or somefunc(a, b) --", "boolean condition"),
        ("or length(password) > 5", "leading logic and sql function"),
        // Two literals compared, the second closed by the query's quote.
        ("'abc'<>'abd", "literals compared"),
        ("\"7\"=\"7", "literals compared"),
        // One datum glued to the closing quote, then SQL and a comment / the statement end.
        ("name'<>1--", "quote break and operator"),
        ("u'=''#", "quote break and comment"),
        ("k'like'k'--", "quote break and comment"),
        ("id'is null-id--", "string continued and cut off"),
        ("'is not null;", "string continued and cut off"),
        ("7<>8", "tautology"),
        ("'ab'='ab'", "tautology"),
        ("'x' < 'y' = 1", "literals compared"),
        ("or '[1,2]' ->> '$[0]' = 1", "leading logic and comparison"),
        ("bob@example.org';", "string closed and statement ended"),
        ("42'; -- x", "quote break and comment"),
        // PostgreSQL JSON operators and casts.
        (
            "or '{\"k\":1}' ?& array['k']",
            "leading logic and comparison",
        ),
        ("current_database()::text", "postgres cast"),
        ("x::bigint", "postgres cast"),
        // The other set operators.
        ("1 intersect select 1", "set operator and query"),
        ("3 except values (4, 5)", "set operator and query"),
        ("x' except all select null--", "set operator and query"),
        // A constant condition and the rest of the query cut off.
        ("or 2#", "leading logic and terminated constant"),
        ("and true--", "leading logic and terminated constant"),
        // The backtick context (a MySQL identifier).
        ("x` as `u` from", "aliased select list"),
        ("x` or 1=1 #", "boolean condition"),
        // Stacked statements after SQL only.
        ("7; drop table t", "stacked query"),
        ("ab'; shutdown with nowait", "stacked query"),
    ] {
        if hit(v) != Some(why) {
            bad.push(format!("{v:?}: {:?}", hit(v)));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

/// Near misses of the shapes above: search syntax, formulas, code, prose with quotes.
#[test]
fn near_misses_stay_clean() {
    let mut bad = Vec::new();
    for v in [
        "price >= 10 and price <= 100",
        "age > 18 and country = 'de'",
        "=SUM(A1:A10)/COUNT(A1:A10)",
        "=IF(A2=B2,\"yes\",\"no\")",
        "encode(in_file, out_file [,name, mode], *, backtick=False)",
        "(between 5 and 6)",
        "the boys' - team -- great",
        "our parents'; the rest",
        "O'Neil';",
        "it's fine; really",
        "run `make` && `make install`",
        "run `ls`; then `pwd`",
        "js: list.map`x`.join(', ') /* c */",
        "all values except values (in brackets)",
        "serde_json::json",
        "uuid::Uuid",
        "rust_decimal::Decimal",
        "std::chrono::duration",
        "x ~ y -- note",
        "\"a\" = \"b\" is false",
        "what? or why?",
        "I'm broke, but I push through; if nothing changes, I move",
        "5 stars; update: works great",
        "'a' = 'b'",
        "5 > 3",
        "'+-----------+-----------+'",
        "'4'        #  0x34 -> DIGIT FOUR",
        "\"-v\", \"--verbose\",",
        "'  ...  case (100, 300):  # no match: 200 != 300'",
        "\"Use 'len(x)' or 'x is not None' instead.\"",
        "L.count(value) -> integer -- number of occurrences",
    ] {
        if hit(v).is_some() {
            bad.push(format!("{v:?}: {:?}", hit(v)));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

/// Code and prose with quotes and a trailing comment are not a quote break.
#[test]
fn quoted_code_with_comments_stays_clean() {
    for v in [
        "it's 5 -- ok",
        "print('hi')  # greet",
        "f(x, 'a') /* note */",
        "don't (really) -- ok",
    ] {
        assert!(hit(v).is_none(), "{v}: {:?}", hit(v));
    }
}

/// Quote homoglyphs read as the quotes a conversion turns them into; curly-quoted prose stays
/// prose.
#[test]
fn quote_homoglyphs() {
    for v in [
        "7\u{2019} or \u{2019}a\u{2019}=\u{2019}a",
        "x\u{ff07} union select 1--",
        "1\u{00b4})--",
    ] {
        assert!(hit(v).is_some(), "{v}");
    }
    for v in [
        "don\u{2019}t stop \u{2014} it\u{2019}s 5 o\u{2019}clock",
        "\u{201c}select\u{201d} is a verb \u{2018}or\u{2019} a noun",
        "rock \u{2018}n\u{2019} roll -- live",
    ] {
        assert!(hit(v).is_none(), "{v}: {:?}", hit(v));
    }
    let v = "a\u{2019}b";
    assert_eq!(unhomoglyph(v).len(), v.len());
}

/// Quotes at the very ends of a value (a context with only the closing string).
#[test]
fn quotes_at_the_edges() {
    for v in [
        "abc`", "abc'", "abc\"", "`", "'", "\"'`", "x` ", "``;", "a`;--",
    ] {
        let _ = hit(v);
    }
}

/// `like`/`regexp` after a plain name is the application's own comparison.
#[test]
fn operator_words_after_names() {
    assert_eq!(hit("\"x\" title like \"%sql%"), None);
    assert_eq!(hit("x' like 'a%' --"), Some("quote break and comment"));
}

/// Prints the reason for each line of the file named by `SQLI_VALUES` (a tuning aid).
#[test]
#[ignore]
fn debug_values() {
    let Ok(path) = std::env::var("SQLI_VALUES") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for v in text.lines() {
        let v = v.replace("\\n", "\n");
        println!("{:?}\t{v:?}", hit(&v));
    }
}

/// Filter evasions from tamper scripts and bypass write-ups (comments as whitespace, the
/// scientific-notation trick, glued numbers, symbolic logic), and probes cut off right after
/// the break: each is SQL a database runs.
#[test]
fn evasions_and_truncated_probes() {
    let mut bad = Vec::new();
    for (v, why) in [
        // Line comments ended by a newline, inline comments, no-break spaces.
        ("7--kXz\nOR--qW\n41=41", "boolean condition"),
        ("7#kXz\nOR#qW\n41=41", "boolean condition"),
        ("7/**/OR/**/41=41", "boolean condition"),
        ("7'\u{a0}or\u{a0}2=2#", "boolean condition"),
        ("9 union/**/select 1", "union select"),
        ("x'/*a*/or/*b*/'q'='q", "boolean condition"),
        ("select/**/passwd", "comment-obfuscated keywords"),
        // `1.e` glued to a paren or a dot is nothing to MySQL.
        ("3 and 1.e(2=2)", "boolean condition"),
        (
            "0 union select 1.e(table_name) from information_schema 1.e.tables",
            "union select",
        ),
        // A number ends where letters start.
        ("-.5union select 1", "union select"),
        ("8e0union select 2", "union select"),
        // Symbolic connectives and constant expressions.
        ("4 && 63=63", "boolean condition"),
        ("4 || 'z'='z'", "boolean condition"),
        ("k' && 'm'='m", "boolean condition"),
        ("k'||'7", "boolean condition"),
        ("2 and 'p'+'q'='pq'", "boolean condition"),
        ("2 and (5)=(5)", "boolean condition"),
        ("2 and not 3=4", "boolean condition"),
        ("2 and !(3=4)", "boolean condition"),
        ("5' and '5", "boolean condition"),
        ("5 and @v:=5", "user variable assignment"),
        // A number and the rest of the query cut off.
        ("12 -- -", "number and comment"),
        ("12)#", "number and comment"),
        // Truncated statements after the break.
        ("'drop ta", "quote break and statement"),
        ("\" union all", "union select"),
        ("'alter a", "quote break and statement"),
        ("'union/", "quote break and statement"),
        ("3') union select", "union select"),
        ("3')) alter ta", "quote break and statement"),
        ("x'; select", "stacked query"),
        ("; drop table", "stacked query"),
        (";shutdown", "stacked query"),
        ("truncate logs;--", "terminated statement"),
        ("select 0x726f6f74", "select statement"),
        ("exec sp_helpdb", "exec statement"),
        ("execute(", "sql function probe"),
        ("current_database()", "sql function probe"),
        ("'|'", "quoted operator probe"),
        ("7'\"(.),)(\"'", "syntax-breaking probe"),
        // Dialect grammar: full-text conditions, result-set probes, bulk loads.
        (
            "2' or match(body) against ('+x' in boolean mode)#",
            "full-text match",
        ),
        ("4 procedure analyse(1,1)", "procedure analyse"),
        ("6; bulk insert t from 'c:/x.txt'", "stacked query"),
        ("33);--", "number and comment"),
    ] {
        if hit(v) != Some(why) {
            bad.push(format!("{v:?}: {:?} (want {why})", hit(v)));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

/// Near misses of the shapes above: version ranges, shell and code with `&&`/`||`, names
/// with digits, multi-line text with `#` headings, organisations with "union", prose dashes.
#[test]
fn evasion_near_misses_stay_clean() {
    let mut bad = Vec::new();
    for v in [
        ">=16 || 14 >=14.17",
        "^1.2.3 || ^2.0.0",
        "make && make install",
        "x || true",
        "1 && 2",
        "if (a && b == 1) { run(); }",
        "2nd floor or 3rd",
        "8am or 9pm",
        "3f2a9c1e-aa2b-4c5d-9e8f-0a1b2c3d4e5f",
        "1.example.com",
        "see fig. 1.e and 2.f",
        "# Install\nrun make\n# Use\nand then or else",
        "Pros and\n# Cons",
        "the workers' union",
        "teachers' select committee",
        "\"Union Station",
        "\"update your profile\"",
        "'alter ego' is a phrase",
        "; update: works great",
        "Execute the plan",
        "execute(plan)",
        "fork() and exec()",
        "bugzilla\" -- that is, a bug that was reported",
        "_ZTISt16invalid_argument@@GLIBCXX_3.4",
        "Rock' and 'roll",
        "O'Neil' or 'Smith",
        "'!=', '&&', '||', '->', '='",
        "join(('.',))",
        "x('.'),('.')",
        "5 -- great product",
        "'  is the name of the module, or '",
        "if (verbose) print(x);",
        "the match (final) against (all odds)",
        "str.match(/a/) against",
        "procedure analysis (see below)",
        "bulk insert of 5 rows",
        "5;-- wait",
        "from typing import (Any)\nif (v) and len(data) > 3: pass",
        "mail bob@example.org; count(3) left",
        "f(x); g(y) and hex(z)",
    ] {
        if hit(v).is_some() {
            bad.push(format!("{v:?}: {:?}", hit(v)));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

/// The byte pre-scan never rejects a value whose tokens `worth_checking` would accept.
#[test]
fn prescan_is_a_superset_of_token_check() {
    let mut toks = Vec::new();
    for v in [
        "1=1",
        "7 <> 8",
        "(41=42)*7",
        "5union",
        "1e0union",
        "0x1f=",
        "3rd floor",
        "x::int",
        "version()",
        "a b c",
        "plain words only",
        "12 34",
        "1.e(2)",
        "1 .5",
        "é'",
        "a\u{a0}or",
        "1\u{a0}=1",
        "-- x",
        "/* y */",
        "@a",
        "a;b",
        "`x`",
        "2e5+1",
        "0b1",
        "$x or",
        "_id or 1",
        "5 % 3",
        "4^2",
        "9 ~ 1",
        "1-2",
        "1/2",
        "1?",
        "1\\2",
    ] {
        lex::tokenize(v, &mut toks);
        if worth_checking(&toks) {
            assert!(lex::worth_lexing(v), "{v:?}");
        }
    }
}
