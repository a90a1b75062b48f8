//! CRLF injection / response splitting: a line break followed by something a server would read
//! as a header line or a status line, and line breaks where no client ever puts one.
//!
//! Values may hold line breaks (text areas, JSON strings), so there a break only counts when a
//! header name or a status line follows. Three places never legitimately hold one: the request
//! path (a break there splits the FastCGI/CGI environment, CVE-2019-11043), a query parameter
//! name, and a bare CR in a query or cookie value — browsers normalise form line breaks to
//! CRLF (HTML form submission), while some HTTP stacks end a header line at a lone CR.

use super::prefilter::{lits, LitSet, Lits};
use super::rules::{first, Rule};
use super::{AttackType, Detector, Finding};
use crate::point::{Leaf, Place, PointPart};

pub struct Crlf {
    rules: Vec<Rule>,
    breaks: Lits,
}

impl Crlf {
    pub fn new() -> Self {
        Crlf {
            rules: vec![
                Rule::new(
                    &["\n", "\r"],
                    r"[\r\n][\s]*(?:set-cookie2?|location|content-(?:type|length|disposition|encoding|security-policy(?:-report-only)?)|refresh|host|x-[a-z-]+|remote-addr|cookie|transfer-encoding|access-control-[a-z-]+|link|connection|cache-control|strict-transport-security|www-authenticate|proxy-(?:authenticate|authorization|connection)|authorization|forwarded|upgrade|keep-alive|expires|last-modified|etag|pragma|vary|retry-after|referrer-policy|cross-origin-[a-z-]+|permissions-policy|p3p)\s*:",
                    "header injected after line break",
                ),
                Rule::new(
                    &["http/"],
                    r"http/\d(?:\.\d)?\s+\d{3}\b[^\r\n]{0,40}[\r\n]",
                    "status line injection",
                ),
                Rule::new(&["\r"], r"\r[a-z-]{2,}\s*:", "header after bare cr"),
            ],
            breaks: lits(&["\n", "\r"]),
        }
    }
}

impl Detector for Crlf {
    fn attack(&self) -> AttackType {
        AttackType::Crlf
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        if leaf.header.as_deref() == Some("CONTENT-TYPE") || !present.any(&self.breaks) {
            return None;
        }
        let at_break = |reason| {
            let at = leaf.lower.find(['\r', '\n'])?;
            Some(Finding {
                at: at..leaf.lower.len(),
                reason,
            })
        };
        if matches!(leaf.place, Place::Uri | Place::Path) {
            return at_break("line break in request path");
        }
        if parameter_name(leaf) {
            return at_break("line break in parameter name");
        }
        if let Some((a, b, reason)) = first(&self.rules, &leaf.lower, present) {
            return Some(Finding { at: a..b, reason });
        }
        if form_value(leaf) {
            let s = leaf.lower.as_bytes();
            let bare = (0..s.len()).find(|&i| s[i] == b'\r' && s.get(i + 1) != Some(&b'\n'))?;
            return Some(Finding {
                at: bare..s.len(),
                reason: "bare carriage return",
            });
        }
        None
    }
}

/// A query parameter name: a name leaf, or a pair without `=` (inspected under its own text).
/// Bodies are left to the header rules: clients often send JSON or plain text with the form
/// content type, and a line break before the first `=` of such a body is not a name.
fn parameter_name(leaf: &Leaf) -> bool {
    leaf.place == Place::Query
        && (leaf.is_name
            || matches!(leaf.point.0.last(), Some(PointPart::Key(k)) if *k == leaf.value))
}

/// A value only a URL builder produced (query string, cookie); a body may be mislabelled
/// text with old Mac line ends.
fn form_value(leaf: &Leaf) -> bool {
    matches!(leaf.place, Place::Query | Place::Cookie)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{tests::get, Engine};

    fn crlf(uri: &str) -> bool {
        Engine::new()
            .scan(&get(uri))
            .iter()
            .any(|h| h.attack == AttackType::Crlf)
    }

    #[test]
    fn finds_breaks_where_none_belong() {
        for uri in [
            "/?next=%0d%0aSet-Cookie:%20admin=1",
            "/api/v1/users%0d%0aX-Forwarded-For:1.2.3.4",
            "/download/report%0A.pdf",
            "/?a=1&%0d%0aLocation:x=y",
            "/?q%0a=1",
            "/?msg=hello%0dworld",
            "/?msg=one%0a%0dtwo",
            "/?r=x%0d%0aHTTP/1.1%20200%20OK%0d%0a",
            "/?lang=en%0d%0aStrict-Transport-Security:%20max-age=0",
        ] {
            assert!(crlf(uri), "{uri}");
        }
    }

    #[test]
    fn leaves_ordinary_line_breaks() {
        for uri in [
            "/?comment=first+line%0d%0asecond+line",
            "/?comment=Dear+team,%0aplease+see+below:%0athanks",
            "/?note=a%0d%0a%0d%0ab",
            "/?text=line%0aHost+name+resolution+failed",
            "/search?q=HTTP/1.1+200+OK",
            "/?comment=Hello%0d%0aNote:+the+upgrade+is+done",
        ] {
            assert!(!crlf(uri), "{uri}");
        }
    }
}
