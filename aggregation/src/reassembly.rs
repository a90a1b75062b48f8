//! Orders one direction's chunks by stream offset. Chunks normally arrive in order (one ring
//! buffer); two threads writing the same socket on different CPUs can swap them, and kernel
//! losses leave holes. Holes become [`Piece::Gap`] so the parser can resync; duplicates (a batch
//! resent after a reconnect) are dropped by offset, which makes resending idempotent.
use std::collections::BTreeMap;

#[derive(Debug, PartialEq, Eq)]
pub enum Piece {
    Bytes(Vec<u8>),
    /// This many bytes are missing before the next piece.
    Gap(u64),
}

#[derive(Debug)]
pub struct Reassembler {
    next: u64,
    pending: BTreeMap<u64, Vec<u8>>,
    pending_bytes: usize,
    max_pending_bytes: usize,
    /// Bytes received twice (resent batches, overlapping chunks).
    pub duplicate_bytes: u64,
}

impl Reassembler {
    /// `max_pending_bytes`: out-of-order bytes held while waiting for a hole to fill; past it the
    /// hole is declared a gap.
    pub fn new(max_pending_bytes: usize) -> Self {
        Self {
            next: 0,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            max_pending_bytes,
            duplicate_bytes: 0,
        }
    }

    /// Next expected offset.
    pub fn next_offset(&self) -> u64 {
        self.next
    }

    pub fn pending_bytes(&self) -> usize {
        self.pending_bytes
    }

    pub fn push(&mut self, offset: u64, mut data: Vec<u8>, out: &mut Vec<Piece>) {
        let end = offset.saturating_add(data.len() as u64);
        if end <= self.next {
            self.duplicate_bytes += data.len() as u64;
            return;
        }
        if offset < self.next {
            let overlap = (self.next - offset) as usize;
            self.duplicate_bytes += overlap as u64;
            data.drain(..overlap);
            return self.push(self.next, data, out);
        }
        if offset == self.next {
            self.next = end;
            out.push(Piece::Bytes(data));
            self.drain_contiguous(out);
            return;
        }
        // A hole before this chunk: hold it (keep the longer one on a repeated offset).
        let len = data.len();
        match self.pending.get(&offset) {
            Some(old) if old.len() >= len => {
                self.duplicate_bytes += len as u64;
            }
            _ => {
                if let Some(old) = self.pending.insert(offset, data) {
                    self.pending_bytes -= old.len();
                }
                self.pending_bytes += len;
            }
        }
        if self.pending_bytes > self.max_pending_bytes {
            self.skip_hole(out);
        }
    }

    /// Declares the first hole lost and delivers what follows it.
    fn skip_hole(&mut self, out: &mut Vec<Piece>) {
        if let Some((&first, _)) = self.pending.first_key_value() {
            if first > self.next {
                out.push(Piece::Gap(first - self.next));
                self.next = first;
            }
            self.drain_contiguous(out);
        }
    }

    fn drain_contiguous(&mut self, out: &mut Vec<Piece>) {
        while let Some(entry) = self.pending.first_entry() {
            let offset = *entry.key();
            if offset > self.next {
                break;
            }
            let data = entry.remove();
            self.pending_bytes -= data.len();
            let end = offset + data.len() as u64;
            if end <= self.next {
                self.duplicate_bytes += data.len() as u64;
                continue;
            }
            let skip = (self.next - offset) as usize;
            self.duplicate_bytes += skip as u64;
            self.next = end;
            out.push(Piece::Bytes(data[skip..].to_vec()));
        }
    }

    /// Gives up on every hole (connection closed or idle): delivers all held bytes with gaps.
    pub fn flush(&mut self, out: &mut Vec<Piece>) {
        while !self.pending.is_empty() {
            self.skip_hole(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(r: &mut Reassembler, chunks: &[(u64, &str)]) -> Vec<Piece> {
        let mut out = Vec::new();
        for (off, s) in chunks {
            r.push(*off, s.as_bytes().to_vec(), &mut out);
        }
        out
    }

    fn bytes(s: &str) -> Piece {
        Piece::Bytes(s.as_bytes().to_vec())
    }

    #[test]
    fn in_order_and_swapped_chunks_give_the_same_stream() {
        let mut r = Reassembler::new(1024);
        assert_eq!(
            collect(&mut r, &[(0, "GET "), (4, "/ HTTP/1.1")]),
            vec![bytes("GET "), bytes("/ HTTP/1.1")]
        );
        let mut r = Reassembler::new(1024);
        assert_eq!(
            collect(&mut r, &[(4, "/ HTTP/1.1"), (0, "GET ")]),
            vec![bytes("GET "), bytes("/ HTTP/1.1")]
        );
        assert_eq!(r.pending_bytes(), 0);
    }

    #[test]
    fn resent_and_overlapping_chunks_are_dropped_by_offset() {
        let mut r = Reassembler::new(1024);
        let out = collect(&mut r, &[(0, "abcd"), (0, "abcd"), (2, "cdef"), (6, "g")]);
        assert_eq!(out, vec![bytes("abcd"), bytes("ef"), bytes("g")]);
        assert_eq!(r.duplicate_bytes, 6);
        assert_eq!(r.next_offset(), 7);
    }

    #[test]
    fn a_hole_becomes_a_gap_when_too_much_waits_behind_it() {
        let mut r = Reassembler::new(8);
        let out = collect(&mut r, &[(0, "ab"), (5, "fghij")]);
        assert_eq!(out, vec![bytes("ab")], "held while small");
        let out = collect(&mut r, &[(10, "klmn")]);
        assert_eq!(out, vec![Piece::Gap(3), bytes("fghij"), bytes("klmn")]);
        assert_eq!(r.next_offset(), 14);
    }

    #[test]
    fn flush_delivers_everything_held() {
        let mut r = Reassembler::new(1 << 20);
        let mut out = collect(&mut r, &[(3, "d"), (10, "k")]);
        r.flush(&mut out);
        assert_eq!(
            out,
            vec![Piece::Gap(3), bytes("d"), Piece::Gap(6), bytes("k")]
        );
    }
}
