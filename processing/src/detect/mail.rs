//! Mail command injection (SMTP, IMAP, POP3): a line break followed by a protocol command.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::MailInjection,
        rules: vec![
            Rule::new(
                &["\n", "\r"],
                r"[\r\n]\s*(?:mail\s+from|rcpt\s+to|data\s*$|helo\s|ehlo\s|vrfy\s|expn\s|rset\b|quit\b|starttls\b|auth\s+(?:login|plain))",
                "smtp command after line break",
            ),
            Rule::new(
                &["\n", "\r"],
                r"[\r\n]\s*(?:retr|dele|top|uidl|list|stat|user|pass|apop|noop)\s+\S",
                "pop3 command after line break",
            ),
            Rule::new(
                &["\n", "\r"],
                r"[\r\n]\s*[a-z0-9]{1,8}\s+(?:uid\s+)?(?:login|select|examine|create|delete|rename|subscribe|list|lsub|status|append|check|close|expunge|search|fetch|store|copy|capability|logout|authenticate)\b",
                "imap command after line break",
            ),
            Rule::new(
                &["\n", "\r"],
                r"[\r\n]\s*(?:bcc|cc|to|from|subject|reply-to)\s*:",
                "mail header after line break",
            ),
        ],
        applies: any_leaf,
    }
}
