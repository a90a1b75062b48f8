//! LDAP injection: a value that closes the application's filter and opens another, e.g.
//! `*)(uid=*`, `x)(|(cn=*`, `x)!(sn=*`, `)(&)`.
//!
//! The breakout is structural: the value closes a parenthesis it never opened (RFC 4515 filters
//! are fully parenthesised, so only the enclosing filter of the application can be closed) and
//! then starts a filter: an operator (`&`, `|`, `!`) or an attribute assertion (`cn=…`, `sn~=…`,
//! `uid>=…`, `attr:1.2.3:=…`). A complete filter submitted as a value (an LDAP search form, a
//! directory admin tool) is balanced and stays clean, as do maths (`(a+b)*c`) and prose.

use super::prefilter::{lits, LitSet, Lits};
use super::rules::{first, Rule};
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

/// Bytes looked at after a closing parenthesis; an attribute description is short.
const LOOKAHEAD: usize = 96;

pub struct Ldapi {
    closes: Lits,
    rules: Vec<Rule>,
}

impl Ldapi {
    pub fn new() -> Self {
        Ldapi {
            closes: lits(&[")"]),
            rules: vec![Rule::new(
                &["(&)", "(|)"],
                r"\(\s*[&|]\s*\)",
                "absolute true/false filter",
            )],
        }
    }
}

impl Detector for Ldapi {
    fn attack(&self) -> AttackType {
        AttackType::Ldapi
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        if let Some((a, b, reason)) = first(&self.rules, &leaf.lower, present) {
            return Some(Finding { at: a..b, reason });
        }
        if !present.any(&self.closes) {
            return None;
        }
        breakout(leaf.lower.as_bytes())
    }
}

/// First unopened `)` followed by the start of a new filter.
fn breakout(s: &[u8]) -> Option<Finding> {
    let mut depth = 0i32;
    for (i, &b) in s.iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' if depth > 0 => depth -= 1,
            // `:)` and `;)` are smileys, not filter ends.
            b')' if i > 0 && matches!(s[i - 1], b':' | b';' | b'-') => {}
            b')' => {
                let rest = &s[i + 1..s.len().min(i + 1 + LOOKAHEAD)];
                if let Some(len) = filter_start(rest) {
                    return Some(Finding {
                        at: i..i + 1 + len,
                        reason: "filter closed and new filter opened",
                    });
                }
            }
            _ => {}
        }
    }
    None
}

/// Length of `[op] ( op` or `[op] ( attr cmp` at the start of `s`.
fn filter_start(s: &[u8]) -> Option<usize> {
    let mut i = skip_ws(s, 0);
    if matches!(s.get(i), Some(b'&' | b'|' | b'!')) {
        i = skip_ws(s, i + 1);
    }
    if s.get(i) != Some(&b'(') {
        return None;
    }
    i = skip_ws(s, i + 1);
    if matches!(s.get(i), Some(b'&' | b'|' | b'!')) {
        return Some(i + 1);
    }
    // attributedescription: a name or OID with `;options`, or an extensible `:rule:` match.
    let name = i;
    while s
        .get(i)
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b';' | b':'))
    {
        i += 1;
    }
    if i == name || !s[name].is_ascii_alphabetic() && !s[name].is_ascii_digit() {
        return None;
    }
    i = skip_ws(s, i);
    if matches!(s.get(i), Some(b'~' | b'<' | b'>')) {
        i += 1;
    }
    (s.get(i) == Some(&b'=')).then_some(i + 1)
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while s.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::check_one;

    #[test]
    fn finds_filter_breakouts() {
        let d = Ldapi::new();
        for v in [
            "admin)(|(password=*))",
            "x*)(objectclass=*",
            "bob)(!(memberOf=cn=admins))",
            "j*)!(mail=*",
            "pat)(employeeNumber>=0)",
            "a) ( givenName ~= jon",
            "z)(userAccountControl:1.2.840.113556.1.4.803:=2)",
            "q)(&)",
            "test)\t(\t|(uid=x)",
        ] {
            assert!(check_one(&d, v).is_some(), "{v}");
        }
    }

    #[test]
    fn leaves_balanced_filters_maths_and_prose() {
        let d = Ldapi::new();
        for v in [
            "(&(objectCategory=person)(objectClass=user)(mail=*@example.com))",
            "(|(cn=Jon*)(sn=Smith))",
            "(a+b)*c",
            "(1+2)+(3+4)",
            "great :) (score=10)",
            "f(x)=y",
            "O'Brien (née Smith)",
        ] {
            assert!(check_one(&d, v).is_none(), "{v}");
        }
    }
}
