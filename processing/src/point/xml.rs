//! A tolerant XML walk: text and attribute values become leaves under `xml_tag` /
//! `xml_attr` steps; the DOCTYPE (where XXE lives) and processing instructions are leaves of
//! their own. Not a validating parser: captured bodies are often truncated or hostile.

use super::extract::Walker;
use super::{Place, Point};

/// Open-tag nesting kept in the point; deeper elements are reported at this depth.
const MAX_STACK: usize = 32;

pub fn walk(w: &mut Walker<'_>, base: &Point, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let s = text.as_ref();
    let mut stack: Vec<&str> = Vec::new();
    let mut i = 0;
    let point_of = |stack: &[&str]| {
        stack
            .iter()
            .fold(base.clone(), |p, t| p.with_name("xml_tag").with_key(t))
    };
    while i < s.len() && !w.full() {
        let Some(rel) = s[i..].find('<') else {
            w.value(&point_of(&stack), Place::Body, s[i..].trim().as_bytes(), 0);
            break;
        };
        let txt = s[i..i + rel].trim();
        if !txt.is_empty() {
            w.value(&point_of(&stack), Place::Body, txt.as_bytes(), 0);
        }
        let at = i + rel;
        let rest = &s[at..];
        let (kind, end_pat) = if rest.starts_with("<!--") {
            ("comment", "-->")
        } else if rest.starts_with("<![CDATA[") {
            ("cdata", "]]>")
        } else if rest.starts_with("<!") {
            ("dtd", ">")
        } else if rest.starts_with("<?") {
            ("pi", "?>")
        } else {
            ("tag", ">")
        };
        let end = if kind == "dtd" {
            dtd_end(rest)
        } else {
            rest.find(end_pat).map(|e| e + end_pat.len())
        };
        let end = end.unwrap_or(rest.len());
        let inner = &rest[..end];
        match kind {
            "dtd" => w.value(&base.with_name("xml_dtd"), Place::Body, inner.as_bytes(), 0),
            "pi" => w.value(&base.with_name("xml_pi"), Place::Body, inner.as_bytes(), 0),
            "cdata" => {
                let body = inner
                    .trim_start_matches("<![CDATA[")
                    .trim_end_matches("]]>");
                w.value(&point_of(&stack), Place::Body, body.as_bytes(), 0);
            }
            "comment" => w.value(
                &base.with_name("xml_comment"),
                Place::Body,
                inner.as_bytes(),
                0,
            ),
            _ => tag(w, &mut stack, inner, &point_of),
        }
        i = at + end.max(1);
    }
}

fn tag<'a>(
    w: &mut Walker<'_>,
    stack: &mut Vec<&'a str>,
    inner: &'a str,
    point_of: &dyn Fn(&[&str]) -> Point,
) {
    let body = inner.trim_start_matches('<').trim_end_matches('>');
    if let Some(close) = body.strip_prefix('/') {
        let name = close.trim();
        if let Some(pos) = stack.iter().rposition(|t| *t == name) {
            stack.truncate(pos);
        }
        return;
    }
    let self_closing = body.ends_with('/');
    let body = body.trim_end_matches('/');
    let name_end = body.find(|c: char| c.is_whitespace()).unwrap_or(body.len());
    let name = &body[..name_end];
    let mut attrs = &body[name_end..];
    let mut here = stack.clone();
    here.push(name);
    let point = point_of(&here);
    while let Some(eq) = attrs.find('=') {
        let key = attrs[..eq].trim();
        let after = attrs[eq + 1..].trim_start();
        let (val, rest) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => match after[1..].find(q) {
                Some(e) => (&after[1..1 + e], &after[e + 2..]),
                None => (&after[1..], ""),
            },
            _ => {
                let e = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..e], &after[e..])
            }
        };
        w.value(
            &point.with_name("xml_attr").with_key(key),
            Place::Body,
            val.as_bytes(),
            0,
        );
        attrs = rest;
    }
    if !self_closing && !name.is_empty() && stack.len() < MAX_STACK {
        stack.push(name);
    }
}

/// End of a `<!DOCTYPE … [ … ]>` declaration, internal subset included.
fn dtd_end(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '>' if depth <= 0 => return Some(i + 1),
            _ => {}
        }
    }
    None
}
