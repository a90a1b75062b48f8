//! Detection engine: extracts request points once, then runs one detector per attack type on
//! every leaf. Detectors work on decoded values and look for the grammar of an attack (a
//! traversal segment, a SQL tautology after a quote break, an event handler in a tag), not for
//! literal corpus strings.

mod clean;
mod crlf;
mod hpp;
mod java;
mod ldapi;
mod mail;
mod nodejs;
mod nosqli;
mod orm;
mod perl;
mod php;
mod prefilter;
mod proto;
mod protocol;
mod ptrav;
mod rce;
mod redir;
mod rfi;
mod ruby;
mod rules;
mod scanner;
mod session;
mod smuggling;
mod sqli;
mod ssi;
mod ssrf;
mod ssti;
mod upload;
mod words;
mod xss;
mod xxe;

#[cfg(test)]
mod tests;

use std::ops::Range;

use crate::model::HttpRequest;
use crate::point::{self, Leaf, Limits, Point, PointPart};
use prefilter::{LitSet, Prefilter};

/// Attack classes, named as in the corpus `attack_types` vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttackType {
    Sqli,
    Xss,
    Rce,
    Ptrav,
    Xxe,
    Ssti,
    Ssrf,
    Crlf,
    Ldapi,
    Nosqli,
    MailInjection,
    Ssi,
    Scanner,
    Redir,
    Rfi,
    JavaInjection,
    PhpInjection,
    NodejsInjection,
    PrototypePollution,
    SessionFixation,
    PerlInjection,
    HttpSmuggling,
    ProtocolAttack,
    HttpParameterPollution,
    OrmInjection,
    RubyInjection,
}

impl AttackType {
    pub fn as_str(&self) -> &'static str {
        match self {
            AttackType::Sqli => "sqli",
            AttackType::Xss => "xss",
            AttackType::Rce => "rce",
            AttackType::Ptrav => "ptrav",
            AttackType::Xxe => "xxe",
            AttackType::Ssti => "ssti",
            AttackType::Ssrf => "ssrf",
            AttackType::Crlf => "crlf",
            AttackType::Ldapi => "ldapi",
            AttackType::Nosqli => "nosqli",
            AttackType::MailInjection => "mail_injection",
            AttackType::Ssi => "ssi",
            AttackType::Scanner => "scanner",
            AttackType::Redir => "redir",
            AttackType::Rfi => "rfi",
            AttackType::JavaInjection => "java_injection",
            AttackType::PhpInjection => "php_injection",
            AttackType::NodejsInjection => "nodejs_injection",
            AttackType::PrototypePollution => "prototype_pollution",
            AttackType::SessionFixation => "session_fixation",
            AttackType::PerlInjection => "perl_injection",
            AttackType::HttpSmuggling => "http_smuggling",
            AttackType::ProtocolAttack => "protocol_attack",
            AttackType::HttpParameterPollution => "http_parameter_pollution",
            AttackType::OrmInjection => "orm_injection",
            AttackType::RubyInjection => "ruby_injection",
        }
    }
}

/// One detector match at one point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub attack: AttackType,
    pub point: Point,
    /// The matched fragment with a little context, at most [`MAX_PAYLOAD`] bytes.
    pub payload: String,
    pub reason: String,
}

/// Bound of [`Hit::payload`]: enough to read the attack, not a copy of the request.
pub const MAX_PAYLOAD: usize = 256;

/// What a detector found in one leaf: the byte range in `leaf.value` and why.
pub(crate) struct Finding {
    pub at: Range<usize>,
    pub reason: &'static str,
}

pub(crate) trait Detector: Send + Sync {
    fn attack(&self) -> AttackType;
    /// `present` holds the prefilter literals found in `leaf.lower` (see [`prefilter`]).
    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding>;
}

/// Built once, shared by every task (`Send + Sync`; the clean-header memo is per thread).
pub struct Engine {
    detectors: Vec<Box<dyn Detector>>,
    prefilter: Prefilter,
    limits: Limits,
    /// Identifies this engine's entries in the per-thread clean-header memo.
    id: u64,
    memo: bool,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    pub fn new() -> Self {
        let detectors: Vec<Box<dyn Detector>> = vec![
            Box::new(sqli::Sqli::new()),
            Box::new(xss::Xss::new()),
            Box::new(rce::Rce::new()),
            Box::new(ptrav::Ptrav::new()),
            Box::new(java::Java::new()),
            Box::new(php::Php::new()),
            Box::new(xxe::detector()),
            Box::new(ssti::detector()),
            Box::new(ssrf::detector()),
            Box::new(rfi::detector()),
            Box::new(crlf::Crlf::new()),
            Box::new(ldapi::Ldapi::new()),
            Box::new(nosqli::detector()),
            Box::new(mail::detector()),
            Box::new(ssi::detector()),
            Box::new(scanner::detector()),
            Box::new(redir::detector()),
            Box::new(nodejs::detector()),
            Box::new(proto::Proto::new()),
            Box::new(session::Session::new()),
            Box::new(perl::detector()),
            Box::new(smuggling::detector()),
            Box::new(protocol::Protocol),
            Box::new(hpp::Hpp),
            Box::new(orm::Orm::new()),
            Box::new(ruby::detector()),
        ];
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Engine {
            detectors,
            // After the detectors: they intern the literals the automaton is built from.
            prefilter: Prefilter::current(),
            limits: Limits::default(),
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            memo: true,
        }
    }

    /// The same engine without the clean-header memo: every header is checked on every request
    /// (benchmarks of the cold path; results are identical).
    pub fn without_memo(mut self) -> Self {
        self.memo = false;
        self
    }

    /// Empties this thread's clean-header memo (benchmarks of a stream seen for the first time).
    pub fn forget_clean_headers(&self) {
        clean::forget();
    }

    pub fn scan(&self, req: &HttpRequest) -> Vec<Hit> {
        // Headers (of the first 64) found clean on an earlier request are not walked again.
        let mut skipped = 0u64;
        if self.memo {
            for (i, (name, value)) in req.headers.iter().enumerate().take(64) {
                if clean::cacheable(name, value) && clean::is_clean(self.id, name, value) {
                    skipped |= 1 << i;
                }
            }
        }
        let extracted =
            point::extract_with(req, &self.limits, |i| i < 64 && skipped & (1 << i) != 0);
        let hits = self.check(&extracted.leaves, session::same_site(req));
        if self.memo && extracted.complete {
            for (i, (name, value)) in req.headers.iter().enumerate().take(64) {
                if skipped & (1 << i) == 0
                    && clean::cacheable(name, value)
                    && !hits.iter().any(|h| in_header(&h.point, name))
                {
                    clean::mark_clean(self.id, name, value);
                }
            }
        }
        hits
    }

    fn check(&self, leaves: &[Leaf], same_site: bool) -> Vec<Hit> {
        let mut hits: Vec<Hit> = Vec::new();
        for leaf in leaves {
            let present = self.prefilter.scan(&leaf.lower);
            for d in &self.detectors {
                let attack = d.attack();
                // A decoded child and its parent often both match: keep the first (the child,
                // which extraction emits first) only.
                if hits
                    .iter()
                    .any(|h| h.attack == attack && related(&h.point, &leaf.point))
                {
                    continue;
                }
                if let Some(f) = d
                    .check(leaf, &present)
                    .filter(|f| !(same_site && f.reason == session::IN_PARAMETER))
                {
                    hits.push(Hit {
                        attack,
                        point: leaf.point.clone(),
                        payload: excerpt(&leaf.value, f.at),
                        reason: f.reason.to_owned(),
                    });
                }
            }
        }
        hits
    }
}

/// Runs one detector on one query-string value, prefilter included (unit tests).
#[cfg(test)]
pub(crate) fn check_one(d: &dyn Detector, v: &str) -> Option<Finding> {
    let leaf = Leaf::new(Point::name("get"), crate::point::Place::Query, v.to_owned());
    let present = Prefilter::current().scan(&leaf.lower);
    d.check(&leaf, &present)
}

/// The point lies in header `name` (`[header, "NAME", …]`).
fn in_header(point: &Point, name: &str) -> bool {
    matches!(&point.0[..], [PointPart::Name("header"), PointPart::Key(k), ..] if k.eq_ignore_ascii_case(name))
}

/// One point extends the other (same value seen before/after a decoder).
fn related(a: &Point, b: &Point) -> bool {
    let n = a.0.len().min(b.0.len());
    a.0[..n] == b.0[..n]
}

/// The matched range widened to [`MAX_PAYLOAD`] bytes at most, on char boundaries.
fn excerpt(value: &str, at: Range<usize>) -> String {
    let start = at.start.min(value.len());
    let mut end = at.end.clamp(start, value.len()).min(start + MAX_PAYLOAD);
    let mut start = start;
    // Short matches get some context on the left so the excerpt reads as an attack.
    let room = MAX_PAYLOAD.saturating_sub(end - start).min(32);
    start = start.saturating_sub(room);
    while start > 0 && !value.is_char_boundary(start) {
        start -= 1;
    }
    while end < value.len() && !value.is_char_boundary(end) {
        end += 1;
    }
    value[start..end].to_owned()
}
