//! CRLF injection / response splitting and request smuggling in values: a line break followed
//! by something a server would read as a header line or a new request line.

use super::rules::{Rule, RuleDetector};
use super::AttackType;
use crate::point::Place;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::Crlf,
        rules: vec![
            Rule::new(
                &["\n", "\r"],
                r"[\r\n][\s]*(?:set-cookie|location|content-(?:type|length|disposition)|refresh|host|x-[a-z-]+|remote-addr|cookie|transfer-encoding|access-control-[a-z-]+|link|connection|cache-control)\s*:",
                "header injected after line break",
            ),
            Rule::new(
                &["\n", "\r"],
                r"[\r\n]\s*(?:get|post|put|head|delete|options|patch|trace|connect)\s+\S+\s+http/\d",
                "request line after line break",
            ),
            Rule::new(
                &["http/"],
                r"http/\d(?:\.\d)?\s+\d{3}\b[^\r\n]{0,40}[\r\n]",
                "status line injection",
            ),
            Rule::new(&["\r"], r"\r[a-z-]{2,}\s*:", "header after bare cr"),
        ],
        applies: |l| {
            !matches!(l.place, Place::Header)
                || l.header
                    .as_deref()
                    .is_some_and(|h| !matches!(h, "CONTENT-TYPE"))
        },
    }
}
