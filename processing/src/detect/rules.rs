//! Shared matcher for the detectors whose language is small enough that a few anchored
//! patterns describe it (CRLF, LDAP filters, template delimiters…). Patterns are byte regexes
//! without Unicode classes (`(?-u)`), which keeps them on the fast DFA path, and each is guarded
//! by a cheap literal prefilter so most leaves never reach a regex.

use regex::bytes::Regex;

pub struct Rule {
    /// At least one of these must occur in the lower-cased value before the regex runs.
    pub prefilter: &'static [&'static str],
    pub regex: Regex,
    pub reason: &'static str,
}

impl Rule {
    pub fn new(prefilter: &'static [&'static str], pattern: &str, reason: &'static str) -> Self {
        let regex = Regex::new(&format!("(?-u:{pattern})")).expect("static rule pattern compiles");
        Rule {
            prefilter,
            regex,
            reason,
        }
    }

    /// Byte range of the first match in `lower`.
    pub fn find(&self, lower: &str) -> Option<(usize, usize)> {
        if !self.prefilter.is_empty() && !self.prefilter.iter().any(|p| lower.contains(p)) {
            return None;
        }
        self.regex
            .find(lower.as_bytes())
            .map(|m| (m.start(), m.end()))
    }
}

/// First matching rule of a list.
pub fn first(rules: &[Rule], lower: &str) -> Option<(usize, usize, &'static str)> {
    rules
        .iter()
        .find_map(|r| r.find(lower).map(|(a, b)| (a, b, r.reason)))
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

    fn check(&self, leaf: &crate::point::Leaf) -> Option<super::Finding> {
        if !(self.applies)(leaf) {
            return None;
        }
        first(&self.rules, &leaf.lower).map(|(a, b, reason)| super::Finding { at: a..b, reason })
    }
}

pub fn any_leaf(_: &crate::point::Leaf) -> bool {
    true
}
