//! Huffman decoding for HPACK string literals (RFC 7541 §5.2, code in Appendix B).
//!
//! Why our own: the `hpack` crate builds a HashMap decoder per string and walks it bit by bit (a few
//! MB/s, notes/performance-anchors.md), while browsers, curl and gRPC Huffman-code nearly every literal.
//! Here a 4096-entry table (8 KiB of u16 pairs, fits L1) indexed by the next 12 input bits yields one or two
//! whole symbols per lookup (letters and digits have 5–7 bit codes), the idea the `h2` crate's decoder also
//! uses. Codes longer than 12 bits (control bytes, bytes ≥ 0x80) take a slow path that relies on the code
//! being canonical: codes of one length are consecutive in symbol order, so a symbol is found from
//! `first_code[len]` without a tree.

/// Code of each symbol 0..=255, right-aligned (RFC 7541 Appendix B). EOS (256) is 30 one-bits.
const CODES: [u32; 256] = [
    0x1ff8, 0x7fffd8, 0xfffffe2, 0xfffffe3, 0xfffffe4, 0xfffffe5, 0xfffffe6, 0xfffffe7, 0xfffffe8,
    0xffffea, 0x3ffffffc, 0xfffffe9, 0xfffffea, 0x3ffffffd, 0xfffffeb, 0xfffffec, 0xfffffed,
    0xfffffee, 0xfffffef, 0xffffff0, 0xffffff1, 0xffffff2, 0x3ffffffe, 0xffffff3, 0xffffff4,
    0xffffff5, 0xffffff6, 0xffffff7, 0xffffff8, 0xffffff9, 0xffffffa, 0xffffffb, 0x14, 0x3f8,
    0x3f9, 0xffa, 0x1ff9, 0x15, 0xf8, 0x7fa, 0x3fa, 0x3fb, 0xf9, 0x7fb, 0xfa, 0x16, 0x17, 0x18,
    0x0, 0x1, 0x2, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x5c, 0xfb, 0x7ffc, 0x20, 0xffb,
    0x3fc, 0x1ffa, 0x21, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0xfc, 0x73, 0xfd, 0x1ffb, 0x7fff0,
    0x1ffc, 0x3ffc, 0x22, 0x7ffd, 0x3, 0x23, 0x4, 0x24, 0x5, 0x25, 0x26, 0x27, 0x6, 0x74, 0x75,
    0x28, 0x29, 0x2a, 0x7, 0x2b, 0x76, 0x2c, 0x8, 0x9, 0x2d, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7ffe,
    0x7fc, 0x3ffd, 0x1ffd, 0xffffffc, 0xfffe6, 0x3fffd2, 0xfffe7, 0xfffe8, 0x3fffd3, 0x3fffd4,
    0x3fffd5, 0x7fffd9, 0x3fffd6, 0x7fffda, 0x7fffdb, 0x7fffdc, 0x7fffdd, 0x7fffde, 0xffffeb,
    0x7fffdf, 0xffffec, 0xffffed, 0x3fffd7, 0x7fffe0, 0xffffee, 0x7fffe1, 0x7fffe2, 0x7fffe3,
    0x7fffe4, 0x1fffdc, 0x3fffd8, 0x7fffe5, 0x3fffd9, 0x7fffe6, 0x7fffe7, 0xffffef, 0x3fffda,
    0x1fffdd, 0xfffe9, 0x3fffdb, 0x3fffdc, 0x7fffe8, 0x7fffe9, 0x1fffde, 0x7fffea, 0x3fffdd,
    0x3fffde, 0xfffff0, 0x1fffdf, 0x3fffdf, 0x7fffeb, 0x7fffec, 0x1fffe0, 0x1fffe1, 0x3fffe0,
    0x1fffe2, 0x7fffed, 0x3fffe1, 0x7fffee, 0x7fffef, 0xfffea, 0x3fffe2, 0x3fffe3, 0x3fffe4,
    0x7ffff0, 0x3fffe5, 0x3fffe6, 0x7ffff1, 0x3ffffe0, 0x3ffffe1, 0xfffeb, 0x7fff1, 0x3fffe7,
    0x7ffff2, 0x3fffe8, 0x1ffffec, 0x3ffffe2, 0x3ffffe3, 0x3ffffe4, 0x7ffffde, 0x7ffffdf,
    0x3ffffe5, 0xfffff1, 0x1ffffed, 0x7fff2, 0x1fffe3, 0x3ffffe6, 0x7ffffe0, 0x7ffffe1, 0x3ffffe7,
    0x7ffffe2, 0xfffff2, 0x1fffe4, 0x1fffe5, 0x3ffffe8, 0x3ffffe9, 0xffffffd, 0x7ffffe3, 0x7ffffe4,
    0x7ffffe5, 0xfffec, 0xfffff3, 0xfffed, 0x1fffe6, 0x3fffe9, 0x1fffe7, 0x1fffe8, 0x7ffff3,
    0x3fffea, 0x3fffeb, 0x1ffffee, 0x1ffffef, 0xfffff4, 0xfffff5, 0x3ffffea, 0x7ffff4, 0x3ffffeb,
    0x7ffffe6, 0x3ffffec, 0x3ffffed, 0x7ffffe7, 0x7ffffe8, 0x7ffffe9, 0x7ffffea, 0x7ffffeb,
    0xffffffe, 0x7ffffec, 0x7ffffed, 0x7ffffee, 0x7ffffef, 0x7fffff0, 0x3ffffee,
];

/// Code length in bits of each symbol 0..=255.
const LENGTHS: [u8; 256] = [
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5,
    5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6,
    6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22,
    23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, 22,
    21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20,
    22, 22, 22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19,
    21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22,
    22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
];

/// Bits looked up at once on the fast path.
const FAST_BITS: u32 = 12;

/// `FAST[next 12 bits]`: bits 0..8 bits used by the decoded symbols, 8..16 first symbol, 16..24
/// second symbol, 24..32 symbol count (0 = the code is longer than 12 bits: slow path). The bits
/// used come first so the entry itself is the shift amount (`wrapping_shl` takes the low 6 bits):
/// decoding is a chain of dependent lookups, and this keeps one operation out of each link.
static FAST: [u32; 1 << FAST_BITS] = build_fast();

const fn build_fast() -> [u32; 1 << FAST_BITS] {
    let mut table = [0u32; 1 << FAST_BITS];
    let mut a = 0;
    while a < 256 {
        let len_a = LENGTHS[a] as u32;
        if len_a <= FAST_BITS {
            let rest = FAST_BITS - len_a;
            let base = (CODES[a] << rest) as usize;
            let mut i = 0usize;
            while i < (1 << rest) {
                table[base + i] = (1 << 24) | ((a as u32) << 8) | len_a;
                i += 1;
            }
            // A second whole symbol in the remaining bits.
            let mut b = 0;
            while b < 256 {
                let len_b = LENGTHS[b] as u32;
                if len_b <= rest {
                    let rest2 = rest - len_b;
                    let base2 = base | ((CODES[b] << rest2) as usize);
                    let mut j = 0usize;
                    while j < (1 << rest2) {
                        table[base2 + j] =
                            (2 << 24) | ((b as u32) << 16) | ((a as u32) << 8) | (len_a + len_b);
                        j += 1;
                    }
                }
                b += 1;
            }
        }
        a += 1;
    }
    table
}

/// Canonical-code tables for the slow path, per code length 0..=30.
struct Canonical {
    first_code: [u32; 31],
    count: [u16; 31],
    offset: [u16; 31],
    /// Symbols ordered by (length, symbol); 256 is EOS.
    sorted: [u16; 257],
}

static CANONICAL: Canonical = build_canonical();

const fn build_canonical() -> Canonical {
    let mut c = Canonical {
        first_code: [0; 31],
        count: [0; 31],
        offset: [0; 31],
        sorted: [0; 257],
    };
    let mut n = 0usize;
    let mut len = 1usize;
    while len <= 30 {
        c.offset[len] = n as u16;
        let mut s = 0usize;
        while s <= 256 {
            let l = if s == 256 { 30 } else { LENGTHS[s] as usize };
            if l == len {
                if c.count[len] == 0 {
                    c.first_code[len] = if s == 256 { 0x3fff_ffff } else { CODES[s] };
                }
                c.sorted[n] = s as u16;
                c.count[len] += 1;
                n += 1;
            }
            s += 1;
        }
        len += 1;
    }
    c
}

/// The string is not valid Huffman code (RFC 7541 §5.2: EOS inside, or padding not a prefix of EOS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HuffmanError;

/// Decodes `src` and appends the octets to `dst`.
#[cfg(test)]
pub(crate) fn decode(src: &[u8], dst: &mut Vec<u8>) -> Result<(), HuffmanError> {
    decode_prefix(src, src.len(), dst)
}

/// Decodes the first `len` bytes of `input` and appends the octets to `dst`. Bytes after them (the
/// rest of the header block) may be read but are never decoded: a string's last bytes are then
/// loaded as one word like the others instead of one by one.
pub(crate) fn decode_prefix(
    input: &[u8],
    len: usize,
    dst: &mut Vec<u8>,
) -> Result<(), HuffmanError> {
    let len = len.min(input.len());
    // The shortest code is 5 bits: at most 8/5 output bytes per input byte. Writing into a sized
    // slice keeps the loop free of capacity checks; the unused tail is cut off at the end.
    let start = dst.len();
    let room = len * 8 / 5 + 2;
    if room <= SHORT && dst.capacity() - start >= SHORT {
        // Most literals are short: a fixed-size fill is two stores, `resize` a call to `memset`.
        // Only where it fits already, so that no list grows for it.
        dst.extend_from_slice(&[0; SHORT]);
    } else {
        dst.resize(start + room, 0);
    }
    let r = decode_into(input, len, &mut dst[start..]);
    finish(dst, start, r)
}

/// Room of a short literal's output made without a call (see `decode_prefix`).
const SHORT: usize = 16;

fn decode_into(input: &[u8], len: usize, out: &mut [u8]) -> Result<usize, HuffmanError> {
    Bits::default().run(input, len, out)
}

/// Where one string's decoding stands: bits are kept MSB-aligned in `acc`; the top `nbits` are
/// counted. Bits below them may hold the next input bits (see the refill), or, once the input is
/// all counted, bytes past its end: no decision reads them (lookups at the end pad the uncounted
/// bits, see `run`). `i` input bytes are counted, `o` output bytes written.
#[derive(Default)]
struct Bits {
    acc: u64,
    nbits: u32,
    i: usize,
    o: usize,
}

impl Bits {
    /// Branch-free refill: OR in the next 8 input bytes at the first uncounted bit and count the
    /// whole bytes that fit (at most what is left of `len`). Bits past those are the real following
    /// input bits, so OR-ing them again on the next refill changes nothing.
    fn refill(&mut self, input: &[u8], len: usize) {
        let word = match input.get(self.i..self.i + 8) {
            Some(&[a, b, c, d, e, f, g, h]) => u64::from_be_bytes([a, b, c, d, e, f, g, h]),
            _ => {
                // Fewer than 8 bytes left in the whole block (a string at its end, common in short
                // blocks): zero-filled, byte by byte (a copy into an array was a call to `memcpy`).
                let rest = input.get(self.i..len).unwrap_or_default();
                rest.iter()
                    .take(8)
                    .enumerate()
                    .fold(0u64, |w, (k, &b)| w | u64::from(b) << (56 - 8 * k))
            }
        };
        self.acc |= word >> self.nbits;
        let k = (((63 - self.nbits) >> 3) as usize).min(len - self.i);
        self.i += k;
        self.nbits += (k as u32) << 3;
    }

    /// One fast-table entry with a whole short code at the top: its symbols out, its bits gone.
    /// `false`: no room (cannot happen with the output sized as `decode_prefix` sizes it).
    #[inline(always)]
    fn take(&mut self, e: u32, out: &mut [u8]) -> bool {
        let Some(slot) = out.get_mut(self.o..self.o + 2) else {
            return false;
        };
        slot.copy_from_slice(&((e >> 8) as u16).to_le_bytes());
        self.o += (e >> 24) as usize;
        // The low byte is the bits used (at most 12): the shift takes exactly that.
        self.acc = self.acc.wrapping_shl(e);
        self.nbits -= e & 0xff;
        true
    }

    /// Decodes the rest of `input[..len]` into `out`; returns the bytes written in all.
    fn run(mut self, input: &[u8], len: usize, out: &mut [u8]) -> Result<usize, HuffmanError> {
        loop {
            if self.i < len {
                self.refill(input, len);
            }
            // With 12 bits counted every short code is whole: up to four lookups per refill.
            while self.nbits >= FAST_BITS {
                let e = FAST[(self.acc >> (64 - FAST_BITS)) as usize];
                if e >> 24 == 0 {
                    break;
                }
                if !self.take(e, out) {
                    return Err(HuffmanError);
                }
            }
            let (acc, nbits) = (self.acc, self.nbits);
            let at_end = self.i >= len;
            if nbits >= FAST_BITS || at_end {
                if nbits == 0 {
                    return Ok(self.o);
                }
                if at_end && nbits < 8 && !acc >> (64 - nbits) == 0 {
                    // Padding (fewer than 8 bits, all ones: the EOS prefix), how nearly every
                    // string ends; found without the lookups below, which would come to the same.
                    return Ok(self.o);
                }
                // A code longer than 12 bits, or the last bits of the input. Below the counted bits
                // the lookup sees ones (a prefix of EOS, which no short code is): what remains is
                // then found to be padding in one lookup, and a symbol is taken only if its code
                // is whole. (A refill counts at most 63 bits; the checked shift keeps that a
                // property of the refill alone.)
                let uncounted = (!0u64).checked_shr(nbits).unwrap_or(0);
                let top = acc & !uncounted;
                let e = FAST[((top | uncounted) >> (64 - FAST_BITS)) as usize];
                let (count, used) = (e >> 24, e & 0xff);
                if count != 0 && used <= nbits {
                    if !self.take(e, out) {
                        return Err(HuffmanError);
                    }
                    continue;
                }
                let first = (e >> 8) as u8;
                let (sym, len) = if count != 0 && u32::from(LENGTHS[usize::from(first)]) <= nbits {
                    // Only the first symbol of the entry is whole.
                    (u16::from(first), u32::from(LENGTHS[usize::from(first)]))
                } else {
                    match slow_symbol(top, nbits) {
                        Some(found) => found,
                        // A long code not yet whole: refill first.
                        None if !at_end => continue,
                        None if nbits < 8 && !top >> (64 - nbits) == 0 => {
                            // Padding: fewer than 8 bits, all ones (the EOS prefix).
                            return Ok(self.o);
                        }
                        None => return Err(HuffmanError),
                    }
                };
                if sym == 256 {
                    return Err(HuffmanError);
                }
                *out.get_mut(self.o).ok_or(HuffmanError)? = sym as u8;
                self.o += 1;
                self.acc <<= len;
                self.nbits -= len;
            }
        }
    }
}

/// Cuts `dst` to what decoding from `start` wrote (nothing on error).
fn finish(
    dst: &mut Vec<u8>,
    start: usize,
    r: Result<usize, HuffmanError>,
) -> Result<(), HuffmanError> {
    match r {
        Ok(n) => {
            dst.truncate(start + n);
            Ok(())
        }
        Err(e) => {
            dst.truncate(start);
            Err(e)
        }
    }
}

/// One symbol from the top of `acc` using at most `nbits` bits, by the canonical code.
fn slow_symbol(acc: u64, nbits: u32) -> Option<(u16, u32)> {
    let c = &CANONICAL;
    for len in 5..=nbits.min(30) {
        let code = (acc >> (64 - len)) as u32;
        let l = len as usize;
        let k = code.wrapping_sub(c.first_code[l]);
        if c.count[l] != 0 && code >= c.first_code[l] && k < u32::from(c.count[l]) {
            return Some((c.sorted[usize::from(c.offset[l]) + k as usize], len));
        }
    }
    None
}

/// Huffman-encodes `src` (tests and benches build real-looking header blocks with it).
#[cfg(any(test, fuzzing))]
pub(crate) fn encode(src: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut nbits) = (0u64, 0u32);
    for &b in src {
        acc = (acc << LENGTHS[b as usize]) | u64::from(CODES[b as usize]);
        nbits += u32::from(LENGTHS[b as usize]);
        while nbits >= 8 {
            nbits -= 8;
            out.push((acc >> nbits) as u8);
        }
    }
    if nbits > 0 {
        // Pad with the most significant bits of EOS (ones).
        out.push(((acc << (8 - nbits)) | (0xff >> nbits)) as u8);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_canonical() {
        for s in 0..256u32 {
            let len = u32::from(LENGTHS[s as usize]);
            let acc = u64::from(CODES[s as usize]) << (64 - len);
            assert_eq!(slow_symbol(acc, len), Some((s as u16, len)), "symbol {s}");
        }
    }

    #[test]
    fn rfc7541_c4_vectors() {
        // RFC 7541 C.4.1: "www.example.com".
        let enc = [
            0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff,
        ];
        let mut out = Vec::new();
        decode(&enc, &mut out).expect("valid");
        assert_eq!(out, b"www.example.com");
        assert_eq!(encode(b"www.example.com"), enc);
    }

    #[test]
    fn round_trip_all_octets_and_lengths() {
        let all: Vec<u8> = (0..=255).collect();
        for len in 0..all.len() {
            let src: Vec<u8> = all
                .iter()
                .cycle()
                .skip(len * 7)
                .take(len)
                .copied()
                .collect();
            let mut out = Vec::new();
            decode(&encode(&src), &mut out).expect("round trip");
            assert_eq!(out, src);
        }
        let zeros = vec![b'0'; 100];
        let mut out = Vec::new();
        decode(&encode(&zeros), &mut out).expect("max expansion");
        assert_eq!(out, zeros);
    }

    /// Bit-by-bit decoding straight from RFC 7541 Appendix B and §5.2: a symbol is the first code
    /// that matches; what is left at the end must be fewer than 8 one-bits (an EOS prefix).
    fn reference(src: &[u8]) -> Result<Vec<u8>, HuffmanError> {
        let bits: Vec<bool> = src
            .iter()
            .flat_map(|b| (0..8).rev().map(move |k| b >> k & 1 == 1))
            .collect();
        let codes: std::collections::HashMap<(usize, u32), u8> = (0..256)
            .map(|s| ((usize::from(LENGTHS[s]), CODES[s]), s as u8))
            .collect();
        let mut out = Vec::new();
        let mut p = 0;
        'symbols: while p < bits.len() {
            let mut code = 0u32;
            for len in 1..=30 {
                let Some(&bit) = bits.get(p + len - 1) else {
                    let rest = &bits[p..];
                    return if rest.len() < 8 && rest.iter().all(|b| *b) {
                        Ok(out)
                    } else {
                        Err(HuffmanError)
                    };
                };
                code = code << 1 | u32::from(bit);
                if len == 30 && code == 0x3fff_ffff {
                    return Err(HuffmanError);
                }
                if let Some(&s) = codes.get(&(len, code)) {
                    out.push(s);
                    p += len;
                    continue 'symbols;
                }
            }
            return Err(HuffmanError);
        }
        Ok(out)
    }

    fn decoded(src: &[u8]) -> Result<Vec<u8>, HuffmanError> {
        let mut out = b"kept".to_vec();
        let r = decode(src, &mut out);
        assert!(out.starts_with(b"kept"), "earlier bytes untouched");
        r.map(|()| out[4..].to_vec())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

        /// Arbitrary bytes (mostly invalid codes, bad padding, EOS) decode exactly as the
        /// reference does, also when bytes after the string are visible to the word loads.
        #[test]
        fn arbitrary_bytes_match_the_reference(
            src in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            after in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..12),
        ) {
            let want = reference(&src);
            proptest::prop_assert_eq!(decoded(&src), want.clone());
            let mut input = src.clone();
            input.extend_from_slice(&after);
            let mut out = Vec::new();
            let r = decode_prefix(&input, src.len(), &mut out).map(|()| out);
            proptest::prop_assert_eq!(r, want);
        }

        /// Encoded text (short codes, long codes, every length) round-trips; a flipped bit decodes
        /// as the reference says.
        #[test]
        fn encoded_text_round_trips(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => proptest::sample::select(b"abcdefghijklmnopqrstuvwxyz0123456789-_./=;: ".to_vec()),
                    1 => proptest::prelude::any::<u8>(),
                ],
                0..80,
            ),
            flip in proptest::prelude::any::<usize>(),
            after in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..12),
        ) {
            let enc = encode(&text);
            proptest::prop_assert_eq!(decoded(&enc), Ok(text.clone()));
            let mut input = enc.clone();
            input.extend_from_slice(&after);
            let mut out = Vec::new();
            proptest::prop_assert!(decode_prefix(&input, enc.len(), &mut out).is_ok());
            proptest::prop_assert_eq!(out, text);
            if !enc.is_empty() {
                let mut bad = enc.clone();
                bad[flip % enc.len()] ^= 1 << (flip % 8);
                proptest::prop_assert_eq!(decoded(&bad), reference(&bad));
            }
        }
    }

    #[test]
    fn invalid_padding_and_eos() {
        let mut out = Vec::new();
        // 8 bits of padding (a whole byte of ones) is too long.
        let mut enc = encode(b"a");
        enc.push(0xff);
        assert_eq!(decode(&enc, &mut out), Err(HuffmanError));
        // Padding with a zero bit.
        assert_eq!(decode(&[0b0000_0110], &mut out), Err(HuffmanError));
        // EOS itself (30 ones) inside the string.
        assert_eq!(
            decode(&[0xff, 0xff, 0xff, 0xfc], &mut out),
            Err(HuffmanError)
        );
    }
}

#[cfg(test)]
mod speed {
    #[test]
    #[ignore]
    fn huffman_speed() {
        let text: Vec<u8> = b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 session=8f14e45fceea167a5a36dedd4bea2543; _ga=GA1.2.1234567890.1700000000 text/html,application/xhtml+xml".repeat(8);
        let enc = super::encode(&text);
        let mut out = Vec::with_capacity(4096);
        let t = std::time::Instant::now();
        let n = 200_000;
        for _ in 0..n {
            out.clear();
            super::decode(std::hint::black_box(&enc), &mut out).expect("ok");
        }
        let dt = t.elapsed().as_secs_f64();
        eprintln!(
            "huffman: {:.0} MB/s encoded, {:.0} MB/s decoded",
            (enc.len() * n) as f64 / dt / 1e6,
            (text.len() * n) as f64 / dt / 1e6
        );
        // Header-sized literals (paths, ids, cookies), where per-string costs count.
        let short: Vec<Vec<u8>> = [
            &b"/search.v1.SearchService/Query"[..],
            b"req-00000123",
            b"session=8f14e45fceea167a5a36dedd4bea2543; cart=17; _ga=GA1.2.1234567890",
            b"/catalog/item/17?ref=home",
            b"seen=17; Path=/; HttpOnly",
            b"7",
        ]
        .iter()
        .map(|s| super::encode(s))
        .collect();
        let bytes: usize = short.iter().map(Vec::len).sum();
        let t = std::time::Instant::now();
        let n = 1_000_000;
        for _ in 0..n {
            for s in &short {
                out.clear();
                super::decode(std::hint::black_box(s), &mut out).expect("ok");
            }
        }
        let dt = t.elapsed().as_secs_f64();
        eprintln!(
            "huffman short literals: {:.0} MB/s encoded, {:.1} ns per literal",
            (bytes * n) as f64 / dt / 1e6,
            dt * 1e9 / (n * short.len()) as f64
        );
    }
}
