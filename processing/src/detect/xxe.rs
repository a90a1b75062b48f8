//! XML external entities: entity declarations that load a URI, parameter entities, and
//! XInclude.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::Xxe,
        rules: vec![
            Rule::new(
                &["<!entity"],
                r"<!entity\s+(?:%\s+)?[^\s>]+\s+(?:system|public)\b",
                "external entity",
            ),
            Rule::new(&["<!entity"], r"<!entity\s+%", "parameter entity"),
            Rule::new(
                &["xinclude", "xi:include"],
                r"<\s*xi:include\b|xmlns:xi\s*=\s*.http://www\.w3\.org/2001/xinclude",
                "xinclude",
            ),
            Rule::new(
                &["<!doctype"],
                r"<!doctype\s+[^>\[]*\s(?:system|public)\s+['\x22][^'\x22]*(?:file:|https?:|ftp:|php:|expect:|jar:|gopher:)",
                "external dtd",
            ),
        ],
        applies: any_leaf,
    }
}
