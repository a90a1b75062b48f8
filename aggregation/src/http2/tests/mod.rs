//! HTTP/2 tests: real h2 traffic (recorded), split anywhere, joined late, with gaps; hand-made frames
//! for the paths real peers rarely take (padding, CONTINUATION, RST_STREAM, h2c).

mod frames;
pub(crate) mod peer;

use crate::exchange::{Exchange, Headers, Limits, Protocol, Side};
use crate::parse::{ConnParser, ParserStats};
use peer::{browser_get, grpc_call, record};

pub(crate) fn replay(
    log: &[(Side, Vec<u8>)],
    mid_stream: bool,
    chunk: usize,
) -> (Vec<Exchange>, ParserStats) {
    let mut p = ConnParser::new(Limits::default(), mid_stream);
    let mut out = Vec::new();
    for (side, bytes) in log {
        for c in bytes.chunks(chunk.max(1)) {
            p.feed(*side, c);
            while let Some(e) = p.pop() {
                out.push(e);
            }
        }
    }
    p.finish();
    while let Some(e) = p.pop() {
        out.push(e);
    }
    (out, p.stats().clone())
}

fn header<'a>(h: &'a Headers, name: &str) -> Option<&'a [u8]> {
    h.find(name.as_bytes())
}

fn sorted(mut ex: Vec<Exchange>) -> Vec<Exchange> {
    ex.sort_by(|a, b| {
        a.request
            .uri
            .cmp(&b.request.uri)
            .then(a.request.headers.cmp(&b.request.headers))
    });
    ex
}

#[test]
fn browser_gets_from_connection_start() {
    let calls: Vec<_> = (0..6)
        .map(|i| browser_get(&format!("/p/{i}?q=a+b"), i))
        .collect();
    let log = record(&calls, 1);
    let (ex, stats) = replay(&log, false, usize::MAX);
    assert_eq!(ex.len(), 6, "{stats:?}");
    for (i, e) in ex.iter().enumerate() {
        assert_eq!(e.protocol, Protocol::Http2);
        assert_eq!(e.request.method, "GET");
        assert_eq!(e.request.uri, format!("/p/{i}?q=a+b"));
        assert_eq!(e.request.version, "HTTP/2");
        assert_eq!(
            header(&e.request.headers, "host"),
            Some(&b"shop.example.com"[..])
        );
        assert_eq!(
            header(&e.request.headers, ":authority"),
            Some(&b"shop.example.com"[..])
        );
        assert!(header(&e.request.headers, "cookie")
            .is_some_and(|c| c.ends_with(b"_ga=GA1.2.1234567890.1700000000")));
        let r = e.response.as_ref().expect("response");
        assert_eq!(r.status, 200);
        assert_eq!(r.body(), calls[i].resp_body);
        assert_eq!(
            header(&r.headers, "set-cookie"),
            Some(format!("seen={i}; Path=/; HttpOnly").as_bytes())
        );
        assert!(!e.incomplete_context);
    }
    assert_eq!(stats.hpack_unknown_indexes, 0);
    assert_eq!(stats.hpack_errors + stats.h2_frame_errors, 0);
}

#[test]
fn grpc_concurrent_streams_with_trailers() {
    let calls: Vec<_> = (0..12).map(grpc_call).collect();
    let log = record(&calls, 4);
    let (ex, stats) = replay(&log, false, usize::MAX);
    assert_eq!(ex.len(), 12);
    assert_eq!(stats.grpc_exchanges, 12);
    for e in &ex {
        assert_eq!(e.request.method, "POST");
        assert_eq!(e.request.uri, "/search.v1.SearchService/Query");
        assert_eq!(e.request.body()[0], 0);
        let r = e.response.as_ref().expect("response");
        assert_eq!(header(&r.headers, "grpc-status"), Some(&b"0"[..]));
        assert_eq!(r.body(), vec![0, 0, 0, 0, 2, 8, 1]);
    }
}

/// The client address of a PROXY header is on every HTTP/2 exchange, whether popped as they
/// complete or at the end (set as exchanges are emitted, not in `pop`).
#[test]
fn proxied_client_is_on_every_exchange() {
    let calls: Vec<_> = (0..12).map(grpc_call).collect();
    let mut log = record(&calls, 4);
    let first = log
        .iter_mut()
        .find(|(side, _)| *side == Side::Client)
        .expect("client bytes");
    first.1.splice(
        0..0,
        b"PROXY TCP4 198.51.100.9 10.0.0.5 40000 80\r\n"
            .iter()
            .copied(),
    );
    let client = Some("198.51.100.9:40000".parse().expect("addr"));
    for chunk in [usize::MAX, 7, 1] {
        let (ex, stats) = replay(&log, false, chunk);
        assert_eq!(stats.proxy_headers, 1);
        assert_eq!(ex.len(), 12, "chunk {chunk}");
        assert!(
            ex.iter().all(|e| e.proxied_client == client),
            "chunk {chunk}"
        );
    }
}

#[test]
fn any_chunking_gives_the_same_exchanges() {
    let mut calls: Vec<_> = (0..3).map(|i| browser_get(&format!("/c/{i}"), i)).collect();
    calls.push(grpc_call(7));
    let log = record(&calls, 2);
    let (whole, _) = replay(&log, false, usize::MAX);
    assert_eq!(whole.len(), 4);
    for chunk in [1, 2, 3, 7, 9, 10, 64, 1000] {
        let (got, _) = replay(&log, false, chunk);
        assert_eq!(got, whole, "chunk size {chunk}");
    }
    // Every split point of every record.
    for (i, (_, bytes)) in log.iter().enumerate() {
        for at in 0..=bytes.len() {
            let mut split = log.clone();
            let (side, b) = split.remove(i);
            split.insert(i, (side, b[at..].to_vec()));
            split.insert(i, (side, b[..at].to_vec()));
            let (got, _) = replay(&split, false, usize::MAX);
            assert_eq!(got, whole, "record {i} split at {at}");
        }
    }
}

#[test]
fn joined_mid_connection_still_produces_exchanges() {
    let calls: Vec<_> = (0..10)
        .map(|i| browser_get(&format!("/m/{i}"), i))
        .collect();
    let log = record(&calls, 1);
    let (full, _) = replay(&log, false, usize::MAX);
    // Join at every record boundary after the handshake.
    for start in 1..log.len() {
        let (ex, stats) = replay(&log[start..], true, usize::MAX);
        // Every exchange whose request was captured comes out; none is invented.
        let later: Vec<_> = full
            .iter()
            .filter(|e| ex.iter().any(|x| x.request.uri == e.request.uri))
            .collect();
        assert_eq!(later.len(), ex.len(), "start {start}: {stats:?}");
        for e in &ex {
            if e.request
                .headers
                .iter()
                .any(|(n, _)| n.starts_with(b":unknown-hpack-index-"))
            {
                assert!(e.incomplete_context);
            }
            let want = full
                .iter()
                .find(|f| f.request.uri == e.request.uri)
                .expect("known");
            if !e.incomplete_context {
                assert_eq!(e.request, want.request, "start {start}");
            }
        }
        // Streams that start after the join are not lost: the last requests always come out.
        let last_request_record = log
            .iter()
            .rposition(|(s, _)| *s == Side::Client)
            .expect("client records");
        if start < last_request_record.saturating_sub(4) {
            assert!(
                ex.iter().any(|e| e.request.uri == "/m/9"),
                "start {start}: {ex:#?}"
            );
        }
    }
}

#[test]
fn gap_loses_one_record_not_the_connection() {
    let calls: Vec<_> = (0..10)
        .map(|i| browser_get(&format!("/g/{i}"), i))
        .collect();
    let log = record(&calls, 1);
    let (full, _) = replay(&log, false, usize::MAX);
    for lost in 3..log.len() - 4 {
        let mut p = ConnParser::new(Limits::default(), false);
        let mut ex = Vec::new();
        for (i, (side, bytes)) in log.iter().enumerate() {
            if i == lost {
                p.gap(*side, bytes.len() as u64);
                continue;
            }
            p.feed(*side, bytes);
        }
        p.finish();
        while let Some(e) = p.pop() {
            ex.push(e);
        }
        assert!(
            ex.len() + 2 >= full.len(),
            "lost record {lost}: {} of {}",
            ex.len(),
            full.len()
        );
        assert!(
            ex.iter()
                .any(|e| e.request.uri == "/g/9" && e.response.is_some()),
            "lost {lost}"
        );
        assert_eq!(p.stats().gaps, 1);
        let _ = sorted(ex);
    }
}

type Log = Vec<(Side, Vec<u8>)>;

fn fixture_logs() -> [(&'static str, Log, usize); 2] {
    let browser: Vec<_> = (0..60)
        .map(|i| browser_get(&format!("/catalog/item/{i}?ref=home&sort=price"), i))
        .collect();
    let grpc: Vec<_> = (0..200).map(grpc_call).collect();
    [
        ("h2_browser.bin", record(&browser, 6), 60),
        ("h2_grpc.bin", record(&grpc, 8), 200),
    ]
}

/// Writes `testdata/h2_*.bin` (real h2 client/server traffic) used by benches and the fuzz corpus.
/// Run with `cargo test -p aggregation --lib regenerate_fixtures -- --ignored`.
#[test]
#[ignore]
fn regenerate_fixtures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata");
    for (name, log, _) in fixture_logs() {
        std::fs::write(format!("{dir}/{name}"), crate::recording::encode(&log))
            .expect("write fixture");
    }
}

#[test]
fn fixtures_replay() {
    for (name, bytes, want) in [
        (
            "h2_browser.bin",
            &include_bytes!("../../../testdata/h2_browser.bin")[..],
            60,
        ),
        (
            "h2_grpc.bin",
            &include_bytes!("../../../testdata/h2_grpc.bin")[..],
            200,
        ),
    ] {
        let (ex, stats) = replay(&crate::recording::decode(bytes), false, usize::MAX);
        assert_eq!(ex.len(), want, "{name}: {stats:?}");
        assert!(
            ex.iter()
                .all(|e| e.response.is_some() && !e.incomplete_context),
            "{name}"
        );
    }
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Recorded gRPC traffic cut at arbitrary points yields the same exchanges.
        #[test]
        fn chunking_never_changes_exchanges(cuts in proptest::collection::vec(any::<usize>(), 0..40)) {
            let log = crate::recording::decode(include_bytes!("../../../testdata/h2_grpc.bin"));
            let (want, _) = replay(&log, false, usize::MAX);
            let mut pieces = Vec::new();
            for (i, (side, bytes)) in log.iter().enumerate() {
                let mut at: Vec<usize> = cuts.iter().filter(|c| *c % log.len() == i).map(|c| (c / log.len()) % (bytes.len() + 1)).collect();
                at.sort_unstable();
                let mut prev = 0;
                for a in at.into_iter().chain([bytes.len()]) {
                    pieces.push((*side, bytes[prev..a].to_vec()));
                    prev = a;
                }
            }
            let (got, _) = replay(&pieces, false, usize::MAX);
            prop_assert_eq!(got, want);
        }
    }
}
