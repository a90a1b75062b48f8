//! Hand-made frames for paths real peers rarely take.

use super::replay;
use crate::exchange::Side;
use crate::http2::frame::{flag, kind, PREFACE};
use crate::http2::hpack::encode;

pub(crate) fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let mut f = (payload.len() as u32).to_be_bytes()[1..].to_vec();
    f.push(kind);
    f.push(flags);
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// A header block of literal fields without indexing, Huffman-coded.
pub(crate) fn block(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut b = Vec::new();
    for (n, v) in fields {
        b.push(0x00);
        encode::string(&mut b, n.as_bytes(), true);
        encode::string(&mut b, v.as_bytes(), true);
    }
    b
}

fn get(path: &str) -> Vec<u8> {
    block(&[
        (":method", "GET"),
        (":scheme", "https"),
        (":path", path),
        (":authority", "a.example"),
    ])
}

#[test]
fn padding_priority_continuation_rst_goaway_unknown() {
    let mut c = PREFACE.to_vec();
    c.extend(frame(kind::SETTINGS, 0, 0, &[0, 1, 0, 0, 0x10, 0]));
    // Stream 1: HEADERS padded + priority, split over a CONTINUATION.
    let b = get("/one");
    let (b1, b2) = b.split_at(5);
    let mut p = vec![3u8];
    p.extend_from_slice(&[0, 0, 0, 0, 16]);
    p.extend_from_slice(b1);
    p.extend_from_slice(&[0, 0, 0]);
    c.extend(frame(kind::HEADERS, flag::PADDED | flag::PRIORITY, 1, &p));
    c.extend(frame(0xfa, 0, 0, b"unknown extension frame"));
    c.extend(frame(kind::CONTINUATION, flag::END_HEADERS, 1, b2));
    // Padded DATA with END_STREAM.
    let mut d = vec![4u8];
    d.extend_from_slice(b"body");
    d.extend_from_slice(&[0; 4]);
    c.extend(frame(kind::DATA, flag::PADDED | flag::END_STREAM, 1, &d));
    // Stream 3: reset by the client before any response.
    c.extend(frame(
        kind::HEADERS,
        flag::END_HEADERS | flag::END_STREAM,
        3,
        &get("/three"),
    ));
    c.extend(frame(kind::RST_STREAM, 0, 3, &[0, 0, 0, 8]));
    let mut s = frame(kind::SETTINGS, 0, 0, &[]);
    s.extend(frame(
        kind::HEADERS,
        flag::END_HEADERS,
        1,
        &block(&[(":status", "201"), ("server", "t")]),
    ));
    s.extend(frame(kind::DATA, 0, 1, b"cre"));
    s.extend(frame(kind::DATA, flag::END_STREAM, 1, b"ated"));
    s.extend(frame(kind::GOAWAY, 0, 0, &[0, 0, 0, 3, 0, 0, 0, 0]));
    let log = vec![(Side::Client, c), (Side::Server, s)];
    for chunk in [usize::MAX, 1, 5] {
        let (ex, stats) = replay(&log, false, chunk);
        assert_eq!(ex.len(), 2, "{stats:?}");
        let three = ex
            .iter()
            .find(|e| e.request.uri == "/three")
            .expect("reset stream");
        assert!(three.response.is_none());
        let one = ex
            .iter()
            .find(|e| e.request.uri == "/one")
            .expect("stream 1");
        assert_eq!(one.request.body(), b"body");
        let r = one.response.as_ref().expect("response");
        assert_eq!((r.status, r.body()), (201, &b"created"[..]));
        assert_eq!(
            (
                stats.h2_streams_reset,
                stats.h2_goaways,
                stats.h2_unknown_frames
            ),
            (1, 1, 1)
        );
        assert_eq!(stats.h2_frame_errors + stats.hpack_errors, 0);
    }
}

#[test]
fn invalid_padding_is_counted_not_fatal() {
    let mut c = PREFACE.to_vec();
    c.extend(frame(kind::HEADERS, flag::END_HEADERS, 1, &get("/x")));
    c.extend(frame(kind::DATA, flag::PADDED, 1, &[9, 1, 2]));
    c.extend(frame(kind::DATA, flag::END_STREAM, 1, b"ok"));
    let (ex, stats) = replay(&[(Side::Client, c)], false, usize::MAX);
    assert_eq!(stats.h2_frame_errors, 1);
    assert_eq!(ex.len(), 1);
    assert_eq!(ex[0].request.body(), b"ok");
}

/// After a PROXY header, the exchanges HTTP/1 finished before an h2c switch and the HTTP/2 ones
/// after it all carry the client address.
#[test]
fn h2c_upgrade_keeps_the_proxied_client() {
    let mut c = b"PROXY TCP4 198.51.100.9 10.0.0.5 40000 80\r\nGET /before HTTP/1.1\r\nHost: a\r\n\r\nGET /up HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n".to_vec();
    c.extend_from_slice(PREFACE);
    c.extend(frame(
        kind::HEADERS,
        flag::END_HEADERS | flag::END_STREAM,
        3,
        &get("/after"),
    ));
    let mut s = b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n".to_vec();
    for (id, status) in [(1, "200"), (3, "404")] {
        s.extend(frame(
            kind::HEADERS,
            flag::END_HEADERS | flag::END_STREAM,
            id,
            &block(&[(":status", status)]),
        ));
    }
    // The preface after the 101, as a capture sees it.
    let pri = c.windows(3).position(|w| w == b"PRI").expect("preface");
    let log = vec![
        (Side::Client, c[..pri].to_vec()),
        (Side::Server, s),
        (Side::Client, c[pri..].to_vec()),
    ];
    let client = Some("198.51.100.9:40000".parse().expect("addr"));
    for chunk in [usize::MAX, 1] {
        let (ex, stats) = replay(&log, false, chunk);
        assert_eq!(stats.h2c_upgrades, 1, "chunk {chunk}");
        let uris: Vec<_> = ex.iter().map(|e| e.request.uri.as_str()).collect();
        assert_eq!(uris, ["/before", "/up", "/after"], "chunk {chunk}");
        assert!(
            ex.iter().all(|e| e.proxied_client == client),
            "chunk {chunk}"
        );
    }
}

#[test]
fn h2c_upgrade_continues_as_http2() {
    let mut settings = Vec::new();
    encode::integer(&mut settings, 0, 0, 0);
    let mut c = b"GET /up HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n".to_vec();
    c.extend_from_slice(PREFACE);
    c.extend(frame(kind::SETTINGS, 0, 0, &[]));
    c.extend(frame(
        kind::HEADERS,
        flag::END_HEADERS | flag::END_STREAM,
        3,
        &get("/after"),
    ));
    let mut s =
        b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n".to_vec();
    s.extend(frame(kind::SETTINGS, 0, 0, &[]));
    s.extend(frame(
        kind::HEADERS,
        flag::END_HEADERS,
        1,
        &block(&[(":status", "200")]),
    ));
    s.extend(frame(kind::DATA, flag::END_STREAM, 1, b"upgraded"));
    s.extend(frame(
        kind::HEADERS,
        flag::END_HEADERS | flag::END_STREAM,
        3,
        &block(&[(":status", "404")]),
    ));
    // The client's bytes up to the request first, then the rest: the preface waits for the 101.
    let at = c.iter().position(|&b| b == b'P').expect("preface");
    let log = vec![
        (Side::Client, c[..at].to_vec()),
        (Side::Client, c[at..].to_vec()),
        (Side::Server, s),
    ];
    for chunk in [usize::MAX, 1, 4] {
        let (ex, stats) = replay(&log, false, chunk);
        assert_eq!(stats.h2c_upgrades, 1, "chunk {chunk}");
        assert_eq!(ex.len(), 2, "chunk {chunk}: {ex:#?}");
        assert_eq!(ex[0].request.uri, "/up");
        let r = ex[0].response.as_ref().expect("stream 1 response");
        assert_eq!(
            (r.status, r.body(), r.version),
            (200, &b"upgraded"[..], "HTTP/2")
        );
        assert_eq!(ex[1].request.uri, "/after");
        assert_eq!(ex[1].response.as_ref().map(|r| r.status), Some(404));
    }
}

#[test]
fn concurrent_stream_bodies_share_a_budget() {
    let limits = crate::exchange::Limits {
        max_header_bytes: 4096,
        max_body_bytes: 100,
    };
    let mut p = crate::parse::ConnParser::new(limits, false);
    let mut c = PREFACE.to_vec();
    for id in (1..80).step_by(2) {
        c.extend(frame(kind::HEADERS, flag::END_HEADERS, id, &get("/up")));
        c.extend(frame(kind::DATA, 0, id, &[b'b'; 100]));
    }
    p.feed(Side::Client, &c);
    p.finish();
    let mut kept = 0;
    let mut n = 0;
    while let Some(e) = p.pop() {
        kept += e.request.body().len();
        assert_eq!(e.request.body_len, 100);
        n += 1;
    }
    assert_eq!(n, 40);
    assert_eq!(kept, 800, "8 × max_body_bytes across open streams");
}

#[test]
fn gap_inside_a_data_frame_keeps_frame_sync() {
    let mut p = crate::parse::ConnParser::new(crate::exchange::Limits::default(), false);
    let mut c = PREFACE.to_vec();
    c.extend(frame(kind::HEADERS, flag::END_HEADERS, 1, &get("/big")));
    let data = frame(kind::DATA, flag::END_STREAM, 1, &[b'd'; 1000]);
    c.extend_from_slice(&data[..300]);
    p.feed(Side::Client, &c);
    p.gap(Side::Client, 500);
    let mut rest = data[800..].to_vec();
    rest.extend(frame(
        kind::HEADERS,
        flag::END_HEADERS | flag::END_STREAM,
        3,
        &get("/next"),
    ));
    p.feed(Side::Client, &rest);
    let mut s = frame(
        kind::HEADERS,
        flag::END_HEADERS | flag::END_STREAM,
        1,
        &block(&[(":status", "200")]),
    );
    s.extend(frame(
        kind::HEADERS,
        flag::END_HEADERS | flag::END_STREAM,
        3,
        &block(&[(":status", "204")]),
    ));
    p.feed(Side::Server, &s);
    let a = p.pop().expect("stream 1");
    assert_eq!(
        (
            a.request.body().len(),
            a.request.body_len,
            a.request.body_truncated
        ),
        (291, 1000, true)
    );
    assert!(a.incomplete_context);
    let b = p.pop().expect("stream 3");
    assert_eq!(b.request.uri, "/next");
    assert!(!b.incomplete_context);
    assert_eq!(p.stats().resyncs, 0);
}

/// GOAWAY (RFC 9113 §6.8): streams above Last-Stream-ID will never be answered; they come out as
/// unanswered at once, while streams at or below it keep waiting for their responses.
#[test]
fn goaway_finishes_streams_above_last_stream_id() {
    let mut c = PREFACE.to_vec();
    c.extend(frame(kind::SETTINGS, 0, 0, &[]));
    for (id, path) in [(1, "/one"), (3, "/three"), (5, "/five"), (7, "/seven")] {
        c.extend(frame(
            kind::HEADERS,
            flag::END_HEADERS | flag::END_STREAM,
            id,
            &get(path),
        ));
    }
    let mut s = frame(kind::SETTINGS, 0, 0, &[]);
    // Graceful shutdown after stream 3 (NO_ERROR), then the answers to 1 and 3.
    s.extend(frame(kind::GOAWAY, 0, 0, &[0, 0, 0, 3, 0, 0, 0, 0]));
    let mut answers = Vec::new();
    for id in [3, 1] {
        answers.extend(frame(
            kind::HEADERS,
            flag::END_HEADERS | flag::END_STREAM,
            id,
            &block(&[(":status", "200")]),
        ));
    }
    let mut p = crate::parse::ConnParser::new(crate::exchange::Limits::default(), false);
    p.feed(Side::Client, &c);
    p.feed(Side::Server, &s);
    let mut early = Vec::new();
    while let Some(e) = p.pop() {
        early.push((
            e.request.uri.clone(),
            e.response.is_some(),
            e.incomplete_context,
        ));
    }
    assert_eq!(
        early,
        [
            ("/five".to_owned(), false, false),
            ("/seven".to_owned(), false, false)
        ],
        "emitted at the GOAWAY, before the connection ends"
    );
    p.feed(Side::Server, &answers);
    let mut later = Vec::new();
    while let Some(e) = p.pop() {
        later.push((e.request.uri.clone(), e.response.map(|r| r.status)));
    }
    assert_eq!(
        later,
        [
            ("/three".to_owned(), Some(200)),
            ("/one".to_owned(), Some(200))
        ]
    );
    assert_eq!(p.stats().requests_unanswered, 2);
    assert_eq!(p.stats().h2_goaways, 1);
    // Any split gives the same exchanges.
    let log = vec![(Side::Client, c), (Side::Server, [s, answers].concat())];
    let (whole, _) = replay(&log, false, usize::MAX);
    for chunk in [1, 2, 9, 10] {
        assert_eq!(replay(&log, false, chunk).0, whole, "chunk {chunk}");
    }
    // A GOAWAY shorter than its 8 fixed octets is a frame error, nothing else.
    let short = vec![
        (Side::Client, PREFACE.to_vec()),
        (Side::Server, frame(kind::GOAWAY, 0, 0, &[0, 0, 0])),
    ];
    let (_, stats) = replay(&short, false, usize::MAX);
    assert_eq!(stats.h2_frame_errors, 1);
}

/// Streams completed out of order leave the others to come out, at the connection's end or when
/// flushed, in the order they were opened (the stream list itself is unordered).
#[test]
fn streams_left_open_come_out_in_opening_order() {
    let ids = [1u32, 3, 5, 7, 9, 11];
    let mut c = PREFACE.to_vec();
    c.extend(frame(kind::SETTINGS, 0, 0, &[]));
    for id in ids {
        let path = format!("/{id}");
        c.extend(frame(
            kind::HEADERS,
            flag::END_HEADERS | flag::END_STREAM,
            id,
            &get(&path),
        ));
    }
    let mut s = frame(kind::SETTINGS, 0, 0, &[]);
    // 1 and 7 answered; 5 answered but not ended (its stream stays open).
    for (id, end) in [(7, true), (1, true), (5, false)] {
        let flags = flag::END_HEADERS | if end { flag::END_STREAM } else { 0 };
        s.extend(frame(
            kind::HEADERS,
            flags,
            id,
            &block(&[(":status", "200")]),
        ));
    }
    let uris = |ex: Vec<crate::exchange::Exchange>| -> Vec<String> {
        ex.into_iter().map(|e| e.request.uri).collect()
    };
    let log = vec![(Side::Client, c.clone()), (Side::Server, s.clone())];
    let (ex, _) = replay(&log, false, usize::MAX);
    assert_eq!(uris(ex), ["/7", "/1", "/3", "/5", "/9", "/11"]);
    // Flushing the unanswered: 3, 9, 11 in opening order; 5 (answer started) stays.
    let mut p = crate::parse::ConnParser::new(crate::exchange::Limits::default(), false);
    p.feed(Side::Client, &c);
    p.feed(Side::Server, &s);
    let mut got = Vec::new();
    while let Some(e) = p.pop() {
        got.push(e);
    }
    p.flush_unanswered();
    while let Some(e) = p.pop() {
        got.push(e);
    }
    assert_eq!(uris(got), ["/7", "/1", "/3", "/9", "/11"]);
    p.finish();
    assert_eq!(p.pop().map(|e| e.request.uri), Some("/5".to_owned()));
}

/// Blocks after a message's first are appended to its list (trailers): a request's trailers may
/// carry the `content-type` that makes it gRPC's; a later response block whose first `:status` is
/// 1xx is an interim response and adds nothing; the final trailers end the stream.
#[test]
fn trailers_append_to_their_message() {
    let mut c = PREFACE.to_vec();
    c.extend(frame(kind::HEADERS, flag::END_HEADERS, 1, &get("/t")));
    c.extend(frame(kind::DATA, 0, 1, b"q"));
    c.extend(frame(
        kind::HEADERS,
        flag::END_HEADERS | flag::END_STREAM,
        1,
        &block(&[("content-type", "application/grpc"), ("x-t", "1")]),
    ));
    let mut s = frame(kind::SETTINGS, 0, 0, &[]);
    s.extend(frame(
        kind::HEADERS,
        flag::END_HEADERS,
        1,
        &block(&[(":status", "200"), ("content-type", "application/grpc")]),
    ));
    s.extend(frame(kind::DATA, 0, 1, b"r"));
    s.extend(frame(
        kind::HEADERS,
        flag::END_HEADERS,
        1,
        &block(&[(":status", "103"), ("link", "</x>")]),
    ));
    s.extend(frame(
        kind::HEADERS,
        flag::END_HEADERS | flag::END_STREAM,
        1,
        &block(&[("grpc-status", "0"), (":status", "500")]),
    ));
    let log = vec![(Side::Client, c), (Side::Server, s)];
    for chunk in [usize::MAX, 1, 7] {
        let (ex, stats) = replay(&log, false, chunk);
        assert_eq!(ex.len(), 1, "{stats:?}");
        let e = &ex[0];
        let names = |h: &crate::exchange::Headers| -> Vec<String> {
            h.iter()
                .map(|(n, v)| {
                    format!(
                        "{}={}",
                        String::from_utf8_lossy(n),
                        String::from_utf8_lossy(v)
                    )
                })
                .collect()
        };
        assert_eq!(
            names(&e.request.headers),
            [
                ":scheme=https",
                ":authority=a.example",
                "host=a.example",
                "content-type=application/grpc",
                "x-t=1"
            ]
        );
        let r = e.response.as_ref().expect("response");
        assert_eq!(r.status, 200);
        assert_eq!(
            names(&r.headers),
            [
                "content-type=application/grpc",
                "grpc-status=0",
                ":status=500"
            ]
        );
        assert_eq!((stats.grpc_exchanges, stats.interim_responses), (1, 1));
        assert_eq!((e.request.body(), r.body()), (&b"q"[..], &b"r"[..]));
    }
}
