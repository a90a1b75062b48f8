//! Header values already found clean. Real traffic repeats the same `User-Agent`, `Accept`,
//! `Accept-Language`, `Accept-Encoding`… on nearly every request, and walking and checking them
//! is about half of a typical scan; a value that raised nothing need not be checked again.
//!
//! Exact, not a heuristic: a header's leaves, and so its findings, depend on nothing but its
//! name and value (see [`cacheable`] for the exceptions), and an entry is trusted only when its
//! stored bytes equal the header's, so a hash collision costs a re-check, never a miss.
//! Bounded: per thread, at most [`CAP`] entries of at most [`MAX_LEN`] bytes (about 2 MiB); the
//! table is emptied when full. Keys are attacker-chosen, so the hash is std's keyed SipHash.

use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// Entries per thread before the table is emptied.
pub const CAP: usize = 4096;
/// Longer values are always checked: rare repeats, and the bytes are what an attacker controls.
pub const MAX_LEN: usize = 512;

struct Table {
    /// The engine the entries were found clean by (engines may differ in limits).
    engine: u64,
    hasher: RandomState,
    entries: HashMap<u64, Box<[u8]>>,
}

thread_local! {
    static TABLE: RefCell<Table> = RefCell::new(Table {
        engine: 0,
        hasher: RandomState::new(),
        entries: HashMap::new(),
    });
}

/// Headers this cache may answer for: not `Cookie` (split into cookies whose findings depend on
/// the request's own Referer/Host), and short values only.
pub fn cacheable(name: &str, value: &[u8]) -> bool {
    name.len() + value.len() < MAX_LEN && !name.eq_ignore_ascii_case("cookie")
}

fn key(t: &Table, name: &str, value: &[u8]) -> u64 {
    let mut h = t.hasher.build_hasher();
    h.write(name.as_bytes());
    h.write_u8(0);
    h.write(value);
    h.finish()
}

fn same(stored: &[u8], name: &str, value: &[u8]) -> bool {
    stored.len() == name.len() + 1 + value.len()
        && stored[..name.len()] == *name.as_bytes()
        && stored[name.len()] == 0
        && stored[name.len() + 1..] == *value
}

/// True when engine `engine` found this header clean before (on this thread).
pub fn is_clean(engine: u64, name: &str, value: &[u8]) -> bool {
    TABLE.with(|t| {
        let t = t.borrow();
        t.engine == engine
            && t.entries
                .get(&key(&t, name, value))
                .is_some_and(|stored| same(stored, name, value))
    })
}

/// Records that engine `engine` found this header clean.
pub fn mark_clean(engine: u64, name: &str, value: &[u8]) {
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        if t.engine != engine || t.entries.len() >= CAP {
            t.entries.clear();
            t.engine = engine;
        }
        let k = key(&t, name, value);
        let mut stored = Vec::with_capacity(name.len() + 1 + value.len());
        stored.extend_from_slice(name.as_bytes());
        stored.push(0);
        stored.extend_from_slice(value);
        t.entries.insert(k, stored.into_boxed_slice());
    });
}

/// Empties this thread's table.
pub fn forget() {
    TABLE.with(|t| t.borrow_mut().entries.clear());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Engine;
    use crate::model::HttpRequest;

    fn get(headers: &[(&str, &str)]) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            uri: "/".into(),
            version: "HTTP/1.1".into(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
                .collect(),
            body: Vec::new(),
        }
    }

    /// The memo changes work, never findings: the same requests scanned again, in any order,
    /// report what an engine without it reports.
    #[test]
    fn memo_never_changes_findings() {
        let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        let reqs = [
            get(&[("User-Agent", ua), ("Accept", "*/*")]),
            get(&[("User-Agent", ua), ("X-Forwarded-For", "1' or '1'='1")]),
            // The same header twice: the second copy is hidden behind the first one's finding.
            get(&[
                ("X-Forwarded-For", "1' or '1'='1"),
                ("X-Forwarded-For", "1' or '1'='1"),
            ]),
            get(&[("User-Agent", ua), ("Referer", "/../../etc/passwd")]),
            get(&[("user-agent", ua), ("Accept", "*/*")]),
        ];
        let cold = Engine::new().without_memo();
        let warm = Engine::new();
        for _ in 0..3 {
            for r in reqs.iter().chain(reqs.iter().rev()) {
                assert_eq!(warm.scan(r), cold.scan(r), "{:?}", r.headers);
            }
        }
        // And the memo is in use: the clean User-Agent is remembered, the attacks are not.
        assert!(is_clean(warm.id, "User-Agent", ua.as_bytes()));
        assert!(!is_clean(warm.id, "X-Forwarded-For", b"1' or '1'='1"));
        assert!(!is_clean(warm.id, "Referer", b"/../../etc/passwd"));
    }

    #[test]
    fn remembers_exact_values_per_engine_and_stays_bounded() {
        assert!(!is_clean(7, "Accept", b"*/*"));
        mark_clean(7, "Accept", b"*/*");
        assert!(is_clean(7, "Accept", b"*/*"));
        assert!(!is_clean(7, "Accept", b"*/*;q=0.8"));
        assert!(!is_clean(7, "Accept-", b"*/*"));
        assert!(!is_clean(8, "Accept", b"*/*"));
        // Another engine takes the table over.
        mark_clean(8, "X", b"1");
        assert!(!is_clean(7, "Accept", b"*/*"));
        for i in 0..CAP + 10 {
            mark_clean(8, "X", i.to_string().as_bytes());
        }
        TABLE.with(|t| assert!(t.borrow().entries.len() <= CAP));
        assert!(!cacheable("Cookie", b"a=b"));
        assert!(!cacheable("User-Agent", &[b'a'; MAX_LEN]));
        assert!(cacheable("User-Agent", b"curl/8.5.0"));
        mark_clean(8, "X", b"1");
        assert!(is_clean(8, "X", b"1"));
        forget();
        assert!(!is_clean(8, "X", b"1"));
    }
}
