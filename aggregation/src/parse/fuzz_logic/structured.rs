//! Structured fuzzing: the input picks a sequence of realistic pieces (HTTP/1 heads and bodies with
//! every framing, HTTP/2 frames with real HPACK blocks, PROXY headers) fed on both sides, with gaps
//! and idle flushes in between, each piece cut at a fuzzed point. Raw bytes rarely reach the deep
//! states (a 417 before a skipped body, an h2c switch, GOAWAY with streams open, CONTINUATION
//! after dynamic-table insertions); built pieces do.
//!
//! Oracle besides "no panic, bounded memory": the parser's split invariant (`parse` module doc).
//! On a connection seen from its start, the same operations with every run of same-side feeds
//! joined into one feed must give the same exchanges.

use arbitrary::{Result, Unstructured};

use super::limits;
use crate::exchange::Side;
use crate::http2::frame::{flag, kind, PREFACE};
use crate::http2::hpack::encode;
use crate::parse::ConnParser;

/// What the parser is given, in order.
#[derive(Clone, Debug)]
enum Op {
    Feed(Side, Vec<u8>),
    Gap(Side, u64),
    Flush,
}

/// Builds operations from the input, runs them as built and coalesced, compares.
pub fn structured(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok((mid_stream, ops)) = build(&mut u) else {
        return;
    };
    let pieces = run(mid_stream, &ops);
    if mid_stream {
        // Joined mid-stream, detection takes a feed that ends exactly at a frame boundary as a hint
        // (syscalls carry whole frames): there the split may change the outcome, by design.
        return;
    }
    let joined = run(mid_stream, &coalesce(ops.clone()));
    assert_eq!(
        pieces,
        joined,
        "feed boundaries changed the exchanges; mid_stream {mid_stream}, ops:\n{}",
        ops.iter().map(describe).collect::<Vec<_>>().join("\n")
    );
}

fn describe(op: &Op) -> String {
    match op {
        Op::Feed(side, b) => format!("feed {side:?} \"{}\"", b.escape_ascii()),
        Op::Gap(side, lost) => format!("gap {side:?} {lost}"),
        Op::Flush => "flush".to_owned(),
    }
}

fn run(mid_stream: bool, ops: &[Op]) -> Vec<crate::exchange::Exchange> {
    let mut p = ConnParser::new(limits(), mid_stream);
    let mut out = Vec::new();
    for op in ops {
        match op {
            Op::Feed(side, bytes) => p.feed(*side, bytes),
            Op::Gap(side, lost) => p.gap(*side, *lost),
            Op::Flush => p.flush_unanswered(),
        }
        while let Some(e) = p.pop() {
            out.push(e);
        }
        assert!(p.heap_bytes() < 1 << 20);
    }
    p.finish();
    while let Some(e) = p.pop() {
        out.push(e);
    }
    out
}

/// Joins adjacent feeds of the same side (nothing else in between).
fn coalesce(ops: Vec<Op>) -> Vec<Op> {
    let mut out: Vec<Op> = Vec::new();
    for op in ops {
        match (out.last_mut(), op) {
            (Some(Op::Feed(s, acc)), Op::Feed(side, bytes)) if *s == side => {
                acc.extend_from_slice(&bytes)
            }
            (_, op) => out.push(op),
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Http1,
    Http2,
    /// HTTP/1.1 `Upgrade: h2c` first, then HTTP/2.
    H2c,
}

fn build(u: &mut Unstructured<'_>) -> Result<(bool, Vec<Op>)> {
    let mode = *u.choose(&[Mode::Http1, Mode::Http2, Mode::H2c])?;
    let mid_stream = u.ratio(1, 8)?;
    let mut ops = Vec::new();
    if u.ratio(1, 6)? {
        let proxy: &[u8] = u.choose(&[
            &b"PROXY TCP4 198.51.100.9 10.0.0.5 40000 80\r\n"[..],
            b"PROXY UNKNOWN\r\n",
            b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c\xc6\x33\x64\x09\x0a\x00\x00\x05\x9c\x40\x00\x50",
        ])?;
        feed(u, &mut ops, Side::Client, proxy.to_vec())?;
    }
    let mut h2 = mode == Mode::Http2;
    if h2 && !mid_stream {
        feed(u, &mut ops, Side::Client, PREFACE.to_vec())?;
    }
    if mode == Mode::H2c {
        let req = b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n";
        feed(u, &mut ops, Side::Client, req.to_vec())?;
        let resp =
            b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
        feed(u, &mut ops, Side::Server, resp.to_vec())?;
        feed(u, &mut ops, Side::Client, PREFACE.to_vec())?;
        h2 = true;
    }
    let steps = u.int_in_range(1..=40)?;
    // A client waits for the answer to a request that may switch protocols (Upgrade, CONNECT)
    // before sending more (RFC 9110 §7.8, §9.3.6); what it would send is the new protocol's.
    let mut awaiting_switch = false;
    // Requests generated and not answered yet.
    let mut outstanding = 0u32;
    for _ in 0..steps {
        if u.is_empty() {
            break;
        }
        let mut side = if u.arbitrary()? {
            Side::Client
        } else {
            Side::Server
        };
        if awaiting_switch && !h2 {
            side = Side::Server;
        }
        // Capture order (`parse` module doc): a response follows its request.
        if outstanding == 0 && !h2 {
            side = Side::Client;
        }
        match u.int_in_range(0..=19)? {
            0 => ops.push(Op::Gap(side, u.int_in_range(0..=300)?)),
            1 => ops.push(Op::Flush),
            2 => {
                let raw: Vec<u8> = u.arbitrary()?;
                feed(u, &mut ops, side, raw)?;
            }
            _ if h2 => {
                let frame = h2_frame(u, side)?;
                feed(u, &mut ops, side, frame)?;
            }
            _ => {
                let msg = match side {
                    Side::Client => {
                        let (msg, switch) = http1_request(u)?;
                        awaiting_switch = switch;
                        outstanding += 1;
                        msg
                    }
                    Side::Server => {
                        let (msg, last) = http1_response(u)?;
                        if last {
                            awaiting_switch = false;
                            outstanding = outstanding.saturating_sub(1);
                        }
                        msg
                    }
                };
                feed(u, &mut ops, side, msg)?;
            }
        }
    }
    Ok((mid_stream, ops))
}

/// Feeds `bytes` as one piece or cut in two at a fuzzed point.
fn feed(u: &mut Unstructured<'_>, ops: &mut Vec<Op>, side: Side, bytes: Vec<u8>) -> Result<()> {
    if bytes.len() > 1 && u.arbitrary()? {
        let at = u.int_in_range(1..=bytes.len() - 1)?;
        ops.push(Op::Feed(side, bytes[..at].to_vec()));
        ops.push(Op::Feed(side, bytes[at..].to_vec()));
    } else {
        ops.push(Op::Feed(side, bytes));
    }
    Ok(())
}

fn short_bytes(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<u8>> {
    let n = u.int_in_range(0..=max)?;
    Ok(u.bytes(n)?.to_vec())
}

// === HTTP/1 ===

/// A request, and whether it may switch protocols.
fn http1_request(u: &mut Unstructured<'_>) -> Result<(Vec<u8>, bool)> {
    let method = u.choose(&["GET", "POST", "PUT", "HEAD", "CONNECT", "OPTIONS", "PATCH"])?;
    let target = u.choose(&["/", "/api/v1/items?id=1", "/upload", "*", "a.example:443"])?;
    let version = u.choose(&["HTTP/1.1", "HTTP/1.1", "HTTP/1.0"])?;
    let mut m = format!("{method} {target} {version}\r\nHost: a.example\r\n").into_bytes();
    let body = short_bytes(u, 48)?;
    match u.int_in_range(0..=6)? {
        0 => {}
        1 => m.extend(format!("Content-Length: {}\r\n", body.len()).bytes()),
        2 => m.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
        // 100-continue; the body is sent or not (skipped after a final status, RFC 9110 §10.1.1).
        3 => {
            m.extend(format!("Expect: 100-continue\r\nContent-Length: {}\r\n", body.len()).bytes())
        }
        4 => m.extend_from_slice(b"Connection: Upgrade\r\nUpgrade: websocket\r\n"),
        5 => m.extend_from_slice(b"Content-Length: 5, 7\r\n"),
        _ => {
            let line = short_bytes(u, 24)?;
            m.extend_from_slice(&line);
            m.extend_from_slice(b"\r\n");
        }
    }
    m.extend_from_slice(b"\r\n");
    let chunked = m.windows(7).any(|w| w == b"chunked");
    let send_body = m.windows(15).any(|w| w == b"Content-Length:") && u.arbitrary()?;
    if chunked {
        chunks(u, &mut m, &body)?;
    } else if send_body {
        m.extend_from_slice(&body);
    }
    let switch = *method == "CONNECT" || m.windows(8).any(|w| w == b"Upgrade:");
    Ok((m, switch))
}

/// A response, and whether it is final (not 1xx interim).
fn http1_response(u: &mut Unstructured<'_>) -> Result<(Vec<u8>, bool)> {
    let status = u.choose(&[
        "100 Continue",
        "101 Switching Protocols",
        "103 Early Hints",
        "200 OK",
        "204 No Content",
        "304 Not Modified",
        "401 Unauthorized",
        "417 Expectation Failed",
        "500 Internal Server Error",
    ])?;
    let mut m = format!("HTTP/1.1 {status}\r\n").into_bytes();
    let body = short_bytes(u, 48)?;
    match u.int_in_range(0..=3)? {
        0 => {
            m.extend(format!("Content-Length: {}\r\n\r\n", body.len()).bytes());
            m.extend_from_slice(&body);
        }
        1 => {
            m.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
            chunks(u, &mut m, &body)?;
        }
        2 => m.extend_from_slice(b"Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n"),
        _ => {
            // Close-delimited, or no body at all for 1xx/204/304.
            m.extend_from_slice(b"\r\n");
            m.extend_from_slice(&body);
        }
    }
    let last = !status.starts_with('1') || status.starts_with("101");
    Ok((m, last))
}

/// Chunked coding of `body` (RFC 9112 §7.1), sometimes with trailers.
fn chunks(u: &mut Unstructured<'_>, m: &mut Vec<u8>, body: &[u8]) -> Result<()> {
    let size = u.int_in_range(1..=16)?;
    for c in body.chunks(size) {
        m.extend(format!("{:x}\r\n", c.len()).bytes());
        m.extend_from_slice(c);
        m.extend_from_slice(b"\r\n");
    }
    m.extend_from_slice(b"0\r\n");
    if u.arbitrary()? {
        m.extend_from_slice(b"Grpc-Status: 0\r\n");
    }
    m.extend_from_slice(b"\r\n");
    Ok(())
}

// === HTTP/2 ===

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let mut f = (payload.len() as u32).to_be_bytes()[1..].to_vec();
    f.push(kind);
    f.push(flags);
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// One frame (or a HEADERS + CONTINUATION run) that `side` could send.
fn h2_frame(u: &mut Unstructured<'_>, side: Side) -> Result<Vec<u8>> {
    let stream = *u.choose(&[1u32, 1, 3, 3, 5, 7, 2, 4, 0])?;
    let end_stream = if u.arbitrary()? { flag::END_STREAM } else { 0 };
    Ok(match u.int_in_range(0..=11)? {
        0..=3 => {
            let block = hpack_block(u, side)?;
            if block.len() > 2 && u.ratio(1, 4)? {
                // Split over CONTINUATION (RFC 9113 §6.10).
                let at = u.int_in_range(1..=block.len() - 1)?;
                let mut f = frame(kind::HEADERS, end_stream, stream, &block[..at]);
                f.extend(frame(
                    kind::CONTINUATION,
                    flag::END_HEADERS,
                    stream,
                    &block[at..],
                ));
                f
            } else {
                frame(
                    kind::HEADERS,
                    flag::END_HEADERS | end_stream,
                    stream,
                    &block,
                )
            }
        }
        4 | 5 => {
            let data = short_bytes(u, 64)?;
            frame(kind::DATA, end_stream, stream, &data)
        }
        6 => {
            let mut p = vec![0, 1];
            p.extend_from_slice(&u32::from(u.int_in_range(0u16..=8192)?).to_be_bytes());
            if u.arbitrary()? {
                p.extend_from_slice(&[0, 5, 0, 0, 0x40, 0]);
            }
            frame(kind::SETTINGS, 0, 0, &p)
        }
        7 => frame(kind::RST_STREAM, 0, stream, &[0, 0, 0, 8]),
        8 => {
            // GOAWAY (RFC 9113 §6.8): Last-Stream-ID, error code.
            let last = u32::from(u.int_in_range(0u8..=7)?);
            let mut p = last.to_be_bytes().to_vec();
            p.extend_from_slice(&[0, 0, 0, 0]);
            frame(kind::GOAWAY, 0, 0, &p)
        }
        9 => {
            let promised = *u.choose(&[2u32, 4, 6])?;
            let mut p = promised.to_be_bytes().to_vec();
            p.extend(hpack_block(u, Side::Client)?);
            frame(kind::PUSH_PROMISE, flag::END_HEADERS, stream, &p)
        }
        10 => frame(kind::WINDOW_UPDATE, 0, stream, &[0, 0, 0x40, 0]),
        _ => {
            let kind = u.arbitrary()?;
            let flags = u.arbitrary()?;
            let payload = short_bytes(u, 24)?;
            frame(kind, flags, stream, &payload)
        }
    })
}

/// An HPACK block of the field representations encoders use (RFC 7541 §6), with the pseudo-fields a
/// request or response starts with.
fn hpack_block(u: &mut Unstructured<'_>, side: Side) -> Result<Vec<u8>> {
    let mut b = Vec::new();
    match side {
        // :method GET/POST, :scheme https, :path /.
        Side::Client => b.extend_from_slice(&[*u.choose(&[0x82u8, 0x83])?, 0x87, 0x84]),
        // :status 200 / 404 / a literal 1xx or 417.
        Side::Server => match u.int_in_range(0..=3)? {
            0 => b.push(0x88),
            1 => b.push(0x8d),
            _ => {
                b.push(0x08);
                let status = u.choose(&["100", "103", "417"])?;
                encode::string(&mut b, status.as_bytes(), u.arbitrary()?);
            }
        },
    }
    let n = u.int_in_range(0..=6)?;
    for _ in 0..n {
        let value = short_bytes(u, 20)?;
        let huffman = u.arbitrary()?;
        match u.int_in_range(0..=6)? {
            // Indexed, static or dynamic (§6.1).
            0 => encode::integer(&mut b, 0x80, 7, u.int_in_range(1..=70)?),
            // Literal with incremental indexing, indexed name (§6.2.1).
            1 | 2 => {
                encode::integer(&mut b, 0x40, 6, u.int_in_range(1..=66)?);
                encode::string(&mut b, &value, huffman);
            }
            // Literal with incremental indexing, new name.
            3 => {
                b.push(0x40);
                let name = u.choose(&["x-request-id", "cookie", "content-type", ":authority"])?;
                encode::string(&mut b, name.as_bytes(), huffman);
                encode::string(&mut b, &value, huffman);
            }
            // Literal without indexing / never indexed (§6.2.2, §6.2.3).
            4 => {
                encode::integer(
                    &mut b,
                    *u.choose(&[0x00u8, 0x10])?,
                    4,
                    u.int_in_range(1..=61)?,
                );
                encode::string(&mut b, &value, huffman);
            }
            // Dynamic table size update (§6.3).
            5 => encode::integer(&mut b, 0x20, 5, u.int_in_range(0..=4096)?),
            _ => b.extend_from_slice(&value),
        }
    }
    Ok(b)
}
