//! NoSQL (MongoDB) operator injection: `$ne`, `$gt`, `$where`… appearing as a JSON key or a
//! bracketed parameter name (`user[$ne]=`), where plain data never has them.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::Nosqli,
        rules: vec![Rule::new(
            &["$"],
            r#"(?:^|[\[{"',\s])\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|or|and|nor|not|text|expr|elemmatch|all|size|type|mod|function|accumulator|jsonschema|comment|lookup|search|options)\b"#,
            "mongodb query operator",
        )],
        applies: any_leaf,
    }
}
