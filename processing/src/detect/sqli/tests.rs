use super::*;

fn hit(v: &str) -> Option<&'static str> {
    let v = v.to_ascii_lowercase();
    let catalog = keywords::CATALOG.iter().any(|c| v.contains(c));
    Sqli::analyse(&v, catalog).map(|r| r.2)
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
