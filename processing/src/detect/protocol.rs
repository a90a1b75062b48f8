//! Protocol attacks on the headers that decide how a request is parsed (CRS 921 family): a
//! `Content-Type` that names a second media type or repeats a parameter, a `Range` that breaks
//! the RFC 9110 §14.2 grammar or asks for an amplifying number of parts, and the RFC 2109
//! `$Version` cookie that switches Java servers to the legacy quoted-cookie parser.
//!
//! All of them are parser differentials: a WAF picks the body parser from the leading media
//! type while a backend that searches the header for `json`/`xml` (or takes the last `boundary`)
//! parses the body differently, so an attack in the body is never inspected the way it runs.
//! Each header is read whole from its raw leaf (`[header, "CONTENT-TYPE"]`), which the
//! extraction already emits, so no request-level pass is needed.

use super::prefilter::LitSet;
use super::{AttackType, Detector, Finding};
use crate::point::{Leaf, Place};

/// Top-level media types (IANA registry); a `x/y` token with one of these is a media type.
const TOP_TYPES: &[&str] = &[
    "application",
    "audio",
    "font",
    "image",
    "message",
    "model",
    "multipart",
    "text",
    "video",
];

/// Parameters whose value is a media type by definition: `type` and `start-info` of
/// `multipart/related` (RFC 2387) and the XOP package that MTOM sends (W3C XOP §4, `type`).
const MEDIA_TYPE_PARAMS: &[(&str, &[&str])] = &[
    ("multipart/related", &["type", "start-info"]),
    ("application/xop+xml", &["type"]),
];

/// More parts than any client needs; Apache Killer (CVE-2011-3192) sends hundreds.
const MAX_RANGES: usize = 64;

pub struct Protocol;

impl Detector for Protocol {
    fn attack(&self) -> AttackType {
        AttackType::ProtocolAttack
    }

    fn check(&self, leaf: &Leaf, _present: &LitSet) -> Option<Finding> {
        match leaf.place {
            // Only the raw header value, not what a decoder made of it.
            Place::Header if leaf.point.0.len() == 2 => match leaf.header.as_deref()? {
                "CONTENT-TYPE" => content_type(&leaf.lower),
                "RANGE" | "REQUEST-RANGE" => range(&leaf.lower),
                _ => None,
            },
            Place::Cookie if leaf.is_name && leaf.lower.trim() == "$version" => Some(Finding {
                at: 0..leaf.lower.len(),
                reason: "rfc 2109 $version cookie",
            }),
            _ => None,
        }
    }
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A second media type anywhere after the declared one (outside the parameters that carry one
/// by definition for the declared type), or a parameter given twice.
fn content_type(lower: &str) -> Option<Finding> {
    let s = lower.as_bytes();
    let lead = s.len() - lower.trim_start().len();
    let declared = lower[lead..]
        .split([';', ',', ' ', '\t'])
        .next()
        .unwrap_or_default();
    let typed: &[&str] = MEDIA_TYPE_PARAMS
        .iter()
        .find(|(t, _)| *t == declared)
        .map_or(&[], |(_, p)| p);
    for (i, _) in s.iter().enumerate().filter(|(_, &b)| b == b'/') {
        let start = s[..i]
            .iter()
            .rposition(|b| !b.is_ascii_alphabetic())
            .map_or(0, |p| p + 1);
        if start == lead
            || !TOP_TYPES.contains(&&lower[start..i])
            || !s.get(i + 1).is_some_and(|b| b.is_ascii_alphanumeric())
            || start > 0 && !b" \t,;\"'=(".contains(&s[start - 1])
            || typed.contains(&param_name_before(&s[..start]))
        {
            continue;
        }
        let end = s[i + 1..]
            .iter()
            .position(|&b| !is_token(b) || b == b'|')
            .map_or(s.len(), |p| i + 1 + p);
        return Some(Finding {
            at: start..end,
            reason: "second media type in content-type",
        });
    }
    repeated_param(lower)
}

/// The parameter name when `before` ends with `name=` (or `name="`).
fn param_name_before(before: &[u8]) -> &str {
    let mut end = before.len();
    if end > 0 && before[end - 1] == b'"' {
        end -= 1;
    }
    let trimmed = before[..end].trim_ascii_end();
    let Some(eq) = trimmed.strip_suffix(b"=") else {
        return "";
    };
    let name = eq.trim_ascii_end();
    let from = name
        .iter()
        .rposition(|&b| !is_token(b))
        .map_or(0, |p| p + 1);
    std::str::from_utf8(&name[from..]).unwrap_or_default()
}

/// A parameter given twice (`boundary=a; boundary=b`): parsers differ on which one wins.
fn repeated_param(lower: &str) -> Option<Finding> {
    let mut seen: [&str; 8] = [""; 8];
    let mut n = 0;
    let mut offset = 0;
    for (k, part) in split_params(lower).enumerate() {
        let at = offset;
        offset += part.len() + 1;
        if k == 0 {
            continue;
        }
        let name = part.split('=').next().unwrap_or_default().trim();
        if name.is_empty() {
            continue;
        }
        if seen[..n].contains(&name) {
            return Some(Finding {
                at: at..at + part.len(),
                reason: "content-type parameter repeated",
            });
        }
        if n < seen.len() {
            seen[n] = name;
            n += 1;
        }
    }
    None
}

/// `;`-separated parts, not splitting inside quoted strings.
fn split_params(s: &str) -> impl Iterator<Item = &str> {
    let mut quoted = false;
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        for (i, b) in r.bytes().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b';' if !quoted => {
                    rest = Some(&r[i + 1..]);
                    return Some(&r[..i]);
                }
                _ => {}
            }
        }
        rest = None;
        Some(r)
    })
}

/// RFC 9110 §14.2: `unit=range-set`; byte ranges are `first-[last]` or `-suffix` with
/// `first <= last`. Other units (`items=0-24`) are the application's own and pass.
fn range(lower: &str) -> Option<Finding> {
    let v = lower.trim();
    let bad = |reason| {
        Some(Finding {
            at: 0..lower.len(),
            reason,
        })
    };
    let Some((unit, set)) = v.split_once('=') else {
        return bad("range without unit");
    };
    let unit = unit.trim();
    if unit.is_empty() || !unit.bytes().all(is_token) {
        return bad("range without unit");
    }
    if unit != "bytes" {
        return None;
    }
    let mut parts = 0;
    for spec in set.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        parts += 1;
        let Some((first, last)) = spec.split_once('-') else {
            return bad("malformed byte range");
        };
        let num = |t: &str| {
            (t.len() <= 18 && !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse::<u64>().ok())
                .flatten()
        };
        match (first.trim(), last.trim()) {
            ("", l) if num(l).is_some() => {}
            (f, "") if num(f).is_some() => {}
            (f, l) => match (num(f), num(l)) {
                (Some(a), Some(b)) if a <= b => {}
                (Some(_), Some(_)) => return bad("descending byte range"),
                _ => return bad("malformed byte range"),
            },
        }
    }
    match parts {
        0 => bad("malformed byte range"),
        n if n > MAX_RANGES => bad("too many byte ranges"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::tests::get;
    use crate::detect::Engine;

    fn with_header(name: &str, value: &str) -> bool {
        let mut r = get("/upload");
        r.method = "POST".into();
        r.headers = vec![(name.into(), value.as_bytes().to_vec())];
        Engine::new()
            .scan(&r)
            .iter()
            .any(|h| h.attack == AttackType::ProtocolAttack)
    }

    #[test]
    fn conflicting_content_types() {
        for v in [
            "application/x-www-form-urlencoded; boundary=\"application/json\"",
            "application/x-www-form-urlencoded;boundary=text/xml",
            "text/plain; charset=utf-8; x=application/vnd.api+json",
            "application/x-www-form-urlencoded, application/json",
            "multipart/form-data; boundary=a; boundary=b",
            "multipart/form-data; boundary=\"video/mp4\"",
            "multipart/form-data; boundary=x; type=application/json",
        ] {
            assert!(with_header("Content-Type", v), "{v}");
        }
    }

    #[test]
    fn ordinary_content_types() {
        for v in [
            "application/json",
            "application/json; charset=UTF-8",
            "application/vnd.mycompany.customer-v2+json",
            "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
            "multipart/related; type=\"application/xop+xml\"; start=\"<root@x>\"; start-info=\"application/soap+xml\"; boundary=\"uuid:1\"",
            "application/soap+xml; charset=utf-8; action=\"http://tempuri.org/text/xml/Get\"",
            "multipart/mixed; boundary=\"a/b;c\"",
            "text/html; charset=\"utf-8\"",
        ] {
            assert!(!with_header("Content-Type", v), "{v}");
        }
    }

    #[test]
    fn range_grammar() {
        for v in [
            "1-2",
            "bytes 0-99",
            "bytes=5-1",
            "bytes=a-b",
            "bytes=--1",
            "bytes=",
        ] {
            assert!(with_header("Range", v), "{v}");
        }
        let killer = format!(
            "bytes=0-,{}",
            (1..200)
                .map(|i| format!("5-{i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert!(with_header("Range", &killer));
        for v in [
            "bytes=0-1023",
            "bytes=-500",
            "bytes=100-",
            "bytes=0-0, -1",
            "items=0-24",
        ] {
            assert!(!with_header("Range", v), "{v}");
        }
    }

    #[test]
    fn legacy_cookie_version() {
        assert!(with_header(
            "Cookie",
            "$Version=1; session=\"abc; admin=1\""
        ));
        assert!(with_header("Cookie", "a=b; $Version=\"1\"; c=d"));
        assert!(!with_header("Cookie", "MyVersion=1; PHPSESSID=x"));
        assert!(!with_header("Cookie", "version=2; theme=dark"));
    }
}
