//! Mail command injection (SMTP, IMAP, POP3): a line break followed by a protocol command.
//!
//! Many commands are English words (`list`, `check`, `user`, `pass`, `quit`), and text areas
//! hold line breaks, so a command only counts with the argument grammar of its protocol:
//! SMTP's `MAIL FROM:`, POP3's numeric message arguments, an IMAP tag plus a sequence set or
//! mailbox. An IMAP tag with a digit (`a001`, `A1`) is how clients number commands and is
//! enough on its own; a tag-like English word (`I check…`) is not.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

/// End of the injected command line.
const EOL: &str = r"[ \t]*(?:[\r\n]|$)";

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::MailInjection,
        rules: vec![
            Rule::new(
                &["\n", "\r"],
                &format!(
                    r"[\r\n]\s*(?:mail\s+from\s*:|rcpt\s+to\s*:|data{EOL}|(?:helo|ehlo|vrfy|expn)[ \t]+\S|(?:rset|quit|starttls|turn|help){EOL}|auth[ \t]+(?:login|plain|cram-md5|xoauth2))"
                ),
                "smtp command after line break",
            ),
            Rule::new(
                &["\n", "\r"],
                &format!(
                    r"[\r\n]\s*(?:(?:retr|dele)[ \t]+\d+{EOL}|top[ \t]+\d+[ \t]+\d+|(?:uidl|list)(?:[ \t]+\d+)?{EOL}|(?:stat|noop){EOL}|user[ \t]+\S+[ \t]*\r?\n\s*pass[ \t]+\S|apop[ \t]+\S+[ \t]+[0-9a-f]{{32}})"
                ),
                "pop3 command after line break",
            ),
            Rule::new(
                &["\n", "\r"],
                r"[\r\n]\s*[a-z]{0,5}\d[a-z0-9]{0,6}[ \t]+(?:uid[ \t]+)?(?:login|select|examine|create|delete|rename|subscribe|unsubscribe|list|lsub|status|append|check|close|expunge|search|fetch|store|copy|move|capability|logout|authenticate|noop|idle|namespace|unselect|starttls|quit)\b",
                "imap command after line break",
            ),
            Rule::new(
                &["\n", "\r"],
                &format!(
                    r#"[\r\n]\s*[a-z]{{1,8}}[ \t]+(?:uid[ \t]+)?(?:store[ \t]+[\d*][\d:*,]*[ \t]+[+-]?flags|fetch[ \t]+[\d*][\d:*,]*[ \t]+(?:\(|all|fast|full|body|flags|envelope|rfc822|uid)|(?:copy|move)[ \t]+[\d*]*[:*,][\d:*,]*[ \t]|search[ \t]+(?:all|answered|deleted|flagged|new|old|recent|seen|unseen|since|before|text|subject|header|larger|smaller|charset)\b|(?:select|examine|status|append|create|delete|subscribe)[ \t]+(?:inbox\b|"[^"\r\n]*")|(?:list|lsub)[ \t]+"[^"\r\n]*"[ \t]+(?:"[^"\r\n]*"|[%*])|authenticate[ \t]+(?:plain|login|cram-md5|gssapi|xoauth2|oauthbearer)\b|(?:capability|logout|expunge){EOL})"#
                ),
                "imap command after line break",
            ),
            // Injected headers follow the field's own one-line value as a block of `Name:`
            // lines; a message that quotes a mail (prose, a blank line, then `From:`) is body.
            Rule::new(
                &["\n", "\r"],
                r"^[^\r\n]*(?:\r\n|\n|\r)(?:[ \t]*[a-z][a-z0-9-]*[ \t]*:[^\r\n]*(?:\r\n|\n|\r))*[ \t]*(?:bcc|cc|to|from|subject|reply-to)[ \t]*:",
                "mail header after line break",
            ),
        ],
        applies: any_leaf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::check_one;

    #[test]
    fn finds_commands_with_their_arguments() {
        let d = detector();
        for v in [
            "x\r\nRCPT TO:<victim@example.org>",
            "me@example.org\r\nDATA\r\n",
            "a\r\nQUIT",
            "x\nDELE 3",
            "x\r\nTOP 1 10",
            "x\r\nUSER bob\r\nPASS hunter2",
            "x\r\nt9 LOGOUT",
            "x\r\nz UID FETCH 1:* (FLAGS)",
            "x\r\nw select \"Sent Items\"",
            "x\r\nq SEARCH UNSEEN",
            "x\r\nA7 QUIT",
            "x\nBcc: all@example.org",
            "me@example.org\r\nCc: a@example.org\r\nBcc: b@example.org",
            "hello\r\nX-Mailer: y\r\nTo: victim@example.org\r\n\r\nbody",
            "x%0d%0a\r\n Bcc: all@example.org",
        ] {
            assert!(check_one(&d, v).is_some(), "{v:?}");
        }
    }

    #[test]
    fn leaves_prose_with_command_words() {
        let d = detector();
        for v in [
            "Hello,\nI check my mail every morning.\nThanks",
            "Steps:\nlist of items\nuser experience matters\npass the salt",
            "Plans\nquit smoking this year",
            "Notes\nmail from grandma arrived\ntop of the list",
            "Todo\nwe search for answers\nI store 5 boxes in the attic",
            "Q3 results\nthe data\nshows growth",
            "Hi,\nI forwarded the mail below.\n\nFrom: Bob <bob@example.com>\nSubject: invoice",
            "Hello\n\nTo: whom it may concern",
            "Notes\nbuy milk\nTo: John, call the bank",
        ] {
            assert!(check_one(&d, v).is_none(), "{v:?}");
        }
    }
}
