//! Prototype pollution: keys or paths that reach `Object.prototype`.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::PrototypePollution,
        rules: vec![Rule::new(
            &["__proto__", "prototype"],
            r"__proto__|constructor\s*(?:\.|\[\s*['\x22]?)\s*prototype",
            "prototype key",
        )],
        applies: any_leaf,
    }
}
