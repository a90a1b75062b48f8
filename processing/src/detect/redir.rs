//! Open redirect: redirect-style parameters whose value leaves the site by tricks that pass a
//! naive "starts with /" check (`//evil`, `/\evil`, `\\evil`, `https:evil`, userinfo `@`).

use super::rules::{Rule, RuleDetector};
use super::AttackType;
use crate::point::{Leaf, Place, PointPart};

const NAMES: &[&str] = &[
    "redirect",
    "redirect_uri",
    "redirect_url",
    "redirecturl",
    "redir",
    "url",
    "next",
    "return",
    "returnto",
    "return_to",
    "returnurl",
    "return_url",
    "goto",
    "dest",
    "destination",
    "continue",
    "target",
    "rurl",
    "forward",
    "callback",
    "checkout_url",
    "success_url",
    "back",
];

fn redirect_param(leaf: &Leaf) -> bool {
    if leaf.is_name || !matches!(leaf.place, Place::Query | Place::Body) {
        return false;
    }
    leaf.point.0.iter().rev().find_map(|p| match p {
        PointPart::Key(k) => Some(NAMES.contains(&k.to_ascii_lowercase().as_str())),
        _ => None,
    }) == Some(true)
}

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::Redir,
        rules: vec![
            Rule::new(
                &[],
                r"^\s*(?:/[\\/\t]+|\\[\\/]+|/%09/|/\s+/)[a-z0-9.-]+",
                "scheme-relative redirect",
            ),
            Rule::new(
                &[],
                r"^\s*https?:(?:[\\/]?[^\\/\s]|[\\/]{3,}|\\)",
                "malformed scheme redirect",
            ),
            Rule::new(
                &["@"],
                r"^\s*https?://[^/?#\s]*@[^/?#\s]+",
                "userinfo redirect",
            ),
        ],
        applies: redirect_param,
    }
}
