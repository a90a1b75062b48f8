//! The HPACK static table (RFC 7541 Appendix A) and a dynamic table that knows what it does not know.
//!
//! A dynamic-table index counts back from the newest insertion (RFC 7541 §2.3.3). A capture that joins
//! a connection late, or loses a header block, has seen only the newest insertions, if any: those are
//! still addressable exactly, because they are the newest. An index beyond them names an entry inserted
//! before our history began; it is reported as [`Lookup::Unknown`] instead of failing the connection.

use std::collections::VecDeque;

use crate::exchange::{field_prefix, PREFIX};

/// RFC 7541 §4.1: an entry's size is its name and value lengths plus 32.
const ENTRY_OVERHEAD: usize = 32;

pub(crate) const STATIC: [(&[u8], &[u8]); 61] = [
    (b":authority", b""),
    (b":method", b"GET"),
    (b":method", b"POST"),
    (b":path", b"/"),
    (b":path", b"/index.html"),
    (b":scheme", b"http"),
    (b":scheme", b"https"),
    (b":status", b"200"),
    (b":status", b"204"),
    (b":status", b"206"),
    (b":status", b"304"),
    (b":status", b"400"),
    (b":status", b"404"),
    (b":status", b"500"),
    (b"accept-charset", b""),
    (b"accept-encoding", b"gzip, deflate"),
    (b"accept-language", b""),
    (b"accept-ranges", b""),
    (b"accept", b""),
    (b"access-control-allow-origin", b""),
    (b"age", b""),
    (b"allow", b""),
    (b"authorization", b""),
    (b"cache-control", b""),
    (b"content-disposition", b""),
    (b"content-encoding", b""),
    (b"content-language", b""),
    (b"content-length", b""),
    (b"content-location", b""),
    (b"content-range", b""),
    (b"content-type", b""),
    (b"cookie", b""),
    (b"date", b""),
    (b"etag", b""),
    (b"expect", b""),
    (b"expires", b""),
    (b"from", b""),
    (b"host", b""),
    (b"if-match", b""),
    (b"if-modified-since", b""),
    (b"if-none-match", b""),
    (b"if-range", b""),
    (b"if-unmodified-since", b""),
    (b"last-modified", b""),
    (b"link", b""),
    (b"location", b""),
    (b"max-forwards", b""),
    (b"proxy-authenticate", b""),
    (b"proxy-authorization", b""),
    (b"range", b""),
    (b"referer", b""),
    (b"refresh", b""),
    (b"retry-after", b""),
    (b"server", b""),
    (b"set-cookie", b""),
    (b"strict-transport-security", b""),
    (b"transfer-encoding", b""),
    (b"user-agent", b""),
    (b"vary", b""),
    (b"via", b""),
    (b"www-authenticate", b""),
];

/// The static table as one byte string, each entry stored as a [`Headers`] field is (prefix, name,
/// value), so a field is copied with one `memcpy`, as dynamic entries are (see
/// [`DynamicTable::arena`]).
///
/// [`Headers`]: crate::exchange::Headers
static STATIC_BYTES: [u8; static_len()] = static_bytes();
/// Where each static entry starts in [`STATIC_BYTES`] (the last element is the end).
static STATIC_AT: [u16; 62] = static_at();
/// [`Class`] of each static entry's name.
static STATIC_CLASS: [Class; 61] = static_class();

const fn static_class() -> [Class; 61] {
    let mut out = [Class::Other; 61];
    let mut i = 0;
    while i < STATIC.len() {
        out[i] = Class::of(STATIC[i].0);
        i += 1;
    }
    out
}

const fn static_len() -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < STATIC.len() {
        n += PREFIX + STATIC[i].0.len() + STATIC[i].1.len();
        i += 1;
    }
    n
}

const fn static_at() -> [u16; 62] {
    let mut at = [0u16; 62];
    let mut i = 0;
    while i < STATIC.len() {
        at[i + 1] = at[i] + (PREFIX + STATIC[i].0.len() + STATIC[i].1.len()) as u16;
        i += 1;
    }
    at
}

const fn static_bytes() -> [u8; static_len()] {
    let mut out = [0u8; static_len()];
    let mut o = 0;
    let mut i = 0;
    while i < STATIC.len() {
        let (n, v) = STATIC[i];
        let prefix = field_prefix(n.len() as u32, v.len() as u32);
        let mut j = 0;
        while j < PREFIX {
            out[o] = prefix[j];
            o += 1;
            j += 1;
        }
        j = 0;
        while j < n.len() {
            out[o] = n[j];
            o += 1;
            j += 1;
        }
        j = 0;
        while j < v.len() {
            out[o] = v[j];
            o += 1;
            j += 1;
        }
        i += 1;
    }
    out
}

/// The few field names the HTTP/2 message builder looks for (RFC 9113 §8.3), known per table entry
/// so that building a message from a decoded block needs no name comparisons for indexed fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    Other,
    Method,
    Path,
    Authority,
    Status,
    Host,
    ContentLength,
    ContentType,
}

impl Class {
    pub(crate) const fn of(name: &[u8]) -> Class {
        match name {
            b":method" => Class::Method,
            b":path" => Class::Path,
            b":authority" => Class::Authority,
            b":status" => Class::Status,
            b"host" => Class::Host,
            b"content-length" => Class::ContentLength,
            b"content-type" => Class::ContentType,
            _ => Class::Other,
        }
    }
}

/// Result of resolving an index.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup<'a> {
    /// The entry as a [`crate::exchange::Headers`] field is stored: prefix, name, value (the name
    /// is `name_len` bytes), and the class of its name.
    Found {
        encoded: &'a [u8],
        name_len: usize,
        class: Class,
    },
    /// A dynamic entry inserted before the history we have.
    Unknown,
    /// Index 0 or beyond any table that can exist: the block is corrupt.
    Invalid,
}

/// 16 bytes: the arena stays below 4 GiB (twice [`super::TABLE_CAP`] plus slack, see `arena`).
struct Entry {
    /// Where it starts in `arena`: its [`field_prefix`], then the name, then the value.
    at: u32,
    name_len: u32,
    value_len: u32,
    /// The name is a placeholder, counted as empty for eviction (see `insert`).
    placeholder: bool,
    class: Class,
}

impl Entry {
    /// Size counted for eviction (RFC 7541 §4.1).
    fn size(&self) -> usize {
        let name = if self.placeholder { 0 } else { self.name_len };
        name as usize + self.value_len as usize + ENTRY_OVERHEAD
    }

    fn span(&self) -> std::ops::Range<usize> {
        let at = self.at as usize;
        at..at + PREFIX + self.name_len as usize + self.value_len as usize
    }
}

pub(crate) struct DynamicTable {
    /// Newest first.
    entries: VecDeque<Entry>,
    /// Entry bytes, oldest first: an insertion appends, an eviction leaves dead bytes at the front
    /// until they outweigh the live ones and are compacted away. Why not one allocation per entry:
    /// an encoder inserts every new value (cookies, ids, paths), an allocation per exchange or more.
    /// Compaction moves each byte at most once per time the table turns over, and keeps the arena
    /// under twice the table size plus [`COMPACT_SLACK`].
    arena: Vec<u8>,
    size: usize,
    /// Current maximum size (RFC 7541 §4.2), as last set by a size update.
    max_size: usize,
    /// Upper bound on `max_size` regardless of what the peer says: bounds our memory.
    cap: usize,
    /// Every insertion since the connection started was seen; an index past the entries is an error
    /// rather than missing history.
    complete: bool,
}

/// Dead arena bytes tolerated before compacting even when the live ones are fewer.
const COMPACT_SLACK: usize = 1024;

impl DynamicTable {
    /// `complete`: the decoder starts with the connection (RFC 7541 §4.2 initial size 4096).
    pub(crate) fn new(complete: bool, cap: usize) -> Self {
        // Joined late, the current maximum is unknown; keeping up to `cap` is safe: an entry kept
        // longer than the encoder kept it is simply never referenced.
        let max_size = if complete { 4096 } else { cap };
        Self {
            entries: VecDeque::new(),
            arena: Vec::new(),
            size: 0,
            max_size: max_size.min(cap),
            cap,
            complete,
        }
    }

    pub(crate) fn lookup(&self, index: u64) -> Lookup<'_> {
        match index {
            0 => Lookup::Invalid,
            1..=61 => {
                let i = (index - 1) as usize;
                let (from, to) = (STATIC_AT[i] as usize, STATIC_AT[i + 1] as usize);
                Lookup::Found {
                    encoded: STATIC_BYTES.get(from..to).unwrap_or_default(),
                    name_len: STATIC[i].0.len(),
                    class: STATIC_CLASS[i],
                }
            }
            _ => {
                let Ok(i) = usize::try_from(index - 62) else {
                    return Lookup::Invalid;
                };
                match self.entries.get(i) {
                    Some(e) => match self.arena.get(e.span()) {
                        Some(encoded) => Lookup::Found {
                            encoded,
                            name_len: e.name_len as usize,
                            class: e.class,
                        },
                        // Entries always lie inside the arena; treat a broken one as lost.
                        None => Lookup::Unknown,
                    },
                    None if self.complete => Lookup::Invalid,
                    // Each entry takes at least 32 bytes, so a table of at most 16 MiB (the largest
                    // SETTINGS_HEADER_TABLE_SIZE seen in practice is far below) has fewer than 2^19.
                    None if i > (1 << 19) => Lookup::Invalid,
                    None => Lookup::Unknown,
                }
            }
        }
    }

    /// Inserts a new newest entry (RFC 7541 §4.4). `placeholder_name`: the name is a marker for an
    /// unknown one; its length is not counted, so eviction never runs ahead of the encoder's.
    /// `field` is the name followed by the value; the name is its first `name_len` bytes, of
    /// `class`.
    pub(crate) fn insert(
        &mut self,
        field: &[u8],
        name_len: usize,
        placeholder_name: bool,
        class: Class,
    ) {
        let name_len = name_len.min(field.len());
        let value_len = field.len() - name_len;
        let size = if placeholder_name { 0 } else { name_len } + value_len + ENTRY_OVERHEAD;
        if size > self.max_size {
            // Larger than the whole table: it empties the table and is not stored (§4.4).
            self.clear();
            return;
        }
        self.evict_to(self.max_size - size);
        self.compact();
        // Fits u32: `max_size` is at most `cap`, and the arena stays below twice `cap` plus slack.
        let (Ok(at), Ok(name_len), Ok(value_len)) = (
            u32::try_from(self.arena.len()),
            u32::try_from(name_len),
            u32::try_from(value_len),
        ) else {
            self.clear();
            return;
        };
        self.arena
            .extend_from_slice(&field_prefix(name_len, value_len));
        self.arena.extend_from_slice(field);
        self.entries.push_front(Entry {
            at,
            name_len,
            value_len,
            placeholder: placeholder_name,
            class,
        });
        self.size += size;
    }

    /// Drops the dead bytes in front of the oldest entry once they outweigh the live ones.
    fn compact(&mut self) {
        let Some(dead) = self.entries.back().map(|e| e.at) else {
            self.arena.clear();
            return;
        };
        let live = self.arena.len() - dead as usize;
        if dead as usize > live.max(COMPACT_SLACK) {
            self.arena.drain(..dead as usize);
            for e in &mut self.entries {
                e.at -= dead;
            }
        }
    }

    /// Gives back arena and index capacity beyond the live entries (the connection went idle).
    pub(crate) fn shrink(&mut self) {
        match self.entries.back().map(|e| e.at) {
            Some(dead) => {
                self.arena.drain(..dead as usize);
                for e in &mut self.entries {
                    e.at -= dead;
                }
            }
            None => self.arena.clear(),
        }
        self.arena.shrink_to_fit();
        self.entries.shrink_to_fit();
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.arena.clear();
        self.size = 0;
    }

    /// A dynamic table size update (RFC 7541 §6.3). Values above our cap are clamped (memory bound).
    pub(crate) fn set_max_size(&mut self, max: u64) {
        self.max_size = usize::try_from(max).unwrap_or(usize::MAX).min(self.cap);
        self.evict_to(self.max_size);
    }

    /// History was lost (a header block went missing): known entries can no longer be placed
    /// relative to the encoder's newest, so forget them; newer insertions are known again.
    pub(crate) fn lose_history(&mut self) {
        self.clear();
        self.complete = false;
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Entry>() + self.arena.capacity()
    }

    pub(crate) fn is_complete(&self) -> bool {
        self.complete
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn evict_to(&mut self, target: usize) {
        while self.size > target {
            match self.entries.pop_back() {
                Some(e) => self.size -= e.size(),
                None => {
                    self.size = 0;
                    break;
                }
            }
        }
        if self.entries.is_empty() {
            self.arena.clear();
        }
    }
}

impl DynamicTable {
    /// An upper bound learnt from SETTINGS while the real maximum is unknown.
    pub(crate) fn limit_max_size(&mut self, max: usize) {
        self.max_size = self.max_size.min(max);
        self.evict_to(self.max_size);
    }
}
