//! Shared matcher for the detectors whose language is small enough that a few anchored
//! patterns describe it (CRLF, LDAP filters, template delimiters…). Patterns are byte regexes
//! without Unicode classes (`(?-u)`), which keeps them on the fast DFA path, and each is guarded
//! by a cheap literal prefilter so most leaves never reach a regex.

use regex::bytes::Regex;

use super::prefilter::{lits, LitSet, Lits};

pub struct Rule {
    /// At least one of these literals must occur in the lower-cased value before the regex
    /// runs; empty means always run.
    pub prefilter: Lits,
    pub regex: Regex,
    pub reason: &'static str,
}

impl Rule {
    pub fn new(prefilter: &'static [&'static str], pattern: &str, reason: &'static str) -> Self {
        let regex = Regex::new(&format!("(?-u:{pattern})")).expect("static rule pattern compiles");
        Rule {
            prefilter: lits(prefilter),
            regex,
            reason,
        }
    }

    /// Byte range of the first match in `lower`.
    #[inline]
    pub fn find(&self, lower: &str, present: &LitSet) -> Option<(usize, usize)> {
        if !self.prefilter.is_empty() && !present.any(&self.prefilter) {
            return None;
        }
        self.regex
            .find(lower.as_bytes())
            .map(|m| (m.start(), m.end()))
    }
}

/// First matching rule of a list.
pub fn first(
    rules: &[Rule],
    lower: &str,
    present: &LitSet,
) -> Option<(usize, usize, &'static str)> {
    rules
        .iter()
        .find_map(|r| r.find(lower, present).map(|(a, b)| (a, b, r.reason)))
}

/// A detector that is just an ordered rule list, optionally restricted to some leaves.
pub struct RuleDetector {
    pub attack: super::AttackType,
    pub rules: Vec<Rule>,
    pub applies: fn(&crate::point::Leaf) -> bool,
}

impl super::Detector for RuleDetector {
    fn attack(&self) -> super::AttackType {
        self.attack
    }

    fn check(&self, leaf: &crate::point::Leaf, present: &LitSet) -> Option<super::Finding> {
        if !(self.applies)(leaf) {
            return None;
        }
        first(&self.rules, &leaf.lower, present)
            .map(|(a, b, reason)| super::Finding { at: a..b, reason })
    }
}

pub fn any_leaf(_: &crate::point::Leaf) -> bool {
    true
}
