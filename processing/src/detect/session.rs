//! Session fixation: a framework's session identifier supplied as a URL or form parameter
//! (where the server may adopt it, `?PHPSESSID=…`), or script that plants a
//! cookie (`document.cookie="sid=…;expires=…"`, `<meta http-equiv="set-cookie">`).

use super::prefilter::{lits, LitId, LitSet};
use super::rules::Rule;
use super::{AttackType, Detector, Finding};
use crate::point::{Leaf, Place, PointPart};

/// Session cookie names of common frameworks; a generic `session` or `sid` is left out because
/// APIs use those names for their own data.
const NAMES: &[&str] = &[
    "jsessionid",
    "phpsessid",
    "asp.net_sessionid",
    "aspsessionid",
    "cfid",
    "cftoken",
    "laravel_session",
    "connect.sid",
    "_flask_session",
    "next-auth.session-token",
    "__secure-next-auth.session-token",
    "meteor_login_token",
    "ci_session",
    "_session_id",
    "sails.sid",
    "rack.session",
    "express:sess",
    "koa:sess",
    "shiny-token",
];

pub struct Session {
    rules: Vec<Rule>,
    gate: Vec<LitId>,
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
                let known = NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
                    || name
                        .get(..12)
                        .is_some_and(|p| p.eq_ignore_ascii_case("aspsessionid"));
                if known {
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
        ] {
            assert!(!fixation(uri), "{uri}");
        }
    }
}
