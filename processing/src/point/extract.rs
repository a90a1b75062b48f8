//! Walks a request into [`Leaf`] values: URI, path segments, query, headers, cookies and body,
//! applying nested decoders (percent, HTML/JS escapes, JSON, base64, JWT) with bounds.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{base64, cookie, form, gzip, html, json, multipart, percent, xml};
use super::{Leaf, Place, Point, PointPart};
use crate::model::HttpRequest;

/// Per-request work bounds. Defaults are sized so a request costs well under a millisecond in
/// the common case and a few milliseconds in the worst case.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Leaves handed to detectors.
    pub max_leaves: usize,
    /// Nested decoders/parsers applied to one value (JSON inside base64 inside a query value…).
    pub max_depth: usize,
    /// Body bytes inspected (the rest is ignored).
    pub max_body: usize,
    /// Bytes of one leaf value inspected.
    pub max_value: usize,
    /// Total leaf bytes per request.
    pub max_bytes: usize,
    /// Output cap of a decompressed body (decode bombs).
    pub max_inflated: usize,
    /// Wall-clock budget for extraction; checked every few leaves.
    pub time_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_leaves: 2048,
            max_depth: 6,
            max_body: 1 << 20,
            max_value: 64 << 10,
            max_bytes: 4 << 20,
            max_inflated: 2 << 20,
            time_budget: Duration::from_millis(50),
        }
    }
}

/// Extracts every inspected leaf of `req`.
pub fn extract(req: &HttpRequest, limits: &Limits) -> Vec<Leaf> {
    extract_with(req, limits, |_| false).leaves
}

/// What [`extract_with`] walked.
pub struct Extracted {
    pub leaves: Vec<Leaf>,
    /// No bound (leaves, bytes, time) cut the walk short.
    pub complete: bool,
}

/// As [`extract`], leaving out the headers for which `skip(index in req.headers)` is true.
pub fn extract_with(req: &HttpRequest, limits: &Limits, skip: impl Fn(usize) -> bool) -> Extracted {
    let mut w = Walker::new(limits);
    w.leaves.reserve(req.headers.len() + 8);
    w.uri(&req.uri);
    for (i, (name, value)) in req.headers.iter().enumerate() {
        if w.full() {
            break;
        }
        if skip(i) {
            continue;
        }
        let upper = name.to_ascii_uppercase();
        if upper == "COOKIE" {
            for (k, v) in cookie::pairs(value) {
                let point = Point(Arc::new([
                    PointPart::Name("cookie"),
                    PointPart::Key(lossy(k)),
                ]));
                w.value(&point, Place::Cookie, &v, 0);
                w.name(&point, Place::Cookie, k);
            }
            continue;
        }
        w.header = Some(Arc::from(upper.as_str()));
        let point = Point(Arc::new([PointPart::Name("header"), PointPart::Key(upper)]));
        w.value(&point, Place::Header, value, 0);
        w.header = None;
    }
    if !req.body.is_empty() && !w.full() {
        w.body(req);
    }
    let complete = w.within_bounds();
    Extracted {
        leaves: w.leaves,
        complete,
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Lower-case identifier-like keys (`page`, `utm_source`, `user-id`) carry no payload;
/// skipping them keeps leaf counts low. Anything else is inspected: attackers put class names
/// (`java.lang.Runtime=x`), mixed-case base64 gadgets or `__proto__` in keys as readily as in
/// values.
fn plain_name(name: &[u8]) -> bool {
    name.len() <= 32
        && !name.windows(2).any(|w| w == b"__")
        && name
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
}

pub(super) struct Walker<'l> {
    limits: &'l Limits,
    pub(super) leaves: Vec<Leaf>,
    bytes: usize,
    deadline: Instant,
    header: Option<Arc<str>>,
}

impl<'l> Walker<'l> {
    fn new(limits: &'l Limits) -> Self {
        Walker {
            limits,
            leaves: Vec::new(),
            bytes: 0,
            deadline: Instant::now() + limits.time_budget,
            header: None,
        }
    }

    /// Every bound still holds (checked once, at the end: reads the clock).
    fn within_bounds(&self) -> bool {
        self.leaves.len() < self.limits.max_leaves
            && self.bytes < self.limits.max_bytes
            && Instant::now() <= self.deadline
    }

    pub(super) fn full(&self) -> bool {
        self.leaves.len() >= self.limits.max_leaves
            || self.bytes >= self.limits.max_bytes
            // Reading the clock per leaf would cost more than most leaves; every 32nd is enough.
            || (self.leaves.len() % 32 == 31 && Instant::now() > self.deadline)
    }

    fn push(&mut self, point: &Point, place: Place, value: String, is_name: bool) {
        self.bytes += value.len();
        let mut leaf = Leaf::new(point.clone(), place, value);
        leaf.is_name = is_name;
        leaf.header.clone_from(&self.header);
        self.leaves.push(leaf);
    }

    /// A parameter/key name; only names that could carry a payload become leaves.
    pub(super) fn name(&mut self, point: &Point, place: Place, name: &[u8]) {
        if !plain_name(name) && !self.full() {
            let cut = &name[..name.len().min(self.limits.max_value)];
            // Cookie names arrive raw; frameworks that decode cookies decode names too.
            if percent::has_escape(cut) {
                let decoded = percent::decode(cut, false);
                self.push(&point.with_name("percent"), place, lossy(&decoded), true);
            }
            self.push(point, place, lossy(cut), true);
        }
    }

    /// A value: becomes a leaf, then every decoder that applies is tried on it.
    pub(super) fn value(&mut self, point: &Point, place: Place, raw: &[u8], depth: usize) {
        if self.full() || raw.is_empty() {
            return;
        }
        let raw = &raw[..raw.len().min(self.limits.max_value)];
        let text = String::from_utf8_lossy(raw);
        if depth < self.limits.max_depth {
            self.expand(point, place, raw, &text, depth);
        }
        self.push(point, place, text.into_owned(), false);
    }

    fn expand(&mut self, point: &Point, place: Place, raw: &[u8], text: &str, depth: usize) {
        if percent::has_escape(raw) {
            let decoded = percent::decode(raw, false);
            self.value(&point.with_name("percent"), place, &decoded, depth + 1);
        }
        if html::has_escape(text) {
            let decoded = html::decode(text);
            self.value(
                &point.with_name("htmljs"),
                place,
                decoded.as_bytes(),
                depth + 1,
            );
        }
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            json::walk(self, &point.with_name("json_doc"), place, raw, depth + 1);
        } else if let Some((header, payload)) = base64::jwt(text) {
            let jwt = point.with_name("jwt");
            json::walk(
                self,
                &jwt.with_key("header").with_name("json_doc"),
                place,
                &header,
                depth + 1,
            );
            json::walk(
                self,
                &jwt.with_key("payload").with_name("json_doc"),
                place,
                &payload,
                depth + 1,
            );
        } else if let Some(decoded) = base64::plausible(text) {
            self.value(&point.with_name("base64"), place, &decoded, depth + 1);
        }
    }

    fn uri(&mut self, uri: &str) {
        let (path, query) = uri
            .split_once('?')
            .map_or((uri, None), |(p, q)| (p, Some(q)));
        // [uri] carries the decoded path; the query is inspected per parameter below.
        self.value(&Point::name("uri"), Place::Uri, path.as_bytes(), 0);
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        for (i, seg) in segments.iter().enumerate() {
            let decoded = percent::decode(seg.as_bytes(), false);
            let point = Point::name("path").with(PointPart::Index(i as u64));
            self.value(&point, Place::Path, &decoded, 0);
        }
        if let Some(last) = segments.last() {
            let decoded = percent::decode(last.as_bytes(), false);
            if let Some(dot) = decoded.iter().rposition(|&b| b == b'.') {
                self.value(&Point::name("action_name"), Place::Path, &decoded[..dot], 0);
                self.value(
                    &Point::name("action_ext"),
                    Place::Path,
                    &decoded[dot + 1..],
                    0,
                );
            }
        }
        if let Some(query) = query {
            self.form(&Point::name("get"), Place::Query, query.as_bytes());
        }
    }

    /// `k=v&…` pairs; a pair without `=` is inspected as a value under its own text.
    fn form(&mut self, base: &Point, place: Place, data: &[u8]) {
        for (k, v) in form::pairs(data) {
            if self.full() {
                break;
            }
            let point = base.with_key(&lossy(&k));
            match v {
                Some(v) => {
                    self.value(&point, place, &v, 0);
                    self.name(&point, place, &k);
                }
                None => self.value(&point, place, &k, 0),
            }
        }
    }

    fn body(&mut self, req: &HttpRequest) {
        let body = &req.body[..req.body.len().min(self.limits.max_body)];
        let mut base = Point::name("post");
        let encoding = req
            .header("content-encoding")
            .map(lossy)
            .unwrap_or_default();
        let inflated: Cow<'_, [u8]> = match gzip::inflate(&encoding, body, self.limits.max_inflated)
        {
            Some(out) => {
                base = base.with_name("gzip");
                Cow::Owned(out)
            }
            None => Cow::Borrowed(body),
        };
        let ctype = req
            .header("content-type")
            .map(lossy)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let trimmed = inflated.trim_ascii_start();
        if ctype.starts_with("multipart/") {
            if let Some(boundary) = multipart::boundary(&ctype_raw(req)) {
                let mp = base.with_name("multipart");
                for part in multipart::parts(&inflated, &boundary) {
                    if self.full() {
                        break;
                    }
                    let point = mp.with_key(&lossy(&part.name));
                    self.name(&point, Place::Body, &part.name);
                    if let Some(f) = &part.filename {
                        self.value(&point.with_name("file_name"), Place::Body, f, 0);
                    }
                    self.value(&point, Place::Body, &part.data, 0);
                }
                return;
            }
        }
        let looks_json = trimmed.starts_with(b"{") || trimmed.starts_with(b"[");
        let looks_xml = trimmed.starts_with(b"<");
        if ctype.contains("json") || (looks_json && !ctype.contains("form")) {
            if json::walk(self, &base.with_name("json_doc"), Place::Body, &inflated, 1) {
                return;
            }
        } else if ctype.contains("xml") || (looks_xml && !ctype.contains("form")) {
            xml::walk(self, &base.with_name("xml"), &inflated);
            return;
        } else if ctype.starts_with("application/x-www-form-urlencoded") {
            self.form(&base.with_name("form_urlencoded"), Place::Body, &inflated);
            // A body that is not really k=v pairs gets split oddly; inspect it whole too.
            if !inflated.contains(&b'&') {
                self.value(&base, Place::Body, &inflated, 0);
            }
            return;
        }
        self.value(&base, Place::Body, &inflated, 0);
    }
}

fn ctype_raw(req: &HttpRequest) -> String {
    req.header("content-type").map(lossy).unwrap_or_default()
}
