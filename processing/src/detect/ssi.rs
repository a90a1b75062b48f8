//! Server-side includes: `<!--#exec cmd=…-->` and friends.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::Ssi,
        rules: vec![Rule::new(
            &["<!--"],
            r"<!--\s*#\s*(?:exec|include|echo|config|set|printenv|fsize|flastmod|if|elif)\b",
            "ssi directive",
        )],
        applies: any_leaf,
    }
}
