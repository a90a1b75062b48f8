//! Server-side request forgery: URLs (or bare hosts) that point at loopback, link-local cloud
//! metadata, private ranges or obfuscated IP forms, and schemes that only make sense against
//! internal services (`gopher://`, `dict://`). Full-width dots (`169。254…`) count as dots.

use super::rules::{Rule, RuleDetector};
use super::AttackType;
use crate::point::Leaf;

const HOSTS: &str = r"(?:localhost\d*(?:\.localdomain\d*)?|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|0\.0\.0\.0|0+(?:\.0+){0,3}(?::|/|$)|10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|169\.254\.\d{1,3}\.\d{1,3}|169(?:。|．|｡)254|\[?::1?\]?|\[::ffff:[0-9a-f.:]+\]|\[?fd[0-9a-f]{2}:|0x[0-9a-f]{1,8}(?:\.|/|:|$)|0[0-7]{3,}\.|\d{8,10}(?:/|:|$)|metadata(?:\.google\.internal|\.packet\.net|\.azure\.com)?|instance-data|100\.100\.100\.200|fd00:ec2::254|kubernetes\.default(?:\.svc)?|[a-z0-9.-]*\.(?:internal|local|localhost|nip\.io|xip\.io|sslip\.io|burpcollaborator\.net|oastify\.com|interact\.sh))";

fn url_like(leaf: &Leaf) -> bool {
    !leaf.is_name && leaf.place != crate::point::Place::Header
        || leaf
            .header
            .as_deref()
            .is_some_and(|h| !matches!(h, "HOST" | "ORIGIN" | "REFERER"))
}

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::Ssrf,
        rules: vec![
            Rule::new(
                &[
                    "gopher:", "dict:", "ldap:", "tftp:", "jar:", "netdoc:", "sftp:",
                ],
                r"^\s*(?:gopher|dict|ldaps?|tftp|jar|netdoc|sftp)://",
                "internal-service url scheme",
            ),
            Rule::new(
                &["://"],
                &format!(r"^\s*[a-z][a-z0-9+.-]{{1,15}}://(?:[^/@\s]*@)?{HOSTS}"),
                "url to internal address",
            ),
            Rule::new(
                &[],
                &format!(r"^\s*(?:[^/@\s:]*@)?{HOSTS}(?::\d+)?/"),
                "internal host reference",
            ),
        ],
        applies: |l| url_like(l) && (l.lower.contains("://") || l.lower.contains('/')),
    }
}
