//! HTTP parameter pollution through array names: PHP (and parsers copying its rules) reads
//! `foo[1]a` as `foo[1]`, dropping whatever follows a closing bracket, so `foo[1]a=x&foo[1]b=y`
//! are two names to a WAF but one overwritten parameter to the application. Plain array
//! notation (`ids[]`, `filter[status]`, `a[1][2]`) is how forms and Rails/PHP clients send
//! structured data and stays clean; only text after a `]` that does not open another index is
//! the parser-differential shape.

use super::prefilter::LitSet;
use super::{AttackType, Detector, Finding};
use crate::point::{Leaf, Place};

pub struct Hpp;

impl Detector for Hpp {
    fn attack(&self) -> AttackType {
        AttackType::HttpParameterPollution
    }

    fn check(&self, leaf: &Leaf, _present: &LitSet) -> Option<Finding> {
        // JSON keys are never parsed with bracket rules.
        if !leaf.is_name
            || !matches!(leaf.place, Place::Query | Place::Body | Place::Cookie)
            || leaf.point.has_name("json_doc")
            || leaf.point.has_name("xml")
        {
            return None;
        }
        junk_after_index(&leaf.value).map(|at| Finding {
            at,
            reason: "text after parameter array index",
        })
    }
}

/// The range of text following a `]` (that closed a `[`) when it does not open another index.
fn junk_after_index(name: &str) -> Option<std::ops::Range<usize>> {
    let s = name.as_bytes();
    let open = s.iter().position(|&b| b == b'[')?;
    let mut i = open;
    while let Some(p) = s[i..].iter().position(|&b| b == b']') {
        let close = i + p;
        match s.get(close + 1) {
            None | Some(b'[') => {}
            Some(_) => return Some(open..s.len()),
        }
        i = close + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{tests::get, Engine};

    fn polluted(uri: &str) -> bool {
        Engine::new()
            .scan(&get(uri))
            .iter()
            .any(|h| h.attack == AttackType::HttpParameterPollution)
    }

    #[test]
    fn finds_text_after_an_index() {
        for uri in [
            "/p?user[0]x=alice&user[0]y=mallory",
            "/p?a[role]_=admin",
            "/p?cart[items][3]z=9",
        ] {
            assert!(polluted(uri), "{uri}");
        }
    }

    #[test]
    fn leaves_array_notation() {
        for uri in [
            "/p?ids[]=1&ids[]=2",
            "/p?filter[status]=open&filter[tags][]=a",
            "/p?a[1][2]=x",
            "/p?sort=name]asc",
            "/p?q=foo[1]a",
            "/p?unbalanced[x=1",
        ] {
            assert!(!polluted(uri), "{uri}");
        }
    }
}
