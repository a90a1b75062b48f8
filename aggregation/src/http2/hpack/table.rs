//! The HPACK static table (RFC 7541 Appendix A) and a dynamic table that knows what it does not know.
//!
//! A dynamic-table index counts back from the newest insertion (RFC 7541 §2.3.3). A capture that joins
//! a connection late, or loses a header block, has seen only the newest insertions, if any: those are
//! still addressable exactly, because they are the newest. An index beyond them names an entry inserted
//! before our history began; it is reported as [`Lookup::Unknown`] instead of failing the connection.

use std::collections::VecDeque;

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

/// Result of resolving an index.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup<'a> {
    Found(&'a [u8], &'a [u8]),
    /// A dynamic entry inserted before the history we have.
    Unknown,
    /// Index 0 or beyond any table that can exist: the block is corrupt.
    Invalid,
}

struct Entry {
    /// Where its name starts in `arena`; the value follows the name.
    at: usize,
    name_len: usize,
    value_len: usize,
    /// Size counted for eviction; a placeholder name counts as empty (see `insert`).
    size: usize,
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
                let (n, v) = STATIC[(index - 1) as usize];
                Lookup::Found(n, v)
            }
            _ => {
                let Ok(i) = usize::try_from(index - 62) else {
                    return Lookup::Invalid;
                };
                match self.entries.get(i) {
                    Some(e) => {
                        let n = self.arena.get(e.at..e.at + e.name_len);
                        let v = self
                            .arena
                            .get(e.at + e.name_len..e.at + e.name_len + e.value_len);
                        match (n, v) {
                            (Some(n), Some(v)) => Lookup::Found(n, v),
                            // Entries always lie inside the arena; treat a broken one as lost.
                            _ => Lookup::Unknown,
                        }
                    }
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
    pub(crate) fn insert(&mut self, name: &[u8], value: &[u8], placeholder_name: bool) {
        let size = if placeholder_name { 0 } else { name.len() } + value.len() + ENTRY_OVERHEAD;
        if size > self.max_size {
            // Larger than the whole table: it empties the table and is not stored (§4.4).
            self.clear();
            return;
        }
        self.evict_to(self.max_size - size);
        self.compact();
        let at = self.arena.len();
        self.arena.extend_from_slice(name);
        self.arena.extend_from_slice(value);
        self.entries.push_front(Entry {
            at,
            name_len: name.len(),
            value_len: value.len(),
            size,
        });
        self.size += size;
    }

    /// Drops the dead bytes in front of the oldest entry once they outweigh the live ones.
    fn compact(&mut self) {
        let Some(dead) = self.entries.back().map(|e| e.at) else {
            self.arena.clear();
            return;
        };
        let live = self.arena.len() - dead;
        if dead > live.max(COMPACT_SLACK) {
            self.arena.drain(..dead);
            for e in &mut self.entries {
                e.at -= dead;
            }
        }
    }

    /// Gives back arena and index capacity beyond the live entries (the connection went idle).
    pub(crate) fn shrink(&mut self) {
        match self.entries.back().map(|e| e.at) {
            Some(dead) => {
                self.arena.drain(..dead);
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
                Some(e) => self.size -= e.size,
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
