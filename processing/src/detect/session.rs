//! Session fixation: a framework's session identifier supplied as a URL or form parameter
//! (where the server may adopt it, `?PHPSESSID=…`), or script that plants a
//! cookie (`document.cookie="sid=…;expires=…"`, `<meta http-equiv="set-cookie">`).

use super::prefilter::{lits, LitSet, Lits};
use super::rules::Rule;
use super::{AttackType, Detector, Finding};
use crate::point::{Leaf, Place, PointPart};

/// Default session cookie names of common frameworks and servers. A generic `session`, `sid`
/// or `session_id` is left out: APIs use those names for their own data (Stripe Checkout
/// returns `?session_id=` from another site on every purchase).
const NAMES: &[&str] = &[
    "jsessionid",
    "phpsessid",
    "phpsession",
    "asp.net_sessionid",
    "aspsessionid",
    "cfid",
    "cftoken",
    "cfsid",
    "jservsession",
    "jservsessionid",
    "weblogicsession",
    "zend_session_id",
    "laravel_session",
    "connect.sid",
    "_flask_session",
    "next-auth.session-token",
    "meteor_login_token",
    "ci_session",
    "_session_id",
    "sails.sid",
    "rack.session",
    "express:sess",
    "koa:sess",
    "koa.sess",
    "shiny-token",
    "play_session",
    "session-id",
];

/// Names that are a framework's session cookie only in this exact spelling: Django's
/// `sessionid`, while `sessionId` is an everyday API field.
const EXACT_NAMES: &[&str] = &["sessionid"];

/// True when `name` is a framework session cookie name. Cookie prefixes (`__Host-`,
/// `__Secure-`, RFC 6265bis §4.1.3) do not change which cookie it is.
fn session_name(name: &str) -> bool {
    let mut n = name;
    for prefix in ["__host-", "__secure-"] {
        if n.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        {
            n = &n[prefix.len()..];
        }
    }
    NAMES.iter().any(|k| k.eq_ignore_ascii_case(n))
        || EXACT_NAMES.contains(&n)
        || n.get(..12)
            .is_some_and(|p| p.eq_ignore_ascii_case("aspsessionid"))
        || rails_session(n)
}

/// Rails names its cookie `_<app>_session` (`_myshop_session`).
fn rails_session(n: &str) -> bool {
    let b = n.as_bytes();
    b.len() > 9
        && b[0] == b'_'
        && n[1..].strip_suffix("_session").is_some_and(|app| {
            !app.is_empty()
                && app
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        })
}

pub struct Session {
    rules: Vec<Rule>,
    gate: Lits,
}

impl Session {
    pub fn new() -> Self {
        Session {
            rules: vec![Rule::new(
                &["cookie"],
                r"\.cookie\b[^;]*;\s*(?:expires|path|domain|max-age)\s*=|http-equiv\s*=\s*['\x22]?set-cookie",
                "cookie planted by script",
            )],
            gate: lits(&["cookie"]),
        }
    }
}

/// Reason text of a session id found in a parameter (see [`same_site`]).
pub const IN_PARAMETER: &str = "session id as parameter";

/// A session id parameter is the site's own URL rewriting when the request was linked from
/// the same host; fixation comes from links planted elsewhere (RFC 7231 §5.5.2 `Referer`).
pub fn same_site(req: &crate::model::HttpRequest) -> bool {
    let host = |v: &[u8]| String::from_utf8_lossy(v).trim().to_ascii_lowercase();
    let (Some(referer), Some(own)) = (req.header("referer"), req.header("host")) else {
        return false;
    };
    let referer = host(referer);
    let after_scheme = referer
        .split_once("://")
        .map_or(referer.as_str(), |(_, r)| r);
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let referer_host = authority.rsplit('@').next().unwrap_or_default();
    referer_host == host(own)
}

/// The parameter name a leaf sits under, when it is a query or body parameter.
fn param_name(leaf: &Leaf) -> Option<&str> {
    if !matches!(leaf.place, Place::Query | Place::Body) {
        return None;
    }
    leaf.point.0.iter().rev().find_map(|p| match p {
        PointPart::Key(k) => Some(k.as_str()),
        _ => None,
    })
}

impl Detector for Session {
    fn attack(&self) -> AttackType {
        AttackType::SessionFixation
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        if !leaf.is_name {
            if let Some(name) = param_name(leaf) {
                if session_name(name) {
                    return Some(Finding {
                        at: 0..leaf.lower.len(),
                        reason: IN_PARAMETER,
                    });
                }
            }
        }
        if !present.any(&self.gate) {
            return None;
        }
        super::rules::first(&self.rules, &leaf.lower, present)
            .map(|(a, b, reason)| Finding { at: a..b, reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{tests::get, Engine};

    fn fixation(uri: &str) -> bool {
        Engine::new()
            .scan(&get(uri))
            .iter()
            .any(|h| h.attack == AttackType::SessionFixation)
    }

    #[test]
    fn finds_session_ids_in_parameters_and_planted_cookies() {
        for uri in [
            "/login?PHPSESSID=abc123",
            "/a?jsessionid=74B0CB414BD77D17B5680A6386EF1666",
            "/x?q=document.cookie%3D%22sid%3D1%3Bexpires%3DFri%22",
            "/signin?__Secure-next-auth.session-token=x",
            "/orders?_storefront_session=BAh7",
            "/p?PLAY_SESSION=abc",
            "/p?ASPSESSIONIDQQGGQ=x",
        ] {
            assert!(fixation(uri), "{uri}");
        }
    }

    #[test]
    fn ignores_ordinary_parameters() {
        // `;jsessionid=` in a path is how servlet containers rewrite URLs for cookieless
        // clients: the server issued it, so it is not fixation by itself.
        for uri in [
            "/login?session=abc",
            "/a?sid=3",
            "/x?q=my+cookie+recipe;+expires+soon",
            "/shop;jsessionid=1234?x=1",
            "/success?session_id=cs_test_a1b2",
            "/api/chat?sessionId=42",
            "/p?user_session=1",
            "/p?_session=1",
        ] {
            assert!(!fixation(uri), "{uri}");
        }
    }
}
