//! Cross-site scripting: markup that a browser would parse into script — a tag with an event
//! handler or a script-capable URL, a script-capable element, a quote break into an event
//! handler attribute, a `javascript:` URL (control characters inside the scheme removed, as
//! browsers do), or a call of a script sink (`alert(`, `document.cookie`, `eval(`).

use super::rules::{first, Rule};
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

const EVENTS: &str = r"on(?:abort|activate|after\w+|animation\w+|before\w+|blur|begin|bounce|cancel|canplay\w*|change|click|close|contextmenu|copy|cut|dblclick|drag\w*|drop|durationchange|end|ended|error|finish|focus\w*|formdata|hashchange|input|invalid|key\w+|load\w*|message|mouse\w+|move\w*|page\w+|paste|pointer\w+|popstate|progress|readystatechange|repeat|reset|resize|scroll\w*|search|seek\w*|select\w*|show|start|submit|toggle|touch\w+|transition\w+|unload|volumechange|waiting|wheel|content\w+|auxclick|play\w*|pause|ratechange|stalled|suspend|timeupdate|emptied|loadstart|fullscreen\w*|message\w*|offline|online|storage)";

pub struct Xss {
    rules: Vec<Rule>,
}

impl Xss {
    pub fn new() -> Self {
        let rules = vec![
            Rule::new(
                &["<"],
                r"<\s*/?\s*(?:script|iframe|frame|frameset|object|embed|applet|base|meta|svg|math|xss|isindex|import|template|portal|set|animate\w*|handler|vmlframe|xml|style|link|form|button|details|marquee|body|video|audio|source|image|img|input|textarea|keygen|select|bgsound|layer|ilayer|a|div|span|p|x|h1|table|td|html)\b[^>]*?(?:\b(?:href|src|data|action|formaction|xlink:href|background|dynsrc|lowsrc|code|codebase|poster)\s*=\s*['`\x22]?\s*(?:javascript|vbscript|livescript|data)\s*:|[\s/'`]on[a-z]{3,}\s*=)",
                "tag with script attribute",
            ),
            Rule::new(
                &["<"],
                r"<\s*(?:script|iframe|frameset|object|embed|applet|base\s|meta\s|svg|math|isindex|xss|portal|vmlframe|style|link\s)[\s/>]",
                "script-capable element",
            ),
            Rule::new(&["<"], r"<\s*script\b|<\s*/\s*script\s*>", "script element"),
            Rule::new(
                &["="],
                &format!(r#"(?:^|["'`;\s/])\s*{EVENTS}\s*=\s*\S"#),
                "event handler attribute",
            ),
            Rule::new(
                &["script", "data:"],
                r"(?:^|[\s'`=(]|&)\s*(?:javascript|vbscript|livescript|mocha)\s*:|data:\s*(?:text/html|image/svg\+xml|application/x?html)[;,]",
                "script URL",
            ),
            Rule::new(
                &["(", "`"],
                r"(?:^|[^a-z0-9_.$])(?:alert|prompt|confirm|eval|settimeout|setinterval|execscript|fromcharcode|atob|expression|import)\s*(?:\(|`)",
                "script sink call",
            ),
            Rule::new(
                &["document", "window", "location", "innerhtml", "cookie"],
                r"\b(?:document\s*\.\s*(?:cookie|write|writeln|domain|location|body|createelement|getelementby\w+|forms|images|documentelement)|window\s*\.\s*(?:location|open|name|eval)|\.\s*(?:innerhtml|outerhtml)\s*=|(?:top|self|parent|frames)\s*\[\s*['`])",
                "DOM sink access",
            ),
            Rule::new(
                &["-moz-binding", "behavior", "@import"],
                r"-moz-binding\s*:|behavior\s*:\s*url|@import\s",
                "style script hook",
            ),
            Rule::new(
                &["<!", "<?"],
                r"<!\[cdata\[\s*<|<\?xml-stylesheet",
                "markup hiding script",
            ),
        ];
        Xss { rules }
    }
}

/// Browsers drop tabs and newlines inside a URL scheme (`jav&#13ascript:`).
fn strip_controls(s: &str) -> Option<String> {
    s.bytes()
        .any(|b| b < 0x20)
        .then(|| s.chars().filter(|c| !c.is_control()).collect())
}

impl Detector for Xss {
    fn attack(&self) -> AttackType {
        AttackType::Xss
    }

    fn check(&self, leaf: &Leaf) -> Option<Finding> {
        let lower = leaf.lower.as_str();
        if let Some((a, b, reason)) = first(&self.rules, lower) {
            return Some(Finding { at: a..b, reason });
        }
        let stripped = strip_controls(lower)?;
        first(&self.rules, &stripped).map(|(_, _, reason)| Finding {
            at: 0..lower.len(),
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{Place, Point};

    fn hit(v: &str) -> bool {
        Xss::new()
            .check(&Leaf::new(Point::name("get"), Place::Query, v.to_owned()))
            .is_some()
    }

    #[test]
    fn finds_xss() {
        for v in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "\" onmouseover=\"alert(1)",
            "javascript:alert(document.cookie)",
            "jav\rascript:alert(7)",
            "<svg/onload=alert(1)>",
            "';alert(String.fromCharCode(88))//",
            "<object data=\"javascript:alert(1)\">",
            "document.body.appendChild(document.createElement(\"h1\"))",
            "<a href=\"javascript:void(0)\">x</a>",
        ] {
            assert!(hit(v), "{v}");
        }
    }

    #[test]
    fn ignores_markup_free_text_and_safe_html() {
        for v in [
            "Tom <tom@example.com>",
            "a < b and c > d",
            "<b>bold</b> and <i>italic</i>",
            "The alert was raised (twice)",
            "https://example.com/page?on=1",
            "turn on = off",
            "see document.pdf",
            "click on the button",
        ] {
            assert!(!hit(v), "{v}");
        }
    }
}
