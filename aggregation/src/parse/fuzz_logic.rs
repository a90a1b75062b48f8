//! Entry points for the fuzz targets in `aggregation/fuzz` (built only with `--cfg fuzzing`), so each
//! target stays a few lines and reaches parser internals (the HPACK decoder) directly.

mod structured;

use crate::exchange::{Limits, Side};
use crate::parse::ConnParser;

pub use structured::structured;

/// Small limits so that truncation, oversize and resync paths are reached with small inputs.
fn limits() -> Limits {
    Limits {
        max_header_bytes: 512,
        max_body_bytes: 64,
    }
}

/// Feeds `data` as a conversation: a control byte per record picks the side, a gap, or the piece
/// length; `prefix` is fed first on the client side (a preface, a PROXY header).
pub fn conversation(prefix: &[u8], data: &[u8]) {
    let Some((&mode, mut rest)) = data.split_first() else {
        return;
    };
    let mut p = ConnParser::new(limits(), mode & 0x80 != 0);
    p.feed(Side::Client, prefix);
    while let Some((&ctl, tail)) = rest.split_first() {
        let side = if ctl & 1 == 0 {
            Side::Client
        } else {
            Side::Server
        };
        let len = usize::from(ctl >> 2).min(tail.len());
        if ctl & 2 != 0 && ctl & 0xf0 == 0xf0 {
            p.gap(side, u64::from(ctl & 0x0f));
        }
        p.feed(side, &tail[..len]);
        rest = &tail[len..];
        while p.pop().is_some() {}
        if ctl == 0xff {
            p.flush_unanswered();
        }
        // Bounded memory whatever the input.
        assert!(p.heap_bytes() < 1 << 20);
    }
    p.finish();
    while p.pop().is_some() {}
}

/// One HTTP/1 conversation (whatever the bytes, detection falls back to HTTP/1 unless they start
/// with the HTTP/2 preface or a PROXY header).
pub fn http1(data: &[u8]) {
    conversation(b"", data);
}

/// An HTTP/2 connection after the preface.
pub fn http2(data: &[u8]) {
    conversation(crate::http2::PREFACE, data);
}

/// HPACK blocks against a decoder that joined late (unknown indexes) and one with full history.
pub fn hpack(data: &[u8]) {
    for complete in [false, true] {
        let mut d = crate::http2::hpack::Decoder::new(complete);
        for block in data.split(|&b| b == 0xfe) {
            let mut out = crate::http2::hpack::Fields::new();
            let _ = d.decode(block, 4096, &mut out);
            assert!(out.iter().map(|(n, v)| n.len() + v.len()).sum::<usize>() <= 4096);
        }
    }
}

/// PROXY v1/v2 headers alone, and at the start of a connection.
pub fn proxy(data: &[u8]) {
    let _ = crate::proxy::parse(data);
    let mut p = ConnParser::new(limits(), false);
    p.feed(Side::Client, data);
    p.finish();
    while p.pop().is_some() {}
}

/// HTTP/2 frames built from the input, records `[ctl][flags][stream][len][payload; len]`: frame
/// headers are well-formed, so the fuzzer spends its time in HPACK, CONTINUATION and stream state
/// rather than in resync. `ctl`: bit 7 the side, bits 0–3 the type (10–15 unknown types), `0x70`
/// set: a gap of `flags` bytes first.
pub fn http2_frames(data: &[u8]) {
    let mut p = ConnParser::new(limits(), false);
    p.feed(Side::Client, crate::http2::PREFACE);
    let mut rest = data;
    while let [ctl, flags, stream, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let side = if ctl & 0x80 == 0 {
            Side::Client
        } else {
            Side::Server
        };
        if ctl & 0x70 == 0x70 {
            p.gap(side, u64::from(*flags));
        }
        let mut frame = Vec::with_capacity(9 + len);
        frame.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
        frame.push(ctl & 0x0f);
        frame.push(*flags);
        frame.extend_from_slice(&u32::from(*stream).to_be_bytes());
        frame.extend_from_slice(&tail[..len]);
        p.feed(side, &frame);
        while p.pop().is_some() {}
        rest = &tail[len..];
    }
    p.finish();
    while p.pop().is_some() {}
}
