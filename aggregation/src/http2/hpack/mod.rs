//! HPACK decoding (RFC 7541) that survives a missing history.
//!
//! Why not the `hpack` crate: it decodes Huffman literals at a few MB/s and fails the whole block on an
//! index it does not know. A capture that joins a connection late has never seen the insertions the
//! encoder refers to, and must still read everything else in the block. Here an unknown dynamic index
//! yields a marked field (name `:unknown-hpack-index-N`) and decoding goes on, so the stream and later
//! streams still produce exchanges (flagged as missing context). Huffman decoding is table-driven
//! (`huffman.rs`).

mod huffman;
mod table;

use std::io::Write as _;

use crate::exchange::PREFIX;
pub(crate) use table::Class;
use table::{DynamicTable, Lookup};

/// Header fields of one decoded block: names and values are decoded straight into its one buffer.
pub type Fields = crate::exchange::Headers;

/// Largest dynamic table kept per direction, whatever the peer announces (memory bound). Entries a
/// larger encoder table would still hold become unknown placeholders when referenced.
pub const TABLE_CAP: usize = 64 * 1024;

/// A block could not be decoded to its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HpackError {
    /// Integer longer than 5 continuation octets or cut by the end of the block (RFC 7541 §5.1).
    Integer,
    /// String length beyond the end of the block (§5.2).
    StringLength,
    /// Invalid Huffman code or padding (§5.2).
    Huffman,
    /// Index 0, or an index beyond a table whose whole history is known (§2.3.3).
    Index,
}

/// What decoding a block noticed besides the fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Decoded {
    /// Fields with an unknown dynamic index (placeholders emitted).
    pub unknown: u32,
    /// The decoded list exceeded the size limit; later fields were decoded (for the table) but dropped.
    pub oversized: bool,
}

/// Told about each field a block's decoding keeps, as it is appended: the message builder learns
/// where the fields it needs are without scanning the list again (and, for indexed fields, without
/// comparing names: table entries know their [`Class`]).
pub(crate) trait Observe {
    /// Fields of `class` are taken ([`Observe::took`]) instead of appended to the list.
    #[inline(always)]
    fn takes(&self, _class: Class) -> bool {
        false
    }

    /// A field of a class it [`Observe::takes`], with its value, was kept (not in the list).
    #[inline(always)]
    fn took(&mut self, _class: Class, _value: &[u8]) {}

    /// [`Observe::took`] for a value already known to be UTF-8 (a repeated `:path`, see
    /// [`RecentPath`]).
    #[inline(always)]
    fn took_str(&mut self, class: Class, value: &str) {
        self.took(class, value.as_bytes());
    }

    /// The field at `at..end` of the list's buffer (prefix included), whose name is `name_len`
    /// bytes, was kept.
    fn field(&mut self, class: Class, at: usize, name_len: usize, end: usize);
}

/// Nothing to learn (plain decoding).
impl Observe for () {
    #[inline(always)]
    fn field(&mut self, _: Class, _: usize, _: usize, _: usize) {}
}

/// Decoder for the header blocks one endpoint sends.
pub struct Decoder {
    table: DynamicTable,
    recent: RecentPath,
}

/// The Huffman-coded `:path` of the last request sent without indexing (§6.2.2, §6.2.3), as
/// decoded. Encoders commonly never index `:path` (the `h2` crate behind tonic and other Rust
/// clients does not), so it is sent in full every time, and an RPC client calls the same few
/// methods over and over: comparing the encoded bytes costs a fraction of decoding them again,
/// and the decoded path, checked to be UTF-8 once, becomes the request's URI without being
/// checked again (issue 5). A path is copied here only once it was seen twice in a row (by a
/// fingerprint), so paths that keep changing (a browser's) cost a fingerprint and a length
/// comparison, and short connections copy and allocate nothing. Other non-indexed values
/// (cookies, ids) rarely repeat.
#[derive(Default)]
struct RecentPath {
    /// [`fingerprint`] of the last path.
    seen: u64,
    /// The path remembered (empty: none yet), encoded and decoded.
    encoded: Vec<u8>,
    decoded: String,
}

/// Longest encoded path remembered: bounds the memory.
const RECENT_MAX: usize = 128;

impl RecentPath {
    /// `encoded` is the path remembered (then `decoded` is what it decodes to).
    fn is_hit(&self, encoded: &[u8]) -> bool {
        !self.encoded.is_empty() && self.encoded == encoded
    }

    /// Decodes the Huffman-coded `encoded` (the start of `rest`, see [`huffman::decode_prefix`])
    /// onto `out`, remembering it when it was also the last path decoded.
    fn decode(&mut self, rest: &[u8], encoded: &[u8], out: &mut Vec<u8>) -> Result<(), HpackError> {
        let print = fingerprint(encoded);
        let start = out.len();
        decode_huffman(rest, encoded.len(), out)?;
        if self.seen == print {
            // The same path twice in a row (or a rare collision, harmless: hits compare bytes).
            // Not UTF-8: not remembered (the URI is then made lossily each time).
            self.encoded.clear();
            self.decoded.clear();
            if let Ok(path) = std::str::from_utf8(out.get(start..).unwrap_or_default()) {
                self.encoded.extend_from_slice(encoded);
                self.decoded.push_str(path);
            }
        }
        self.seen = print;
        Ok(())
    }

    fn heap_bytes(&self) -> usize {
        self.encoded.capacity() + self.decoded.capacity()
    }
}

/// A hash of an encoded value (values of one name often differ only in the middle: cookies, ids).
fn fingerprint(v: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (v.len() as u64).wrapping_mul(K);
    let mut words = v.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        h = (h.rotate_left(23) ^ w).wrapping_mul(K);
    }
    let tail = words
        .remainder()
        .iter()
        .fold(0u64, |a, &b| (a << 8) | u64::from(b));
    (h.rotate_left(23) ^ tail).wrapping_mul(K)
}

fn decode_huffman(rest: &[u8], len: usize, out: &mut Vec<u8>) -> Result<(), HpackError> {
    huffman::decode_prefix(rest, len, out).map_err(|_| HpackError::Huffman)
}

impl Decoder {
    /// `complete`: decoding starts with the connection, so the whole table history will be seen.
    pub fn new(complete: bool) -> Self {
        Self {
            table: DynamicTable::new(complete, TABLE_CAP),
            recent: RecentPath::default(),
        }
    }

    /// A header block (or part of the history) went missing: forget what can no longer be placed.
    pub fn lose_history(&mut self) {
        self.table.lose_history();
    }

    /// SETTINGS_HEADER_TABLE_SIZE from the decoding endpoint bounds the encoder's table (RFC 9113 §6.5.2).
    pub fn settings_table_size(&mut self, size: u32) {
        if !self.table.is_complete() {
            self.table.limit_max_size(size as usize);
        }
    }

    /// Decodes `block` into `out`, at most `max_list` bytes of names and values kept. On error the
    /// fields decoded so far stay in `out` and the table history is marked lost.
    pub fn decode(
        &mut self,
        block: &[u8],
        max_list: usize,
        out: &mut Fields,
    ) -> Result<Decoded, HpackError> {
        self.decode_observed(block, max_list, out, &mut ())
    }

    /// [`Decoder::decode`], telling `obs` about every field kept. Not inlined: the message
    /// builder around it compiled to fewer instructions on its own (issue 5, callgrind).
    #[inline(never)]
    pub(crate) fn decode_observed(
        &mut self,
        block: &[u8],
        max_list: usize,
        out: &mut Fields,
        obs: &mut impl Observe,
    ) -> Result<Decoded, HpackError> {
        let r = self.decode_inner(block, max_list, out, obs);
        if r.is_err() {
            // The rest of the block may have inserted entries we did not apply.
            self.table.lose_history();
            // Drop the bytes of the field that failed half-way.
            out.rollback();
        }
        r
    }

    fn decode_inner(
        &mut self,
        block: &[u8],
        max_list: usize,
        out: &mut Fields,
        obs: &mut impl Observe,
    ) -> Result<Decoded, HpackError> {
        let mut info = Decoded::default();
        let mut list = 0usize;
        let mut pos = 0;
        while let Some(&b) = block.get(pos) {
            if b & 0x80 != 0 {
                // Indexed field (§6.1): name and value copied from the table at once.
                let index = integer(block, &mut pos, 7)?;
                match self.table.lookup(index) {
                    Lookup::Found {
                        encoded,
                        name_len,
                        class,
                    } => {
                        list += encoded.len().saturating_sub(PREFIX);
                        if list > max_list {
                            info.oversized = true;
                        } else if obs.takes(class) {
                            let value = encoded.get(PREFIX + name_len..).unwrap_or_default();
                            obs.took(class, value);
                        } else {
                            let at = out.end();
                            if out.push_encoded(encoded) {
                                obs.field(class, at, name_len, out.end());
                            }
                        }
                    }
                    Lookup::Unknown => {
                        info.unknown += 1;
                        let start = out.begin_field();
                        let name_len = placeholder(out.bytes_mut(), index);
                        list += name_len;
                        if list > max_list {
                            info.oversized = true;
                            out.rollback();
                        } else if out.commit(start, name_len) {
                            obs.field(Class::Other, start - PREFIX, name_len, out.end());
                        }
                    }
                    Lookup::Invalid => return Err(HpackError::Index),
                }
                continue;
            }
            if b & 0xe0 == 0x20 {
                // Dynamic table size update (§6.3).
                let size = integer(block, &mut pos, 5)?;
                self.table.set_max_size(size);
                continue;
            }
            // Literal: with incremental indexing (01, 6-bit index), without indexing (0000) or
            // never indexed (0001), both with a 4-bit index (§6.2). Written at the end of `out`'s
            // buffer, then kept or rolled back.
            let start = out.begin_field();
            let indexing = b & 0xc0 == 0x40;
            let index = integer(block, &mut pos, if indexing { 6 } else { 4 })?;
            let buf = out.bytes_mut();
            let mut unknown_name = false;
            let class = if index == 0 {
                string(block, &mut pos, buf)?;
                Class::of(buf.get(start..).unwrap_or_default())
            } else {
                match self.table.lookup(index) {
                    Lookup::Found {
                        encoded,
                        name_len,
                        class,
                    } => {
                        buf.extend_from_slice(
                            encoded.get(PREFIX..PREFIX + name_len).unwrap_or_default(),
                        );
                        class
                    }
                    Lookup::Unknown => {
                        info.unknown += 1;
                        unknown_name = true;
                        placeholder(buf, index);
                        Class::Other
                    }
                    Lookup::Invalid => return Err(HpackError::Index),
                }
            };
            let name_len = buf.len() - start;
            // `:path` (static entries 4 and 5) sent without indexing: see `RecentPath`.
            if !indexing && (index == 4 || index == 5) {
                if let Some(path) = path_string(block, &mut pos, buf, &mut self.recent)? {
                    // Remembered: taken as it is, or copied into the list.
                    list += name_len + path.len();
                    if list > max_list {
                        info.oversized = true;
                    } else if obs.takes(class) {
                        obs.took_str(class, path);
                    } else {
                        buf.extend_from_slice(path.as_bytes());
                        if out.commit(start, name_len) {
                            obs.field(class, start - PREFIX, name_len, out.end());
                        }
                        continue;
                    }
                    out.rollback();
                    continue;
                }
            } else {
                string(block, &mut pos, buf)?;
            }
            let field = buf.get(start..).unwrap_or_default();
            if indexing {
                self.table.insert(field, name_len, unknown_name, class);
            }
            list += field.len();
            if list > max_list {
                // Decoded for the table's sake, not kept.
                info.oversized = true;
                out.rollback();
            } else if obs.takes(class) {
                obs.took(class, field.get(name_len..).unwrap_or_default());
                out.rollback();
            } else if out.commit(start, name_len) {
                obs.field(class, start - PREFIX, name_len, out.end());
            }
        }
        Ok(info)
    }

    /// The connection went idle: hold no more than the table's live entries.
    pub fn shrink(&mut self) {
        self.table.shrink();
        self.recent = RecentPath::default();
    }

    /// Heap bytes of the dynamic table (entries and their bookkeeping) and of recent values.
    pub fn heap_bytes(&self) -> usize {
        self.table.heap_bytes() + self.recent.heap_bytes()
    }

    /// Entries currently known (tests, memory accounting).
    pub fn table_len(&self) -> usize {
        self.table.len()
    }
}

/// Writes the marked name of a field whose dynamic-table entry was inserted before our history;
/// returns its length.
fn placeholder(buf: &mut Vec<u8>, index: u64) -> usize {
    let before = buf.len();
    // Writing to a Vec cannot fail.
    let _ = write!(buf, ":unknown-hpack-index-{index}");
    buf.len() - before
}

/// Prefixed integer (RFC 7541 §5.1). At most 5 continuation octets (28 bits of shift), which no valid
/// index or length reaches and which keeps the value far from u64 overflow.
fn integer(block: &[u8], pos: &mut usize, prefix: u8) -> Result<u64, HpackError> {
    let mask = (1u8 << prefix) - 1;
    let first = block.get(*pos).ok_or(HpackError::Integer)? & mask;
    *pos += 1;
    if first < mask {
        return Ok(u64::from(first));
    }
    let mut value = u64::from(mask);
    let mut shift = 0u32;
    loop {
        let b = *block.get(*pos).ok_or(HpackError::Integer)?;
        *pos += 1;
        value += u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
        shift += 7;
        if shift > 28 {
            return Err(HpackError::Integer);
        }
    }
}

/// String literal (RFC 7541 §5.2), Huffman-coded or raw, appended to `out`. The declared length is
/// checked against the block before anything is written.
fn string(block: &[u8], pos: &mut usize, out: &mut Vec<u8>) -> Result<(), HpackError> {
    let huffman = block.get(*pos).ok_or(HpackError::StringLength)? & 0x80 != 0;
    let len = integer(block, pos, 7)?;
    let end = usize::try_from(len)
        .ok()
        .and_then(|l| pos.checked_add(l))
        .filter(|&e| e <= block.len())
        .ok_or(HpackError::StringLength)?;
    let from = *pos;
    *pos = end;
    if huffman {
        // The decoder may look at the block past the string (whole-word loads), never decode it.
        huffman::decode_prefix(&block[from..], end - from, out).map_err(|_| HpackError::Huffman)
    } else {
        out.extend_from_slice(&block[from..end]);
        Ok(())
    }
}

/// [`string`] for a `:path` sent without indexing: a Huffman-coded path seen last time is not
/// decoded but returned as it was decoded then (see [`RecentPath`]); otherwise the value is
/// appended to `out`. Not inlined: it kept the decoding loop's other paths from compiling as
/// tightly.
#[inline(never)]
fn path_string<'r>(
    block: &[u8],
    pos: &mut usize,
    out: &mut Vec<u8>,
    recent: &'r mut RecentPath,
) -> Result<Option<&'r str>, HpackError> {
    let at = *pos;
    let huffman = block.get(at).ok_or(HpackError::StringLength)? & 0x80 != 0;
    let len = integer(block, pos, 7)?;
    let from = *pos;
    let encoded = usize::try_from(len)
        .ok()
        .filter(|&l| huffman && l <= RECENT_MAX)
        .and_then(|l| block.get(from..from + l));
    let Some(encoded) = encoded else {
        *pos = at;
        return string(block, pos, out).map(|()| None);
    };
    *pos = from + encoded.len();
    if recent.is_hit(encoded) {
        return Ok(Some(recent.decoded.as_str()));
    }
    // As in `string`: the decoder may look past the string, never decode it.
    recent.decode(block.get(from..).unwrap_or_default(), encoded, out)?;
    Ok(None)
}

/// Test-only encoder: enough of RFC 7541 to build real-looking blocks (Huffman literals, incremental
/// indexing, size updates) for round trips.
#[cfg(any(test, fuzzing))]
pub(crate) mod encode {
    pub(crate) use super::huffman::encode as huffman;

    pub(crate) fn integer(out: &mut Vec<u8>, flags: u8, prefix: u8, mut v: u64) {
        let mask = (1u64 << prefix) - 1;
        if v < mask {
            out.push(flags | v as u8);
            return;
        }
        out.push(flags | mask as u8);
        v -= mask;
        while v >= 128 {
            out.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    pub(crate) fn string(out: &mut Vec<u8>, s: &[u8], huffman_coded: bool) {
        if huffman_coded {
            let h = huffman(s);
            integer(out, 0x80, 7, h.len() as u64);
            out.extend_from_slice(&h);
        } else {
            integer(out, 0, 7, s.len() as u64);
            out.extend_from_slice(s);
        }
    }
}

#[cfg(test)]
mod tests;
