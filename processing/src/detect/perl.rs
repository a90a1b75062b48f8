//! Perl code injection: `@{[ … ]}` interpolation runs arbitrary code inside a string that a
//! Perl application interpolates (templates, `eval "…"`), and `qx`/backtick-style operators.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::PerlInjection,
        rules: vec![
            Rule::new(&["@{"], r"@\{\s*\[", "perl code interpolation"),
            Rule::new(
                &["qx", "open"],
                r"\bqx\s*[{(/|!]|\bopen\s*\(\s*[a-z$]*\s*,\s*['\x22]\s*\|",
                "perl command operator",
            ),
        ],
        applies: any_leaf,
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::check_one;

    #[test]
    fn finds_interpolation_and_ignores_email_like_text() {
        let d = super::detector();
        for v in ["@{[system 'whoami']}", "@{   [ uc 'hello' ] }", "qx{id}"] {
            assert!(check_one(&d, v).is_some(), "{v}");
        }
        for v in [
            "mail me @{home}",
            "user@{domain}.com",
            "open the door, please",
        ] {
            assert!(check_one(&d, v).is_none(), "{v}");
        }
    }
}
