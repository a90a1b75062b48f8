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
            // The userinfo dresses up as the trusted host (`https://shop.example@evil.example`);
            // plain credentials (`https://user@host`) deceive nobody.
            Rule::new(
                &["@"],
                r"^\s*https?://[^/?#\s@]*\.[^/?#\s@]*@[^/?#\s]+",
                "userinfo redirect",
            ),
        ],
        applies: redirect_param,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::Point;

    fn hit(key: &str, v: &str) -> bool {
        let d = detector();
        let leaf = Leaf::new(Point::name("get").with_key(key), Place::Query, v.to_owned());
        let present = crate::detect::prefilter::Prefilter::current().scan(&leaf.lower);
        crate::detect::Detector::check(&d, &leaf, &present).is_some()
    }

    #[test]
    fn finds_redirect_tricks() {
        for v in [
            "//evil.example/",
            "/\\evil.example",
            "https:evil.example",
            "https://shop.example.com@evil.example/",
            "http://trusted.example:443@evil.example",
        ] {
            assert!(hit("next", v), "{v}");
        }
    }

    #[test]
    fn ignores_site_paths_and_credentials() {
        for v in [
            "/account/settings",
            "https://shop.example.com/cart",
            "https://user@example.com/",
            "https://cdn.example.com/a@2x.png",
        ] {
            assert!(!hit("next", v), "{v}");
        }
        assert!(!hit("q", "//evil.example/"));
    }
}
