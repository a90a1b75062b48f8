use super::*;
use crate::model::HttpRequest;

pub(crate) fn get(uri: &str) -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        uri: uri.into(),
        version: "HTTP/1.1".into(),
        ..Default::default()
    }
}

fn types(hits: &[Hit]) -> Vec<&'static str> {
    hits.iter().map(|h| h.attack.as_str()).collect()
}

#[test]
fn ptrav_in_path_query_and_encodings() {
    let e = Engine::new();
    let hits = e.scan(&get("/etc/passwd"));
    assert_eq!(types(&hits), ["ptrav"]);
    assert_eq!(hits[0].point.to_string(), "[uri]");

    for uri in [
        "/download?file=../../../etc/hosts",
        "/download?file=%2e%2e%2f%2e%2e%2fboot.ini",
        "/download?file=%252e%252e%252fx",
        "/download?file=%c0%ae%c0%ae%c0%afx",
        "/download?file=....//....//x",
        "/download?file=..%5c..%5cwindows%5cwin.ini",
        "/download?file=%u002e%u002e%u2215x%u002e%u002e%u002fx",
    ] {
        let hits = e.scan(&get(uri));
        assert!(hits.iter().any(|h| h.attack == AttackType::Ptrav), "{uri}");
    }
    let hits = e.scan(&get("/d?file=%252e%252e%252fx"));
    assert_eq!(hits[0].point.to_string(), r#"[get, "file", percent]"#);
}

#[test]
fn ptrav_in_headers_cookies_and_bodies() {
    let e = Engine::new();
    let mut r = get("/");
    r.headers = vec![("Cookie".into(), b"lang=..%2F..%2Fetc%2Fpasswd".to_vec())];
    assert_eq!(e.scan(&r)[0].point.to_string(), r#"[cookie, "lang"]"#);

    let mut r = get("/");
    r.method = "POST".into();
    r.headers = vec![("Content-Type".into(), b"application/json".to_vec())];
    r.body = br#"{"tpl":"c:\\windows\\win.ini"}"#.to_vec();
    assert_eq!(
        e.scan(&r)[0].point.to_string(),
        r#"[post, json_doc, hash, "tpl"]"#
    );
}

#[test]
fn excerpt_is_bounded_and_on_char_boundaries() {
    let v = format!("{}é../{}", "é".repeat(300), "x".repeat(400));
    let start = v.find("..").unwrap_or(0);
    let e = excerpt(&v, start..v.len());
    assert!(e.len() <= MAX_PAYLOAD + 4);
    assert!(e.contains("../"));
}

#[test]
fn own_fixtures_benign_clean_attacks_found() {
    let input = include_str!("../../testdata/mixed.jsonl");
    let mut out = Vec::new();
    crate::scan::run(input.as_bytes(), &mut out, &Engine::new()).expect("scan runs");
    for line in String::from_utf8_lossy(&out).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        let id = v["id"].as_str().unwrap_or_default();
        let n = v["attacks"].as_array().map_or(0, Vec::len);
        if id.starts_with('b') {
            assert_eq!(n, 0, "benign {id}: {line}");
        } else {
            assert!(n > 0, "attack {id} missed");
        }
    }
}

/// Benign requests of the shapes real APIs carry (`testdata/benign.jsonl`, see
/// `xtask/scripts/gen_benign.py`): names with apostrophes, prose with SQL and shell words, code,
/// rich text, URLs and file names in parameters, package documents. None may raise an attack.
#[test]
fn benign_fixtures_stay_clean() {
    let input = include_str!("../../testdata/benign.jsonl");
    let mut out = Vec::new();
    let stats = crate::scan::run(input.as_bytes(), &mut out, &Engine::new()).expect("scan runs");
    assert!(stats.requests > 500, "{stats:?}");
    assert_eq!(stats.bad_lines, 0);
    let flagged: Vec<&str> = std::str::from_utf8(&out)
        .expect("utf-8 output")
        .lines()
        .filter(|l| !l.ends_with(r#""attacks":[]}"#))
        .collect();
    assert!(
        flagged.is_empty(),
        "benign requests flagged:\n{}",
        flagged.join("\n")
    );
}

/// Hostile repetitions of the constructs each detector scans for: every one must stay
/// roughly linear (a quadratic scan of a 64 KiB value takes minutes, not milliseconds).
#[test]
fn pathological_values_stay_fast() {
    let e = Engine::new();
    let units = [
        "&cat x",
        ";ls -",
        "[[",
        "${lower:",
        "'\"",
        "0x2e0x2f",
        "/*",
        "`a` ",
        "if a==b ",
        "<a on",
        "..\\",
        "$a(",
        "@{[",
        "(![]+[])",
        "%{#",
        "\\u00",
        "&#x3c;",
        ")(",
        "a)",
        "\r",
        "get / http/1 ",
        "unix:",
        "\nA1 list ",
        "1=1 or ",
        "'a';",
        "x'--",
        "(((",
        "’ or",
        "?a__in=",
        ";$a ",
        " /?/[",
        "{,l,}s ",
        "c'a't|",
        "while(!1)",
        "<?$",
        "http://a@",
        "\u{ff0e}\u{ff0f}",
        "<s c r ",
        "${1*",
        "0x7f.",
        "[::",
        "etc/.git/",
        "--a",
        "#\n",
        "1.e(",
        "on =",
        "/**/",
        "7\"'(",
        "$'\\x41",
        "a${b:0:1}",
        "w^",
        ";dir/s ",
        ";net user ",
        ";sleep 1 ",
        "a/*",
        "exec /**/(",
        "(' system ')",
        "while('a'=='a'",
        "fs.readfilesync(",
        "system(a(",
        ";$env",
        "\r\t",
        "x ')(",
    ];
    for unit in units {
        let value = unit.repeat(64 * 1024 / unit.len());
        let mut r = get("/p");
        r.method = "POST".into();
        r.headers = vec![("Content-Type".into(), b"text/plain".to_vec())];
        r.body = value.into_bytes();
        let start = std::time::Instant::now();
        let _ = e.scan(&r);
        let took = start.elapsed();
        // Debug builds are ~10x slower than release; the bound only catches blow-ups.
        assert!(took.as_secs() < 5, "{unit:?} took {took:?}");
    }
}
