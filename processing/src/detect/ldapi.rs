//! LDAP injection: a value that closes the application's filter and opens another, e.g.
//! `*)(uid=*`, `x)(|(cn=*`, `)(&)`.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::Ldapi,
        rules: vec![
            Rule::new(
                &[")"],
                r"\)\s*\(\s*[|&!]",
                "filter closed and operator opened",
            ),
            Rule::new(
                &[")"],
                r"\)\s*\(\s*[a-z][a-z0-9;.-]*\s*[~<>]?=\s*[^)]*\*",
                "filter closed and wildcard filter opened",
            ),
            Rule::new(
                &["("],
                r"^\s*\*?\s*\)?\s*\(\s*[|&!]\s*\(",
                "filter operator injection",
            ),
            Rule::new(
                &["(&)", "(|)"],
                r"\(\s*[&|]\s*\)",
                "absolute true/false filter",
            ),
        ],
        applies: any_leaf,
    }
}
