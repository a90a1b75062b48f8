//! Prototype pollution: keys or paths that reach `Object.prototype`, written as text
//! (`__proto__[x]`, `a[constructor][prototype][x]`, `constructor.prototype.x`) or as the nesting
//! of a parsed document (`{"constructor": {"prototype": {"isAdmin": true}}}`), where each key
//! is a plain identifier on its own and only the path shows the attack.

use super::prefilter::LitSet;
use super::rules::{first, Rule};
use super::{AttackType, Detector, Finding};
use crate::point::{Leaf, PointPart};

pub struct Proto {
    rules: Vec<Rule>,
}

impl Proto {
    pub fn new() -> Self {
        Proto {
            rules: vec![Rule::new(
                &["__proto__", "prototype"],
                r#"__proto__|constructor['"\]\s]*[.\[]['"\s]*prototype"#,
                "prototype key",
            )],
        }
    }
}

impl Detector for Proto {
    fn attack(&self) -> AttackType {
        AttackType::PrototypePollution
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        if let Some((a, b, reason)) = first(&self.rules, &leaf.lower, present) {
            return Some(Finding { at: a..b, reason });
        }
        constructor_path(leaf).then_some(Finding {
            at: 0..leaf.value.len(),
            reason: "value under constructor.prototype",
        })
    }
}

/// A `constructor` key directly followed by a `prototype` key along the point.
fn constructor_path(leaf: &Leaf) -> bool {
    let mut prev: Option<&str> = None;
    for part in leaf.point.0.iter() {
        if let PointPart::Key(k) = part {
            if prev == Some("constructor") && k == "prototype" {
                return true;
            }
            prev = Some(k);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{tests::get, Engine};

    fn polluted(r: &crate::model::HttpRequest) -> bool {
        Engine::new()
            .scan(r)
            .iter()
            .any(|h| h.attack == AttackType::PrototypePollution)
    }

    fn json(body: &str) -> crate::model::HttpRequest {
        let mut r = get("/api/settings");
        r.method = "POST".into();
        r.headers = vec![("Content-Type".into(), b"application/json".to_vec())];
        r.body = body.as_bytes().to_vec();
        r
    }

    #[test]
    fn finds_prototype_paths() {
        for uri in [
            "/p?a[constructor][prototype][admin]=1",
            "/p?x=constructor[%22prototype%22].polluted",
            "/p?__proto__.isAdmin=true",
        ] {
            assert!(polluted(&get(uri)), "{uri}");
        }
        assert!(polluted(&json(
            r#"{"user":{"constructor":{"prototype":{"isAdmin":true}}}}"#
        )));
    }

    #[test]
    fn leaves_ordinary_words() {
        for uri in [
            "/p?q=the+constructor+builds+a+prototype",
            "/p?role=prototype&stage=constructor",
        ] {
            assert!(!polluted(&get(uri)), "{uri}");
        }
        assert!(!polluted(&json(
            r#"{"constructor":"ACME Builders","prototype":{"name":"v2"}}"#
        )));
    }
}
