//! One Aho-Corasick pass per leaf instead of one substring search per rule and literal.
//!
//! Detectors name the literals their patterns need (`"<"`, `"://"`, `"${"`…) through [`lit`],
//! which interns them process-wide and returns a stable [`LitId`]. [`Prefilter`] compiles every
//! interned literal into one automaton; [`Prefilter::scan`] walks a lower-cased leaf once and
//! returns the set of literals present, so a rule whose literals are all absent costs one bit
//! test. Interning is global (not per engine) so ids stay valid whichever engine a detector was
//! built for; the table only grows while detectors are constructed, never on the hot path.

use std::sync::{Mutex, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// Capacity of a [`LitSet`]; interning more literals than this is a programming error.
const MAX_LITS: usize = 512;

/// Index of an interned literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LitId(u16);

fn table() -> &'static Mutex<Vec<&'static str>> {
    static TABLE: OnceLock<Mutex<Vec<&'static str>>> = OnceLock::new();
    TABLE.get_or_init(|| Mutex::new(Vec::new()))
}

/// Interns a lower-case literal (same text, same id).
pub fn lit(s: &'static str) -> LitId {
    intern(s, || s)
}

/// Interns a generated literal; its text is leaked once, the first time it is seen, so
/// building many engines does not grow memory.
pub fn lit_owned(s: &str) -> LitId {
    intern(s, || Box::leak(s.to_owned().into_boxed_str()))
}

/// The id of `s`, adding `stored()` to the table when `s` is new.
fn intern(s: &str, stored: impl FnOnce() -> &'static str) -> LitId {
    // A poisoned table only means another thread panicked while pushing; the Vec is intact.
    let mut t = table().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = t.iter().position(|x| *x == s) {
        return LitId(i as u16);
    }
    assert!(
        t.len() < MAX_LITS,
        "more than {MAX_LITS} prefilter literals"
    );
    t.push(stored());
    LitId((t.len() - 1) as u16)
}

/// Interns a list of literals.
pub fn lits(list: &[&'static str]) -> Lits {
    list.iter().map(|s| lit(s)).collect()
}

/// A list of literals with its bit mask, so "is any of them present" is a few word ANDs however
/// long the list (detectors test gates of dozens of literals on every leaf).
#[derive(Clone, Debug, Default)]
pub struct Lits {
    ids: Vec<LitId>,
    mask: LitSet,
}

impl FromIterator<LitId> for Lits {
    fn from_iter<I: IntoIterator<Item = LitId>>(iter: I) -> Self {
        let ids: Vec<LitId> = iter.into_iter().collect();
        let mut mask = LitSet::default();
        for id in &ids {
            mask.insert(usize::from(id.0));
        }
        Lits { ids, mask }
    }
}

impl std::ops::Deref for Lits {
    type Target = [LitId];
    fn deref(&self) -> &[LitId] {
        &self.ids
    }
}

/// What [`LitSet::any`] accepts: a masked [`Lits`] or a plain list of ids.
pub trait LitQuery {
    fn any_in(&self, set: &LitSet) -> bool;
}

impl LitQuery for Lits {
    fn any_in(&self, set: &LitSet) -> bool {
        set.0.iter().zip(&self.mask.0).any(|(a, b)| a & b != 0)
    }
}

impl LitQuery for [LitId] {
    fn any_in(&self, set: &LitSet) -> bool {
        self.iter().any(|&i| set.has(i))
    }
}

impl LitQuery for Vec<LitId> {
    fn any_in(&self, set: &LitSet) -> bool {
        self.as_slice().any_in(set)
    }
}

/// Which interned literals occur in one value.
#[derive(Clone, Debug, Default)]
pub struct LitSet([u64; MAX_LITS / 64]);

impl LitSet {
    /// A set claiming every literal: for callers that skip the prefilter (tests, fallbacks).
    pub fn all() -> Self {
        LitSet([u64::MAX; MAX_LITS / 64])
    }

    fn insert(&mut self, id: usize) {
        self.0[id / 64] |= 1 << (id % 64);
    }

    pub fn has(&self, id: LitId) -> bool {
        let i = id.0 as usize;
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    pub fn any<Q: LitQuery + ?Sized>(&self, ids: &Q) -> bool {
        ids.any_in(self)
    }
}

/// The automaton over every literal interned when it was built.
pub struct Prefilter {
    /// Literals of two bytes or more; pattern `i` of the automaton is literal `multi[i]`.
    ac: Option<AhoCorasick>,
    multi: Vec<u16>,
    /// One-byte literals (`<`, `(`, `=`…) by byte: they occur in most values, so finding them
    /// through the automaton would report a match per occurrence; a byte-presence map costs
    /// one pass and one test per literal.
    single: Vec<(u8, u16)>,
}

impl Prefilter {
    /// Compiles the literals interned so far; build it after the detectors.
    pub fn current() -> Self {
        let pats: Vec<&'static str> = table().lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut multi = Vec::new();
        let mut single = Vec::new();
        let mut multi_pats = Vec::new();
        for (id, p) in pats.iter().enumerate() {
            match p.as_bytes() {
                [b] => single.push((*b, id as u16)),
                _ => {
                    multi.push(id as u16);
                    multi_pats.push(*p);
                }
            }
        }
        // A DFA costs a few hundred KiB once and runs about 3x faster than the default NFA.
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&multi_pats)
            .ok();
        Prefilter { ac, multi, single }
    }

    pub fn scan(&self, lower: &str) -> LitSet {
        let Some(ac) = &self.ac else {
            return LitSet::all();
        };
        let mut set = LitSet::default();
        if !self.single.is_empty() {
            let mut bytes = [0u64; 4];
            for &b in lower.as_bytes() {
                bytes[usize::from(b >> 6)] |= 1 << (b & 63);
            }
            for &(b, id) in &self.single {
                if bytes[usize::from(b >> 6)] & (1 << (b & 63)) != 0 {
                    set.insert(usize::from(id));
                }
            }
        }
        for m in ac.find_overlapping_iter(lower) {
            set.insert(usize::from(self.multi[m.pattern().as_usize()]));
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_reports_one_byte_and_longer_literals() {
        let lt = lit("<");
        let paren = lit("(");
        let etc = lit("/etc/");
        let dots = lit("..");
        let p = Prefilter::current();
        let set = p.scan("../../etc/passwd<");
        assert!(set.has(lt) && set.has(etc) && set.has(dots));
        assert!(!set.has(paren));
        let set = p.scan("(");
        assert!(set.has(paren) && !set.has(lt) && !set.has(dots));
        assert!(!p.scan("").has(lt));
        let gate = lits(&["..", "/etc/", "zzz-not-here"]);
        assert!(set_of(&p, "a/etc/b").any(&gate) && !set_of(&p, "abc").any(&gate));
        assert!(set_of(&p, "a/etc/b").any(&gate[1..2]) && !set_of(&p, "..").any(&gate[1..]));
    }

    fn set_of(p: &Prefilter, s: &str) -> LitSet {
        p.scan(s)
    }
}
