//! Remote file inclusion: a parameter whose whole value is a URL to code on another host — an
//! IP-literal host, a trailing `?` (to cut off an appended suffix), or a script extension.

use super::rules::{Rule, RuleDetector};
use super::AttackType;
use crate::point::Place;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::Rfi,
        rules: vec![
            Rule::new(
                &["://"],
                r"^\s*(?:https?|ftps?|smb|ldap)://(?:[^/@\s]*@)?\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}",
                "url with ip host",
            ),
            Rule::new(
                &["://"],
                r"^\s*(?:https?|ftps?)://[^\s]+\?+\s*$",
                "url ending in ?",
            ),
            Rule::new(
                &["://"],
                r"^\s*(?:https?|ftps?)://[^\s?]+\.(?:php\d?|phtml|txt|jsp|asp|aspx|pl|py|sh|cgi)(?:\?|%00|\x00|$)",
                "url to script file",
            ),
            Rule::new(&["\\\\"], r"^\s*\\\\[a-z0-9.-]+\\[a-z0-9$]", "unc path"),
            Rule::new(
                &["file:", "jar:", "netdoc:"],
                r"^\s*(?:url:)?(?:file|local_file|netdoc)://|^\s*jar:(?:https?|file|ftp):",
                "local or archive url scheme",
            ),
        ],
        applies: |l| !l.is_name && matches!(l.place, Place::Query | Place::Body | Place::Cookie),
    }
}
