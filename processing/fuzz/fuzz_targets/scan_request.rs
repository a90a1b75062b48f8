//! Points, decoders and detectors on arbitrary bytes: the input is split into a URI, one header
//! value, a Content-Type pick and a body, so JSON/XML/multipart/gzip paths are all reached.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use processing::detect::Engine;
use processing::model::HttpRequest;

const TYPES: &[&str] = &[
    "application/json",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=B",
    "text/plain",
];

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0xff);
    let uri = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let header = parts.next().unwrap_or_default().to_vec();
    let body = parts.next().unwrap_or_default().to_vec();
    let ctype = TYPES[data.first().map_or(0, |b| *b as usize % TYPES.len())];
    let mut headers = vec![
        ("Content-Type".to_owned(), ctype.as_bytes().to_vec()),
        ("Cookie".to_owned(), header.clone()),
        ("X-Fuzz".to_owned(), header),
    ];
    if data.len() % 7 == 0 {
        headers.push(("Content-Encoding".to_owned(), b"gzip".to_vec()));
    }
    let req = HttpRequest { method: "POST".into(), uri, version: "HTTP/1.1".into(), headers, body };
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    for hit in ENGINE.get_or_init(Engine::new).scan(&req) {
        assert!(hit.payload.len() <= processing::detect::MAX_PAYLOAD + 4);
    }
});
