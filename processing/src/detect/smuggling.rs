//! HTTP request smuggling carried in a value: a whole request line (`POST /admin HTTP/1.1`)
//! that a backend reading the value as part of its own stream would take for a second request,
//! and Apache `mod_proxy` socket targets (`unix:/run/app.sock|http://internal/`,
//! CVE-2021-40438) that make the proxy forward to a backend of the attacker's choosing.
//!
//! A request line needs all three parts of RFC 9112 §3 (method, request-target, `HTTP/` version),
//! so prose like "get it" or "GET foo bar" stays clean; the target must have one of the four
//! request-target forms (origin `/…`, absolute `scheme://…`, authority `host:port`, asterisk).
//! It must also start a line (or the value), as a request the backend reads must: an access
//! log line shipped to a log API (`1.2.3.4 - - "GET / HTTP/1.1" 200`) quotes one mid-line.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::HttpSmuggling,
        rules: vec![
            Rule::new(
                &["http/"],
                r"(?:^|[\r\n])[ \t]*(?:get|post|put|head|delete|options|patch|trace|track|connect|propfind|proppatch|mkcol|copy|move|lock|unlock)[ \t]+(?:/|\*|[a-z][a-z0-9+.-]*://|[a-z0-9.-]+:\d)[^\s]*[ \t]+http/\d",
                "request line in value",
            ),
            Rule::new(
                &["unix:"],
                r"(?:^|[^a-z0-9])unix:[^|\s]*\|\s*[a-z][a-z0-9+.-]*://",
                "mod_proxy unix socket target",
            ),
        ],
        applies: any_leaf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::check_one;

    #[test]
    fn finds_request_lines_and_socket_targets() {
        let d = detector();
        for v in [
            "x\r\n\r\nPOST /admin/users HTTP/1.1\r\nHost: internal",
            "GET /private HTTP/1.0",
            "a\nDELETE https://api.internal/v1/x HTTP/1.1",
            "ok\n\tCONNECT db.internal:5432 HTTP/1.1",
            "OPTIONS * HTTP/1.1",
            "unix:/var/run/php.sock|fcgi://127.0.0.1/",
            "/x?unix:aaaaaaaa|http://internal.local/",
        ] {
            assert!(check_one(&d, v).is_some(), "{v:?}");
        }
    }

    #[test]
    fn leaves_prose_and_plain_urls() {
        let d = detector();
        for v in [
            "get it\n",
            "aaa\r\nGet foo bar",
            "Please post your HTTP/2 questions here",
            "budget /month http/2 support", // "get" inside a word
            "https://example.com/docs/http/1.1/get",
            "run on unix: pipe output | grep foo",
            "unix:/tmp/socket",
            "10.0.0.7 - - [10/Oct/2024:13:55:36 +0000] \"GET /index.html HTTP/1.1\" 200 512",
        ] {
            assert!(check_one(&d, v).is_none(), "{v:?}");
        }
    }
}
