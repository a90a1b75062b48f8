//! Security scanners announcing themselves in request headers.

use super::rules::{Rule, RuleDetector};
use super::AttackType;
use crate::point::Place;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::Scanner,
        rules: vec![Rule::new(
            &[],
            r"\b(?:nikto|sqlmap|nmap|masscan|zgrab|nuclei|dirbuster|gobuster|dirb|wpscan|joomscan|acunetix|netsparker|w3af|havij|arachni|skipfish|openvas|nessus|whatweb|feroxbuster|ffuf|wfuzz|jaeles|commix|xsser|fimap|paros|webinspect|appscan|qualys|burpcollaborator|owasp[ _-]?zap|zaproxy|bsqlbf|sqlninja|brutus|hydra|medusa|morfeus|zmeu|nsauditor|webshag|metasploit|wapiti|uniscan|crowdstrike|censysinspect|internet-?measurement|httpx\s*-|interactsh|dotdotpwn|bbqsql|pangolin|absinthe|sql power injector|blackwidow|webtrends|teleport ?pro|cgichk|jorgee|mozilla/4\.0 \(compatible; msie 6\.0; windows nt 5\.1; sv1\)$)",
            "scanner signature",
        )],
        applies: |l| {
            l.place == Place::Header
                && l.header.as_deref().is_some_and(|h| {
                    matches!(
                        h,
                        "USER-AGENT"
                            | "X-SCANNER"
                            | "X-SCAN-MEMO"
                            | "ACUNETIX-PRODUCT"
                            | "X-WIPP"
                            | "X-REQUEST-MEMO"
                            | "X-REQUESTMANAGER-MEMO"
                    )
                })
        },
    }
}
